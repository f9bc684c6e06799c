/**
 * The import actor, `import/<tenant>/<importId>`: one CSV import job. It
 * decides and remembers, and does no I/O: the driver (`importer.ts`) captures
 * each batch of rows and reports the outcomes here, one batch per turn, and
 * this actor turns them into the events a dashboard shows as the job goes:
 * `import.started {total}`, `import.row_failed {row, issues}`,
 * `import.progressed {done, created, merged, repeated, failed}` and
 * `import.completed {totals}`. It holds counts and the first errors, never
 * the file (that is in `import_files`).
 *
 * @module
 */
import { z } from "zod";
import { ValidationError } from "../../shared/errors.ts";
import { defineActor } from "../runtime/mod.ts";
import { ImportField } from "./mapping.ts";

/** Failed rows whose issues are kept (in state and as `import.row_failed` events); the rest are counted. */
export const KEPT_ERRORS = 1_000;

/** Most rows one `recordBatch` may report. */
export const MAX_BATCH = 1_000;

/** Where a job stands; `new` is a job never started (no events). */
export const ImportStatus = z.enum(["new", "running", "completed", "cancelled"]);
/** An import job's status. */
export type ImportStatus = z.infer<typeof ImportStatus>;

/** One thing wrong with a row: the lead field, the CSV column it came from, what was wrong. */
export const RowIssue = z.object({
  /** Dotted path in the capture, e.g. `contact.email`; `contact` when no way to reach them was given. */
  path: z.string(),
  /** What was wrong, as the capture's validation said it. */
  message: z.string(),
  /** The CSV column (or columns, `First name + Last name`) the field was filled from. */
  column: z.string().optional(),
});
/** A row issue. */
export type RowIssue = z.infer<typeof RowIssue>;

/** A failed row: its spreadsheet row number (the header is row 1) and its issues. */
export const RowError = z.object({ row: z.number().int().min(2), issues: z.array(RowIssue) });
/** A failed row. */
export type RowError = z.infer<typeof RowError>;

/** What became of one row, as the driver reports it. */
export const RowResult = z.discriminatedUnion("outcome", [
  z.object({
    row: z.number().int().min(2),
    outcome: z.enum(["created", "merged", "repeated"]),
  }),
  z.object({
    row: z.number().int().min(2),
    outcome: z.literal("failed"),
    issues: z.array(RowIssue),
  }),
]);
/** One row's result. */
export type RowResult = z.infer<typeof RowResult>;

const Counts = z.object({
  done: z.number().int().min(0),
  created: z.number().int().min(0),
  merged: z.number().int().min(0),
  repeated: z.number().int().min(0),
  failed: z.number().int().min(0),
});
/** Rows done so far and what became of them; `done` is their sum. */
export type ImportCounts = z.infer<typeof Counts>;

const Totals = Counts.extend({ total: z.number().int().min(0) });

/** An import job's state. */
export const ImportState = Counts.extend({
  status: ImportStatus,
  /** Data rows in the file (blank rows not counted). */
  total: z.number().int().min(0),
  /** The first {@link KEPT_ERRORS} failed rows, in row order. */
  errors: z.array(RowError),
  /** Failed rows beyond those kept. */
  errorsNotKept: z.number().int().min(0),
  /** Column → field, as resolved when the job started (auto-mapped columns included). */
  mapping: z.record(z.string(), z.string()),
  /** Header columns the job does not use. */
  ignoredColumns: z.array(z.string()),
  defaultCountry: z.string().optional(),
  /** Hex SHA-256 of the file, to tell a retried start from another file. */
  sha256: z.string(),
  bytes: z.number().int().min(0),
  startedAt: z.number().nullable(),
  finishedAt: z.number().nullable(),
});
/** An import job's state. */
export type ImportState = z.infer<typeof ImportState>;

/** What the `progress` query answers: enough for a progress bar and an error list. */
export const ImportProgress = ImportState.pick({
  status: true,
  total: true,
  done: true,
  created: true,
  merged: true,
  repeated: true,
  failed: true,
  errors: true,
  errorsNotKept: true,
  mapping: true,
  ignoredColumns: true,
  defaultCountry: true,
});
/** An import job's progress. */
export type ImportProgress = z.infer<typeof ImportProgress>;

/** The `start` command: the file's summary, after the driver parsed it and stored it. */
export const StartJob = z.object({
  total: z.number().int().min(0),
  mapping: z.record(z.string(), ImportField),
  ignoredColumns: z.array(z.string()).default([]),
  defaultCountry: z.string().length(2).optional(),
  source: z.literal("csv"),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().min(0),
});

const counts = (s: ImportState): ImportCounts => ({
  done: s.done,
  created: s.created,
  merged: s.merged,
  repeated: s.repeated,
  failed: s.failed,
});

/** The import actor type: `import/<tenant>/<importId>`. */
export const importJob = defineActor("import", {
  state: ImportState,
  initial: (): ImportState => ({
    status: "new",
    total: 0,
    done: 0,
    created: 0,
    merged: 0,
    repeated: 0,
    failed: 0,
    errors: [],
    errorsNotKept: 0,
    mapping: {},
    ignoredColumns: [],
    sha256: "",
    bytes: 0,
    startedAt: null,
    finishedAt: null,
  }),
})
  .event("import.started", {
    schema: StartJob,
    apply: (s, e, meta): ImportState => ({
      ...s,
      status: "running",
      total: e.total,
      mapping: e.mapping,
      ignoredColumns: e.ignoredColumns,
      ...(e.defaultCountry ? { defaultCountry: e.defaultCountry } : {}),
      sha256: e.sha256,
      bytes: e.bytes,
      startedAt: meta.at,
    }),
  })
  .event("import.row_failed", {
    schema: RowError,
    apply: (s, e): ImportState => ({ ...s, errors: [...s.errors, e] }),
  })
  .event("import.progressed", {
    // Cumulative, so a dashboard that joins late needs only the latest one.
    schema: Counts.extend({ errorsNotKept: z.number().int().min(0) }),
    apply: (s, e): ImportState => ({ ...s, ...e }),
  })
  .event("import.completed", {
    schema: z.object({ totals: Totals }),
    apply: (s, _e, meta): ImportState => ({ ...s, status: "completed", finishedAt: meta.at }),
  })
  .event("import.cancelled", {
    schema: Counts,
    apply: (s, _e, meta): ImportState => ({ ...s, status: "cancelled", finishedAt: meta.at }),
  })
  .command("start", {
    input: StartJob,
    handle: (s, c) => {
      // A retried start (the caller timed out) finds the job it made: the same file is no conflict.
      if (s.status !== "new") {
        return {
          reply: { state: "exists" as const, status: s.status, sameFile: s.sha256 === c.sha256 },
        };
      }
      const totals = { total: 0, done: 0, created: 0, merged: 0, repeated: 0, failed: 0 };
      return {
        events: [
          { type: "import.started" as const, data: c },
          ...(c.total === 0 ? [{ type: "import.completed" as const, data: { totals } }] : []),
        ],
        reply: { state: "started" as const, total: c.total },
      };
    },
  })
  .command("recordBatch", {
    input: z.object({
      /** Rows done before this batch: the job's `done` when the driver read it. */
      from: z.number().int().min(0),
      results: z.array(RowResult).min(1).max(MAX_BATCH),
    }),
    handle: (s, c) => {
      if (s.status !== "running") {
        return { reply: { state: "not_running" as const, status: s.status } };
      }
      // Another driver recorded this batch already (two nodes resumed the job): no double count.
      if (c.from !== s.done) return { reply: { state: "out_of_order" as const, done: s.done } };
      if (c.from + c.results.length > s.total) {
        throw new ValidationError("import.recordBatch input", [{
          path: "results",
          message: `${c.results.length} results, but only ${s.total - c.from} rows remain`,
        }]);
      }
      const next = counts(s);
      let kept = s.errors.length;
      let errorsNotKept = s.errorsNotKept;
      const failures: Array<{ type: "import.row_failed"; data: RowError }> = [];
      for (const r of c.results) {
        next.done++;
        next[r.outcome]++;
        if (r.outcome !== "failed") continue;
        if (kept < KEPT_ERRORS) {
          kept++;
          failures.push({ type: "import.row_failed", data: { row: r.row, issues: r.issues } });
        } else errorsNotKept++;
      }
      const finished = next.done === s.total;
      return {
        events: [
          ...failures,
          { type: "import.progressed" as const, data: { ...next, errorsNotKept } },
          ...(finished
            ? [{
              type: "import.completed" as const,
              data: { totals: { total: s.total, ...next } },
            }]
            : []),
        ],
        reply: {
          state: "recorded" as const,
          done: next.done,
          status: finished ? "completed" as const : "running" as const,
        },
      };
    },
  })
  .command("cancel", {
    input: z.object({}),
    handle: (s) =>
      s.status === "running"
        ? {
          events: [{ type: "import.cancelled" as const, data: counts(s) }],
          reply: { state: "cancelled" as const, done: s.done },
        }
        : { reply: { state: "not_running" as const, status: s.status } },
  })
  .query("progress", (s): ImportProgress => ({
    status: s.status,
    total: s.total,
    done: s.done,
    created: s.created,
    merged: s.merged,
    repeated: s.repeated,
    failed: s.failed,
    errors: s.errors,
    errorsNotKept: s.errorsNotKept,
    mapping: s.mapping,
    ignoredColumns: s.ignoredColumns,
    ...(s.defaultCountry ? { defaultCountry: s.defaultCountry } : {}),
  }))
  .projectTo("imports", (s, a) => ({
    tenant: a.tenant,
    import_id: a.id,
    status: s.status,
    total: s.total,
    done: s.done,
    created: s.created,
    merged: s.merged,
    repeated: s.repeated,
    failed: s.failed,
    started_at: s.startedAt === null ? null : new Date(s.startedAt).toISOString(),
    finished_at: s.finishedAt === null ? null : new Date(s.finishedAt).toISOString(),
  }));
