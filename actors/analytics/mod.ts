/**
 * Analytics as projections of the journal: a projector folds each tenant's
 * events into aggregate tables (live and rebuildable), and query functions
 * answer the tenant's report and each campaign's figures from them.
 *
 * Dashboards see analytics change live by subscribing to the tenant's stream
 * and re-reading `GET /v1/analytics`, which is exact up to the `position` it
 * names; the projector also publishes an ephemeral notice on
 * `analyticsTopic(tenant)` after each advance.
 *
 * @module
 */
import { loadMigrationFiles, type Migration } from "../runtime/mod.ts";

export * from "./projector.ts";
export * from "./report.ts";
export * from "./zone.ts";

/** The analytics folder's migrations (versions 751-799). */
export function analyticsMigrations(): Promise<Migration[]> {
  return loadMigrationFiles(new URL("./migrations/", import.meta.url), [
    "0751_analytics.sql",
    "0752_channel_attribution.sql",
  ]);
}
