/**
 * The team and its tasks: the `team` actor (one per tenant: members, the
 * kinds of work they take, weighted round-robin picks), the `task` actor
 * (open → assigned → done, due-date reminders, notices for high-priority
 * leads, the `tasks` read model), the classification of inbound messages
 * (AI, else keyword rules) and the routing that ties them together. Shapes
 * live in `shared/team.ts`.
 *
 * @module
 */
import { loadMigrationFiles, type Migration } from "../runtime/mod.ts";

export * from "./round_robin.ts";
export * from "./team.ts";
export * from "./task.ts";
export * from "./classify.ts";
export * from "./routing.ts";

/** The team folder's migrations (versions 201-299). */
export function teamMigrations(): Promise<Migration[]> {
  return loadMigrationFiles(new URL("./migrations/", import.meta.url), ["0201_tasks.sql"]);
}
