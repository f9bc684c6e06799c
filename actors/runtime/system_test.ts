import assert from "node:assert/strict";
import { z } from "zod";
import { ManualClock } from "../../shared/clock.ts";
import {
  CoveError,
  NotFoundError,
  OverloadedError,
  TimeoutError,
  UnavailableError,
  ValidationError,
} from "../../shared/errors.ts";
import type { BusMessage } from "./bus.ts";
import { MemoryBus } from "./bus_memory.ts";
import { type Database, openDatabase } from "./database.ts";
import { type AnyActorType, defineActor } from "./define.ts";
import { ActorSystem, type SystemOptions } from "./system.ts";
import { counter } from "./_test_fixtures.ts";

// Turn semantics do not depend on the database; they run on embedded storage.
async function withSystem(
  fn: (s: ActorSystem, db: Database) => Promise<void>,
  opts: Omit<SystemOptions, "database" | "types"> = {},
) {
  const db = await openDatabase();
  const s = new ActorSystem({ database: db, types: [counter, relay], ...opts });
  try {
    await fn(s, db);
  } finally {
    await s.shutdown();
    await db.close();
  }
}

/** Relays a call along a path of actor ids and back: A → B → A. */
// Late-bound: a type cannot name itself in its own handlers.
const relayType = (): AnyActorType => relay;
const relay = defineActor("relay", {
  state: z.object({ visits: z.number() }),
  initial: () => ({ visits: 0 }),
})
  .event("relay.visited", { schema: z.object({}), apply: (s) => ({ visits: s.visits + 1 }) })
  .command("visit", {
    input: z.object({ path: z.array(z.string()) }),
    handle: async (s, cmd, ctx) => {
      const [next, ...rest] = cmd.path;
      const trail: string[] = next === undefined
        ? []
        : await ctx.ask(ctx.ref(relayType(), next), "visit", { path: rest }, { timeout: 2_000 });
      return {
        events: [{ type: "relay.visited", data: {} }],
        reply: [`${ctx.self.id}:${s.visits}`, ...trail],
      };
    },
  })
  .command("fan", {
    input: z.object({ peers: z.array(z.string()), wait: z.boolean() }),
    handle: async (_s, cmd, ctx) => {
      // Every peer calls straight back: several re-entrant turns finish together.
      const calls = cmd.peers.map((p) =>
        ctx.ask(ctx.ref(relayType(), p), "visit", { path: [ctx.self.id] }, { timeout: 2_000 })
      );
      if (cmd.wait) await Promise.all(calls);
      else calls.forEach((c) => c.catch(() => {}));
      return { events: [{ type: "relay.visited", data: {} }] };
    },
  })
  .command("peek", {
    input: z.object({ peer: z.string() }),
    // Reads a peer's committed state without a turn of the peer's own.
    handle: async (_s, cmd, ctx) => ({
      reply: await ctx.query(ctx.ref(relayType(), cmd.peer), "visits") as number,
    }),
  })
  .query("visits", (s) => s.visits);

Deno.test("1,000 concurrent asks to one actor yield a strict sequence", async () => {
  await withSystem(async (s, db) => {
    const ref = s.ref(counter, "t1", "seq");
    const replies = await Promise.all(
      // 1,000 turns on embedded storage can outlast the default 5 s on a loaded machine.
      Array.from({ length: 1_000 }, () => ref.ask("add", { by: 1 }, { timeout: 60_000 })),
    );
    assert.deepEqual(replies.toSorted((a, b) => a - b), replies.map((_, i) => i + 1));
    const seqs = await db.sql`SELECT seq FROM events WHERE actor = ${ref.key} ORDER BY seq`;
    assert.deepEqual(seqs.map((r) => r.seq), replies.map((_, i) => i + 1));
  });
});

Deno.test("an async handler runs to completion before the next turn starts", async () => {
  await withSystem(async (s) => {
    const ref = s.ref(counter, "t1", "async");
    // Each reply is the count the handler saw before its await; interleaving would repeat one.
    const seen = await Promise.all(
      Array.from({ length: 20 }, () => ref.ask("slowAdd", { by: 1, ms: 2 })),
    );
    assert.deepEqual(seen.toSorted((a, b) => a - b), seen.map((_, i) => i));
  });
});

Deno.test("an A → B → A call chain re-enters instead of deadlocking", async () => {
  await withSystem(async (s) => {
    const a = s.ref(relay, "t1", "a");
    const trail = await a.ask("visit", { path: ["b", "a", "c", "a"] }, { timeout: 3_000 });
    // Each handler sees the state its turn started with; all three visits to A commit.
    assert.deepEqual(trail, ["a:0", "b:0", "a:0", "c:0", "a:0"]);
    assert.equal(await a.query("visits"), 3);
    assert.equal(await s.ref(relay, "t1", "b").query("visits"), 1);
  });
});

Deno.test("re-entrant turns that finish together commit one after another", async () => {
  await withSystem(async (s) => {
    const hub = s.ref(relay, "t1", "hub");
    await hub.ask("fan", { peers: ["p1", "p2", "p3"], wait: true });
    assert.equal(await hub.query("visits"), 4, "three call-backs and the fan itself");
    // Call-backs still running while the calling turn commits.
    await hub.ask("fan", { peers: ["q1", "q2"], wait: false });
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(await hub.query("visits"), 7);
    assert.equal(s.isActive(hub), true, "no turn was fenced");
  });
});

Deno.test("a full mailbox rejects with a typed overloaded error", async () => {
  await withSystem(async (s) => {
    const ref = s.ref(counter, "t1", "busy");
    await ref.ask("add", { by: 1 }); // activated and ready
    const asks = Array.from({ length: 12 }, () => ref.ask("slowAdd", { by: 1, ms: 20 }));
    const results = await Promise.allSettled(asks);
    const rejected = results.filter((r) => r.status === "rejected");
    assert.equal(rejected.length, 12 - 1 - 5, "one running, five waiting, the rest refused");
    for (const r of rejected) {
      assert.ok(r.reason instanceof OverloadedError);
      assert.equal(r.reason.code, "overloaded");
    }
    assert.equal(await ref.query("count"), 1 + 6);
  }, { mailboxLimit: 5 });
});

Deno.test("an invalid command gets a validation error naming the field and writes nothing", async () => {
  await withSystem(async (s, db) => {
    const ref = s.ref(counter, "t1", "invalid");
    const err = await ref.ask("add", { by: "three" as unknown as number }).catch((e) => e);
    assert.ok(err instanceof ValidationError);
    assert.equal(err.code, "validation_failed");
    assert.equal(err.status, 400);
    assert.deepEqual(err.issues.map((i) => i.path), ["by"]);
    assert.match(err.message, /by:/);
    const big = await ref.ask("add", { by: 5_000 }).catch((e) => e);
    assert.deepEqual(big.issues.map((i: { path: string }) => i.path), ["by"]);
    await assert.rejects(ref.ask("nope" as "add", { by: 1 }), NotFoundError);
    assert.throws(() => s.ref(counter, "t/1", "x"), ValidationError);
    const [n] = await db
      .sql`SELECT (SELECT count(*) FROM events)::int + (SELECT count(*) FROM actors)::int AS n`;
    assert.equal(n!.n, 0);
  });
});

Deno.test("a throwing handler fails its caller and changes nothing", async () => {
  await withSystem(async (s, db) => {
    const ref = s.ref(counter, "t1", "throws");
    await ref.ask("add", { by: 2 });
    await assert.rejects(ref.ask("fail", {}), /handler failed/);
    assert.equal(await ref.ask("add", { by: 1 }), 3);
    const [n] = await db.sql`SELECT count(*)::int AS n FROM events`;
    assert.equal(n!.n, 2);
  });
});

Deno.test("queries run beside a turn and see committed state", async () => {
  await withSystem(async (s) => {
    const ref = s.ref(counter, "t1", "query");
    await ref.ask("add", { by: 4 });
    const slow = ref.ask("slowAdd", { by: 1, ms: 300 });
    const started = performance.now();
    assert.equal(await ref.query("count"), 4);
    assert.ok(performance.now() - started < 300, "the query did not wait for the turn");
    await slow;
    assert.equal(await ref.query("count"), 5);
  });
});

Deno.test("an ask that takes too long times out with a typed error", async () => {
  await withSystem(async (s) => {
    const ref = s.ref(counter, "t1", "slow");
    const err = await ref.ask("slowAdd", { by: 1, ms: 200 }, { timeout: 20 }).catch((e) => e);
    assert.ok(err instanceof TimeoutError);
    await new Promise((r) => setTimeout(r, 250));
  });
});

Deno.test("nothing is published or replied before the turn's events commit", async () => {
  const bus = new MemoryBus();
  const seen: BusMessage[] = [];
  const unsubscribe = await bus.subscribe("tenant:t1", (m) => seen.push(m));
  await withSystem(async (s) => {
    const commit = s.journal.commit.bind(s.journal);
    let release!: () => void;
    const gate = new Promise<void>((r) => release = r);
    s.journal.commit = async (batch) => (await gate, commit(batch));
    let replied = false;
    const ask = s.ref(counter, "t1", "gate").ask("add", { by: 7, note: "g" }).then((v) => {
      replied = true;
      return v;
    });
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(replied, false);
    assert.equal(seen.length, 0);
    release();
    assert.equal(await ask, 7);
    assert.deepEqual(seen.map((m) => [m.type, m.position, m.seq, m.data]), [
      ["counter.added", 1, 1, { by: 7, note: "g" }],
    ]);
  }, { bus });
  await unsubscribe();
  await bus.close();
});

Deno.test("shutdown finishes running turns, snapshots, then refuses work", async () => {
  const db = await openDatabase();
  const s = new ActorSystem({ database: db, types: [counter], clock: new ManualClock() });
  const ref = s.ref(counter, "t1", "down");
  await ref.ask("add", { by: 1 });
  const running = ref.ask("slowAdd", { by: 1, ms: 100 });
  await new Promise((r) => setTimeout(r, 10));
  await s.shutdown();
  assert.equal(await running, 1);
  await assert.rejects(ref.ask("add", { by: 1 }), UnavailableError);
  const [snap] = await db.sql`SELECT seq FROM snapshots WHERE actor = ${ref.key}`;
  assert.equal(snap!.seq, 2);
  await db.close();
});

Deno.test("a turn emitting an event that fails its schema is refused", async () => {
  const bad = defineActor("bad", { state: z.object({}), initial: () => ({}) })
    .event("bad.done", { schema: z.object({ n: z.number() }), apply: (s) => s })
    .command("go", {
      input: z.object({}),
      handle: () => ({ events: [{ type: "bad.done", data: { n: "x" as unknown as number } }] }),
    });
  const db = await openDatabase();
  const s = new ActorSystem({ database: db, types: [bad] });
  const err = await s.ref(bad, "t1", "b").ask("go", {}).catch((e) => e);
  assert.ok(err instanceof CoveError);
  assert.equal(err.code, "validation_failed");
  await s.shutdown();
  await db.close();
});

Deno.test("a request the database rejects fails alone, not its whole group commit", async () => {
  await withSystem(async (s, db) => {
    const refs = Array.from({ length: 6 }, (_, i) => s.ref(counter, "t1", `g${i}`));
    await Promise.all(refs.map((r) => r.ask("add", { by: 1 })));
    // Postgres jsonb refuses the NUL character; the other turns in the batch must still commit.
    const results = await Promise.allSettled(
      refs.map((r, i) => r.ask("add", { by: 1, note: i === 3 ? "bad\u0000note" : "fine" })),
    );
    assert.deepEqual(results.map((r) => r.status), [
      "fulfilled",
      "fulfilled",
      "fulfilled",
      "rejected",
      "fulfilled",
      "fulfilled",
    ]);
    const [n] = await db.sql`SELECT count(*)::int AS n FROM events`;
    assert.equal(n!.n, 11);
    assert.equal(await refs[3]!.query("count"), 1, "the failed turn changed nothing");
  });
});

Deno.test("a turn reads another actor's committed state while that actor is mid-turn", async () => {
  await withSystem(async (s) => {
    await s.ref(relay, "t1", "b").ask("visit", { path: [] });
    await s.ref(relay, "t1", "b").ask("visit", { path: [] });
    // B is busy with a turn that waits on A; A's query of B must not queue behind it.
    const busy = s.ref(relay, "t1", "b").ask("fan", { peers: ["c"], wait: true });
    const seen = await s.ref(relay, "t1", "a").ask("peek", { peer: "b" });
    assert.equal(seen, 2);
    await busy;
    // Its own visit, the fan, and C calling back.
    assert.equal(await s.ref(relay, "t1", "a").ask("peek", { peer: "b" }), 4);
  });
});
