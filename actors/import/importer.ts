/**
 * The import driver: the I/O around the import actor. `startImport` checks
 * the file and its mapping, stores the file in `import_files` and starts the
 * job; `runImport` captures its rows batch by batch through `captureLead`
 * (the same path as every other capture, so rows dedupe alike) and reports
 * each batch to the job actor, whose turn records it and publishes progress.
 *
 * Why the captures happen here and not in an actor turn: a handler decides
 * from state and does no I/O, and a capture is I/O (the identity claim in
 * Postgres, then the lead actor's commit). Run inside the job's turn, 200
 * captures would also hold the job's mailbox for the whole batch. Here the
 * job stays a pure decider and a cheap arbiter: it accepts a batch only at
 * its own cursor (`from === done`), so a second driver of the same job (two
 * nodes resuming it) is refused instead of counted twice, and a driver that
 * dies loses nothing: the next `runImport` continues at the cursor, and rows
 * it captures again are repeats by their idempotency key.
 *
 * @module
 */
import { z } from "zod";
import {
  CoveError,
  fieldIssues,
  NotFoundError,
  UnavailableError,
  ValidationError,
} from "../../shared/errors.ts";
import { captureLead } from "../lead/mod.ts";
import type { ActorSystem, AskOptions } from "../runtime/mod.ts";
import { type CsvRow, type CsvTable, parseCsv } from "./csv.ts";
import { sha256Hex } from "./_digest.ts";
import { importJob, type ImportProgress, ImportStatus, type RowResult } from "./import_job.ts";
import {
  ColumnMapping,
  columnOf,
  compileMapping,
  type ResolvedMapping,
  resolveMapping,
  rowKey,
  rowToCapture,
} from "./mapping.ts";

/** Largest file an import takes, in bytes of UTF-8. */
export const MAX_CSV_BYTES = 20 * 1024 * 1024;

/** Bytes of `s` in UTF-8, counted without encoding it. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4; // a surrogate pair is one 4-byte character
      i++;
    } else n += 3;
  }
  return n;
}

/** What a caller (REST, the dashboard's upload) sends to start an import. */
export const StartImport = z.object({
  /** The file's text, header row first; at most {@link MAX_CSV_BYTES}. */
  csv: z.string()
    .refine((s) => s.length <= MAX_CSV_BYTES && utf8Length(s) <= MAX_CSV_BYTES, {
      message: `at most ${MAX_CSV_BYTES / 1024 / 1024} MB`,
    })
    // Postgres text cannot hold NUL, and no spreadsheet writes one: it is a binary file.
    .refine((s) => !s.includes("\0"), { message: "contains NUL bytes: not a text file" }),
  /** Column → field; columns not named map themselves by header name when they can. */
  mapping: ColumnMapping.optional(),
  /** Country of phone numbers written without a country code (ISO alpha-2; default US). */
  defaultCountry: z.string().length(2, "ISO 3166 alpha-2 code, e.g. US").toUpperCase().optional(),
  source: z.literal("csv").default("csv"),
});
/** A start-import request. */
export type StartImport = z.input<typeof StartImport>;

/** The job id is taken by another file; a public 409. */
export class ImportConflictError extends CoveError {
  /** `importId` names the job that exists. */
  constructor(importId: string) {
    super("import_exists", `import ${importId} already exists with another file`, {
      status: 409,
      public: true,
      details: { importId },
    });
  }
}

/** A started (or already existing) job (a schema, so the REST route documents the same shape). */
export const StartedImport = z.object({
  /** The job's id: its actor is `import/<tenant>/<importId>`. */
  importId: z.string(),
  /** `running` for a new job; a retried start may find it further on. */
  status: ImportStatus,
  /** Data rows in the file. */
  total: z.number().int().min(0),
  /** Column → field as resolved (auto-mapped columns included), for the user to check. */
  mapping: z.record(z.string(), z.string()),
  /** Header columns the import does not use. */
  ignoredColumns: z.array(z.string()),
});
/** A started (or already existing) job. */
export type StartedImport = z.infer<typeof StartedImport>;

/** Options of {@link runImport}. */
export interface RunOptions {
  /** Rows per batch, each reported in one turn of the job (default 200). */
  batchSize?: number;
  /** Captures in flight at once within a batch (default 32). */
  concurrency?: number;
  /** Options of every ask (captures and the job's). */
  ask?: AskOptions;
  /** Pauses before retrying a row after a non-validation error (default 50 ms, 500 ms). */
  retryDelays?: number[];
  /** How to wait out a retry delay; tests pass one that does not sleep. */
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Checks the file and its mapping, stores the file and starts the job.
 * Throws a ValidationError naming `csv`, `mapping.<column>`, `mapping` or
 * `defaultCountry` for a bad request, before anything is written. Starting
 * the same file under the same id again (a retry) returns the job as it is;
 * another file under that id throws ImportConflictError.
 */
export async function startImport(
  system: ActorSystem,
  tenant: string,
  importId: string,
  request: StartImport,
  opts: { ask?: AskOptions } = {},
): Promise<StartedImport> {
  return (await start(system, tenant, importId, request, opts)).started;
}

async function start(
  system: ActorSystem,
  tenant: string,
  importId: string,
  request: StartImport,
  opts: { ask?: AskOptions },
): Promise<{ started: StartedImport; table: CsvTable; resolved: ResolvedMapping }> {
  const parsed = StartImport.safeParse(request);
  if (!parsed.success) throw new ValidationError("csv import", fieldIssues(parsed.error.issues));
  const req = parsed.data;
  const ref = system.ref(importJob, tenant, importId);
  const table = parseCsv(req.csv);
  const resolved = resolveMapping(table.header, req.mapping);
  const sha256 = await sha256Hex(req.csv);
  const bytes = utf8Length(req.csv);

  const sql = system.journal.sql;
  const [stored] = await sql<{ sha256: string; inserted: boolean }[]>`
    WITH ins AS (
      INSERT INTO import_files (tenant, import_id, sha256, bytes, csv)
      VALUES (${tenant}, ${importId}, ${sha256}, ${bytes}, ${req.csv})
      ON CONFLICT (tenant, import_id) DO NOTHING RETURNING sha256)
    SELECT sha256, true AS inserted FROM ins
    UNION ALL
    SELECT sha256, false FROM import_files WHERE tenant = ${tenant} AND import_id = ${importId}`;
  if (stored!.sha256 !== sha256) throw new ImportConflictError(importId);

  const reply = await ref.ask("start", {
    total: table.rows.length,
    mapping: resolved.mapping,
    ignoredColumns: resolved.ignored,
    ...(req.defaultCountry ? { defaultCountry: req.defaultCountry } : {}),
    source: req.source,
    sha256,
    bytes,
  }, opts.ask);
  if (reply.state === "exists") {
    // The job outlived its file (finished jobs drop it): the row just written is not needed.
    if (reply.status !== "running" && stored!.inserted) await dropFile(system, tenant, importId);
    if (!reply.sameFile) throw new ImportConflictError(importId);
  }
  const progress = await ref.query("progress");
  // A job that existed keeps the mapping it started with, whatever this retry asked for.
  const used = reply.state === "started"
    ? resolved
    : compileMapping(table.header, progress.mapping);
  return {
    started: {
      importId,
      status: progress.status,
      total: progress.total,
      mapping: progress.mapping,
      ignoredColumns: progress.ignoredColumns,
    },
    table,
    resolved: used,
  };
}

/**
 * Runs a started job to its end and resolves with its progress: `completed`,
 * `cancelled`, or still `running` when another driver was found ahead of this
 * one (that one finishes the job). Resumable: it
 * starts at the job's cursor, reading the file back from `import_files`.
 * A row that fails validation is recorded as failed; any other error is
 * retried, then ends the run with the job still running, to be resumed.
 */
export async function runImport(
  system: ActorSystem,
  tenant: string,
  importId: string,
  opts: RunOptions = {},
): Promise<ImportProgress> {
  const ref = system.ref(importJob, tenant, importId);
  const progress = await ref.query("progress");
  if (progress.status === "new") throw new NotFoundError(`import ${importId}`);
  if (progress.status !== "running") {
    await dropFile(system, tenant, importId);
    return progress;
  }
  const [file] = await system.journal.sql<{ csv: string }[]>`
    SELECT csv FROM import_files WHERE tenant = ${tenant} AND import_id = ${importId}`;
  if (!file) {
    throw new CoveError(
      "import_file_missing",
      `the file of import ${importId} is gone; cancel the job and start the import again`,
    );
  }
  const table = parseCsv(file.csv);
  if (table.rows.length !== progress.total) {
    throw new CoveError("import_file_changed", `the file of import ${importId} has changed`);
  }
  return await drive(
    system,
    tenant,
    importId,
    table,
    compileMapping(table.header, progress.mapping),
    opts,
  );
}

/** Starts an import and runs it to its end: {@link startImport}, then {@link runImport}. */
export async function importCsv(
  system: ActorSystem,
  tenant: string,
  importId: string,
  request: StartImport,
  opts: RunOptions = {},
): Promise<ImportProgress> {
  const { started, table, resolved } = await start(system, tenant, importId, request, opts);
  if (started.status !== "running") return await runImport(system, tenant, importId, opts);
  return await drive(system, tenant, importId, table, resolved, opts);
}

/** What became of one resumed job. */
export type ResumedImport =
  | { tenant: string; importId: string; ok: true; progress: ImportProgress }
  | { tenant: string; importId: string; ok: false; error: unknown };

/**
 * Resumes every job the `imports` read model shows running: what a node
 * calls after start-up, since drivers do not survive a restart. Two nodes
 * doing so at once capture at most one batch twice (repeats, by key) before
 * the job refuses the slower driver's batch and it stops.
 */
export async function resumeRunningImports(
  system: ActorSystem,
  opts: RunOptions = {},
): Promise<ResumedImport[]> {
  const jobs = await system.journal.sql<{ tenant: string; import_id: string }[]>`
    SELECT tenant, import_id FROM imports WHERE status = 'running' ORDER BY started_at`;
  return await Promise.all(
    jobs.map(({ tenant, import_id: importId }) =>
      runImport(system, tenant, importId, opts).then(
        (progress): ResumedImport => ({ tenant, importId, ok: true, progress }),
        (error): ResumedImport => ({ tenant, importId, ok: false, error }),
      )
    ),
  );
}

async function drive(
  system: ActorSystem,
  tenant: string,
  importId: string,
  table: CsvTable,
  resolved: ResolvedMapping,
  opts: RunOptions,
): Promise<ImportProgress> {
  const ref = system.ref(importJob, tenant, importId);
  const batchSize = Math.max(1, Math.min(opts.batchSize ?? 200, 1_000));
  let progress = await ref.query("progress");
  let from = progress.done;
  while (progress.status === "running" && from < table.rows.length) {
    const rows = table.rows.slice(from, from + batchSize);
    const results = await captureRows(
      system,
      tenant,
      rows,
      resolved,
      progress.defaultCountry,
      opts,
    );
    const reply = await ref.ask("recordBatch", { from, results }, opts.ask);
    // Cancelled, or another driver is ahead of this one: it finishes the job.
    if (reply.state !== "recorded") break;
    from = reply.done;
  }
  progress = await ref.query("progress");
  if (progress.status !== "running") await dropFile(system, tenant, importId);
  return progress;
}

/** Captures rows with bounded concurrency; results come back in row order. */
async function captureRows(
  system: ActorSystem,
  tenant: string,
  rows: CsvRow[],
  resolved: ResolvedMapping,
  defaultCountry: string | undefined,
  opts: RunOptions,
): Promise<RowResult[]> {
  const results: RowResult[] = new Array(rows.length);
  const delays = opts.retryDelays ?? [50, 500];
  const sleep = opts.sleep ?? defaultSleep;
  let next = 0;
  let failed = false;
  const captureOne = async (row: CsvRow): Promise<RowResult> => {
    const input = rowToCapture(row.cells, resolved);
    const idempotencyKey = await rowKey(tenant, input, defaultCountry);
    for (let attempt = 0;; attempt++) {
      try {
        const r = await captureLead(system, tenant, { ...input, idempotencyKey }, {
          ...(defaultCountry ? { defaultCountry } : {}),
          ...(opts.ask ? { ask: opts.ask } : {}),
        });
        return { row: row.row, outcome: r.outcome };
      } catch (e) {
        if (e instanceof ValidationError) {
          const issues = e.issues.map((i) => {
            const column = columnOf(i.path, resolved);
            return column === undefined ? i : { ...i, column };
          });
          return { row: row.row, outcome: "failed", issues };
        }
        // A timeout may still have taken effect: the retry is then a repeat, by its key.
        if (e instanceof UnavailableError || attempt >= delays.length) throw e;
        await sleep(delays[attempt]!);
      }
    }
  };
  const worker = async () => {
    while (!failed && next < rows.length) {
      const i = next++;
      try {
        results[i] = await captureOne(rows[i]!);
      } catch (e) {
        failed = true; // the others stop taking rows; the batch is not recorded
        throw e;
      }
    }
  };
  const workers = Math.max(1, Math.min(opts.concurrency ?? 32, rows.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return results;
}

async function dropFile(system: ActorSystem, tenant: string, importId: string): Promise<void> {
  await system.journal.sql`
    DELETE FROM import_files WHERE tenant = ${tenant} AND import_id = ${importId}`;
}
