/**
 * What the scheduled jobs need from the node: the actor system (its
 * database and clock included), the AI client, and where progress goes.
 *
 * @module
 */
import type { AiClient } from "../ai/mod.ts";
import type { ActorSystem } from "../runtime/mod.ts";

/** The node's parts a scheduled job uses. */
export interface JobDeps {
  system: ActorSystem;
  /** Qualifies leads; `disabledAi` makes qualification rules-based, visibly. */
  ai: AiClient;
  /** Progress lines; default none. */
  log?: (line: string) => void;
}
