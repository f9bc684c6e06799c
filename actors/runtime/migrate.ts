/**
 * Versioned SQL migrations, applied at start in order, each once, recorded in
 * `schema_migrations`. An advisory lock keeps two nodes starting together
 * from applying the same file twice.
 *
 * @module
 */
import type { Sql } from "./database.ts";

/** One migration file. */
export interface Migration {
  /** The file name's 4-digit prefix; migrations apply in ascending order, each once. */
  version: number;
  /** The file name without prefix and `.sql`, recorded in `schema_migrations`. */
  name: string;
  /** The script; it shares one transaction with the others applied in the same run. */
  sql: string;
}

const FILES = ["0001_journal.sql", "0002_outbox_dead.sql"];

/** Loads migration files from `dir`; each name is `NNNN_name.sql`, NNNN its version. */
export async function loadMigrationFiles(dir: URL, files: string[]): Promise<Migration[]> {
  return await Promise.all(files.map(async (file) => {
    const version = Number(file.slice(0, 4));
    const sql = await Deno.readTextFile(new URL(file, dir));
    return { version, name: file.slice(5, -4), sql };
  }));
}

/** The runtime's own migrations (versions below 100; domain folders use their own ranges). */
export function loadMigrations(): Promise<Migration[]> {
  return loadMigrationFiles(new URL("./migrations/", import.meta.url), FILES);
}

/** Applies every migration not yet recorded; returns the versions applied now. */
export async function migrate(sql: Sql, migrations?: Migration[]): Promise<number[]> {
  const all = migrations ?? await loadMigrations();
  const versions = all.map((m) => m.version);
  const twice = versions.filter((v, i) => versions.indexOf(v) !== i);
  if (twice.length > 0) throw new Error(`migration versions used twice: ${twice.join(", ")}`);
  const applied: number[] = [];
  await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(7363271)`;
    await tx`CREATE TABLE IF NOT EXISTS schema_migrations (
      version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`;
    const done = new Set(
      (await tx<{ version: number }[]>`SELECT version FROM schema_migrations`).map((r) =>
        r.version
      ),
    );
    for (const m of all.toSorted((a, b) => a.version - b.version)) {
      if (done.has(m.version)) continue;
      await tx.unsafe(m.sql);
      await tx`INSERT INTO schema_migrations (version, name) VALUES (${m.version}, ${m.name})`;
      applied.push(m.version);
    }
  });
  return applied;
}
