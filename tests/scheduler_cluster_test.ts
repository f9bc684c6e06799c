/**
 * Exactly-once cron across three real node processes (`deno run main.ts`)
 * over one Postgres schema and one Redis, with the pipeline health check's
 * cron overridden to every two seconds:
 *
 * 1. while the nodes run, every occurrence runs exactly once cluster-wide:
 *    one claim row, one run (counted in all three nodes' logs, which the
 *    advisor's idempotency could not hide) and one `pipeline.health_checked`
 *    event per occurrence, with no occurrence skipped;
 * 2. after all nodes were down for several occurrences, the restarted nodes
 *    run the missed ones once in total, collapsed into the latest: not zero
 *    times, and not once per node.
 *
 * @module
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { createTokenService } from "../gateway/auth.ts";
import { newId } from "../shared/ids.ts";
import { CLUSTER_JWT_SECRET, type NodeProcess, serviceUrls, spawnNode } from "./_cluster.ts";

const PERIOD_MS = 2_000;
const JOB = "pipeline_health_check";
const urls = serviceUrls();

/** Runs of the health check per `tenant@occurrence`, counted in every node's log. */
function runsInLogs(nodes: NodeProcess[]): Map<string, number> {
  const runs = new Map<string, number>();
  for (const n of nodes) {
    for (const m of n.output.stdout.matchAll(/jobs: pipeline_health_check (\S+) @(\S+):/g)) {
      const key = `${m[1]}@${Date.parse(m[2]!)}`;
      runs.set(key, (runs.get(key) ?? 0) + 1);
    }
  }
  return runs;
}

async function waitFor(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!await check()) {
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

Deno.test({
  name:
    "scheduler cluster: each occurrence runs once across 3 nodes; missed ones run once after downtime" +
    ("skip" in urls ? ` (skipped: ${urls.skip})` : ""),
  ignore: "skip" in urls,
  async fn() {
    if ("skip" in urls) return;
    const schema = `sc_${newId()}`;
    const admin = postgres(urls.db, { max: 1, onnotice: () => {} });
    await admin.unsafe(`CREATE SCHEMA "${schema}"`);
    const dbUrl = new URL(urls.db);
    dbUrl.searchParams.set("search_path", schema);
    const sql = postgres(dbUrl.href, { max: 2, onnotice: () => {} });
    const dataDir = await Deno.makeTempDir({ prefix: "cove_scheduler_" });
    const tenant = `sched-${newId()}`;
    const all: NodeProcess[] = [];
    const startNodes = async (round: number) => {
      const started = await Promise.all([0, 1, 2].map((i) =>
        spawnNode({
          DATABASE_URL: dbUrl.href,
          REDIS_URL: urls.redis,
          PORT: "0",
          HOST: "127.0.0.1",
          NODE_ID: `${schema}-${round}${String.fromCharCode(97 + i)}`,
          DATA_DIR: `${dataDir}/${round}-${i}`,
          JWT_SECRET: CLUSTER_JWT_SECRET,
          WEBHOOK_SECRET: CLUSTER_JWT_SECRET,
          CRON_HEALTH_CHECK: `*/${PERIOD_MS / 1000} * * * * *`,
          SCHEDULER_TICK_MS: "250",
        })
      ));
      all.push(...started);
      return started;
    };
    const claims = async () =>
      (await sql<
        { occurrence: Date; claimed_by: string; outcome: string | null; error: string | null }[]
      >`
        SELECT occurrence, claimed_by, outcome, error FROM scheduled_occurrences
        WHERE job = ${JOB} AND tenant = ${tenant} ORDER BY occurrence`)
        .map((r) => ({ ...r, at: new Date(r.occurrence).getTime() }));
    const checkedEvents = async () =>
      (await sql<{ occurrence: number }[]>`
        SELECT (data->>'occurrence')::float8 AS occurrence FROM events
        WHERE tenant = ${tenant} AND type = 'pipeline.health_checked'`)
        .map((r) => Number(r.occurrence));
    try {
      let nodes = await startNodes(1);
      // The tenant exists once it has a stream: capture one lead.
      const tokens = createTokenService({ secret: CLUSTER_JWT_SECRET });
      const token = (await tokens.issue({ sub: "t", tenant, role: "admin" })).accessToken;
      const res = await fetch(`${nodes[0]!.url}/v1/leads`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({
          idempotencyKey: "k1",
          contact: { name: "Ann", email: "ann@example.com" },
        }),
      });
      assert.equal(res.status, 201, await res.text());

      // ---- 1. Several occurrences while all three nodes run.
      await waitFor(async () => (await claims()).length >= 4, 30_000, "four occurrences");
      for (const n of nodes) await n.stop();
      const before = await claims();
      const lastBefore = before.at(-1)!.at;
      for (let i = 1; i < before.length; i++) {
        assert.equal(before[i]!.at - before[i - 1]!.at, PERIOD_MS, "an occurrence was skipped");
      }

      // ---- 2. All nodes down for at least three more occurrences, then back.
      const downUntil = lastBefore + 3 * PERIOD_MS + 500;
      await new Promise((r) => setTimeout(r, Math.max(0, downUntil - Date.now())));
      const restartedAt = Date.now();
      nodes = await startNodes(2);
      await waitFor(
        async () => (await claims()).filter((c) => c.at > restartedAt).length >= 2,
        30_000,
        "two occurrences after the restart",
      );
      for (const n of nodes) await n.stop();

      const after = await claims();
      const events = await checkedEvents();
      const runs = runsInLogs(all);
      // Every claimed occurrence ran once: one run in all the nodes' logs, one event, outcome ok.
      for (const c of after) {
        const what = `${c.occurrence.toISOString()} on ${c.claimed_by} (${c.outcome} ${c.error})`;
        assert.equal(runs.get(`${tenant}@${c.at}`), 1, `runs of ${what}`);
        assert.equal(events.filter((e) => e === c.at).length, 1, `events of ${c.at}`);
        assert.equal(c.outcome, "ok");
      }
      assert.equal(events.length, after.length, "an event without a claimed occurrence");
      assert.equal(
        [...runs].filter(([k]) => k.startsWith(`${tenant}@`)).length,
        after.length,
        "a run without a claim",
      );
      // The downtime: missed occurrences collapsed into exactly one run, the latest missed one.
      const missed = after.filter((c) => c.at > lastBefore && c.at <= restartedAt);
      const firstAfter = after.find((c) => c.at > lastBefore)!;
      assert.ok(firstAfter.at >= lastBefore + 3 * PERIOD_MS, "no occurrence was missed");
      assert.ok(missed.length <= 1, `missed occurrences ran ${missed.length} times`);
      const caughtUp = after.filter((c) => c.at > lastBefore && c.at < firstAfter.at);
      assert.deepEqual(caughtUp, [], "an earlier missed occurrence ran too");
      // Once back, occurrences follow every period again.
      const resumed = after.filter((c) => c.at >= firstAfter.at);
      for (let i = 1; i < resumed.length; i++) {
        assert.equal(resumed[i]!.at - resumed[i - 1]!.at, PERIOD_MS, "a skip after the restart");
      }
      const by = new Set(after.map((c) => c.claimed_by));
      console.log(
        `scheduler cluster: ${after.length} occurrences, claimed by ${by.size} node(s); ` +
          `after downtime, ${
            (firstAfter.at - lastBefore) / PERIOD_MS
          } missed occurrences ran once, as the latest`,
      );
    } catch (e) {
      for (const n of all) {
        console.error(`--- ${n.nodeId} stderr:\n${n.output.stderr.slice(-3000)}`);
      }
      throw e;
    } finally {
      await Promise.all(all.map((n) => n.stop()));
      await sql.end();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
      await admin.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    }
  },
});
