/**
 * Actor types and database helpers shared by the runtime's tests.
 *
 * @module
 */
import { z } from "zod";
import { newId } from "../../shared/ids.ts";
import { type Database, openDatabase } from "./database.ts";
import { defineActor } from "./define.ts";

/** A database backend the storage suite runs against. */
export interface Backend {
  name: string;
  /** Why the backend is skipped, when it is. */
  skip?: string;
  /** Opens a fresh, empty, migrated database. */
  open(): Promise<Database>;
}

/** Embedded PGlite, in memory. */
export const embeddedBackend: Backend = {
  name: "embedded PGlite",
  open: () => openDatabase(),
};

/** The real Postgres named by TEST_DATABASE_URL, one fresh schema per open. */
export function postgresBackend(): Backend {
  const url = Deno.env.get("TEST_DATABASE_URL");
  return {
    name: "Postgres",
    ...(url ? {} : { skip: "TEST_DATABASE_URL not set" }),
    async open() {
      const schema = `t_${newId()}`;
      const db = await openDatabase({ url: url!, schema, max: 4 });
      return {
        ...db,
        async close() {
          await db.sql.unsafe(`DROP SCHEMA "${schema}" CASCADE`).catch(() => {});
          await db.close();
        },
      };
    },
  };
}

/** Both backends. */
export function backends(): Backend[] {
  return [embeddedBackend, postgresBackend()];
}

const CounterState = z.object({
  count: z.number(),
  log: z.array(z.string()),
  fired: z.array(z.string()),
  sent: z.array(z.string()),
});

/** A counter: `add` emits `counter.added` (v2: `{ by, note }`, v1 was `{ n }`). */
export const counter = defineActor("counter", {
  state: CounterState,
  initial: () => ({ count: 0, log: [], fired: [], sent: [] }),
})
  .event("counter.added", {
    schema: z.object({ by: z.number().int(), note: z.string() }),
    version: 2,
    upcast: { 1: (v1: { n: number }) => ({ by: v1.n, note: "v1" }) },
    apply: (s, e) => ({ ...s, count: s.count + e.by, log: [...s.log, e.note] }),
  })
  .event("counter.fired", {
    schema: z.object({ name: z.string() }),
    apply: (s, e) => ({ ...s, fired: [...s.fired, e.name] }),
  })
  .event("counter.delivered", {
    schema: z.object({ key: z.string(), ok: z.boolean() }),
    apply: (s, e) => ({ ...s, sent: [...s.sent, `${e.key}:${e.ok}`] }),
  })
  .command("add", {
    input: z.object({ by: z.number().int().min(1).max(1000), note: z.string().default("") }),
    handle: (s, cmd) => ({
      events: [{ type: "counter.added", data: cmd }],
      reply: s.count + cmd.by,
    }),
  })
  .command("addTwice", {
    input: z.object({ by: z.number().int() }),
    handle: (s, cmd) => ({
      events: [
        { type: "counter.added", data: { by: cmd.by, note: "a" } },
        { type: "counter.added", data: { by: cmd.by, note: "b" } },
      ],
      reply: s.count + 2 * cmd.by,
    }),
  })
  .command("slowAdd", {
    input: z.object({ by: z.number().int(), ms: z.number().int() }),
    handle: async (s, cmd) => {
      const before = s.count;
      await new Promise((r) => setTimeout(r, cmd.ms));
      return { events: [{ type: "counter.added", data: { by: cmd.by, note: "" } }], reply: before };
    },
  })
  .command("remind", {
    input: z.object({ name: z.string(), at: z.number(), every: z.number().optional() }),
    handle: (_s, cmd, ctx) => ({
      effects: [ctx.remind(cmd.name, cmd.at, cmd.every ? { every: cmd.every } : {})],
    }),
  })
  .command("forget", {
    input: z.object({ name: z.string() }),
    handle: (_s, cmd, ctx) => ({ effects: [ctx.cancelReminder(cmd.name)] }),
  })
  .command("send", {
    input: z.object({ key: z.string(), text: z.string(), by: z.number().int().default(1) }),
    handle: (_s, cmd, ctx) => ({
      events: [{ type: "counter.added", data: { by: cmd.by, note: `send ${cmd.key}` } }],
      effects: [ctx.send("test", { text: cmd.text }, { key: cmd.key, maxAttempts: 3 })],
    }),
  })
  .command("fail", {
    input: z.object({}),
    handle: () => {
      throw new Error("handler failed");
    },
  })
  .query("count", (s) => s.count)
  .query("state", (s) => s)
  .onReminder((_s, r) => ({ events: [{ type: "counter.fired", data: { name: r.name } }] }))
  .onOutboxResult((_s, r) => ({
    events: [{ type: "counter.delivered", data: { key: r.key, ok: r.ok } }],
  }));
