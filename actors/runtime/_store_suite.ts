/**
 * The storage conformance suite: the same tests against every database
 * backend (embedded PGlite and real Postgres). Each binding is a short test
 * file calling {@link storageConformance}.
 *
 * @module
 */
import assert from "node:assert/strict";
import { ManualClock } from "../../shared/clock.ts";
import { CoveError, FencedError } from "../../shared/errors.ts";
import type { Database } from "./database.ts";
import { migrate } from "./migrate.ts";
import { type DispatchResult, OutboxWorker } from "./outbox_worker.ts";
import { ReminderPoller } from "./reminder_poller.ts";
import { defineActor } from "./define.ts";
import { z } from "zod";
import { ActorSystem, type SystemOptions } from "./system.ts";
import { type Backend, counter } from "./_test_fixtures.ts";

type Options = Omit<SystemOptions, "database" | "types">;

function system(db: Database, opts: Options = {}): ActorSystem {
  return new ActorSystem({ database: db, types: [counter], ...opts });
}

/** Folds journaled `counter` events the way the actor does, independently of the runtime. */
async function foldCounter(db: Database, key: string) {
  const rows = await db.sql<{ seq: number; type: string; version: number; data: never }[]>`
    SELECT seq, type, version, data FROM events WHERE actor = ${key} ORDER BY seq`;
  const s = { count: 0, log: [] as string[], fired: [] as string[], sent: [] as string[] };
  rows.forEach((r, i) => {
    assert.equal(r.seq, i + 1, `gap in ${key} at ${i + 1}`);
    const d = r.data as Record<string, unknown>;
    if (r.type === "counter.added") {
      s.count += r.version === 1 ? d.n as number : d.by as number;
      s.log.push(r.version === 1 ? "v1" : d.note as string);
    } else if (r.type === "counter.fired") s.fired.push(d.name as string);
    else s.sent.push(`${d.key}:${d.ok}`);
  });
  return s;
}

/** Registers the storage conformance tests for one backend. */
export function storageConformance(backend: Backend): void {
  const test = (name: string, fn: (db: Database) => Promise<void>) =>
    Deno.test({
      name: `storage [${backend.name}]${
        backend.skip ? ` (skipped: ${backend.skip})` : ""
      }: ${name}`,
      ignore: backend.skip !== undefined,
      async fn() {
        const db = await backend.open();
        try {
          await fn(db);
        } finally {
          await db.close();
        }
      },
    });

  test("migrations are recorded and applying them again changes nothing", async (db) => {
    const recorded = await db.sql`SELECT version FROM schema_migrations ORDER BY version`;
    assert.deepEqual(recorded.map((r) => r.version), [1, 2]);
    assert.deepEqual(await migrate(db.sql), []);
  });

  test("recovery equals the fold of committed events", async (db) => {
    const a = system(db, { snapshotEvery: 7 });
    const refs = Array.from({ length: 5 }, (_, i) => a.ref(counter, "t1", `c${i}`));
    let seed = 42;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    await Promise.all(refs.map(async (ref, i) => {
      for (let k = 0; k < 30; k++) {
        if (rnd() < 0.3) await ref.ask("addTwice", { by: 1 + Math.floor(rnd() * 9) });
        else await ref.ask("add", { by: 1 + Math.floor(rnd() * 9), note: `${i}-${k}` });
      }
    }));
    await a.shutdown();
    const b = system(db, { snapshotEvery: 7 });
    for (const ref of refs) {
      const recovered = await b.ref(counter, "t1", ref.address.id).query("state");
      assert.deepEqual(recovered, await foldCounter(db, ref.key));
    }
    const [snap] = await db.sql`SELECT count(*)::int AS n FROM snapshots`;
    assert.ok(snap!.n >= 5, "snapshots were written");
    await b.shutdown();
  });

  test("event data and snapshots are stored as jsonb objects", async (db) => {
    const s = system(db, { snapshotEvery: 1 });
    await s.ref(counter, "t1", "j").ask("add", { by: 1, note: "x" });
    const [e] = await db.sql`SELECT jsonb_typeof(data) AS t FROM events`;
    const [sn] = await db.sql`SELECT jsonb_typeof(state) AS t FROM snapshots`;
    assert.equal(e!.t, "object");
    assert.equal(sn!.t, "object");
    await s.shutdown();
  });

  test("passivation and re-activation restore exactly the same state", async (db) => {
    const clock = new ManualClock();
    const s = system(db, { clock, idleTimeout: 1_000 });
    const ref = s.ref(counter, "t1", "p");
    for (let i = 1; i <= 12; i++) await ref.ask("add", { by: i, note: `n${i}` });
    await ref.ask("addTwice", { by: 3 });
    const before = await ref.query("state");
    assert.equal(await s.passivateIdle(), 0, "not idle yet");
    clock.advance(1_000);
    assert.equal(await s.passivateIdle(), 1);
    assert.equal(s.isActive(ref), false);
    const [snap] = await db.sql`SELECT seq FROM snapshots WHERE actor = ${ref.key}`;
    assert.equal(snap!.seq, 14, "passivation wrote a snapshot at the last sequence");
    assert.deepEqual(await ref.query("state"), before);
    assert.equal(await ref.ask("add", { by: 1, note: "after" }), before.count + 1);
    await s.shutdown();
  });

  test("a stale epoch's write is refused and that activation stops", async (db) => {
    const a = system(db);
    const b = system(db);
    const refA = a.ref(counter, "t1", "f");
    const refB = b.ref(counter, "t1", "f");
    assert.equal(await refA.ask("add", { by: 1 }), 1);
    assert.equal(await refB.ask("add", { by: 10 }), 11, "B took over and recovered A's event");
    await assert.rejects(refA.ask("send", { key: "stale-send", text: "x" }), FencedError);
    assert.equal(a.isActive(refA), false, "the stale activation stopped");
    const events = await db.sql`SELECT seq FROM events WHERE actor = ${refA.key} ORDER BY seq`;
    assert.deepEqual(events.map((e) => e.seq), [1, 2]);
    const [out] = await db.sql`SELECT count(*)::int AS n FROM outbox WHERE key = 'stale-send'`;
    assert.equal(out!.n, 0, "the fenced turn's outbox row was not written");
    assert.equal(await refB.ask("add", { by: 1 }), 12);
    await a.shutdown();
    await b.shutdown();
  });

  test("reminders survive a restart and fire once under two racing pollers", async (db) => {
    const t0 = Date.UTC(2026, 0, 1);
    const first = system(db, { clock: new ManualClock(t0) });
    await first.ref(counter, "t1", "r").ask("remind", { name: "follow-up", at: t0 + 60_000 });
    await first.shutdown();

    const clock = new ManualClock(t0 + 120_000);
    const n1 = system(db, { clock, nodeId: "n1" });
    const n2 = system(db, { clock, nodeId: "n2" });
    const polls = [new ReminderPoller(n1), new ReminderPoller(n2)];
    const fired = await Promise.all(polls.map((p) => p.tick()));
    assert.equal(fired.reduce((x, y) => x + y, 0), 1, "claimed by exactly one poller");
    await Promise.all(polls.map((p) => p.tick()));
    const owner = n1.isActive(n1.ref(counter, "t1", "r")) ? n1 : n2;
    assert.deepEqual((await owner.ref(counter, "t1", "r").query("state")).fired, ["follow-up"]);
    const [left] = await db.sql`SELECT count(*)::int AS n FROM reminders`;
    assert.equal(left!.n, 0, "a one-shot reminder is consumed with its turn");
    await n1.shutdown();
    await n2.shutdown();
  });

  test("a reminder can be replaced and cancelled", async (db) => {
    const t0 = Date.UTC(2026, 0, 1);
    const clock = new ManualClock(t0);
    const s = system(db, { clock });
    const ref = s.ref(counter, "t1", "edit");
    await ref.ask("remind", { name: "moved", at: t0 + 1_000 });
    await ref.ask("remind", { name: "moved", at: t0 + 5_000 }); // replaces the first
    await ref.ask("remind", { name: "dropped", at: t0 + 1_000 });
    await ref.ask("forget", { name: "dropped" });
    await ref.ask("forget", { name: "never-set" }); // cancelling nothing is fine
    const poller = new ReminderPoller(s);
    clock.advance(2_000);
    assert.equal(
      await poller.tick(),
      0,
      "the replaced time has not come; the cancelled one is gone",
    );
    clock.advance(3_000);
    assert.equal(await poller.tick(), 1);
    assert.deepEqual((await ref.query("state")).fired, ["moved"]);
    await s.shutdown();
  });

  test("a reminder delivered twice (lapsed lease) takes effect once", async (db) => {
    const clock = new ManualClock();
    const s = system(db, { clock });
    const ref = s.ref(counter, "t1", "twice");
    await ref.ask("remind", { name: "r", at: clock.now() });
    const [claimed] = await s.journal.claimReminders(clock.now(), 10, 1, s.nodeId);
    await Promise.all([s.fireReminder(claimed!), s.fireReminder(claimed!)]);
    assert.deepEqual((await ref.query("state")).fired, ["r"]);
    await s.shutdown();
  });

  test("missed repeats of a periodic reminder are coalesced after downtime", async (db) => {
    const t0 = Date.UTC(2026, 0, 1);
    const clock = new ManualClock(t0);
    const s = system(db, { clock });
    const ref = s.ref(counter, "t1", "every");
    await ref.ask("remind", { name: "hourly", at: t0 + 3_600_000, every: 3_600_000 });
    clock.advance(10 * 3_600_000 + 60_000); // ten missed hours
    const poller = new ReminderPoller(s);
    assert.equal(await poller.tick(), 1);
    assert.equal(await poller.tick(), 0, "not flooded with the missed occurrences");
    assert.deepEqual((await ref.query("state")).fired, ["hourly"]);
    const [next] = await db.sql`SELECT due_at FROM reminders WHERE name = 'hourly'`;
    assert.equal(next!.due_at, t0 + 11 * 3_600_000, "next occurrence is the next future slot");
    await s.shutdown();
  });

  test("outbox rows commit with their events, idempotent by key, claimed once", async (db) => {
    const clock = new ManualClock();
    const s = system(db, { clock });
    const refs = Array.from({ length: 4 }, (_, i) => s.ref(counter, "t1", `o${i}`));
    for (const [i, ref] of refs.entries()) {
      for (let k = 0; k < 5; k++) await ref.ask("send", { key: `m-${i}-${k}`, text: "hi" });
    }
    await refs[0]!.ask("send", { key: "m-0-0", text: "again" }); // same key: one message
    const [rows] = await db.sql`SELECT count(*)::int AS n FROM outbox`;
    assert.equal(rows!.n, 20);
    const [ev] = await db.sql`SELECT count(*)::int AS n FROM events`;
    assert.equal(ev!.n, 21, "each send turn journaled its event in the same commit");

    const calls = new Map<string, number>();
    const dispatcher = {
      channel: "test",
      send: async (m: { key: string }): Promise<DispatchResult> => {
        await new Promise((r) => setTimeout(r, 1));
        calls.set(m.key, (calls.get(m.key) ?? 0) + 1);
        return { ok: true, response: { id: `p-${m.key}` } };
      },
    };
    const workers = [new OutboxWorker(s, [dispatcher]), new OutboxWorker(s, [dispatcher])];
    const claimed = await Promise.all(workers.map((w) => w.tick()));
    assert.equal(claimed.reduce((x, y) => x + y, 0), 20);
    assert.equal(calls.size, 20);
    assert.ok([...calls.values()].every((n) => n === 1), "every message dispatched once");
    const done = await db.sql`SELECT status, count(*)::int AS n FROM outbox GROUP BY status`;
    assert.deepEqual(done.map((r) => [r.status, r.n]), [["done", 20]]);
    const sent = (await refs[1]!.query("state")).sent;
    assert.deepEqual(sent.toSorted(), [
      "m-1-0:true",
      "m-1-1:true",
      "m-1-2:true",
      "m-1-3:true",
      "m-1-4:true",
    ]);
    await s.shutdown();
  });

  test("outbox failures retry with backoff, then dead-letter and tell the actor", async (db) => {
    const clock = new ManualClock();
    const s = system(db, { clock });
    const ref = s.ref(counter, "t1", "retry");
    await ref.ask("send", { key: "flaky", text: "x" });
    await ref.ask("send", { key: "broken", text: "y" });
    let flakyCalls = 0;
    const worker = new OutboxWorker(s, [{
      channel: "test",
      send: (m): Promise<DispatchResult> => {
        if (m.key === "flaky" && ++flakyCalls === 1) {
          return Promise.resolve({ ok: false, error: "503 from provider", retryable: true });
        }
        if (m.key === "broken") {
          return Promise.resolve({ ok: false, error: "429 from provider", retryable: true });
        }
        return Promise.resolve({ ok: true });
      },
    }], { backoffBaseMs: 1_000, random: () => 0.5 });
    assert.equal(await worker.tick(), 2);
    const waiting = await db.sql`SELECT key, status, next_at, last_error FROM outbox ORDER BY key`;
    assert.deepEqual(waiting.map((r) => [r.key, r.status, r.next_at - clock.now()]), [
      ["broken", "pending", 1_000],
      ["flaky", "pending", 1_000],
    ]);
    assert.equal(await worker.tick(), 0, "nothing due before the backoff");
    clock.advance(1_000);
    assert.equal(await worker.tick(), 2);
    clock.advance(2_000);
    assert.equal(await worker.tick(), 1, "third and last attempt of the broken message");
    const final = await db.sql`SELECT key, status, attempts, last_error FROM outbox ORDER BY key`;
    assert.deepEqual(final.map((r) => [r.key, r.status, r.attempts, r.last_error]), [
      ["broken", "dead", 3, "429 from provider"],
      ["flaky", "done", 2, "503 from provider"],
    ]);
    assert.deepEqual((await ref.query("state")).sent.toSorted(), ["broken:false", "flaky:true"]);
    await s.shutdown();
  });

  test("a v1 event is upcast to v2 when read; a newer version refuses to activate", async (db) => {
    await db.sql`INSERT INTO actors (key, type, tenant, epoch, seq)
      VALUES ('counter/t1/old', 'counter', 't1', 1, 1), ('counter/t1/new', 'counter', 't1', 1, 1)`;
    await db.sql`INSERT INTO events (tenant, actor, seq, position, type, version, data, at) VALUES
      ('t1', 'counter/t1/old', 1, 1, 'counter.added', 1, ${db.sql.json({ n: 5 })}, now()),
      ('t1', 'counter/t1/new', 1, 2, 'counter.added', 3, ${db.sql.json({ x: 1 })}, now())`;
    await db.sql`INSERT INTO streams (tenant, position) VALUES ('t1', 2)`;
    const s = system(db);
    const old = await s.ref(counter, "t1", "old").query("state");
    assert.equal(old.count, 5);
    assert.deepEqual(old.log, ["v1"]);
    assert.equal(await s.ref(counter, "t1", "old").ask("add", { by: 1, note: "v2" }), 6);
    const [v] = await db.sql`SELECT version FROM events WHERE actor = 'counter/t1/old' AND seq = 2`;
    assert.equal(v!.version, 2, "new events are written at the current version");
    await assert.rejects(
      s.ref(counter, "t1", "new").query("state"),
      (e: unknown) => e instanceof CoveError && e.code === "event_version_unknown",
    );
    await s.shutdown();
  });

  test("stream positions are gap-free and follow commit order per tenant", async (db) => {
    const s = system(db);
    await Promise.all(Array.from({ length: 40 }, (_, i) => {
      const ref = s.ref(counter, i % 2 ? "ta" : "tb", `s${i % 8}`);
      return ref.ask(i % 3 ? "add" : "addTwice", { by: 1 });
    }));
    for (const tenant of ["ta", "tb"]) {
      const stream = await s.journal.readStream(tenant, 0, 1_000);
      assert.deepEqual(stream.map((e) => e.position), stream.map((_, i) => i + 1));
      const tail = await s.journal.readStream(tenant, 10, 5);
      assert.deepEqual(tail.map((e) => e.position), [11, 12, 13, 14, 15]);
    }
    await s.shutdown();
  });

  test("a reader following a stream never skips an event that commits late", async (db) => {
    // Two nodes commit to one tenant at once while a reader tails the stream.
    const nodes = [system(db, { nodeId: "a" }), system(db, { nodeId: "b" })];
    let writing = true;
    const writers = Promise.all(nodes.flatMap((s, n) =>
      Array.from({ length: 8 }, async (_, i) => {
        const ref = s.ref(counter, "late", `n${n}-${i}`);
        for (let k = 0; k < 15; k++) await ref.ask(k % 4 ? "add" : "addTwice", { by: 1 });
      })
    )).finally(() => writing = false);
    let seen = 0;
    while (writing || seen < 16 * 15 + 16 * 4) {
      const batch = await nodes[0]!.journal.readStream("late", seen, 50);
      batch.forEach((e, i) => assert.equal(e.position, seen + i + 1, "a gap was visible"));
      seen += batch.length;
      if (!writing && batch.length === 0) break;
    }
    await writers;
    assert.equal(seen, 16 * 15 + 16 * 4, "the reader saw every event");
    await Promise.all(nodes.map((s) => s.shutdown()));
  });

  test("a projection row is written in the same commit as the events", async (db) => {
    await db.sql`CREATE TABLE counter_view (actor text PRIMARY KEY, tenant text, count int,
      last_note text, updated_at timestamptz)`;
    const viewed = defineActor("viewed", {
      state: z.object({ count: z.number(), last: z.string(), at: z.number() }),
      initial: () => ({ count: 0, last: "", at: 0 }),
    })
      .event("viewed.added", {
        schema: z.object({ by: z.number(), note: z.string() }),
        apply: (s, e, meta) => ({ count: s.count + e.by, last: e.note, at: meta.at }),
      })
      .command("add", {
        input: z.object({ by: z.number(), note: z.string() }),
        handle: (_s, cmd) => ({ events: [{ type: "viewed.added", data: cmd }] }),
      })
      .command("noop", { input: z.object({}), handle: () => ({}) })
      .projectTo("counter_view", (s, a) => {
        if (s.last === "unprojectable") throw new RangeError("no row for this state");
        return {
          tenant: a.tenant,
          count: s.count,
          last_note: s.last,
          updated_at: new Date(s.at).toISOString(),
        };
      });
    const s = new ActorSystem({ database: db, types: [viewed], clock: new ManualClock() });
    const a = s.ref(viewed, "t1", "a");
    await a.ask("add", { by: 2, note: "x" });
    await Promise.all([
      a.ask("add", { by: 3, note: "y" }),
      s.ref(viewed, "t1", "b").ask("add", { by: 1, note: "z" }),
    ]);
    await a.ask("noop", {});
    const rows = await db
      .sql`SELECT actor, tenant, count, last_note FROM counter_view ORDER BY actor`;
    assert.deepEqual(rows.map((r) => [r.actor, r.tenant, r.count, r.last_note]), [
      ["viewed/t1/a", "t1", 5, "y"],
      ["viewed/t1/b", "t1", 1, "z"],
    ]);
    // A row that cannot be built fails that turn alone: nothing is committed, the actor goes on.
    await assert.rejects(a.ask("add", { by: 7, note: "unprojectable" }), RangeError);
    await a.ask("add", { by: 1, note: "after" });
    const [after] = await db
      .sql`SELECT count, last_note FROM counter_view WHERE actor = 'viewed/t1/a'`;
    assert.deepEqual([after?.count, after?.last_note], [6, "after"]);
    await s.shutdown();
  });

  test("state as of a past moment and the upcast history come from the journal", async (db) => {
    const t0 = Date.UTC(2026, 0, 1);
    const clock = new ManualClock(t0);
    const s = system(db, { clock });
    const ref = s.ref(counter, "t1", "travel");
    await ref.ask("add", { by: 1, note: "first" });
    clock.advance(60_000);
    await ref.ask("add", { by: 10, note: "second" });
    clock.advance(60_000);
    await ref.ask("add", { by: 100, note: "third" });
    assert.deepEqual((await s.stateAt(ref, t0 - 1)).seq, 0);
    const mid = await s.stateAt(ref, t0 + 60_000);
    assert.equal(mid.seq, 2);
    assert.equal(mid.state.count, 11);
    assert.deepEqual(mid.state.log, ["first", "second"]);
    assert.equal((await s.stateAt(ref, t0 + 3_600_000)).state.count, 111);
    const history = await s.history(ref);
    assert.deepEqual(history.map((e) => [e.seq, e.at - t0, e.data]), [
      [1, 0, { by: 1, note: "first" }],
      [2, 60_000, { by: 10, note: "second" }],
      [3, 120_000, { by: 100, note: "third" }],
    ]);
    assert.deepEqual((await s.history(ref, { after: 1, limit: 1 })).map((e) => e.seq), [2]);
    await s.shutdown();
  });

  test("a deferred message waits without using up an attempt", async (db) => {
    const clock = new ManualClock();
    const s = system(db, { clock });
    const ref = s.ref(counter, "t1", "defer");
    await ref.ask("send", { key: "later", text: "x" });
    let open = false;
    const worker = new OutboxWorker(s, [{
      channel: "test",
      send: (): Promise<DispatchResult> =>
        Promise.resolve(
          open
            ? { ok: true }
            : { deferred: true, until: clock.now() + 60_000, reason: "breaker open" },
        ),
    }]);
    for (let i = 0; i < 5; i++) {
      assert.equal(await worker.tick(), 1);
      clock.advance(60_000);
    }
    const [row] = await db.sql`SELECT status, attempts, last_error FROM outbox WHERE key = 'later'`;
    assert.deepEqual([row!.status, row!.attempts, row!.last_error], [
      "pending",
      0,
      "deferred: breaker open",
    ]);
    open = true;
    assert.equal(await worker.tick(), 1);
    const [done] = await db.sql`SELECT status, attempts FROM outbox WHERE key = 'later'`;
    assert.deepEqual(
      [done!.status, done!.attempts],
      ["done", 1],
      "five deferrals did not dead-letter it",
    );
    await s.shutdown();
  });
}
