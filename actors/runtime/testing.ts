/**
 * Test support for every folder whose tests need a database: the backends
 * (embedded PGlite always; real Postgres when TEST_DATABASE_URL is set, else
 * reported as skipped with the reason) and a fresh migrated database per
 * test, in memory or in a schema of its own dropped on close.
 *
 * @module
 */
import { newId } from "../../shared/ids.ts";
import { type Database, openDatabase } from "./database.ts";
import type { Migration } from "./migrate.ts";

/** One database tests run against; `skip` says why not, when not. */
export interface TestBackend {
  name: string;
  skip: string | undefined;
  url: string | undefined;
}

/** Embedded PGlite, and Postgres when TEST_DATABASE_URL is set. */
export function testBackends(): TestBackend[] {
  const url = Deno.env.get("TEST_DATABASE_URL");
  return [
    { name: "embedded PGlite", skip: undefined, url: undefined },
    { name: "Postgres", skip: url ? undefined : "TEST_DATABASE_URL not set", url },
  ];
}

/** A fresh database with `migrations` on `backend`: in memory, or a schema dropped on close. */
export async function openTestDatabase(
  backend: Pick<TestBackend, "url">,
  migrations: Migration[] = [],
): Promise<Database> {
  if (!backend.url) return openDatabase({ migrations });
  const schema = `t_${newId()}`;
  const db = await openDatabase({ url: backend.url, schema, max: 4, migrations });
  return {
    ...db,
    async close() {
      await db.sql.unsafe(`DROP SCHEMA "${schema}" CASCADE`).catch(() => {});
      await db.close();
    },
  };
}

/** The name a test gets on a backend, saying why it is skipped when it is. */
export function testName(suite: string, backend: TestBackend, name: string): string {
  return `${suite} [${backend.name}]${backend.skip ? ` (skipped: ${backend.skip})` : ""}: ${name}`;
}
