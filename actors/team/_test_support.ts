/**
 * What this folder's tests share: the two database backends (embedded PGlite
 * always, real Postgres when TEST_DATABASE_URL is set) and a test builder
 * that gives each test a fresh migrated database and an actor system hosting
 * the team and task actors on a manual clock.
 *
 * @module
 */
import { ManualClock } from "../../shared/clock.ts";
import {
  ActorSystem,
  type Database,
  openTestDatabase as openTestDb,
  type TestBackend,
  testBackends,
} from "../runtime/mod.ts";
import { task } from "./task.ts";
import { team } from "./team.ts";
import { teamMigrations } from "./mod.ts";

/** Embedded PGlite, and Postgres when TEST_DATABASE_URL is set. */
export const BACKENDS: TestBackend[] = testBackends();

/** A fresh database with the team migrations. */
export async function openTestDatabase(backendUrl: string | undefined): Promise<Database> {
  return openTestDb({ url: backendUrl }, await teamMigrations());
}

/** What a test gets. */
export interface TestContext {
  system: ActorSystem;
  db: Database;
  clock: ManualClock;
  /** Shuts `system` down and starts another on the same database, as after a restart. */
  restart(): Promise<ActorSystem>;
}

/** Monday 2026-06-01 15:00 UTC: a business day, two hours before closing. */
export const T0: number = Date.UTC(2026, 5, 1, 15);

/** Registers `fn` as a test named `<suite> [<backend>]: <name>` for every backend. */
export function suite(
  name: string,
): (test: string, fn: (t: TestContext) => Promise<void>) => void {
  return (test, fn) => {
    for (const backend of BACKENDS) {
      Deno.test({
        name: `${name} [${backend.name}]${
          backend.skip ? ` (skipped: ${backend.skip})` : ""
        }: ${test}`,
        ignore: backend.skip !== undefined,
        async fn() {
          const db = await openTestDatabase(backend.url);
          const clock = new ManualClock(T0);
          const start = () => new ActorSystem({ database: db, types: [team, task], clock });
          let current = start();
          const system = current;
          const restart = async () => {
            await current.shutdown();
            return current = start();
          };
          try {
            await fn({ system, db, clock, restart });
          } finally {
            await current.shutdown();
            await db.close();
          }
        },
      });
    }
  };
}

/** The number of journaled events of the whole database. */
export async function eventCount(db: Database): Promise<number> {
  const [row] = await db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM events`;
  return row!.n;
}
