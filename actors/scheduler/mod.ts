/**
 * Scheduled jobs: cron expressions read in a tenant's time zone, each
 * occurrence run by exactly one node of the cluster (claimed in Postgres),
 * missed occurrences after downtime collapsed into one run.
 *
 * @module
 */
import { loadMigrationFiles, type Migration } from "../runtime/mod.ts";

export * from "./cron_schedule.ts";
export * from "./occurrence_claims.ts";
export * from "./scheduler.ts";

/** The scheduler folder's migrations (versions 601-699). */
export function schedulerMigrations(): Promise<Migration[]> {
  return loadMigrationFiles(new URL("./migrations/", import.meta.url), [
    "0601_scheduled_occurrences.sql",
  ]);
}
