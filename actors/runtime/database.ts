/**
 * Opens the database the runtime journals to: Postgres at a URL, or the
 * embedded one when no URL is configured. Both are reached through the same
 * `postgres` driver; this module and `embedded_postgres.ts` are the only
 * places that know which.
 *
 * @module
 */
import postgres from "postgres";
import { startEmbeddedPostgres } from "./embedded_postgres.ts";
import { loadMigrations, migrate, type Migration } from "./migrate.ts";

/** The SQL client type used throughout the runtime. */
export type Sql = postgres.Sql;

/** An open, migrated database. */
export interface Database {
  /** Client pool; int8 columns come back as numbers (they stay far below 2^53). */
  readonly sql: Sql;
  /** `embedded` or `postgres`. */
  readonly kind: "embedded" | "postgres";
  /** Whether the database answers. */
  ping(): Promise<boolean>;
  /** Ends the pool and, for the embedded database, stops it too. */
  close(): Promise<void>;
}

/** Options for {@link openDatabase}. */
export interface OpenOptions {
  /** Postgres URL; without it an embedded database is started. */
  url?: string;
  /** Embedded data directory; omitted means in memory. */
  dataDir?: string;
  /** Schema to use (tests give each run its own); created when missing. */
  schema?: string;
  /** Pool size for a real Postgres. */
  max?: number;
  /** Domain migrations applied after the runtime's own (e.g. the lead read model). */
  migrations?: Migration[];
}

/** Opens (and migrates) the database. */
export async function openDatabase(opts: OpenOptions = {}): Promise<Database> {
  const embedded = opts.url
    ? undefined
    : await startEmbeddedPostgres(opts.dataDir ? { dataDir: opts.dataDir } : {});
  const url = opts.url ?? embedded!.url;
  if (opts.schema) {
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    await admin.unsafe(`CREATE SCHEMA IF NOT EXISTS "${opts.schema}"`);
    await admin.end();
  }
  const sql = postgres(url, {
    // PGlite is a single session: one connection keeps transactions apart.
    max: embedded ? 1 : (opts.max ?? 8),
    onnotice: () => {},
    prepare: true,
    // int8 as a JS number: sequences and positions stay far below 2^53.
    types: {
      int8: {
        to: 20,
        from: [20],
        serialize: (n: number) => String(n),
        parse: (s: string) => Number(s),
      },
    },
    ...(opts.schema ? { connection: { search_path: opts.schema } } : {}),
  });
  try {
    await migrate(sql, [...await loadMigrations(), ...opts.migrations ?? []]);
  } catch (e) {
    await sql.end();
    await embedded?.close();
    throw e;
  }
  return {
    sql,
    kind: embedded ? "embedded" : "postgres",
    async ping() {
      try {
        await sql`SELECT 1`;
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      await sql.end({ timeout: 5 });
      await embedded?.close();
    },
  };
}
