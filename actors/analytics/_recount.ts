/**
 * Test support: every analytics figure recounted with SQL straight over the
 * `events` table, sharing no code with the projector, so a test can hold the
 * projection against it. The counting rules are the ones `_facts.ts` states,
 * written again here as set queries (local days by Postgres' own zone rules,
 * "ever unsubscribed" by looking back from each consent change, attribution
 * by ordering a lead's touches by sequence).
 *
 * @module
 */
import type { Sql } from "../runtime/mod.ts";

/** The tenant's ($1) lead events with the lead id and time in ms, indexed for the look-ups. */
const EVENTS = `
CREATE TEMP TABLE ev ON COMMIT DROP AS
  SELECT substr(actor, length($1) + 7) AS lead, seq, type, data, at,
         round(extract(epoch FROM at) * 1000)::float8 AS ms
  FROM events
  WHERE tenant = $1 AND starts_with(actor, 'lead/' || $1 || '/') AND type LIKE 'lead.%'`;

/** Leads (days in zone $1), messages in and out, funnel ranks, first outbound messages, wins; the cohort ($2-$3). */
const BASE = `
WITH leads AS (
  SELECT lead, ms AS captured_ms, at, data->>'source' AS source,
         to_char((at AT TIME ZONE $1)::date, 'YYYY-MM-DD') AS day
  FROM ev WHERE type = 'lead.captured'
),
outb AS (
  SELECT lead, seq, ms, data->>'channel' AS channel,
         coalesce(data->>'externalId', data->>'key') AS ext,
         CASE WHEN type = 'lead.campaign_step_sent' THEN data->>'campaignId' END AS campaign
  FROM ev
  WHERE (type = 'lead.message_recorded' AND data->>'direction' = 'outbound'
         AND data->>'channel' <> 'note')
     OR type IN ('lead.followup_sent', 'lead.campaign_step_sent')
),
inb AS (
  SELECT lead, seq, ms, data->>'channel' AS channel FROM ev
  WHERE type = 'lead.message_recorded' AND data->>'direction' = 'inbound'
    AND data->>'channel' <> 'note'
),
ranks AS (
  SELECT lead, max(r) AS r FROM (
    SELECT lead, CASE data->>'to' WHEN 'contacted' THEN 1 WHEN 'responded' THEN 2
                 WHEN 'qualified' THEN 2 WHEN 'meeting_scheduled' THEN 3 WHEN 'won' THEN 4
                 ELSE 0 END AS r
    FROM ev WHERE type = 'lead.status_changed'
    UNION ALL SELECT lead, 3 FROM ev WHERE type = 'lead.booked'
    UNION ALL SELECT lead, 1 FROM outb
    UNION ALL SELECT lead, 2 FROM inb
  ) x GROUP BY lead
),
first_out AS (
  SELECT DISTINCT ON (lead) lead, seq, ms FROM outb ORDER BY lead, seq
),
wins AS (
  SELECT DISTINCT ON (lead) lead, seq, coalesce((data->>'valueCents')::numeric, 0) AS value
  FROM ev WHERE type = 'lead.status_changed' AND data->>'to' = 'won' ORDER BY lead, seq
),
cohort AS (
  SELECT * FROM leads WHERE ($2::text IS NULL OR day >= $2) AND ($3::text IS NULL OR day <= $3)
)`;

/** First- and last-touch figures of a campaign or channel, and its cost. */
export interface Touches {
  cost: number;
  firstLeads: number;
  firstWon: number;
  firstRevenue: number;
  lastLeads: number;
  lastWon: number;
  lastRevenue: number;
}

/** Everything the recount found, in the report's shapes. */
export interface Recount {
  leadsPerDay: Array<{ day: string; source: string; count: number }>;
  funnel: Array<{ stage: string; count: number }>;
  wrote: number;
  repliedAfter: number;
  ttfrCount: number;
  ttfrSumMs: number;
  channels: Array<
    Touches & { channel: string; sent: number; delivered: number; failed: number; replied: number }
  >;
  campaigns: Array<Touches & { campaignId: string }>;
  scoreDistribution: Array<{ from: number; count: number }>;
}

const num = (rows: Record<string, unknown>[]) =>
  rows.map((r) =>
    Object.fromEntries(
      Object.entries(r).map((
        [k, v],
      ) => [k, typeof v === "string" && /^-?[\d.]+$/.test(v) && k !== "day" ? Number(v) : v]),
    )
  );

/** The report's figures (all but silence) recounted over the journal. */
export async function recount(
  sql: Sql,
  tenant: string,
  zone: string,
  range: { from?: string; to?: string } = {},
): Promise<Recount> {
  return await sql.begin(async (tx) => {
    await tx.unsafe(EVENTS, [tenant]);
    await tx.unsafe(`CREATE INDEX ON ev (lead, type, seq)`);
    await tx.unsafe(`ANALYZE ev`);
    return await recountIn(tx as unknown as Sql, [
      zone,
      range.from ?? null,
      range.to ?? null,
    ]);
  });
}

async function recountIn(sql: Sql, args: unknown[]): Promise<Recount> {
  const q = async (body: string) => num(await sql.unsafe(`${BASE} ${body}`, args as never[]));
  const perDay = await q(`
    SELECT day, source, count(*)::int AS count FROM cohort GROUP BY day, source ORDER BY day, source`);
  const [f] = await q(`
    SELECT count(*) AS new, count(*) FILTER (WHERE r >= 1) AS contacted,
           count(*) FILTER (WHERE r >= 2) AS responded, count(*) FILTER (WHERE r >= 3) AS meeting,
           count(*) FILTER (WHERE r >= 4) AS won
    FROM cohort LEFT JOIN ranks USING (lead)`);
  const [rr] = await q(`
    SELECT count(fo.lead) AS wrote,
           count(*) FILTER (WHERE EXISTS (SELECT 1 FROM inb i WHERE i.lead = c.lead
                                          AND i.seq > fo.seq)) AS replied_after,
           coalesce(sum(fo.ms - c.captured_ms), 0) AS ttfr_sum
    FROM cohort c JOIN first_out fo USING (lead)`);
  const channels = await q(`,
    touches AS (
      SELECT o.lead, o.seq, o.channel FROM outb o JOIN leads USING (lead)
      WHERE o.channel IN ('sms', 'email')
    ),
    first_touch AS (SELECT DISTINCT ON (lead) lead, channel FROM touches ORDER BY lead, seq),
    last_touch AS (
      SELECT DISTINCT ON (t.lead) t.lead, t.channel FROM touches t LEFT JOIN wins w USING (lead)
      WHERE w.seq IS NULL OR t.seq < w.seq ORDER BY t.lead, t.seq DESC
    )
    SELECT ch.channel,
      (SELECT coalesce(sum((data->>'costCents')::numeric), 0) FROM ev
       WHERE type = 'lead.campaign_step_sent' AND data->>'channel' = ch.channel) AS cost,
      (SELECT count(*) FROM first_touch t WHERE t.channel = ch.channel) AS "firstLeads",
      (SELECT count(w.lead) FROM first_touch t JOIN wins w USING (lead)
       WHERE t.channel = ch.channel) AS "firstWon",
      (SELECT coalesce(sum(w.value), 0) FROM first_touch t JOIN wins w USING (lead)
       WHERE t.channel = ch.channel) AS "firstRevenue",
      (SELECT count(*) FROM last_touch t WHERE t.channel = ch.channel) AS "lastLeads",
      (SELECT count(w.lead) FROM last_touch t JOIN wins w USING (lead)
       WHERE t.channel = ch.channel) AS "lastWon",
      (SELECT coalesce(sum(w.value), 0) FROM last_touch t JOIN wins w USING (lead)
       WHERE t.channel = ch.channel) AS "lastRevenue",
      (SELECT count(*) FROM outb o JOIN leads USING (lead) WHERE o.channel = ch.channel) AS sent,
      (SELECT count(*) FROM outb o JOIN leads USING (lead) WHERE o.channel = ch.channel
        AND EXISTS (SELECT 1 FROM ev s WHERE s.lead = o.lead AND s.seq > o.seq
                    AND s.type = 'lead.message_status_changed'
                    AND s.data->>'externalId' = o.ext AND s.data->>'status' = 'delivered')
      ) AS delivered,
      (SELECT count(*) FROM outb o JOIN leads USING (lead) WHERE o.channel = ch.channel
        AND EXISTS (SELECT 1 FROM ev s WHERE s.lead = o.lead AND s.seq > o.seq
                    AND s.type = 'lead.message_status_changed'
                    AND s.data->>'externalId' = o.ext AND s.data->>'status' = 'failed')
      ) AS failed,
      (SELECT count(DISTINCT i.lead) FROM inb i JOIN leads USING (lead)
       WHERE i.channel = ch.channel) AS replied
    FROM (VALUES ('sms'), ('email')) AS ch(channel) ORDER BY ch.channel = 'email'`);
  const campaigns = await q(`,
    touches AS (
      SELECT e.lead, e.seq, e.data->>'campaignId' AS campaign FROM ev e JOIN leads USING (lead)
      WHERE e.type = 'lead.campaign_step_sent'
    ),
    first_touch AS (SELECT DISTINCT ON (lead) lead, campaign FROM touches ORDER BY lead, seq),
    last_touch AS (
      SELECT DISTINCT ON (t.lead) t.lead, t.campaign FROM touches t LEFT JOIN wins w USING (lead)
      WHERE w.seq IS NULL OR t.seq < w.seq ORDER BY t.lead, t.seq DESC
    ),
    ids AS (
      SELECT data->>'campaignId' AS campaign FROM ev
      WHERE type IN ('lead.campaign_step_sent', 'lead.campaign_enrolled')
      GROUP BY 1
    )
    SELECT ids.campaign AS "campaignId",
      (SELECT coalesce(sum((data->>'costCents')::numeric), 0) FROM ev
       WHERE type = 'lead.campaign_step_sent' AND data->>'campaignId' = ids.campaign) AS cost,
      (SELECT count(*) FROM first_touch t WHERE t.campaign = ids.campaign) AS "firstLeads",
      (SELECT count(w.lead) FROM first_touch t JOIN wins w USING (lead)
       WHERE t.campaign = ids.campaign) AS "firstWon",
      (SELECT coalesce(sum(w.value), 0) FROM first_touch t JOIN wins w USING (lead)
       WHERE t.campaign = ids.campaign) AS "firstRevenue",
      (SELECT count(*) FROM last_touch t WHERE t.campaign = ids.campaign) AS "lastLeads",
      (SELECT count(w.lead) FROM last_touch t JOIN wins w USING (lead)
       WHERE t.campaign = ids.campaign) AS "lastWon",
      (SELECT coalesce(sum(w.value), 0) FROM last_touch t JOIN wins w USING (lead)
       WHERE t.campaign = ids.campaign) AS "lastRevenue"
    FROM ids ORDER BY ids.campaign`);
  const scores = await q(`,
    live AS (
      SELECT l.lead FROM leads l
      WHERE (SELECT data->>'into' FROM ev m WHERE m.lead = l.lead AND m.type = 'lead.merged_into'
             ORDER BY m.seq DESC LIMIT 1) IS NULL
    ),
    score AS (
      SELECT live.lead,
        coalesce((SELECT (data->>'score')::int FROM ev s WHERE s.lead = live.lead
                  AND s.type = 'lead.scored' ORDER BY s.seq DESC LIMIT 1), 0) AS score
      FROM live
    )
    SELECT b.f AS "from", count(score.lead)::int AS count
    FROM generate_series(0, 90, 10) AS b(f)
    LEFT JOIN score ON least(score.score / 10, 9) * 10 = b.f
    GROUP BY b.f ORDER BY b.f`);
  return {
    leadsPerDay: perDay as Recount["leadsPerDay"],
    funnel: ["new", "contacted", "responded", "meeting", "won"].map((stage) => ({
      stage,
      count: Number(f![stage]),
    })),
    wrote: Number(rr!.wrote),
    repliedAfter: Number(rr!.replied_after),
    ttfrCount: Number(rr!.wrote),
    ttfrSumMs: Number(rr!.ttfr_sum),
    channels: channels as unknown as Recount["channels"],
    campaigns: campaigns as unknown as Recount["campaigns"],
    scoreDistribution: scores as Recount["scoreDistribution"],
  };
}

/** Open leads not merged away whose last word (or capture) is before `now - hours`. */
export async function recountSilent(
  sql: Sql,
  tenant: string,
  hours: number,
  now: number,
): Promise<number> {
  const [r] = await sql.begin(async (tx) => {
    await tx.unsafe(EVENTS, [tenant]);
    await tx.unsafe(`CREATE INDEX ON ev (lead, type, seq)`);
    await tx.unsafe(`ANALYZE ev`);
    // Every consent entry in order: the capture's list, a repeat capture's list, a change.
    await tx.unsafe(`
      CREATE TEMP TABLE cons ON COMMIT DROP AS
      SELECT lead, seq, ord, c->>'channel' AS ch, (c->>'granted')::boolean AS granted
      FROM ev, jsonb_array_elements(CASE WHEN jsonb_typeof(data->'consent') = 'array'
                                         THEN data->'consent' ELSE '[]'::jsonb END)
               WITH ORDINALITY AS x(c, ord)
      WHERE type IN ('lead.captured', 'lead.merged')
      UNION ALL
      SELECT lead, seq, 1, data->>'channel', (data->>'granted')::boolean FROM ev
      WHERE type = 'lead.consent_changed'`);
    await tx.unsafe(`CREATE INDEX ON cons (lead, ch, seq, ord)`);
    await tx.unsafe(`ANALYZE cons`);
    return await tx.unsafe(
      `${BASE},
    unsubscribed AS (
      SELECT DISTINCT e.lead FROM (SELECT DISTINCT lead, seq FROM cons) e
      WHERE (SELECT granted FROM cons c WHERE c.lead = e.lead AND c.ch = 'sms' AND c.seq <= e.seq
             ORDER BY c.seq DESC, c.ord DESC LIMIT 1) = false
        AND (SELECT granted FROM cons c WHERE c.lead = e.lead AND c.ch = 'email' AND c.seq <= e.seq
             ORDER BY c.seq DESC, c.ord DESC LIMIT 1) = false
    ),
    closed AS (
      SELECT lead FROM ev WHERE type = 'lead.booked'
         OR (type = 'lead.status_changed'
             AND data->>'to' IN ('meeting_scheduled', 'won', 'lost', 'unsubscribed'))
      UNION SELECT lead FROM unsubscribed
    ),
    heard AS (
      SELECT lead, max(ms) AS ms FROM (
        SELECT lead, ms FROM inb
        UNION ALL SELECT lead, ms FROM ev
        WHERE type IN ('lead.captured', 'lead.merged') AND coalesce(data->>'message', '') <> ''
      ) x GROUP BY lead
    )
    SELECT count(*) AS n FROM leads l LEFT JOIN heard h USING (lead)
    WHERE l.lead NOT IN (SELECT lead FROM closed)
      AND (SELECT data->>'into' FROM ev m WHERE m.lead = l.lead AND m.type = 'lead.merged_into'
           ORDER BY m.seq DESC LIMIT 1) IS NULL
      AND coalesce(h.ms, l.captured_ms) < $4::float8`,
      ["UTC", null, null, now - hours * 3_600_000],
    );
  });
  return Number(r!.n);
}
