/**
 * Reads a tenant's {@link PipelineFigures} with SQL: statuses from the
 * `leads` read model, replies and follow-up steps from the journal (the read
 * model keeps only the latest message times), and segments from each lead's
 * capture event (business type and address are not in the read model).
 *
 * @module
 */
import { listSilentLeads } from "../lead/mod.ts";
import type { Sql } from "../runtime/mod.ts";
import type { PipelineFigures, Segment } from "./figures.ts";
import { THRESHOLDS } from "./rules.ts";

const OPEN = ["new", "contacted", "responded", "qualified"];
const CONVERTED = ["meeting_scheduled", "won"];
const SEGMENTS_PER_KIND = 20;

/** The figures of `tenant` as of `now` (epoch ms). */
export async function readPipelineFigures(
  sql: Sql,
  tenant: string,
  now: number,
): Promise<PipelineFigures> {
  const [counts, replies, steps, segmentRows, silent] = await Promise.all([
    sql<{ open: number; uncontacted: number }[]>`
      SELECT count(*) FILTER (WHERE status IN ${sql(OPEN)})::int AS open,
             count(*) FILTER (WHERE status = 'new')::int AS uncontacted
      FROM leads WHERE tenant = ${tenant} AND merged_into IS NULL`,
    // Our first message to each lead (follow-up, campaign step or by hand), then whether an
    // inbound one came after it.
    sql<{ written: number; replied: number }[]>`
      WITH firsts AS (
        SELECT actor, min(at) AS first_out FROM events
        WHERE tenant = ${tenant}
          AND (type IN ('lead.followup_sent', 'lead.campaign_step_sent')
            OR (type = 'lead.message_recorded' AND data->>'direction' = 'outbound'))
        GROUP BY actor)
      SELECT count(*)::int AS written,
             count(*) FILTER (WHERE EXISTS (
               SELECT 1 FROM events e WHERE e.actor = f.actor
                 AND e.type = 'lead.message_recorded' AND e.data->>'direction' = 'inbound'
                 AND e.at > f.first_out))::int AS replied
      FROM firsts f`,
    sql<{ sequence: string; step: number; sent: number; replied: number }[]>`
      SELECT s.data->>'sequence' AS sequence, (s.data->>'step')::int AS step,
             count(*)::int AS sent,
             count(*) FILTER (WHERE EXISTS (
               SELECT 1 FROM events e WHERE e.actor = s.actor
                 AND e.type = 'lead.message_recorded' AND e.data->>'direction' = 'inbound'
                 AND e.at > s.at))::int AS replied
      FROM events s WHERE s.tenant = ${tenant} AND s.type = 'lead.followup_sent'
      GROUP BY 1, 2 ORDER BY 1, 2`,
    sql<
      {
        source: string;
        business_type: string | null;
        city: string | null;
        postcode: string | null;
        converted: boolean;
      }[]
    >`
      SELECT l.source, c.data->'contact'->>'businessType' AS business_type,
             c.data->'contact'->'address'->>'city' AS city,
             c.data->'contact'->'address'->>'postcode' AS postcode,
             l.status IN ${sql(CONVERTED)} AS converted
      FROM leads l LEFT JOIN events c ON c.actor = l.actor AND c.type = 'lead.captured'
      WHERE l.tenant = ${tenant} AND l.merged_into IS NULL`,
    listSilentLeads(sql, tenant, {
      hours: THRESHOLDS.silentHours,
      now,
      minScore: THRESHOLDS.highScore,
      limit: 50,
    }),
  ]);
  return {
    asOf: now,
    openLeads: counts[0]?.open ?? 0,
    uncontacted: counts[0]?.uncontacted ?? 0,
    written: replies[0]?.written ?? 0,
    replied: replies[0]?.replied ?? 0,
    steps: steps.map((s) => ({ ...s })),
    silentHighScore: silent.map((l) => ({
      leadId: l.leadId,
      score: l.score,
      silentSince: l.silentSince,
    })),
    segments: segmentsOf(segmentRows),
  };
}

function segmentsOf(
  rows: {
    source: string;
    business_type: string | null;
    city: string | null;
    postcode: string | null;
    converted: boolean;
  }[],
): Segment[] {
  const byKey = new Map<string, Segment>();
  const add = (kind: Segment["kind"], value: string | null, converted: boolean) => {
    const v = value?.trim();
    if (!v) return;
    const key = `${kind}\u0000${v.toLowerCase()}`;
    const s = byKey.get(key) ?? { kind, value: v, leads: 0, converted: 0 };
    s.leads++;
    if (converted) s.converted++;
    byKey.set(key, s);
  };
  for (const r of rows) {
    add("source", r.source, r.converted);
    add("businessType", r.business_type, r.converted);
    add("city", r.city, r.converted);
    add("postcode", r.postcode, r.converted);
  }
  const rate = (s: Segment) => s.converted / s.leads;
  const sorted = [...byKey.values()].sort((a, b) =>
    rate(b) - rate(a) || b.leads - a.leads || a.kind.localeCompare(b.kind) ||
    a.value.localeCompare(b.value)
  );
  // The best of each kind is all a rule uses; every postcode would bloat the journaled figures.
  const kept = new Map<string, number>();
  return sorted.filter((s) => {
    const n = (kept.get(s.kind) ?? 0) + 1;
    kept.set(s.kind, n);
    return n <= SEGMENTS_PER_KIND;
  });
}
