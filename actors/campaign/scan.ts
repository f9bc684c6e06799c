/**
 * The `campaign_scan` outbox channel: finds the next batch of a campaign's
 * audience in the `leads` read model, so enrollment costs one SQL query and
 * one campaign turn per batch instead of a turn per lead. Keyset-paged by
 * lead id; leads merged away, unsubscribed or already in the campaign (the
 * `campaigns` column) are left out, so a rescan from the start finds only
 * leads that match since. A `members` scan instead pages through the leads
 * ever enrolled (the GIN index on `campaigns`), to tell them it stopped.
 *
 * @module
 */
import { z } from "zod";
import { Audience } from "../../shared/campaign.ts";
import type { Clock } from "../../shared/clock.ts";
import type { ClaimedMessage, Dispatcher, DispatchResult, Sql } from "../runtime/mod.ts";

/** The outbox channel of audience scans. */
export const CAMPAIGN_SCAN_CHANNEL = "campaign_scan";

/** Leads per scan batch (and per `campaign.enrolled_batch`). */
export const SCAN_BATCH = 1_000;

/** What a `campaign_scan` outbox row carries. */
export const ScanRequest = z.object({
  campaignId: z.string().min(1),
  audience: Audience,
  /** Only leads with an id after this one; null from the start. */
  cursor: z.string().nullable(),
  limit: z.number().int().min(1).max(10_000),
  /** The campaign's leads instead of its audience. */
  members: z.boolean().optional(),
});
/** A scan request. */
export type ScanRequest = z.infer<typeof ScanRequest>;

/** What a scan answers: the batch in id order, and where the next starts (null: no more). */
export const ScanResult = z.object({
  leadIds: z.array(z.string()),
  nextCursor: z.string().nullable(),
});
/** A scan result. */
export type ScanResult = z.infer<typeof ScanResult>;

/**
 * The conditions (each starting `AND`) that leads `l` of the `leads` read model
 * meet to be in audience `a` at `now`. Launch enrolls and the builder's preview
 * counts with this one filter, so the two cannot drift apart.
 */
export function audienceFilter(sql: Sql, a: Audience, now: number): ReturnType<Sql> {
  const none = sql``;
  return sql`
    ${a.statuses ? sql`AND l.status = ANY(${a.statuses}::text[])` : none}
    ${a.minScore !== undefined ? sql`AND l.score >= ${a.minScore}` : none}
    ${a.maxScore !== undefined ? sql`AND l.score <= ${a.maxScore}` : none}
    ${a.tagsAny ? sql`AND l.tags && ${a.tagsAny}::text[]` : none}
    ${a.tagsAll ? sql`AND l.tags @> ${a.tagsAll}::text[]` : none}
    ${a.sources ? sql`AND l.source = ANY(${a.sources}::text[])` : none}
    ${
    a.silentForHours !== undefined
      ? sql`AND COALESCE(l.last_inbound, l.created_at) <= ${new Date(
        now - a.silentForHours * 3_600_000,
      )}`
      : none
  }`;
}

/** The next batch of `req`'s audience in `tenant`, as of `now` (for silence). */
export async function scanAudience(
  sql: Sql,
  tenant: string,
  req: ScanRequest,
  now: number,
): Promise<ScanResult> {
  const a = req.audience;
  const none = sql``;
  const after = req.cursor !== null ? sql`AND l.lead_id > ${req.cursor}` : none;
  const rows = req.members
    ? await sql<{ lead_id: string }[]>`
      SELECT l.lead_id FROM leads l
      WHERE l.tenant = ${tenant} AND l.campaigns @> ARRAY[${req.campaignId}]::text[] ${after}
      ORDER BY l.lead_id LIMIT ${req.limit}`
    : await sql<{ lead_id: string }[]>`
    SELECT l.lead_id FROM leads l
    WHERE l.tenant = ${tenant} AND l.merged_into IS NULL AND l.status <> 'unsubscribed'
      ${after}
      AND NOT (l.campaigns @> ARRAY[${req.campaignId}]::text[])
      ${audienceFilter(sql, a, now)}
    ORDER BY l.lead_id
    LIMIT ${req.limit}`;
  const leadIds = rows.map((r) => r.lead_id);
  return { leadIds, nextCursor: leadIds.length < req.limit ? null : leadIds.at(-1)! };
}

/** Answers `campaign_scan` outbox rows from the `leads` read model. */
export class CampaignScanDispatcher implements Dispatcher {
  readonly channel = CAMPAIGN_SCAN_CHANNEL;

  /** Reads `sql` (a database with the lead migrations); `clock` dates the silence criterion. */
  constructor(readonly sql: Sql, readonly clock: Clock) {}

  async send(msg: ClaimedMessage): Promise<DispatchResult> {
    const req = ScanRequest.safeParse(msg.payload);
    if (!req.success) {
      return { ok: false, error: `bad scan request: ${req.error.message}`, retryable: false };
    }
    // The row's tenant, never one from the payload: a scan sees only its campaign's tenant.
    const result = await scanAudience(this.sql, msg.tenant, req.data, this.clock.now());
    return { ok: true, response: result };
  }
}
