/**
 * What an activation needs from the system that hosts it.
 *
 * @module
 */
import type { Clock } from "../../shared/clock.ts";
import type { TurnContext } from "./effects.ts";
import type { GroupCommitter } from "./group_commit.ts";
import type { Activation } from "./_activation.ts";

/**
 * The host of activations (implemented by the actor system).
 *
 * @internal Activations are private to this folder; the system's public API is its own methods.
 */
export interface Runtime {
  readonly clock: Clock;
  readonly mailboxLimit: number;
  readonly snapshotEvery: number;
  readonly committer: GroupCommitter;
  /** A fresh call-chain id. */
  newChain(): string;
  /** The context a turn's handler sees. */
  context(activation: Activation, chain: string | undefined): TurnContext;
  /** Records the failure of a message nobody waits for. */
  logDropped(actor: string, error: unknown): void;
  /** Called when a commit found the activation superseded. */
  fenced(activation: Activation, error: unknown): void;
}
