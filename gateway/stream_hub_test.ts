import assert from "node:assert/strict";
import {
  ActorSystem,
  type Bus,
  type BusMessage,
  type Database,
  MemoryBus,
  openTestDatabase,
  RedisBus,
  testBackends,
  testName,
} from "../actors/runtime/mod.ts";
import { ManualClock, newId } from "../shared/mod.ts";
import { SLOW_CONSUMER_CODE, StreamHub, type StreamHubOptions, topicFilter } from "./stream_hub.ts";
import { z } from "zod";
import { defineActor } from "../actors/runtime/mod.ts";
import type { ServerFrame } from "../shared/mod.ts";
import type { StreamSink } from "./stream_hub.ts";

/** `lead` (so `lead:<id>` topics match it): `emit` commits `n` events of `type` in one turn. */
export const emitter = defineActor("lead", {
  state: z.object({ n: z.number() }),
  initial: () => ({ n: 0 }),
})
  .event("test.pinged", { schema: z.object({ i: z.number() }), apply: (s) => ({ n: s.n + 1 }) })
  .event("test.ponged", { schema: z.object({ i: z.number() }), apply: (s) => ({ n: s.n + 1 }) })
  .command("emit", {
    input: z.object({
      n: z.number().int().min(1),
      type: z.enum(["test.pinged", "test.ponged"]).default("test.pinged"),
    }),
    handle: (s, cmd) => ({
      events: Array.from({ length: cmd.n }, (_, i) => ({ type: cmd.type, data: { i: s.n + i } })),
      reply: s.n + cmd.n,
    }),
  });

/** A sink that records frames; `fullAfter` events makes it answer "full" from then on. */
export class RecordingSink implements StreamSink {
  frames: ServerFrame[] = [];
  closed: { code: number; reason: string } | undefined;
  constructor(readonly fullAfter = Infinity) {}
  send(frame: ServerFrame): "ok" | "full" {
    if (this.events().length >= this.fullAfter && frame.type === "event") return "full";
    this.frames.push(frame);
    return "ok";
  }
  close(code: number, reason: string): void {
    this.closed = { code, reason };
  }
  /** Positions of the event frames received, in order. */
  events(): number[] {
    return this.frames.flatMap((f) => f.type === "event" ? [f.position] : []);
  }
  /** The position of the `caught_up` frame, if one came. */
  caughtUp(): number | undefined {
    const f = this.frames.find((f) => f.type === "caught_up");
    return f?.type === "caught_up" ? f.position : undefined;
  }
}

/** Polls `check` every few ms until it holds; fails after `ms`. */
export async function waitFor(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** 1..n. */
export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

const REDIS = Deno.env.get("TEST_REDIS_URL");
const BUSES: Array<{ name: string; skip?: string; open(): Promise<Bus> }> = [
  { name: "MemoryBus", open: () => Promise.resolve(new MemoryBus()) },
  {
    name: "RedisBus",
    ...(REDIS ? {} : { skip: "TEST_REDIS_URL not set" }),
    open: () => RedisBus.connect(REDIS!, { prefix: `cove:test:${newId()}:` }),
  },
];

interface Ctx {
  system: ActorSystem;
  db: Database;
  bus: Bus;
  hub(opts?: Partial<StreamHubOptions>): StreamHub;
  emit(id: string, n: number, type?: "test.pinged" | "test.ponged"): Promise<unknown>;
}

const all = topicFilter("t1", ["tenant"]);

for (const backend of testBackends()) {
  for (const busKind of BUSES) {
    const test = (name: string, fn: (ctx: Ctx) => Promise<void>) =>
      Deno.test({
        name: testName("stream hub", backend, `${busKind.name}: ${name}`),
        ignore: backend.skip !== undefined || busKind.skip !== undefined,
        async fn() {
          const db = await openTestDatabase(backend);
          const bus = await busKind.open();
          const system = new ActorSystem({ database: db, types: [emitter], bus });
          const hubs: StreamHub[] = [];
          try {
            await fn({
              system,
              db,
              bus,
              hub(opts = {}) {
                const hub = new StreamHub({
                  bus,
                  journal: system.journal,
                  startInterval: () => () => {},
                  ...opts,
                });
                hubs.push(hub);
                return hub;
              },
              emit: (id, n, type = "test.pinged" as const) =>
                system.ref(emitter, "t1", id).ask("emit", { n, type }),
            });
          } finally {
            for (const h of hubs) await h.close();
            await system.shutdown();
            await bus.close();
            await db.close();
          }
        },
      });

    test("from null: the whole stream, caught_up, then live", async (ctx) => {
      await ctx.emit("a", 3);
      const hub = ctx.hub();
      const sink = new RecordingSink();
      const r = await hub.subscribe("t1", all, null, sink);
      assert.equal(r.state, "ok");
      await waitFor(() => sink.caughtUp() === 3, "caught up");
      await ctx.emit("b", 2);
      await waitFor(() => sink.events().length === 5, "live events");
      assert.deepEqual(sink.events(), range(1, 5));
      assert.equal(sink.frames.filter((f) => f.type === "caught_up").length, 1);
      const first = sink.frames.find((f) => f.type === "event");
      assert.deepEqual(first?.type === "event" && first.event.actor, "lead/t1/a");
    });

    test("a subscriber that missed 1,000 events gets each once, in order", async (ctx) => {
      const hub = ctx.hub({ pageSize: 128 });
      const first = new RecordingSink();
      const r = await hub.subscribe("t1", all, null, first);
      await ctx.emit("a", 5);
      await waitFor(() => first.events().length === 5, "first five");
      if (r.state === "ok") await r.subscription.close();
      for (let i = 0; i < 10; i++) await ctx.emit(`k${i}`, 100);
      const again = new RecordingSink();
      await hub.subscribe("t1", all, 5, again);
      await waitFor(() => again.caughtUp() === 1005, "caught up");
      await ctx.emit("z", 1);
      await waitFor(() => again.events().length === 1001, "live after replay");
      assert.deepEqual(again.events(), range(6, 1006));
    });

    test("commits racing the replay still arrive exactly once, in order", async (ctx) => {
      for (let i = 0; i < 5; i++) await ctx.emit(`p${i}`, 100);
      const hub = ctx.hub({ pageSize: 25 });
      const sink = new RecordingSink();
      const writers = Promise.all(
        range(1, 6).map(async (w) => {
          for (let i = 0; i < 10; i++) await ctx.emit(`w${w}`, 5);
        }),
      );
      await hub.subscribe("t1", all, 0, sink);
      await writers;
      await waitFor(() => sink.events().length === 800, "all 800");
      assert.deepEqual(sink.events(), range(1, 800));
    });

    test("a slow consumer is closed with 4008 and its resume position; others keep going", async (ctx) => {
      const hub = ctx.hub();
      const slow = new RecordingSink(3);
      const fine = new RecordingSink();
      await hub.subscribe("t1", all, null, slow);
      await hub.subscribe("t1", all, null, fine);
      await waitFor(() => fine.caughtUp() === 0, "caught up");
      for (let i = 0; i < 5; i++) await ctx.emit("a", 2);
      await waitFor(() => fine.events().length === 10, "fast subscriber");
      assert.deepEqual(slow.closed, {
        code: SLOW_CONSUMER_CODE,
        reason: "slow consumer; resume from 3",
      });
      assert.deepEqual(slow.events(), [1, 2, 3]);
      assert.deepEqual(fine.events(), range(1, 10));
      assert.equal(hub.connectionCount, 1);
      // It resumes where it was cut off.
      const resumed = new RecordingSink();
      await hub.subscribe("t1", all, 3, resumed);
      await waitFor(() => resumed.caughtUp() === 10, "resumed");
      assert.deepEqual(resumed.events(), range(4, 10));
    });

    test("filters by lead and by type; positions still advance", async (ctx) => {
      const hub = ctx.hub();
      const byLead = new RecordingSink();
      const byType = new RecordingSink();
      await hub.subscribe("t1", topicFilter("t1", ["lead:b"]), null, byLead);
      await hub.subscribe("t1", topicFilter("t1", ["type:test.ponged"]), null, byType);
      await ctx.emit("a", 2);
      await ctx.emit("b", 2);
      await ctx.emit("a", 1, "test.ponged");
      await waitFor(() => byType.events().length === 1, "ponged");
      await waitFor(() => byLead.events().length === 2, "lead b");
      assert.deepEqual(byLead.events(), [3, 4]);
      assert.deepEqual(byType.events(), [5]);
      const late = new RecordingSink();
      await hub.subscribe("t1", topicFilter("t1", ["lead:b"]), null, late);
      await waitFor(() => late.caughtUp() === 5, "caught up past filtered events");
    });

    test("a position older than retention is refused", async (ctx) => {
      const hub = ctx.hub({ oldestPosition: () => Promise.resolve(10) });
      const sink = new RecordingSink();
      assert.deepEqual(await hub.subscribe("t1", all, 5, sink), {
        state: "beyond_retention",
        oldest: 10,
      });
      assert.equal((await hub.subscribe("t1", all, 10, sink)).state, "ok");
    });
  }

  Deno.test({
    name: testName("stream hub", backend, "a message the bus dropped is read from the journal"),
    ignore: backend.skip !== undefined,
    async fn() {
      const db = await openTestDatabase(backend);
      const bus = new MemoryBus();
      let batches = 0;
      // Drops every third batch on its way to the hub, as Redis pub/sub may.
      const lossy: Bus = {
        publish: (topic, messages: BusMessage[]) =>
          ++batches % 3 === 0 ? Promise.resolve() : bus.publish(topic, messages),
        subscribe: (topic, handler) => bus.subscribe(topic, handler),
        close: () => bus.close(),
      };
      const system = new ActorSystem({ database: db, types: [emitter], bus: lossy });
      const hub = new StreamHub({ bus, journal: system.journal, startInterval: () => () => {} });
      try {
        const sink = new RecordingSink();
        await hub.subscribe("t1", all, null, sink);
        await waitFor(() => sink.caughtUp() === 0, "caught up");
        for (let i = 0; i < 10; i++) await system.ref(emitter, "t1", "a").ask("emit", { n: 2 });
        await waitFor(() => sink.events().length === 20, "all twenty");
        assert.deepEqual(sink.events(), range(1, 20));
      } finally {
        await hub.close();
        await system.shutdown();
        await bus.close();
        await db.close();
      }
    },
  });
}

Deno.test("stream hub: heartbeats on the injected timer, stamped by the clock", async () => {
  const bus = new MemoryBus();
  let tick: () => void = () => {};
  let stopped = false;
  const hub = new StreamHub({
    bus,
    journal: { readStream: () => Promise.resolve([]) },
    clock: new ManualClock(1234),
    heartbeatMs: 5_000,
    startInterval: (ms, fn) => {
      assert.equal(ms, 5_000);
      tick = fn;
      return () => void (stopped = true);
    },
  });
  const sink = new RecordingSink();
  await hub.subscribe("t1", all, null, sink);
  await waitFor(() => sink.caughtUp() === 0, "caught up");
  tick();
  assert.deepEqual(sink.frames.at(-1), { type: "heartbeat", at: 1234 });
  await hub.close();
  assert.ok(stopped);
  assert.deepEqual(sink.closed, { code: 1001, reason: "server shutting down; resume from 0" });
  await bus.close();
});

Deno.test("topicFilter: one actor of any followed type, only in the caller's tenant", () => {
  const msg = (actor: string, type = "x.happened") =>
    ({ tenant: "t1", position: 1, actor, seq: 1, type, version: 1, data: null, at: 0 }) as const;
  const f = topicFilter("t1", ["campaign:c1", "task:k9"]);
  assert.ok(f(msg("campaign/t1/c1")));
  assert.ok(f(msg("task/t1/k9")));
  assert.ok(!f(msg("campaign/t1/c2")));
  assert.ok(!f(msg("campaign/t2/c1")), "another tenant's actor of the same id");
  assert.ok(!f(msg("lead/t1/c1")), "same id, other type");
});
