/**
 * What this folder's database tests share: the backends (embedded PGlite
 * always, real Postgres when TEST_DATABASE_URL is set, reported as skipped
 * with the reason otherwise), a fresh migrated database per test, and a small
 * actor that sends on an outbox channel and remembers what became of it.
 *
 * @module
 */
import { z } from "zod";
import {
  type Database,
  defineActor,
  openTestDatabase as openTestDb,
  type TestBackend,
  testBackends,
} from "../runtime/mod.ts";
import { channelMigrations } from "./migrations.ts";

/** Embedded PGlite, and Postgres when TEST_DATABASE_URL is set. */
export const BACKENDS: TestBackend[] = testBackends();

/** A fresh database with the channel migrations. */
export async function openTestDatabase(backendUrl: string | undefined): Promise<Database> {
  return openTestDb({ url: backendUrl }, await channelMigrations());
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
