/**
 * CSV import of leads: the import job actor (`import/<tenant>/<importId>`),
 * the driver that captures a file's rows through the lead capture in batches
 * and reports them to the job, the column mapping and the CSV reader. A node
 * hosting imports hosts both `importJob` and `lead`, and opens its database
 * with {@link importMigrations} beside the lead migrations.
 *
 * ```ts
 * const db = await openDatabase({ migrations: [...await leadMigrations(), ...await importMigrations()] });
 * const system = new ActorSystem({ database: db, types: [lead, importJob] });
 * const progress = await importCsv(system, "t1", newId(), { csv, source: "csv" });
 * ```
 *
 * @module
 */
import { loadMigrationFiles, type Migration } from "../runtime/mod.ts";

export * from "./csv.ts";
export * from "./mapping.ts";
export * from "./import_job.ts";
export * from "./importer.ts";

/** The import folder's migrations (versions 301-399): `import_files` and the `imports` read model. */
export function importMigrations(): Promise<Migration[]> {
  return loadMigrationFiles(new URL("./migrations/", import.meta.url), ["0301_imports.sql"]);
}
