import assert from "node:assert/strict";
import { ManualClock } from "../../shared/clock.ts";
import type { AnalyticsReport, CampaignStats } from "../../shared/mod.ts";
import { campaign, campaignMigrations } from "../campaign/mod.ts";
import {
  captureLead,
  lead,
  leadMigrations,
  mergeLeads,
  settings,
  unmergeLeads,
} from "../lead/mod.ts";
import {
  ActorSystem,
  type Database,
  MemoryBus,
  openDatabase,
  openTestDatabase,
} from "../runtime/mod.ts";
import {
  analyticsMigrations,
  AnalyticsProjector,
  projectOnce,
  readAnalytics,
  readCampaignStats,
  rebuildAnalytics,
} from "./mod.ts";
import { recount, recountSilent, type Touches } from "./_recount.ts";
import { runWorkload, WORKLOAD_CAMPAIGNS } from "./_workload.ts";

const URL = Deno.env.get("TEST_DATABASE_URL");
const ZONE = "America/New_York";
const HOUR = 3_600_000;

/** Holds every figure of the report against the SQL recount over the journal. */
async function assertMatchesJournal(
  db: Database,
  tenant: string,
  report: AnalyticsReport,
  range: { from?: string; to?: string } = {},
): Promise<void> {
  const r = await recount(db.sql, tenant, ZONE, range);
  assert.equal(report.timeZone, ZONE);
  assert.deepEqual(report.leadsPerDay, r.leadsPerDay, "leads per day by source");
  assert.deepEqual(report.funnel, r.funnel, "funnel");
  assert.equal(report.responseRate, r.wrote ? r.repliedAfter / r.wrote : null, "response rate");
  assert.deepEqual(report.timeToFirstResponse, {
    count: r.ttfrCount,
    meanMs: r.ttfrCount ? r.ttfrSumMs / r.ttfrCount : null,
  }, "time to first response");
  const touches = (c: Touches) => ({
    firstTouch: {
      leads: c.firstLeads,
      won: c.firstWon,
      revenueCents: c.firstRevenue,
      costCents: c.cost,
      costPerLeadCents: c.firstLeads ? c.cost / c.firstLeads : null,
      costPerWonCents: c.firstWon ? c.cost / c.firstWon : null,
    },
    lastTouch: {
      leads: c.lastLeads,
      won: c.lastWon,
      revenueCents: c.lastRevenue,
      costCents: c.cost,
      costPerLeadCents: c.lastLeads ? c.cost / c.lastLeads : null,
      costPerWonCents: c.lastWon ? c.cost / c.lastWon : null,
    },
  });
  assert.deepEqual(
    report.channels,
    r.channels.map((c) => ({
      channel: c.channel,
      sent: c.sent,
      delivered: c.delivered,
      failed: c.failed,
      replied: c.replied,
      ...touches(c),
    })),
    "channels",
  );
  assert.deepEqual(
    report.campaigns,
    r.campaigns.map((c) => ({ campaignId: c.campaignId, ...touches(c) })),
    "campaign attribution",
  );
  assert.deepEqual(report.scoreDistribution, r.scoreDistribution, "score distribution");
  assert.equal(
    report.silent.count,
    await recountSilent(db.sql, tenant, report.silent.hours, report.silent.asOf),
    `silent for ${report.silent.hours} h`,
  );
}

/** One campaign's figures recounted over the journal (message keys parsed in SQL). */
async function recountCampaign(db: Database, tenant: string, id: string): Promise<CampaignStats> {
  const rows = await db.sql.unsafe(
    `WITH ev AS (
       SELECT substr(actor, length($1) + 7) AS lead, seq, type, data FROM events
       WHERE tenant = $1 AND starts_with(actor, 'lead/' || $1 || '/')
     ),
     runs AS (
       SELECT DISTINCT ON (lead) lead, seq, (data->>'variant')::int AS variant FROM ev
       WHERE type = 'lead.campaign_enrolled' AND data->>'campaignId' = $2 ORDER BY lead, seq
     ),
     after AS (
       SELECT r.lead, r.variant,
         EXISTS (SELECT 1 FROM ev e WHERE e.lead = r.lead AND e.seq > r.seq
                 AND e.type = 'lead.engaged' AND e.data->>'kind' = 'opened') AS opened,
         EXISTS (SELECT 1 FROM ev e WHERE e.lead = r.lead AND e.seq > r.seq
                 AND e.type = 'lead.engaged' AND e.data->>'kind' = 'clicked') AS clicked,
         EXISTS (SELECT 1 FROM ev e WHERE e.lead = r.lead AND e.seq > r.seq
                 AND e.type = 'lead.message_recorded' AND e.data->>'direction' = 'inbound'
                 AND e.data->>'channel' <> 'note') AS replied,
         EXISTS (SELECT 1 FROM ev e WHERE e.lead = r.lead AND e.seq > r.seq
                 AND e.type = 'lead.booked') AS booked,
         (SELECT coalesce((e.data->>'valueCents')::numeric, 0) FROM ev e
          WHERE e.lead = r.lead AND e.seq > r.seq AND e.type = 'lead.status_changed'
            AND e.data->>'to' = 'won') AS won_value
       FROM runs r
     ),
     sent AS (SELECT lead, data FROM ev WHERE type = 'lead.campaign_step_sent'
              AND data->>'campaignId' = $2)
     SELECT
       (SELECT count(*) FROM after) AS enrolled,
       (SELECT count(*) FROM sent) AS sent,
       (SELECT count(DISTINCT (lead, data->>'externalId')) FROM ev
        WHERE type = 'lead.message_status_changed' AND data->>'status' = 'delivered'
          AND substring(data->>'externalId' FROM ':campaign:([^:]+):[0-9]+$') = $2) AS delivered,
       (SELECT count(*) FILTER (WHERE opened) FROM after) AS opened,
       (SELECT count(*) FILTER (WHERE clicked) FROM after) AS clicked,
       (SELECT count(*) FILTER (WHERE replied) FROM after) AS replied,
       (SELECT count(*) FILTER (WHERE booked) FROM after) AS booked,
       (SELECT count(won_value) FROM after) AS won,
       (SELECT coalesce(sum((data->>'costCents')::numeric), 0) FROM sent) AS cost,
       (SELECT coalesce(sum(won_value), 0) FROM after) AS revenue,
       (SELECT coalesce(json_agg(v ORDER BY v.variant), '[]') FROM (
          SELECT variant, count(*) AS enrolled,
                 (SELECT count(*) FROM sent s WHERE (s.data->>'variant')::int = a.variant) AS sent,
                 count(*) FILTER (WHERE replied) AS replied,
                 count(*) FILTER (WHERE booked) AS booked
          FROM after a GROUP BY variant) v) AS variants`,
    [tenant, id],
  );
  const c = rows[0]!;
  return {
    enrolled: Number(c.enrolled),
    sent: Number(c.sent),
    delivered: Number(c.delivered),
    opened: Number(c.opened),
    clicked: Number(c.clicked),
    replied: Number(c.replied),
    booked: Number(c.booked),
    won: Number(c.won),
    costCents: Number(c.cost),
    revenueCents: Number(c.revenue),
    byVariant: (c.variants as Array<Record<string, number>>).map((v) => ({
      variant: v.variant!,
      enrolled: v.enrolled!,
      sent: v.sent!,
      replied: v.replied!,
      booked: v.booked!,
    })),
  };
}

/** The tables these tests fold into and read: leads, analytics, campaigns. */
async function schemaMigrations() {
  return [
    ...await leadMigrations(),
    ...await analyticsMigrations(),
    ...await campaignMigrations(),
  ];
}

Deno.test({
  name: "analytics: after a random workload of 10,000 events every figure equals a SQL recount " +
    "over the journal; two live projectors count nothing twice; a rebuild equals the live one",
  ignore: !URL,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const seed = Number(Deno.env.get("ANALYTICS_SEED") ?? Math.floor(Math.random() * 2 ** 31));
    const events = Number(Deno.env.get("ANALYTICS_EVENTS") ?? 10_000);
    console.log(`  replay with ANALYTICS_SEED=${seed}`);
    const migrations = await schemaMigrations();
    const db = await openTestDatabase({ url: URL }, migrations);
    const schema = (await db.sql<{ s: string }[]>`SELECT current_schema() AS s`)[0]!.s;
    // A second node's pool on the same database.
    const other = await openDatabase({ url: URL, schema, max: 2, migrations });
    const clock = new ManualClock(Date.parse("2026-03-01T05:00:00Z"));
    const bus = new MemoryBus();
    const system = new ActorSystem({
      database: db,
      types: [lead, settings, campaign],
      clock,
      bus,
      askTimeout: 30_000,
    });
    const tenant = "acme";
    const projectors = [db, other].map((d) =>
      new AnalyticsProjector({
        sql: d.sql,
        bus,
        zoneOf: () => ZONE,
        pollMs: 100,
        pageSize: 64,
        onError: (_t, e) => {
          throw e;
        },
      })
    );
    try {
      await Promise.all(projectors.map((p) => p.start()));
      const t0 = performance.now();
      const run = await runWorkload({ system, clock, tenant, seed, events });
      const t1 = performance.now();
      // Let both projectors finish what the bus woke them for, then poll until caught up.
      const head = async () =>
        (await db.sql<{ position: number }[]>`
          SELECT position FROM streams WHERE tenant = ${tenant}`)[0]!.position;
      const target = await head();
      for (;;) {
        await Promise.all(projectors.map((p) => p.poll()));
        const [cp] = await db.sql<{ position: number }[]>`
          SELECT position FROM analytics_checkpoints WHERE tenant = ${tenant}`;
        if (cp!.position >= target) break;
      }
      await Promise.all(projectors.map((p) => p.stop()));
      const now = clock.now();
      const live = await readAnalytics(db.sql, tenant, { silentHours: 24, now });
      assert.equal(live.position, target, "folded up to the head of the stream");
      console.log(
        `  ${target} events, ${run.leads} leads, funnel ${
          live.funnel.map((f) => f.count).join("/")
        }, ${live.campaigns.length} campaigns`,
      );
      await assertMatchesJournal(db, tenant, live);
      console.log(
        `  workload ${Math.round(t1 - t0)} ms, recount ${Math.round(performance.now() - t1)} ms`,
      );
      for (const hours of [0, 1, 12, 72, 24 * 14]) {
        await assertMatchesJournal(
          db,
          tenant,
          await readAnalytics(db.sql, tenant, { silentHours: hours, now }),
        );
      }
      // A cohort: the leads captured in the second week, in local days.
      const days = live.leadsPerDay.map((d) => d.day);
      const range = { from: days[Math.floor(days.length / 4)]!, to: days.at(-3)! };
      await assertMatchesJournal(
        db,
        tenant,
        await readAnalytics(db.sql, tenant, { ...range, silentHours: 24, now }),
        range,
      );
      assert.ok(live.funnel.every((f) => f.count > 0), "the workload reached every stage");
      assert.ok(live.channels.every((c) => c.delivered > 0 && c.failed > 0 && c.replied > 0));
      assert.ok(live.channels.every((c) => c.firstTouch.won > 0 && c.lastTouch.costCents > 0));
      const stats: CampaignStats[] = [];
      for (const c of WORKLOAD_CAMPAIGNS) {
        const got = await readCampaignStats(db.sql, tenant, c.id);
        assert.deepEqual(got, await recountCampaign(db, tenant, c.id), `campaign ${c.id}`);
        stats.push(got);
      }
      assert.ok(stats.every((s) => s.sent > 0 && s.enrolled > 0), "campaigns sent steps");
      assert.ok(stats.some((s) => s.won > 0 && s.delivered > 0 && s.opened > 0));
      assert.deepEqual(
        await readCampaignStats(db.sql, tenant, "no-such-campaign"),
        await recountCampaign(db, tenant, "no-such-campaign"),
      );

      await rebuildAnalytics(other.sql, tenant, { pageSize: 500 });
      assert.deepEqual(
        await readAnalytics(db.sql, tenant, { silentHours: 24, now }),
        live,
        "the rebuilt projection equals the live one",
      );
      for (const [i, c] of WORKLOAD_CAMPAIGNS.entries()) {
        assert.deepEqual(await readCampaignStats(db.sql, tenant, c.id), stats[i]);
      }
    } finally {
      await Promise.all(projectors.map((p) => p.stop()));
      await system.shutdown();
      await other.close();
      await db.close();
    }
  },
});

Deno.test({
  name: "analytics: of two projectors racing over the same events one wins, the other rolls back",
  ignore: !URL,
  async fn() {
    const migrations = await schemaMigrations();
    const db = await openTestDatabase({ url: URL }, migrations);
    const schema = (await db.sql<{ s: string }[]>`SELECT current_schema() AS s`)[0]!.s;
    const other = await openDatabase({ url: URL, schema, max: 2, migrations });
    const clock = new ManualClock(Date.parse("2026-03-01T05:00:00Z"));
    const system = new ActorSystem({ database: db, types: [lead, settings, campaign], clock });
    try {
      await runWorkload({ system, clock, tenant: "race", seed: 7, events: 300 });
      await db.sql`INSERT INTO analytics_checkpoints (tenant, time_zone) VALUES ('race', ${ZONE})`;
      const holder = await openDatabase({ url: URL, schema, max: 1 });
      let release!: () => void;
      const held = new Promise<void>((r) => release = r);
      // Hold the checkpoint row so both projectors read position 0 and wait at their CAS.
      let holderPid!: (pid: number) => void;
      const pid = new Promise<number>((r) => holderPid = r);
      const lock = holder.sql.begin(async (tx) => {
        await tx`SELECT 1 FROM analytics_checkpoints WHERE tenant = 'race' FOR UPDATE`;
        holderPid((await tx<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`)[0]!.pid);
        await held;
      });
      const holding = await pid;
      const passes = [db, other].map((d) => projectOnce(d.sql, "race", ZONE, 10_000));
      // Both wait behind the holder (the second may wait behind the first's tuple lock).
      for (;;) {
        const [w] = await db.sql<{ n: number }[]>`
          WITH first AS (
            SELECT pid FROM pg_stat_activity WHERE ${holding}::int = ANY(pg_blocking_pids(pid))
          )
          SELECT count(*)::int AS n FROM pg_stat_activity a
          WHERE a.pid IN (SELECT pid FROM first)
             OR pg_blocking_pids(a.pid) && ARRAY(SELECT pid FROM first)`;
        if (w!.n >= 2) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      release();
      await lock;
      await holder.close();
      const outcomes = (await Promise.all(passes)).map((p) => p.state).sort();
      assert.deepEqual(outcomes, ["advanced", "lost"]);
      const report = await readAnalytics(db.sql, "race", { silentHours: 24, now: clock.now() });
      const r = await recount(db.sql, "race", ZONE);
      assert.deepEqual(report.funnel, r.funnel, "counted once");
      assert.deepEqual(
        report.channels.map((c) => [c.channel, c.sent, c.delivered, c.failed, c.replied]),
        r.channels.map((c) => [c.channel, c.sent, c.delivered, c.failed, c.replied]),
        "counted once",
      );
    } finally {
      await system.shutdown();
      await other.close();
      await db.close();
    }
  },
});

Deno.test({
  name: "analytics: a merged-away lead leaves silent and score figures, keeps its history",
  ignore: !URL,
  async fn() {
    const migrations = await schemaMigrations();
    const db = await openTestDatabase({ url: URL }, migrations);
    const clock = new ManualClock(Date.parse("2026-06-01T15:00:00Z"));
    const system = new ActorSystem({ database: db, types: [lead, settings, campaign], clock });
    try {
      const a = await captureLead(system, "m", {
        idempotencyKey: "a",
        source: "widget",
        contact: { email: "a@example.com" },
      });
      const b = await captureLead(system, "m", {
        idempotencyKey: "b",
        source: "csv",
        contact: { email: "b@example.com" },
      });
      await mergeLeads(system, "m", { into: a.leadId, from: b.leadId });
      clock.advance(48 * HOUR);
      const report = async () => {
        await rebuildAnalytics(db.sql, "m", { zone: ZONE });
        return await readAnalytics(db.sql, "m", { silentHours: 24, now: clock.now() });
      };
      const merged = await report();
      assert.equal(merged.funnel[0]!.count, 2, "both captures still count");
      assert.equal(merged.leadsPerDay.length, 2);
      assert.equal(merged.silent.count, 1, "only the surviving lead can be silent");
      assert.equal(merged.scoreDistribution.reduce((n, b) => n + b.count, 0), 1);
      await unmergeLeads(system, "m", { into: a.leadId, from: b.leadId });
      const back = await report();
      assert.equal(back.silent.count, 2, "un-merged, it counts again");
      assert.equal(back.scoreDistribution.reduce((n, b) => n + b.count, 0), 2);
      await assertMatchesJournal(db, "m", back);
    } finally {
      await system.shutdown();
      await db.close();
    }
  },
});
