import assert from "node:assert/strict";
import { disabledAi } from "../actors/ai/mod.ts";
import { advisor } from "../actors/advisor/mod.ts";
import { HEALTH_CHECK_JOB, jobLog, runHealthCheck } from "../actors/jobs/mod.ts";
import { captureLead, lead, leadMigrations, settings } from "../actors/lead/mod.ts";
import { ActorSystem, openDatabase } from "../actors/runtime/mod.ts";
import { ManualClock, type Role } from "../shared/mod.ts";
import { createApp } from "./app.ts";
import { createTokenService } from "./auth.ts";
import { recommendationRoutes, reportRoutes } from "./reports_api.ts";
import { issuePaths } from "./_api_test_support.ts";

/** Wednesday 4 March 2026, 15:00 UTC: in ISO week 2026-W10. */
const T0 = Date.parse("2026-03-04T15:00:00Z");

async function withReports(
  fn: (t: {
    system: ActorSystem;
    get(path: string, tenant: string, role?: Role): Promise<Response>;
  }) => Promise<void>,
): Promise<void> {
  const db = await openDatabase({ migrations: await leadMigrations() });
  const system = new ActorSystem({
    database: db,
    types: [lead, settings, advisor, jobLog],
    clock: new ManualClock(T0),
  });
  const tokens = createTokenService({ secret: "x".repeat(32) });
  const app = createApp({
    health: { ping: () => Promise.resolve(true), isShuttingDown: () => false },
    routes: (a) => {
      a.route("/v1/reports", reportRoutes({ system, tokens }));
      a.route("/v1/recommendations", recommendationRoutes({ system, tokens }));
    },
  });
  const get = async (path: string, tenant: string, role: Role = "agent") =>
    await app.request(path, {
      headers: {
        authorization: `Bearer ${(await tokens.issue({ sub: "u", tenant, role })).accessToken}`,
      },
    });
  try {
    await fn({ system, get });
  } finally {
    await system.shutdown();
    await db.close();
  }
}

Deno.test("reports API: a week's report as HTML with charts, for the caller's tenant only", async () => {
  await withReports(async ({ system, get }) => {
    for (const key of ["a1", "a2"]) {
      await captureLead(system, "tenant-a", {
        idempotencyKey: key,
        source: "widget",
        contact: { email: `${key}@example.com` },
      });
    }
    const res = await get("/v1/reports/weekly?week=2026-W10", "tenant-a");
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /text\/html/);
    const html = await res.text();
    assert.equal(html.match(/<svg /g)?.length, 3);
    assert.match(html, /Leads captured<\/td><td[^>]*>2</);
    assert.match(html, /From widget<\/td><td[^>]*>1|From widget<\/td><td[^>]*>2/);
    const other = await (await get("/v1/reports/weekly?week=2026-W10", "tenant-b")).text();
    assert.match(other, /Leads captured<\/td><td[^>]*>0</);
    // No week: the last full week, which had none.
    const last = await get("/v1/reports/weekly", "tenant-a");
    assert.match(await last.text(), /2026-W09/);
  });
});

Deno.test("reports API: a malformed or missing week is a 400 naming week; the widget role may not read", async () => {
  await withReports(async ({ get }) => {
    for (const week of ["2026-10", "2025-W53", "2026-W00"]) {
      const r = await get(`/v1/reports/weekly?week=${week}`, "tenant-a");
      assert.equal(r.status, 400, week);
      assert.deepEqual(await issuePaths(r), ["week"]);
    }
    assert.equal((await get("/v1/reports/weekly", "tenant-a", "widget")).status, 403);
    assert.equal((await get("/v1/recommendations", "tenant-a", "widget")).status, 403);
  });
});

Deno.test("recommendations API: the latest health check and its recommendations", async () => {
  await withReports(async ({ system, get }) => {
    const none = await (await get("/v1/recommendations", "tenant-a")).json();
    assert.deepEqual(none, { check: null, recommendations: [] });
    const capture = async (key: string) =>
      (await captureLead(system, "tenant-a", {
        idempotencyKey: key,
        source: "rest",
        contact: { email: `${key}@example.com` },
      })).leadId;
    const contact = (id: string) =>
      system.ref(lead, "tenant-a", id).ask("setStatus", { status: "contacted" });
    const x = await capture("x");
    await contact(await capture("y"));
    const ctx = {
      job: HEALTH_CHECK_JOB,
      tenant: "tenant-a",
      occurrence: T0,
      timeZone: "UTC",
      nodeId: "n1",
    };
    await runHealthCheck({ system, ai: disabledAi }, ctx);
    const body = await (await get("/v1/recommendations", "tenant-a", "ai")).json();
    assert.equal(body.check.occurrence, T0);
    assert.equal(body.check.figures.openLeads, 2);
    // 1 of 2 open leads uncontacted is 50%: healthy; nobody is silent yet.
    assert.deepEqual(body.recommendations, []);
    // Everyone contacted: the pipeline runs low at the next check.
    await contact(x);
    await runHealthCheck({ system, ai: disabledAi }, { ...ctx, occurrence: T0 + 1 });
    const later = await (await get("/v1/recommendations", "tenant-a")).json();
    assert.equal(later.check.occurrence, T0 + 1);
    assert.equal(later.check.figures.uncontacted, 0);
    assert.deepEqual(later.recommendations.map((r: { kind: string }) => r.kind), [
      "generate_leads",
    ]);
    assert.match(later.recommendations[0].reason, /0 of 2 open leads/);
    const b = await (await get("/v1/recommendations", "tenant-b")).json();
    assert.deepEqual(b, { check: null, recommendations: [] });
  });
});
