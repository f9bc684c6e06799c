/**
 * Benchmark of analytics queries at 1,000,000 leads (`deno task bench:analytics`):
 * latency of `readAnalytics` (the whole report) and `readCampaignStats` over
 * a projection holding a million leads of one tenant, and the projector's
 * fold rate over synthetic journal events.
 *
 * The projection rows are filled with bulk SQL (`generate_series`) straight
 * into the analytics tables, not by folding a million leads' events: this
 * measures queries, and the tables' sizes are what a million-lead tenant
 * gives them (a row per lead with its facts, per-day-and-source cohort rows
 * over two years, the silence histogram derived from the lead rows, 50
 * campaigns with 3 variants, 300,000 lead-in-campaign rows). Each
 * `readAnalytics` asks a different silence threshold (1-720 h), so the
 * boundary hour it reads moves.
 *
 * Flags: `--quick` (100,000 leads), `--leads=N`, `--runs=N` (queries timed,
 * default 300), `--fold=N` (events folded, default 50,000; 0 skips), `--page=N`
 * (events per fold transaction, default 5,000),
 * `--pg-url=URL` (default env TEST_DATABASE_URL, then BENCH_DATABASE_URL).
 * Runs in a fresh schema (`bench_analytics_<id>`), dropped at the end.
 *
 * @module
 */
import {
  analyticsMigrations,
  catchUp,
  readAnalytics,
  readCampaignStats,
} from "../actors/analytics/mod.ts";
import { openDatabase } from "../actors/runtime/mod.ts";
import { newId } from "../shared/ids.ts";
import { int, ms, summarize, table } from "./mod.ts";

function flag(name: string): string | undefined {
  const hit = Deno.args.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (hit === undefined) return undefined;
  return hit.includes("=") ? hit.slice(hit.indexOf("=") + 1) : "";
}

const url = flag("pg-url") ?? Deno.env.get("TEST_DATABASE_URL") ??
  Deno.env.get("BENCH_DATABASE_URL");
if (!url) {
  console.error("needs Postgres: --pg-url=postgres://... or TEST_DATABASE_URL");
  Deno.exit(2);
}
const LEADS = Number(flag("leads") ?? (flag("quick") !== undefined ? 100_000 : 1_000_000));
const RUNS = Number(flag("runs") ?? 300);
const FOLD = Number(flag("fold") ?? 50_000);
const PAGE = Number(flag("page") ?? 5000);
const TENANT = "bench";
const HOUR = 3_600_000;
const NOW = Date.parse("2026-06-01T12:00:00Z");

const schema = `bench_analytics_${newId().toLowerCase()}`;
const db = await openDatabase({ url, schema, max: 4, migrations: await analyticsMigrations() });
const sql = db.sql;

try {
  const t0 = performance.now();
  // One row per lead: 60% still open and live, silent since some time in the last 90 days.
  await sql`
    INSERT INTO analytics_leads (tenant, lead_id, facts, silent_since)
    SELECT ${TENANT}, 'lead-' || i,
      jsonb_build_object('capturedAt', ${NOW}::bigint - (i % 730)::bigint * 86400000, 'day', '2025-01-01',
        'source', (ARRAY['widget','rest','csv','inbound_sms','inbound_email'])[1 + i % 5],
        'rank', i % 5, 'closed', i % 5 >= 3, 'consent', '{}'::jsonb, 'mergedInto', null,
        'score', i % 101, 'heardAt', null, 'firstOutSeq', 2, 'firstOutAt', 0,
        'repliedAfter', i % 3 = 0, 'repliedOn', '[]'::jsonb, 'firstTouch', 'c' || (i % 50),
        'lastTouch', 'c' || (i % 47), 'won', i % 5 = 4, 'valueCents', i % 100000),
      CASE WHEN i % 5 < 3 THEN ${NOW}::bigint - (hashint4(i)::bigint & 2147483647) % (90 * 86400000::bigint)
      END
    FROM generate_series(1, ${LEADS}::int) AS i`;
  await sql`
    INSERT INTO analytics_silence (tenant, hour, count)
    SELECT ${TENANT}, silent_since / ${HOUR}::bigint, count(*) FROM analytics_leads
    WHERE tenant = ${TENANT} AND silent_since IS NOT NULL GROUP BY 2`;
  const perDay = Math.ceil(LEADS / (730 * 5));
  await sql`
    INSERT INTO analytics_days (tenant, day, source, captured, contacted, responded, meeting, won,
                                wrote, replied_after, ttfr_count, ttfr_sum_ms)
    SELECT ${TENANT}, date '2024-06-01' + d, s, ${perDay}, ${perDay} * 0.8, ${perDay} * 0.5,
           ${perDay} * 0.2, ${perDay} * 0.05, ${perDay} * 0.8, ${perDay} * 0.3, ${perDay} * 0.8,
           ${perDay} * 0.8 * 3600000
    FROM generate_series(0, 729) AS d,
         unnest(ARRAY['widget','rest','csv','inbound_sms','inbound_email']) AS s`;
  await sql`
    INSERT INTO analytics_channels (tenant, channel, sent, delivered, failed, replied)
    VALUES (${TENANT}, 'sms', ${LEADS * 2}, ${LEADS * 1.8}::numeric, ${LEADS * 0.1}::numeric,
            ${LEADS * 0.3}::numeric),
           (${TENANT}, 'email', ${LEADS}, ${LEADS * 0.9}::numeric, ${LEADS * 0.05}::numeric,
            ${LEADS * 0.1}::numeric)`;
  await sql`
    INSERT INTO analytics_campaigns (tenant, campaign_id, enrolled, sent, delivered, opened,
      clicked, replied, booked, won, cost_cents, revenue_cents, first_leads, first_won,
      first_revenue_cents, last_leads, last_won, last_revenue_cents)
    SELECT ${TENANT}, 'c' || c, 6000, 15000, 14000, 3000, 900, 700, 200, 60, 30000, 6000000,
           ${Math.floor(LEADS / 50)}, 400, 4000000, ${Math.floor(LEADS / 47)}, 420, 4200000
    FROM generate_series(0, 49) AS c`;
  await sql`
    INSERT INTO analytics_campaign_variants (tenant, campaign_id, variant, enrolled, sent, replied,
                                             booked)
    SELECT ${TENANT}, 'c' || c, v, 2000, 5000, 230, 70
    FROM generate_series(0, 49) AS c, generate_series(0, 2) AS v`;
  await sql`
    INSERT INTO analytics_scores (tenant, bucket, count)
    SELECT ${TENANT}, b, ${Math.floor(LEADS / 10)} FROM generate_series(0, 90, 10) AS b`;
  await sql`
    INSERT INTO analytics_campaign_leads (tenant, lead_id, campaign_id, facts)
    SELECT ${TENANT}, 'lead-' || i, 'c' || (i % 50),
           jsonb_build_object('variant', i % 3, 'enrolledSeq', 3, 'opened', i % 4 = 0,
             'clicked', false, 'replied', false, 'booked', false, 'won', false,
             'revenueCents', 0)
    FROM generate_series(1, ${Math.floor(LEADS * 0.3)}::int) AS i`;
  await sql`INSERT INTO analytics_checkpoints (tenant, position, time_zone)
            VALUES (${TENANT}, ${LEADS * 10}, 'America/New_York')`;
  await sql`ANALYZE`;
  const filled = performance.now() - t0;

  // Warm up, then time.
  for (let i = 0; i < 5; i++) {
    await readAnalytics(sql, TENANT, { silentHours: 48, now: NOW });
    await readCampaignStats(sql, TENANT, "c1");
  }
  const report: number[] = [];
  let silent = 0;
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    const r = await readAnalytics(sql, TENANT, { silentHours: 1 + (i * 37) % 720, now: NOW });
    report.push(performance.now() - t);
    silent += r.silent.count;
  }
  const stats: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await readCampaignStats(sql, TENANT, `c${i % 50}`);
    stats.push(performance.now() - t);
  }
  const cohort: number[] = [];
  for (let i = 0; i < Math.min(RUNS, 100); i++) {
    const t = performance.now();
    await readAnalytics(sql, TENANT, {
      from: "2025-01-01",
      to: "2025-03-31",
      silentHours: 48,
      now: NOW,
    });
    cohort.push(performance.now() - t);
  }
  const [size] = await sql<{ leads: string; all: string }[]>`
    SELECT pg_size_pretty(pg_total_relation_size('analytics_leads')) AS leads,
           pg_size_pretty(sum(pg_total_relation_size(c.oid))) AS all
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ${schema} AND c.relkind = 'r' AND c.relname LIKE 'analytics_%'`;

  // Fold rate: synthetic lead events (capture, messages out and in, delivery, score, status).
  let fold = "skipped";
  if (FOLD > 0) {
    const per = 6;
    const leads = Math.ceil(FOLD / per);
    await sql`
      INSERT INTO events (tenant, actor, seq, position, type, version, data, at)
      SELECT 'fold', 'lead/fold/l' || l, k, (l - 1) * ${per} + k,
        (ARRAY['lead.captured', 'lead.message_recorded', 'lead.message_status_changed',
               'lead.message_recorded', 'lead.scored', 'lead.status_changed'])[k],
        1,
        CASE k
          WHEN 1 THEN jsonb_build_object('source', 'widget', 'consent', '[]'::jsonb)
          WHEN 2 THEN jsonb_build_object('channel', 'sms', 'direction', 'outbound',
                                         'externalId', 'm' || l)
          WHEN 3 THEN jsonb_build_object('externalId', 'm' || l, 'status', 'delivered')
          WHEN 4 THEN jsonb_build_object('channel', 'sms', 'direction', 'inbound')
          WHEN 5 THEN jsonb_build_object('score', l % 101)
          ELSE jsonb_build_object('to', 'qualified')
        END,
        to_timestamp((${NOW}::bigint + l::bigint * 60000 + k * 1000) / 1000.0)
      FROM generate_series(1, ${leads}::int) AS l, generate_series(1, ${per}) AS k`;
    await sql`INSERT INTO streams (tenant, position) VALUES ('fold', ${leads * per})`;
    const t = performance.now();
    const done = await catchUp(sql, "fold", "UTC", PAGE);
    const secs = (performance.now() - t) / 1000;
    fold = `${int(done.events)} events in ${secs.toFixed(1)} s: ${
      int(done.events / secs)
    } events/s`;
  }

  const row = (name: string, xs: number[]) => {
    const s = summarize(xs);
    return [name, int(s.count), ms(s.p50), ms(s.p99), ms(s.max)];
  };
  console.log(
    `analytics at ${int(LEADS)} leads of one tenant (filled by bulk SQL in ${
      ms(filled)
    }; analytics tables ${size!.all}, of which the per-lead rows ${size!.leads})\n`,
  );
  console.log(table(["query", "runs", "p50", "p99", "max"], [
    row("readAnalytics (whole report)", report),
    row("readAnalytics (cohort of 90 days)", cohort),
    row("readCampaignStats", stats),
  ]));
  console.log(`\nmean silent count ${int(silent / RUNS)}; fold: ${fold}`);
} finally {
  if (flag("keep") === undefined) {
    await sql.unsafe(`DROP SCHEMA "${schema}" CASCADE`).catch(() => {});
  } else console.log(`kept schema ${schema}`);
  await db.close();
}
