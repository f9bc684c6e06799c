/**
 * What this folder's database tests share: the backends (embedded PGlite
 * always, real Postgres when TEST_DATABASE_URL is set, reported as skipped
 * with the reason otherwise), a fresh migrated database per test, and a small
 * actor that sends on an outbox channel and remembers what became of it.
 *
 * @module
 */
import { z } from "zod";
import { newId } from "../../shared/ids.ts";
import { type Database, defineActor, openDatabase } from "../runtime/mod.ts";
import { channelMigrations } from "./migrations.ts";

const url = Deno.env.get("TEST_DATABASE_URL");

/** One database the tests run against; `skip` says why not, when not. */
export interface Backend {
  name: string;
  skip: string | undefined;
  url: string | undefined;
}

/** Embedded PGlite, and Postgres when TEST_DATABASE_URL is set. */
export const BACKENDS: Backend[] = [
  { name: "embedded PGlite", skip: undefined, url: undefined },
  { name: "Postgres", skip: url ? undefined : "TEST_DATABASE_URL not set", url },
];

/** A fresh database with the channel migrations: in memory, or a schema of its own dropped on close. */
export async function openTestDatabase(backendUrl: string | undefined): Promise<Database> {
  const migrations = await channelMigrations();
  if (!backendUrl) return openDatabase({ migrations });
  const schema = `t_${newId()}`;
  const db = await openDatabase({ url: backendUrl, schema, max: 4, migrations });
  return {
    ...db,
    async close() {
      await db.sql.unsafe(`DROP SCHEMA "${schema}" CASCADE`).catch(() => {});
      await db.close();
    },
  };
}

/** Registers `fn` as `<suite> [<backend>]: <name>` once per backend, each with a fresh database. */
export function dbSuite(
  suite: string,
): (name: string, fn: (db: Database) => Promise<void>) => void {
  return (name, fn) => {
    for (const backend of BACKENDS) {
      Deno.test({
        name: `${suite} [${backend.name}]${
          backend.skip ? ` (skipped: ${backend.skip})` : ""
        }: ${name}`,
        ignore: backend.skip !== undefined,
        async fn() {
          const db = await openTestDatabase(backend.url);
          try {
            await fn(db);
          } finally {
            await db.close();
          }
        },
      });
    }
  };
}

/** The outbox channel the test notifier sends on. */
export const TEST_CHANNEL = "test_sms";

/** Sends a text on {@link TEST_CHANNEL}; records `key:delivered` or `key:dead` per outcome. */
export const notifier = defineActor("notifier", {
  state: z.object({ outcomes: z.array(z.string()) }),
  initial: () => ({ outcomes: [] as string[] }),
})
  .event("notifier.outcome", {
    schema: z.object({ key: z.string(), ok: z.boolean() }),
    apply: (s, e) => ({ outcomes: [...s.outcomes, `${e.key}:${e.ok ? "delivered" : "dead"}`] }),
  })
  .command("notify", {
    input: z.object({ key: z.string(), text: z.string(), maxAttempts: z.number().int() }),
    handle: (_s, cmd, ctx) => ({
      effects: [
        ctx.send(TEST_CHANNEL, { text: cmd.text }, {
          key: cmd.key,
          maxAttempts: cmd.maxAttempts,
        }),
      ],
    }),
  })
  .query("outcomes", (s) => s.outcomes)
  .onOutboxResult((_s, r) => ({
    events: [{ type: "notifier.outcome", data: { key: r.key, ok: r.ok } }],
  }));
