import assert from "node:assert/strict";
import { ManualClock } from "../../shared/clock.ts";
import { captureLead, lead, leadMigrations, settings } from "../lead/mod.ts";
import {
  ActorSystem,
  type BusMessage,
  MemoryBus,
  openTestDatabase,
  testBackends,
  testName,
} from "../runtime/mod.ts";
import {
  analyticsMigrations,
  AnalyticsProjector,
  analyticsTopic,
  readAnalytics,
  tenantZoneOf,
} from "./mod.ts";

for (const backend of testBackends()) {
  const test = (
    name: string,
    fn: (s: ActorSystem, bus: MemoryBus, clock: ManualClock) => Promise<void>,
  ) =>
    Deno.test({
      name: testName("analytics projector", backend, name),
      ignore: backend.skip !== undefined,
      async fn() {
        const db = await openTestDatabase(backend, [
          ...await leadMigrations(),
          ...await analyticsMigrations(),
        ]);
        // 02:00 UTC on 2 March is still 1 March in New York.
        const clock = new ManualClock(Date.parse("2026-03-02T02:00:00Z"));
        const bus = new MemoryBus();
        const s = new ActorSystem({ database: db, types: [lead, settings], clock, bus });
        try {
          await fn(s, bus, clock);
        } finally {
          await s.shutdown();
          await bus.close();
          await db.close();
        }
      },
    });

  /** The next notice on the tenant's analytics topic at or past `position`. */
  const noticeAt = async (bus: MemoryBus, tenant: string, position: number) => {
    let done!: (m: BusMessage) => void;
    const seen = new Promise<BusMessage>((r) => done = r);
    const off = await bus.subscribe(analyticsTopic(tenant), (m) => {
      if (m.position >= position) done(m);
    });
    return { seen: seen.finally(off) };
  };

  test(
    "woken by the bus, it folds a commit at once and says so on the analytics topic",
    async (s, bus, clock) => {
      const projector = new AnalyticsProjector({
        sql: s.journal.sql,
        bus,
        zoneOf: tenantZoneOf(s),
        pollMs: 3_600_000,
        clock,
      });
      // A tenant with a stream before start: found by the first poll, then subscribed.
      await captureLead(s, "live", {
        idempotencyKey: "k0",
        source: "csv",
        contact: { email: "zero@example.com" },
      });
      await projector.start();
      try {
        const first = await readAnalytics(s.journal.sql, "live", {
          silentHours: 1,
          now: clock.now(),
        });
        assert.equal(first.funnel[0]!.count, 1);
        assert.equal(first.timeZone, "America/New_York", "the zone of the tenant's settings");
        assert.deepEqual(first.leadsPerDay, [{ day: "2026-03-01", source: "csv", count: 1 }]);

        const notice = await noticeAt(bus, "live", first.position + 1);
        await captureLead(s, "live", {
          idempotencyKey: "k1",
          source: "widget",
          contact: { email: "one@example.com" },
        });
        const m = await notice.seen;
        assert.equal(m.type, "analytics.updated");
        const next = await readAnalytics(s.journal.sql, "live", {
          silentHours: 1,
          now: clock.now(),
        });
        assert.ok(next.position >= m.position, "the report is exact up to the notice's position");
        assert.equal(next.funnel[0]!.count, 2);
      } finally {
        await projector.stop();
      }
      const stopped = await readAnalytics(s.journal.sql, "live", { silentHours: 1, now: 0 });
      await captureLead(s, "live", {
        idempotencyKey: "k2",
        source: "rest",
        contact: { email: "two@example.com" },
      });
      const after = await readAnalytics(s.journal.sql, "live", { silentHours: 1, now: 0 });
      assert.equal(after.position, stopped.position, "a stopped projector folds nothing");
    },
  );

  test("a tenant whose zone changed is folded again in the new zone", async (s, _bus, clock) => {
    let zone = "UTC";
    const projector = new AnalyticsProjector({ sql: s.journal.sql, zoneOf: () => zone });
    await captureLead(s, "z", {
      idempotencyKey: "k",
      source: "widget",
      contact: { email: "z@example.com" },
    });
    await projector.wake("z");
    const q = { silentHours: 1, now: clock.now() };
    assert.equal((await readAnalytics(s.journal.sql, "z", q)).leadsPerDay[0]!.day, "2026-03-02");
    zone = "America/Los_Angeles";
    await projector.wake("z");
    const report = await readAnalytics(s.journal.sql, "z", q);
    assert.equal(report.timeZone, "America/Los_Angeles");
    assert.deepEqual(report.leadsPerDay, [{ day: "2026-03-01", source: "widget", count: 1 }]);
    assert.equal(report.funnel[0]!.count, 1, "rebuilt, not counted twice");
  });
}
