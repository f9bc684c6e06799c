import assert from "node:assert/strict";
import { analyticsMigrations, catchUp } from "../actors/analytics/mod.ts";
import { lead, leadMigrations, settings } from "../actors/lead/mod.ts";
import {
  ActorSystem,
  migrate,
  openTestDatabase,
  type TestBackend,
  testBackends,
  testName,
} from "../actors/runtime/mod.ts";
import { ManualClock, type Role } from "../shared/mod.ts";
import { issuePaths, T0, withApi } from "./_api_test_support.ts";
import { analyticsRoutes } from "./analytics_api.ts";
import { createApp } from "./app.ts";
import { createTokenService } from "./auth.ts";
import { leadRoutes } from "./leads_api.ts";
import { gatewayMigrations } from "./migrations.ts";

const HOUR = 3_600_000;

Deno.test("analytics API: the funnel, sources and silent leads of the caller's tenant", async () => {
  await withApi(async ({ send, bearer, system, clock }) => {
    const a = await bearer("tenant-a", "agent");
    const capture = async (key: string, source: string) => {
      const r = await send("POST", "/v1/leads", a, {
        idempotencyKey: key,
        source,
        contact: { email: `${key}@example.com` },
      });
      assert.ok(r.status === 201, `captured ${key}`);
      return (await r.json()).leadId as string;
    };
    const ids = [
      await capture("l1", "widget"),
      await capture("l2", "widget"),
      await capture("l3", "csv"),
      await capture("l4", "rest"),
    ];
    const setStatus = (id: string, status: "contacted" | "lost") =>
      system.ref(lead, "tenant-a", id).ask("setStatus", { status });
    assert.equal((await setStatus(ids[0]!, "contacted")).ok, true);
    assert.equal((await setStatus(ids[3]!, "lost")).ok, true);
    await send("POST", "/v1/leads", await bearer("tenant-b"), {
      idempotencyKey: "b1",
      contact: { email: "b1@example.com" },
    });

    const summary = async (query = "", auth = a) =>
      await (await send("GET", `/v1/analytics/summary${query}`, auth)).json();
    const now = await summary();
    assert.equal(now.total, 4);
    const funnel = Object.fromEntries(
      now.funnel.map((f: { status: string; count: number }) => [f.status, f.count]),
    );
    assert.deepEqual(funnel, {
      new: 2,
      contacted: 1,
      responded: 0,
      qualified: 0,
      meeting_scheduled: 0,
      won: 0,
      lost: 1,
      unsubscribed: 0,
    });
    assert.equal(now.funnel[0].status, "new", "funnel order");
    assert.deepEqual(now.bySource, {
      widget: 2,
      rest: 1,
      csv: 1,
      inbound_sms: 0,
      inbound_email: 0,
    });
    assert.deepEqual(now.silent, { hours: 48, count: 0 });

    clock.advance(49 * HOUR);
    const later = await summary();
    assert.equal(later.silent.count, 3, "the three open leads; the lost one is not silent");
    assert.equal((await summary("?silentHours=50")).silent.count, 0);
    const none = await summary("?from=2026-03-03T00:00:00Z");
    assert.equal(none.total, 0, "all were captured before the range");
    const day = await summary("?from=2026-03-02T00:00:00Z&to=2026-03-03T00:00:00Z");
    assert.equal(day.total, 4, "captured on the manual clock's day");

    const b = await summary("", await bearer("tenant-b", "ai"));
    assert.equal(b.total, 1, "tenant B sees only its own lead");
    assert.equal(b.bySource.rest, 1);
  });
});

Deno.test("analytics API: bad input names the field; the widget role may not read", async () => {
  await withApi(async ({ send, bearer }) => {
    const a = await bearer("tenant-a", "agent");
    const zero = await send("GET", "/v1/analytics/summary?silentHours=0", a);
    assert.equal(zero.status, 400);
    assert.deepEqual(await issuePaths(zero), ["silentHours"]);
    const from = await send("GET", "/v1/analytics/summary?from=yesterday", a);
    assert.deepEqual(await issuePaths(from), ["from"]);
    const widget = await bearer("tenant-a", "widget");
    assert.equal((await send("GET", "/v1/analytics/summary", widget)).status, 403);
    assert.equal((await send("GET", "/v1/analytics/summary", "Bearer nope")).status, 401);
  });
});

Deno.test("OpenAPI: /openapi.json documents the team, task, booking, outbox and analytics routes", async () => {
  await withApi(async ({ app }) => {
    const doc = await (await app.request("/openapi.json")).json();
    const expected: [string, string][] = [
      ["/v1/team", "get"],
      ["/v1/team/members", "post"],
      ["/v1/team/members/{id}", "patch"],
      ["/v1/team/members/{id}", "delete"],
      ["/v1/team/members/{id}/hours", "put"],
      ["/v1/tasks", "get"],
      ["/v1/tasks", "post"],
      ["/v1/tasks/{id}", "get"],
      ["/v1/tasks/{id}/assign", "post"],
      ["/v1/tasks/{id}/complete", "post"],
      ["/v1/tasks/{id}/cancel", "post"],
      ["/v1/tasks/{id}/reopen", "post"],
      ["/v1/availability", "get"],
      ["/v1/bookings", "post"],
      ["/v1/bookings", "get"],
      ["/v1/bookings/{id}/cancel", "post"],
      ["/v1/bookings/{id}/reschedule", "post"],
      ["/v1/outbox", "get"],
      ["/v1/dead-letters", "get"],
      ["/v1/dead-letters/{id}", "get"],
      ["/v1/dead-letters/{id}/replay", "post"],
      ["/v1/dead-letters/{id}/discard", "post"],
      ["/v1/providers", "get"],
      ["/v1/analytics/summary", "get"],
      ["/v1/analytics", "get"],
      ["/v1/analytics/rebuild", "post"],
      ["/v1/analytics/scores", "get"],
    ];
    for (const [path, method] of expected) {
      assert.ok(doc.paths[path]?.[method], `${method.toUpperCase()} ${path} documented`);
    }
    const book = doc.paths["/v1/bookings"].post;
    assert.ok(book.responses["409"], "double booking's 409 documented");
    const body = book.requestBody.content["application/json"].schema;
    const schema = body.$ref ? doc.components.schemas[body.$ref.split("/").at(-1)] : body;
    assert.ok(schema.properties.memberId && schema.properties.attendee, "from the zod schema");
    const params = doc.paths["/v1/availability"].get.parameters.map((p: { name: string }) =>
      p.name
    );
    assert.deepEqual(params.sort(), ["durationMinutes", "from", "member", "to"]);
  });
});

Deno.test("analytics API: the report of the caller's tenant, exact up to its position; rebuild is for admins", async () => {
  await withApi(async ({ send, bearer, system, db, clock }) => {
    await migrate(db.sql, await analyticsMigrations());
    const a = await bearer("tenant-a", "agent");
    const ids: string[] = [];
    for (const [key, source] of [["r1", "widget"], ["r2", "widget"], ["r3", "csv"]]) {
      const r = await send("POST", "/v1/leads", a, {
        idempotencyKey: key,
        source,
        contact: { email: `${key}@example.com` },
      });
      assert.equal(r.status, 201);
      ids.push((await r.json()).leadId);
    }
    const won = await system.ref(lead, "tenant-a", ids[0]!).ask("setStatus", {
      status: "won",
      valueCents: 900,
    });
    assert.equal(won.ok, true);
    await send("POST", "/v1/leads", await bearer("tenant-b"), {
      idempotencyKey: "b1",
      contact: { email: "b1@example.com" },
    });

    const report = async (query = "", auth = a) => {
      const r = await send("GET", `/v1/analytics${query}`, auth);
      assert.equal(r.status, 200);
      return await r.json();
    };
    const before = await report();
    assert.equal(before.position, 0, "nothing folded yet: exact up to position 0");
    assert.deepEqual(before.funnel.map((f: { count: number }) => f.count), [0, 0, 0, 0, 0]);

    const zone = "America/New_York";
    const { position } = await catchUp(db.sql, "tenant-a", zone);
    const now = await report("?silentHours=1");
    assert.equal(now.position, position);
    assert.equal(now.timeZone, zone);
    assert.deepEqual(now.leadsPerDay, [
      { day: "2026-03-02", source: "csv", count: 1 },
      { day: "2026-03-02", source: "widget", count: 2 },
    ]);
    assert.deepEqual(now.funnel.map((f: { count: number }) => f.count), [3, 1, 1, 1, 1]);
    assert.equal(now.silent.count, 0);
    clock.advance(2 * 3_600_000);
    assert.equal((await report("?silentHours=1")).silent.count, 2, "the open ones went silent");
    const cohort = await report("?from=2026-03-03&to=2026-03-09");
    assert.deepEqual(cohort.leadsPerDay, []);
    assert.equal(cohort.from, "2026-03-03");

    const b = await report("", await bearer("tenant-b", "ai"));
    assert.equal(b.position, 0, "B's projection is its own");

    const agentRebuild = await send("POST", "/v1/analytics/rebuild", a);
    assert.equal(agentRebuild.status, 403);
    const ai = await send("POST", "/v1/analytics/rebuild", await bearer("tenant-a", "ai"));
    assert.equal(ai.status, 403);
    const rebuilt = await send("POST", "/v1/analytics/rebuild", await bearer("tenant-a"));
    assert.equal(rebuilt.status, 200);
    assert.deepEqual(await rebuilt.json(), { position });
    const again = await report("?silentHours=1");
    assert.deepEqual(again, { ...now, silent: again.silent }, "the rebuild folds the same");

    const bad = await send("GET", "/v1/analytics?from=yesterday&silentHours=-1", a);
    assert.equal(bad.status, 400);
    assert.deepEqual((await issuePaths(bad)).sort(), ["from", "silentHours"]);
    for (const day of ["2026-02-30", "0000-01-01", "2026-13-01"]) {
      const r = await send("GET", `/v1/analytics?to=${day}`, a);
      assert.equal(r.status, 400, day);
      assert.deepEqual(await issuePaths(r), ["to"]);
    }
  });
});

/** The leads and analytics routes on `backend`'s database, on a manual clock. */
async function scoresApp(backend: TestBackend) {
  const db = await openTestDatabase(backend, [
    ...await leadMigrations(),
    ...await gatewayMigrations(),
    ...await analyticsMigrations(),
  ]);
  const clock = new ManualClock(T0);
  const system = new ActorSystem({ database: db, types: [lead, settings], clock });
  const tokens = createTokenService({ secret: "x".repeat(32) });
  const app = createApp({
    health: { ping: () => Promise.resolve(true), isShuttingDown: () => false },
    routes: (a) => {
      a.route("/v1/leads", leadRoutes({ system, tokens }));
      a.route("/v1/analytics", analyticsRoutes({ system, tokens }));
    },
  });
  const bearer = async (tenant: string, role: Role = "agent") =>
    `Bearer ${(await tokens.issue({ sub: `user-${role}`, tenant, role })).accessToken}`;
  const get = (path: string, auth: string) =>
    app.request(path, { headers: { authorization: auth } });
  const capture = async (auth: string, key: string) => {
    const r = await app.request("/v1/leads", {
      method: "POST",
      headers: { authorization: auth, "content-type": "application/json" },
      body: JSON.stringify({ idempotencyKey: key, contact: { email: `${key}@example.com` } }),
    });
    assert.equal(r.status, 201, `captured ${key}`);
    return (await r.json()).leadId as string;
  };
  const close = async () => {
    await system.shutdown();
    await db.close();
  };
  return { db, system, clock, bearer, get, capture, close };
}

for (const backend of testBackends()) {
  Deno.test({
    name: testName(
      "analytics API",
      backend,
      "/scores answers at most limit points evenly spread, the caller's tenant only",
    ),
    ignore: !!backend.skip,
    async fn() {
      const t = await scoresApp(backend);
      try {
        const a = await t.bearer("tenant-a");
        const ids: string[] = [];
        // 25 leads an hour apart from 2026-03-02 13:30 UTC (08:30 in New York, the default zone).
        for (let i = 0; i < 25; i++) {
          ids.push(await t.capture(a, `s${i}`));
          t.clock.advance(HOUR);
        }
        const won = await t.system.ref(lead, "tenant-a", ids[1]!).ask("setStatus", {
          status: "won",
          valueCents: 125_000,
        });
        assert.equal(won.ok, true);
        await catchUp(t.db.sql, "tenant-a", "America/New_York");
        const theirs = await t.capture(await t.bearer("tenant-b"), "b1");
        const b = await t.bearer("tenant-b", "ai");

        const scores = async (query: string, auth = a) => {
          const r = await t.get(`/v1/analytics/scores${query}`, auth);
          assert.equal(r.status, 200, query);
          return await r.json();
        };
        const all = await scores("");
        assert.equal(all.total, 25);
        assert.equal(all.sampled, false);
        assert.equal(all.limit, 2_000, "the default limit");
        assert.deepEqual(all.points.map((p: { leadId: string }) => p.leadId), ids, "capture order");
        const winner = all.points[1];
        assert.equal(winner.status, "won");
        assert.equal(winner.valueCents, 125_000, "the win's value, from the projection");
        assert.equal(all.points[0].status, "new");
        assert.equal(all.points[0].valueCents, undefined);
        assert.equal(typeof all.points[0].score, "number");
        assert.equal(all.points[0].capturedAt, T0);

        const few = await scores("?limit=10");
        assert.equal(few.total, 25);
        assert.equal(few.sampled, true);
        assert.equal(few.points.length, 10, "exactly limit points");
        const picked = few.points.map((p: { leadId: string }) => ids.indexOf(p.leadId));
        assert.deepEqual(
          picked,
          [2, 4, 7, 9, 12, 14, 17, 19, 22, 24],
          "evenly spread, to the last",
        );
        assert.deepEqual(await scores("?limit=10"), few, "the same sample on every read");

        // Days are New York's: 08:30 + 15 h is 23:30 on the 2nd; the 17th lead onwards came on the 3rd.
        const second = await scores("?from=2026-03-02&to=2026-03-02");
        assert.equal(second.timeZone, "America/New_York");
        assert.equal(second.total, 16);
        assert.equal(second.from, "2026-03-02");
        const third = await scores("?from=2026-03-03");
        assert.equal(third.total, 9);
        assert.equal((await scores("?to=2026-03-01")).total, 0);
        assert.deepEqual((await scores("?to=2026-03-01")).points, []);

        const other = await scores("", b);
        assert.deepEqual(other.points.map((p: { leadId: string }) => p.leadId), [theirs]);
        assert.equal(other.total, 1, "tenant B sees only its own lead");
      } finally {
        await t.close();
      }
    },
  });

  Deno.test({
    name: testName("analytics API", backend, "/scores: bad input is a 400 naming the field"),
    ignore: !!backend.skip,
    async fn() {
      const t = await scoresApp(backend);
      try {
        const a = await t.bearer("tenant-a");
        const cases: [string, string[]][] = [
          ["?limit=0", ["limit"]],
          ["?limit=10001", ["limit"]],
          ["?limit=many", ["limit"]],
          ["?from=2026-02-30", ["from"]],
          ["?to=yesterday", ["to"]],
          ["?from=2026-03-05&to=2026-03-04", ["to"]],
        ];
        for (const [query, paths] of cases) {
          const r = await t.get(`/v1/analytics/scores${query}`, a);
          assert.equal(r.status, 400, query);
          assert.deepEqual(await issuePaths(r), paths, query);
        }
        assert.equal((await t.get("/v1/analytics/scores?limit=10000", a)).status, 200);
        const widget = await t.bearer("tenant-a", "widget");
        assert.equal((await t.get("/v1/analytics/scores", widget)).status, 403);
      } finally {
        await t.close();
      }
    },
  });
}
