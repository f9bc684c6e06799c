/**
 * The lead actor and what surrounds it: capture with dedupe (the directory of
 * identity keys), scoring rules and AI qualification, and the migrations of
 * the lead tables.
 *
 * @module
 */
import { loadMigrationFiles, type Migration } from "../runtime/mod.ts";

export * from "./lead.ts";
export * from "./capture.ts";
export * from "./directory.ts";
export * from "./scoring.ts";
export * from "./qualify.ts";
export * from "./settings.ts";
export * from "./followups.ts";
export * from "./requalify.ts";
export * from "./merge.ts";
export * from "./timeline.ts";
export * from "./opt_outs.ts";
export * from "./inbound.ts";
export * from "./campaigns.ts";

/** The lead folder's migrations (versions 101-199). */
export function leadMigrations(): Promise<Migration[]> {
  return loadMigrationFiles(new URL("./migrations/", import.meta.url), [
    "0101_leads.sql",
    "0102_opt_outs.sql",
    "0103_lead_campaigns.sql",
    "0104_lead_list_indexes.sql",
  ]);
}
