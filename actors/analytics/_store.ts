/**
 * The projection's rows in Postgres: loading what a page touches and writing
 * back its rows and aggregate deltas, inside the transaction that moves the
 * checkpoint.
 *
 * @module
 */
import type postgres from "postgres";
import type { CampaignLeadFacts, Delta, LeadFacts } from "./_facts.ts";
import { silentSince, TABLES } from "./_facts.ts";
import { type Loaded, messageKey, type MessageRow } from "./_fold.ts";

type Tx = postgres.TransactionSql | postgres.Sql;

/** Every table holding a tenant's projection rows. */
export const PROJECTION_TABLES: readonly string[] = [
  "analytics_leads",
  "analytics_campaign_leads",
  "analytics_messages",
  ...Object.keys(TABLES),
];

/** Loads the rows of `leadIds` and of the named messages. */
export async function loadRows(
  tx: Tx,
  tenant: string,
  leadIds: string[],
  messages: Array<[string, string]>,
): Promise<Loaded> {
  const loaded: Loaded = { leads: new Map(), runs: new Map(), messages: new Map() };
  if (leadIds.length === 0) return loaded;
  const [leads, runs, msgs] = await Promise.all([
    tx<{ lead_id: string; facts: LeadFacts }[]>`
      SELECT lead_id, facts FROM analytics_leads
      WHERE tenant = ${tenant} AND lead_id = ANY(${leadIds}::text[])`,
    tx<{ lead_id: string; campaign_id: string; facts: CampaignLeadFacts }[]>`
      SELECT lead_id, campaign_id, facts FROM analytics_campaign_leads
      WHERE tenant = ${tenant} AND lead_id = ANY(${leadIds}::text[])`,
    messages.length === 0 ? Promise.resolve([]) : tx<
      {
        lead_id: string;
        external_id: string;
        channel: string;
        campaign_id: string | null;
        delivered: boolean;
        failed: boolean;
      }[]
    >`
      SELECT lead_id, external_id, channel, campaign_id, delivered, failed
      FROM analytics_messages
      WHERE tenant = ${tenant} AND lead_id = ANY(${[...new Set(messages.map((m) => m[0]))]}::text[])
        AND external_id = ANY(${[...new Set(messages.map((m) => m[1]))]}::text[])`,
  ]);
  for (const l of leads) loaded.leads.set(l.lead_id, l.facts);
  for (const r of runs) {
    let m = loaded.runs.get(r.lead_id);
    if (!m) loaded.runs.set(r.lead_id, m = new Map());
    m.set(r.campaign_id, r.facts);
  }
  for (const m of msgs) {
    loaded.messages.set(messageKey(m.lead_id, m.external_id), {
      leadId: m.lead_id,
      externalId: m.external_id,
      channel: m.channel,
      campaignId: m.campaign_id,
      delivered: m.delivered,
      failed: m.failed,
    });
  }
  return loaded;
}

/** Writes a page's rows and adds its deltas to the aggregates. */
export async function writeRows(
  tx: Tx,
  tenant: string,
  page: {
    leads: Array<[string, LeadFacts]>;
    runs: Array<[string, string, CampaignLeadFacts]>;
    messages: MessageRow[];
    deltas: Delta[];
  },
): Promise<void> {
  const { leads, runs, messages } = page;
  if (leads.length > 0) {
    await tx`
      INSERT INTO analytics_leads (tenant, lead_id, facts, silent_since)
      SELECT ${tenant}, id, f::jsonb, s
      FROM unnest(${leads.map((l) => l[0])}::text[],
                  ${leads.map((l) => JSON.stringify(l[1]))}::text[],
                  ${leads.map((l) => silentSince(l[1]))}::bigint[]) AS u(id, f, s)
      ON CONFLICT (tenant, lead_id) DO UPDATE
        SET facts = EXCLUDED.facts, silent_since = EXCLUDED.silent_since`;
  }
  if (runs.length > 0) {
    await tx`
      INSERT INTO analytics_campaign_leads (tenant, lead_id, campaign_id, facts)
      SELECT ${tenant}, id, c, f::jsonb
      FROM unnest(${runs.map((r) => r[0])}::text[], ${runs.map((r) => r[1])}::text[],
                  ${runs.map((r) => JSON.stringify(r[2]))}::text[]) AS u(id, c, f)
      ON CONFLICT (tenant, lead_id, campaign_id) DO UPDATE SET facts = EXCLUDED.facts`;
  }
  if (messages.length > 0) {
    await tx`
      INSERT INTO analytics_messages
        (tenant, lead_id, external_id, channel, campaign_id, delivered, failed)
      SELECT ${tenant}, l, x, ch, c, d::boolean, f::boolean
      FROM unnest(${messages.map((m) => m.leadId)}::text[],
                  ${messages.map((m) => m.externalId)}::text[],
                  ${messages.map((m) => m.channel)}::text[],
                  ${messages.map((m) => m.campaignId)}::text[],
                  ${messages.map((m) => String(m.delivered))}::text[],
                  ${messages.map((m) => String(m.failed))}::text[]) AS u(l, x, ch, c, d, f)
      ON CONFLICT (tenant, lead_id, external_id) DO UPDATE
        SET delivered = EXCLUDED.delivered, failed = EXCLUDED.failed`;
  }
  await addDeltas(tx, tenant, page.deltas);
}

/** Adds deltas to the aggregate tables; sums are taken by Postgres in numeric, so money stays exact. */
async function addDeltas(tx: Tx, tenant: string, deltas: Delta[]): Promise<void> {
  for (const [table, spec] of Object.entries(TABLES)) {
    const rows = deltas.filter((d) => d.table === table).map((d) => ({ ...d.key, ...d.values }));
    if (rows.length === 0) continue;
    const keys = Object.entries(spec.keys as Record<string, string>);
    const keyCols = keys.map(([k]) => `"${k}"`).join(", ");
    const values = spec.values as readonly string[];
    const recordType = [
      ...keys.map(([k, t]) => `"${k}" ${t}`),
      ...values.map((v) => `"${v}" numeric`),
    ].join(", ");
    // Identifiers come from the fixed TABLES spec, never from data.
    await tx.unsafe(
      `INSERT INTO "${table}" (tenant, ${keyCols}, ${values.map((v) => `"${v}"`).join(", ")})
       SELECT $1, ${keyCols}, ${values.map((v) => `coalesce(sum("${v}"), 0)`).join(", ")}
       FROM jsonb_to_recordset($2::text::jsonb) AS x(${recordType})
       GROUP BY ${keyCols}
       ON CONFLICT (tenant, ${keyCols}) DO UPDATE SET ${
        values.map((v) => `"${v}" = "${table}"."${v}" + EXCLUDED."${v}"`).join(", ")
      }`,
      [tenant, JSON.stringify(rows)],
    );
  }
}
