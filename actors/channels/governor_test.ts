import assert from "node:assert/strict";
import { ConfigError } from "../../shared/errors.ts";
import { governorConformance } from "./_governor_suite.ts";
import { BACKENDS, dbSuite, openTestDatabase } from "./_test_support.ts";
import {
  limitsByPrefix,
  MemoryGovernor,
  perDay,
  perMinute,
  planTake,
  PostgresGovernor,
} from "./governor.ts";

const T0 = Date.UTC(2026, 5, 1, 15);

governorConformance(
  "memory",
  (limits) =>
    Promise.resolve({ governor: new MemoryGovernor(limits), close: () => Promise.resolve() }),
);

for (const backend of BACKENDS) {
  governorConformance(
    `Postgres on ${backend.name}`,
    async (limits) => {
      const db = await openTestDatabase(backend.url);
      return { governor: new PostgresGovernor(db.sql, limits), close: () => db.close() };
    },
    backend.skip ? { skip: backend.skip } : {},
  );
}

const test = dbSuite("governor");

test("two nodes on one database share the cap", async (db) => {
  const limits = limitsByPrefix({ sender: [perMinute(4)], tenant: [perMinute(100)] });
  const nodes = [new PostgresGovernor(db.sql, limits), new PostgresGovernor(db.sql, limits)];
  const results = await Promise.all(
    Array.from({ length: 12 }, (_, i) => nodes[i % 2]!.take(["sender:a"], T0)),
  );
  assert.equal(results.filter((r) => r.ok).length, 4);
  // Keys named in opposite orders lock rows in one order: no deadlock, still all or nothing.
  const mixed = await Promise.all(
    Array.from(
      { length: 12 },
      (_, i) =>
        nodes[i % 2]!.take(i % 2 ? ["sender:b", "tenant:t1"] : ["tenant:t1", "sender:b"], T0),
    ),
  );
  assert.equal(mixed.filter((r) => r.ok).length, 4);
  const rows = await db.sql`SELECT key, limit_id, level, at FROM channel_buckets ORDER BY key`;
  assert.deepEqual(rows.map((r) => [r.key, r.limit_id, r.level, r.at]), [
    ["sender:a", "rate/60000", 0, T0],
    ["sender:b", "rate/60000", 0, T0],
    ["tenant:t1", "rate/60000", 96, T0],
  ]);
});

Deno.test("governor [memory]: prune forgets full buckets and past windows only", () => {
  const g = new MemoryGovernor(limitsByPrefix({ sender: [perMinute(2), perDay(100)] }));
  g.take(["sender:a"], T0);
  assert.equal(g.size, 2);
  assert.equal(g.prune(T0 + 15_000), 0, "half refilled, and today's count still matters");
  assert.equal(g.prune(T0 + 30_000), 1, "the minute bucket is full again");
  assert.equal(g.prune(Date.UTC(2026, 5, 2)), 1, "yesterday's count no longer matters");
  assert.equal(g.size, 0);
  assert.deepEqual(g.take(["sender:a"], Date.UTC(2026, 5, 2)), { ok: true });
});

Deno.test("governor: a malformed limit is a configuration error naming the key", () => {
  const limits = limitsByPrefix({
    sender: [perMinute(0), perMinute(5)],
  });
  assert.throws(
    () => planTake(limits, ["sender:a"]),
    (e: unknown) =>
      e instanceof ConfigError && /governor\.sender:a\.rate\/60000\.max/.test(e.message) &&
      /given twice/.test(e.message),
  );
});

Deno.test("governor: buckets are planned in one order whatever order keys come in", () => {
  const limits = limitsByPrefix({ sender: [perDay(9), perMinute(1)], tenant: [perMinute(9)] });
  const a = planTake(limits, ["tenant:t1", "sender:b"]).map((b) => `${b.key} ${b.id}`);
  const b = planTake(limits, ["sender:b", "tenant:t1", "sender:b"]).map((b) => `${b.key} ${b.id}`);
  assert.deepEqual(a, b);
  assert.deepEqual(a, ["sender:b quota/86400000/0", "sender:b rate/60000", "tenant:t1 rate/60000"]);
});
