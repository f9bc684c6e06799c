import assert from "node:assert/strict";
import { ManualClock } from "../../shared/clock.ts";
import { openTestDatabase, type TestBackend, testBackends, testName } from "../runtime/mod.ts";
import {
  claimOccurrence,
  type JobContext,
  listOccurrences,
  type ScheduledJob,
  Scheduler,
  schedulerMigrations,
} from "./mod.ts";

const HOUR = 60 * 60 * 1000;
const open = async (backend: TestBackend) => openTestDatabase(backend, await schedulerMigrations());

function recordingJob(over: Partial<ScheduledJob> & { name: string }): ScheduledJob & {
  runs: JobContext[];
} {
  const runs: JobContext[] = [];
  return {
    cron: "0 9 * * *",
    timeZone: "UTC",
    tenants: ["t1"],
    run: (ctx) => void runs.push(ctx),
    ...over,
    runs,
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

for (const backend of testBackends()) {
  const name = (n: string) => testName("scheduler", backend, n);

  Deno.test({
    name: name("daily 09:00 America/New_York fires at 14:00Z before and 13:00Z after DST starts"),
    ignore: backend.skip !== undefined,
    async fn() {
      const db = await open(backend);
      try {
        // DST in New York starts 2026-03-08 at 02:00 local.
        const clock = new ManualClock(Date.parse("2026-03-06T12:00:00Z"));
        const job = recordingJob({ name: "digest", timeZone: "America/New_York" });
        const scheduler = new Scheduler({ sql: db.sql, clock, nodeId: "n1", jobs: [job] });
        for (let h = 0; h < 4 * 24; h++) {
          clock.advance(HOUR);
          await scheduler.tick();
        }
        assert.deepEqual(job.runs.map((r) => iso(r.occurrence)), [
          "2026-03-06T14:00:00.000Z",
          "2026-03-07T14:00:00.000Z",
          "2026-03-08T13:00:00.000Z",
          "2026-03-09T13:00:00.000Z",
        ]);
        assert.ok(job.runs.every((r) => r.timeZone === "America/New_York" && r.tenant === "t1"));
      } finally {
        await db.close();
      }
    },
  });

  Deno.test({
    name: name("daily 09:00 America/New_York moves from 13:00Z to 14:00Z when DST ends"),
    ignore: backend.skip !== undefined,
    async fn() {
      const db = await open(backend);
      try {
        // DST in New York ends 2026-11-01 at 02:00 local.
        const clock = new ManualClock(Date.parse("2026-10-31T00:00:00Z"));
        const job = recordingJob({ name: "digest", timeZone: "America/New_York" });
        const scheduler = new Scheduler({ sql: db.sql, clock, nodeId: "n1", jobs: [job] });
        for (let h = 0; h < 2 * 24; h++) {
          clock.advance(HOUR);
          await scheduler.tick();
        }
        assert.deepEqual(job.runs.map((r) => iso(r.occurrence)), [
          "2026-10-31T13:00:00.000Z",
          "2026-11-01T14:00:00.000Z",
        ]);
      } finally {
        await db.close();
      }
    },
  });

  Deno.test({
    name: name("a tenant with an unknown zone or a failing tenant list is reported, others run"),
    ignore: backend.skip !== undefined,
    async fn() {
      const db = await open(backend);
      try {
        const clock = new ManualClock(Date.parse("2026-01-01T00:00:00Z"));
        const zoned = recordingJob({
          name: "zoned",
          tenants: ["good", "bad"],
          timeZone: (tenant) => tenant === "good" ? "Europe/Paris" : "Nowhere/Land",
        });
        const listless = recordingJob({
          name: "listless",
          tenants: () => {
            throw new Error("tenant directory unreachable");
          },
        });
        const scheduler = new Scheduler({
          sql: db.sql,
          clock,
          nodeId: "n1",
          jobs: [listless, zoned],
        });
        clock.set(Date.parse("2026-01-01T08:00:00Z")); // 09:00 in Paris
        const results = await scheduler.tick();
        assert.deepEqual(results.map((r) => [r.job, r.state]), [
          ["listless", "tenants_failed"],
          ["zoned", "ran"],
          ["zoned", "bad_time_zone"],
        ]);
        assert.deepEqual(zoned.runs.map((r) => r.tenant), ["good"]);
      } finally {
        await db.close();
      }
    },
  });

  Deno.test({
    name: name("start ticks on an interval and stop waits for the run in flight"),
    ignore: backend.skip !== undefined,
    async fn() {
      const db = await open(backend);
      try {
        const clock = new ManualClock(Date.parse("2026-01-01T00:00:00Z"));
        const { promise: started, resolve: runStarted } = Promise.withResolvers<void>();
        let finished = false;
        const job = recordingJob({
          name: "digest",
          run: async () => {
            runStarted();
            await new Promise((r) => setTimeout(r, 50));
            finished = true;
          },
        });
        const scheduler = new Scheduler({ sql: db.sql, clock, nodeId: "n1", jobs: [job] });
        scheduler.start(5);
        clock.set(Date.parse("2026-01-01T09:00:00Z"));
        await started;
        await scheduler.stop();
        assert.ok(finished, "stop returned before the run in flight finished");
        assert.equal((await listOccurrences(db.sql, "digest"))[0]?.outcome, "ok");
      } finally {
        await db.close();
      }
    },
  });

  Deno.test({
    name: name("per-tenant zones: each tenant's 09:00 in its own zone"),
    ignore: backend.skip !== undefined,
    async fn() {
      const db = await open(backend);
      try {
        const clock = new ManualClock(Date.parse("2026-06-01T00:00:00Z"));
        const zones: Record<string, string> = { ny: "America/New_York", tokyo: "Asia/Tokyo" };
        const job = recordingJob({
          name: "digest",
          tenants: () => Object.keys(zones),
          timeZone: (tenant) => zones[tenant]!,
        });
        const scheduler = new Scheduler({ sql: db.sql, clock, nodeId: "n1", jobs: [job] });
        for (let h = 0; h < 24; h++) {
          clock.advance(HOUR);
          await scheduler.tick();
        }
        assert.deepEqual(
          job.runs.map((r) => [r.tenant, iso(r.occurrence)]),
          [
            ["tokyo", "2026-06-02T00:00:00.000Z"],
            ["ny", "2026-06-01T13:00:00.000Z"],
          ].sort((a, b) => a[1]!.localeCompare(b[1]!)),
        );
      } finally {
        await db.close();
      }
    },
  });

  Deno.test({
    name: name("three schedulers on one database ticking together run each occurrence once"),
    ignore: backend.skip !== undefined,
    async fn() {
      const db = await open(backend);
      try {
        const clock = new ManualClock(Date.parse("2026-01-01T00:00:00Z"));
        const runs: Array<JobContext> = [];
        const jobs = (): ScheduledJob[] => [{
          name: "sweep",
          cron: "*/15 * * * *",
          timeZone: "Europe/Berlin",
          tenants: ["a", "b"],
          run: (ctx) => void runs.push(ctx),
        }];
        const nodes = ["n1", "n2", "n3"].map((nodeId) =>
          new Scheduler({ sql: db.sql, clock, nodeId, jobs: jobs() })
        );
        for (let step = 0; step < 12; step++) {
          clock.advance(15 * 60 * 1000);
          const results = (await Promise.all(nodes.map((n) => n.tick()))).flat();
          assert.equal(results.filter((r) => r.state === "ran").length, 2);
          // A node that looks after another's claim landed sees nothing due at all, so
          // how many report `claimed_elsewhere` depends on interleaving; the runs do not.
          assert.ok(results.every((r) => r.state === "ran" || r.state === "claimed_elsewhere"));
        }
        assert.equal(runs.length, 24);
        const keys = runs.map((r) => `${r.tenant}@${r.occurrence}`);
        assert.equal(new Set(keys).size, 24);
        const rows = await listOccurrences(db.sql, "sweep");
        assert.equal(rows.length, 24);
        assert.ok(rows.every((r) => r.outcome === "ok"));
        // Each row's claimant is the node that actually ran it.
        const ranBy = new Map(runs.map((r) => [`${r.tenant}@${r.occurrence}`, r.nodeId]));
        assert.ok(rows.every((r) => ranBy.get(`${r.tenant}@${r.occurrence}`) === r.claimedBy));
      } finally {
        await db.close();
      }
    },
  });

  Deno.test({
    name: name("of many nodes claiming one occurrence at once, exactly one wins"),
    ignore: backend.skip !== undefined,
    async fn() {
      const db = await open(backend);
      try {
        const occurrence = Date.parse("2026-01-01T09:00:00Z");
        const wins = await Promise.all(
          ["n1", "n2", "n3", "n4", "n5", "n6"].map((nodeId) =>
            claimOccurrence(db.sql, { job: "digest", tenant: "t1", occurrence, nodeId, now: 0 })
          ),
        );
        assert.equal(wins.filter(Boolean).length, 1);
        const rows = await listOccurrences(db.sql, "digest");
        assert.equal(rows.length, 1);
        assert.equal(rows[0]?.claimedBy, `n${wins.indexOf(true) + 1}`);
      } finally {
        await db.close();
      }
    },
  });

  Deno.test({
    name: name("after 3 days of downtime a daily job runs once, then resumes daily"),
    ignore: backend.skip !== undefined,
    async fn() {
      const db = await open(backend);
      try {
        const clock = new ManualClock(Date.parse("2026-01-01T00:00:00Z"));
        const job = recordingJob({ name: "digest" });
        const before = new Scheduler({ sql: db.sql, clock, nodeId: "n1", jobs: [job] });
        clock.set(Date.parse("2026-01-01T09:00:30Z"));
        await before.tick();
        assert.equal(job.runs.length, 1);

        // The cluster is down through three 09:00s (Jan 2, 3, 4); a fresh node starts after.
        clock.set(Date.parse("2026-01-04T12:00:00Z"));
        const after = new Scheduler({ sql: db.sql, clock, nodeId: "n2", jobs: [job] });
        await after.tick();
        await after.tick();
        assert.deepEqual(job.runs.map((r) => iso(r.occurrence)), [
          "2026-01-01T09:00:00.000Z",
          "2026-01-04T09:00:00.000Z",
        ]);

        clock.set(Date.parse("2026-01-05T08:59:59Z"));
        await after.tick();
        assert.equal(job.runs.length, 2);
        clock.set(Date.parse("2026-01-05T09:00:00Z"));
        await after.tick();
        assert.equal(iso(job.runs.at(-1)!.occurrence), "2026-01-05T09:00:00.000Z");
        assert.equal(job.runs.length, 3);
      } finally {
        await db.close();
      }
    },
  });

  Deno.test({
    name: name("a new job does not fire occurrences from before it was registered"),
    ignore: backend.skip !== undefined,
    async fn() {
      const db = await open(backend);
      try {
        const clock = new ManualClock(Date.parse("2026-01-01T10:00:00Z"));
        const job = recordingJob({ name: "digest" });
        const scheduler = new Scheduler({ sql: db.sql, clock, nodeId: "n1", jobs: [job] });
        await scheduler.tick();
        assert.equal(job.runs.length, 0);
        clock.set(Date.parse("2026-01-02T09:00:00Z"));
        await scheduler.tick();
        assert.equal(job.runs.length, 1);
      } finally {
        await db.close();
      }
    },
  });

  Deno.test({
    name: name("a failing job records its failure and the other jobs still run"),
    ignore: backend.skip !== undefined,
    async fn() {
      const db = await open(backend);
      try {
        const clock = new ManualClock(Date.parse("2026-01-01T00:00:00Z"));
        const failing = recordingJob({
          name: "broken",
          run: () => {
            throw new Error("mailer down");
          },
        });
        const healthy = recordingJob({ name: "healthy" });
        const scheduler = new Scheduler({
          sql: db.sql,
          clock,
          nodeId: "n1",
          jobs: [failing, healthy],
        });
        clock.set(Date.parse("2026-01-01T09:00:00Z"));
        const results = await scheduler.tick();
        assert.deepEqual(results.map((r) => [r.job, r.state]), [
          ["broken", "failed"],
          ["healthy", "ran"],
        ]);
        assert.equal(healthy.runs.length, 1);
        const [row] = await listOccurrences(db.sql, "broken");
        assert.equal(row?.outcome, "failed");
        assert.equal(row?.error, "mailer down");
        assert.equal((await listOccurrences(db.sql, "healthy"))[0]?.outcome, "ok");
        // A failed occurrence is not retried on the next tick; the next one still comes.
        await scheduler.tick();
        assert.equal((await listOccurrences(db.sql, "broken")).length, 1);
      } finally {
        await db.close();
      }
    },
  });
}

Deno.test("scheduler: a bad cron pattern or zone fails construction with a ValidationError", () => {
  const base = { sql: undefined as never, clock: new ManualClock(), nodeId: "n1" };
  assert.throws(
    () => new Scheduler({ ...base, jobs: [recordingJob({ name: "x", cron: "61 * * * *" })] }),
    (err: Error & { code?: string }) => err.code === "validation_failed",
  );
  assert.throws(
    () => new Scheduler({ ...base, jobs: [recordingJob({ name: "x", timeZone: "Mars/Base" })] }),
    (err: Error & { code?: string }) => err.code === "validation_failed",
  );
});
