/**
 * Campaigns: the campaign actor (`campaign/<tenant>/<campaignId>`), its
 * batched enrollment (the `campaign_scan` and `campaign_enroll` outbox
 * channels), the A/B and throttle arithmetic, and the governor keys that cap
 * a campaign's sends across the cluster. The per-lead steps are the lead
 * actor's work (`actors/lead/campaigns.ts`). A node hosting campaigns hosts
 * `campaign` and `lead` and serves both channels:
 *
 * ```ts
 * // Migrations: leadMigrations() and campaignMigrations().
 * const system = new ActorSystem({ database: db, types: [lead, settings, campaign] });
 * const outbox = new OutboxWorker(system, [...campaignDispatchers(system, db.sql), ...]);
 * ```
 *
 * @module
 */
import {
  type ActorSystem,
  type Dispatcher,
  loadMigrationFiles,
  type Migration,
  type Sql,
} from "../runtime/mod.ts";
import { CampaignEnrollDispatcher } from "./enroll_dispatcher.ts";
import { CampaignScanDispatcher } from "./scan.ts";

export * from "./campaign.ts";
export * from "./view.ts";
export * from "./enrollment.ts";
export * from "./scan.ts";
export * from "./enroll_dispatcher.ts";
export * from "./governor.ts";

/** The dispatchers of the campaign channels: audience scans and enrollment batches. */
export function campaignDispatchers(system: ActorSystem, sql: Sql): Dispatcher[] {
  return [new CampaignScanDispatcher(sql, system.clock), new CampaignEnrollDispatcher(system)];
}

/** The campaign folder's migrations (versions 701-749): the `campaigns` read model. */
export function campaignMigrations(): Promise<Migration[]> {
  return loadMigrationFiles(new URL("./migrations/", import.meta.url), ["0701_campaigns.sql"]);
}
