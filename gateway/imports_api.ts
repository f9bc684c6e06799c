/**
 * CSV import over REST at `/v1/imports`: upload a file (as `text/csv`, or as
 * JSON with a column mapping), check a header's mapping before uploading
 * (`/preview`), follow its progress and row errors, list the tenant's
 * imports, cancel one. The upload answers once the file is stored
 * and the job started; this node then drives the job in the background (and
 * any node resumes it after a restart), so a large file never holds the
 * request open.
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import {
  IMPORT_FIELDS,
  importJob,
  ImportProgress,
  MAX_CSV_BYTES,
  resolveMapping,
  runImport,
  type RunOptions,
  StartedImport,
  StartImport,
  startImport,
} from "../actors/import/mod.ts";
import { CoveError, isKeyPart, newId, NotFoundError, ValidationError } from "../shared/mod.ts";
import type { AuthEnv } from "./auth.ts";
import { type ApiDeps, guard, STAFF_ROLES } from "./guard.ts";
import {
  apiRouter,
  authErrors,
  bearerOrApiKey,
  createRoute,
  ErrorSchema,
  json,
  jsonBody,
  notFound,
  type OpenAPIHono,
  z,
} from "./openapi.ts";

/** What the import routes need. */
export type ImportRouteDeps = ApiDeps & {
  /** How the background driver runs (batch size, concurrency); defaults otherwise. */
  run?: RunOptions;
  /**
   * Told of each background driver as it starts, so a node's shutdown (and a
   * test) can wait for it; a driver cut short is resumed at the next start.
   */
  track?: (driver: Promise<unknown>) => void;
  /** Where a driver's failure is reported (default `console.error`); the job stays resumable. */
  logError?: (importId: string, error: unknown) => void;
};

/**
 * Largest JSON upload: the file's limit plus room for JSON's escaping of its
 * quotes and line breaks. A `csv` field over {@link MAX_CSV_BYTES} inside it
 * is a 400 naming `csv`.
 */
export const MAX_IMPORT_JSON_BYTES = MAX_CSV_BYTES + MAX_CSV_BYTES / 4;

/** 413: the upload is larger than an import takes. */
export class PayloadTooLargeError extends CoveError {
  /** `limit` is the largest body accepted, in bytes. */
  constructor(limit: number) {
    super("payload_too_large", `the body is over ${limit} bytes`, {
      status: 413,
      public: true,
      details: { limit },
    });
  }
}

/** 404 for an import the caller's tenant does not have. */
export class ImportNotFound extends NotFoundError {
  /** `id` as the caller gave it. */
  constructor(id: string) {
    super(`import ${id}`);
  }
}

const ImportId = z.string().refine(isKeyPart, {
  message: "1-128 of letters, digits, _ . : @ + -",
});

const ImportIdParam = z.object({
  id: ImportId.openapi({ param: { name: "id", in: "path" } }),
});

const StartJson = StartImport.extend({
  importId: ImportId.optional().openapi({
    description: "Your id for the job, so a retried upload finds it; one is made when omitted",
  }),
}).openapi("StartImport", {
  description: "`csv` is the file's text, header row first; `mapping` maps a column to a field " +
    "(columns not named map by their header when they can)",
});

const CsvQuery = z.object({
  importId: ImportId.optional().openapi({ description: "For a `text/csv` upload: as in JSON" }),
  // For a `text/csv` upload: the country of phone numbers written without a country code.
  defaultCountry: StartImport.shape.defaultCountry,
});

const JobProgress = ImportProgress.extend({ importId: z.string() }).openapi("ImportProgress");

const ImportRow = z.object({
  importId: z.string(),
  status: z.string(),
  total: z.number(),
  done: z.number(),
  created: z.number(),
  merged: z.number(),
  repeated: z.number(),
  failed: z.number(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});

const PreviewRequest = z.object({
  header: z.array(z.string().max(500)).min(1).max(1_000).openapi({
    description: "The file's header row, as the columns are named",
  }),
  // Fields are checked by the mapping's resolution, so an unknown one is an issue of the answer.
  mapping: z.record(z.string(), z.string().max(200).nullable()).optional().openapi({
    description: "Column → field (or null to leave it out), as an upload would send it",
  }),
}).openapi("PreviewImport");

const PreviewAnswer = z.object({
  ok: z.boolean().openapi({ description: "Whether an upload with this header and mapping starts" }),
  mapping: z.record(z.string(), z.string()).openapi({
    description: "Column → field as an upload of this header would resolve it (empty unless ok)",
  }),
  ignoredColumns: z.array(z.string()),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).openapi({
    description: "What an upload would be refused for, naming `mapping.<column>` or `mapping`",
  }),
  fields: z.array(z.string()).openapi({
    description: "The fields a column may fill; `customFields.<name>` too",
  }),
  maxBytes: z.number().int().openapi({ description: "Largest file an upload takes" }),
}).openapi("ImportPreview");

const errorContent = json(ErrorSchema);

/** The body's limit by its type, answered as a {@link PayloadTooLargeError}. */
function limitUpload(): MiddlewareHandler {
  const limiter = (maxSize: number) =>
    bodyLimit({
      maxSize,
      onError: () => {
        throw new PayloadTooLargeError(maxSize);
      },
    });
  const csv = limiter(MAX_CSV_BYTES);
  const other = limiter(MAX_IMPORT_JSON_BYTES);
  return (c, next) => (isCsv(c.req.header("content-type")) ? csv : other)(c, next);
}

function isCsv(contentType: string | undefined): boolean {
  return /^text\/csv\b/i.test(contentType ?? "");
}

const tags = ["imports"];

/** The `/v1/imports` sub-app. */
export function importRoutes(deps: ImportRouteDeps): OpenAPIHono<AuthEnv> {
  const app = apiRouter<AuthEnv>();
  app.use("*", guard(deps, STAFF_ROLES));
  const logError = deps.logError ??
    ((id: string, e: unknown) => console.error(`cove: import ${id} stopped:`, e));
  // One driver per job on this node: a retried upload must not start a second one.
  const driving = new Set<string>();

  const drive = (tenant: string, importId: string) => {
    const key = `${tenant}/${importId}`;
    if (driving.has(key)) return;
    driving.add(key);
    const driver = runImport(deps.system, tenant, importId, deps.run ?? {})
      .then(() => {}, (e) => logError(importId, e))
      .finally(() => driving.delete(key));
    deps.track?.(driver);
  };

  app.openapi(
    createRoute({
      method: "post",
      path: "/",
      tags,
      summary: "Import leads from a CSV file",
      description: `Send the file as \`text/csv\` (at most ${MAX_CSV_BYTES} bytes), or as JSON ` +
        "with `csv` and a column `mapping`. Each row is captured like any other lead, so rows " +
        "dedupe alike; follow the job at `GET /v1/imports/{id}` or on the `import:<id>` stream.",
      security: bearerOrApiKey,
      middleware: [limitUpload()] as const,
      request: {
        query: CsvQuery,
        body: {
          content: {
            "application/json": { schema: StartJson },
            // Not validated by the router (it validates JSON and forms): read in the handler.
            "text/csv": { schema: z.string().openapi({ description: "The file, header first" }) },
          },
        },
      },
      responses: {
        202: {
          description: "Stored and started; rows are imported in the background",
          content: json(StartedImport),
        },
        ...authErrors,
        409: { description: "The import id is taken by another file", content: errorContent },
        413: { description: "The body is over the limit", content: errorContent },
        415: { description: "Neither text/csv nor JSON", content: errorContent },
      },
    }),
    async (c) => {
      const tenant = c.var.auth.tenant;
      let importId: string | undefined;
      let request: StartImport;
      if (isCsv(c.req.header("content-type"))) {
        const query = c.req.valid("query");
        importId = query.importId;
        request = {
          csv: await c.req.text(),
          ...(query.defaultCountry ? { defaultCountry: query.defaultCountry } : {}),
        };
      } else if (c.req.header("content-type")) {
        // The body's type joins the text/csv schema's string; this branch is the JSON one.
        ({ importId, ...request } = c.req.valid("json") as z.output<typeof StartJson>);
      } else {
        throw new ValidationError("request body", [{
          path: "",
          message: "send the file as text/csv, or JSON {csv, mapping}",
        }]);
      }
      const id = importId ?? newId();
      const started = await startImport(deps.system, tenant, id, request);
      if (started.status === "running") drive(tenant, id);
      c.header("Location", `/v1/imports/${id}`);
      return c.json(started, 202);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/preview",
      tags,
      summary: "Check a header and mapping before uploading: nothing is stored",
      description: "Answers how each column would be mapped (auto-mapped ones included), the " +
        "fields a column may fill and the size limit, so a form can show the mapping and refuse " +
        "a file too large before sending it. A mapping an upload would refuse is answered too " +
        "(`ok: false` with the issues an upload would name), with the fields to fix it by.",
      security: bearerOrApiKey,
      request: { body: jsonBody(PreviewRequest) },
      responses: {
        200: { description: "The mapping an upload would use", content: json(PreviewAnswer) },
        ...authErrors,
      },
    }),
    (c) => {
      const { header, mapping } = c.req.valid("json");
      const common = { fields: [...IMPORT_FIELDS], maxBytes: MAX_CSV_BYTES };
      try {
        const resolved = resolveMapping(header, mapping);
        return c.json({
          ok: true,
          mapping: resolved.mapping,
          ignoredColumns: resolved.ignored,
          issues: [],
          ...common,
        }, 200);
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        return c.json(
          { ok: false, mapping: {}, ignoredColumns: [], issues: e.issues, ...common },
          200,
        );
      }
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/",
      tags,
      summary: "The tenant's imports, newest first",
      security: bearerOrApiKey,
      request: { query: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }) },
      responses: {
        200: { description: "Imports", content: json(z.object({ items: z.array(ImportRow) })) },
        ...authErrors,
      },
    }),
    async (c) => {
      const { limit } = c.req.valid("query");
      const rows = await deps.system.journal.sql<
        {
          import_id: string;
          status: string;
          total: number;
          done: number;
          created: number;
          merged: number;
          repeated: number;
          failed: number;
          started_at: Date | null;
          finished_at: Date | null;
        }[]
      >`
        SELECT import_id, status, total, done, created, merged, repeated, failed, started_at,
               finished_at
        FROM imports WHERE tenant = ${c.var.auth.tenant}
        ORDER BY started_at DESC NULLS LAST, import_id LIMIT ${limit}`;
      const items = rows.map((r) => ({
        importId: r.import_id,
        status: r.status,
        total: r.total,
        done: r.done,
        created: r.created,
        merged: r.merged,
        repeated: r.repeated,
        failed: r.failed,
        startedAt: r.started_at?.toISOString() ?? null,
        finishedAt: r.finished_at?.toISOString() ?? null,
      }));
      return c.json({ items }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/{id}",
      tags,
      summary: "An import's progress and the errors of its failed rows",
      security: bearerOrApiKey,
      request: { params: ImportIdParam },
      responses: {
        200: {
          description: "`errors` lists the first failed rows (row number, field, CSV column)",
          content: json(JobProgress),
        },
        ...authErrors,
        ...notFound,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const progress = await deps.system.ref(importJob, c.var.auth.tenant, id).query("progress");
      if (progress.status === "new") throw new ImportNotFound(id);
      return c.json({ importId: id, ...progress }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/{id}/cancel",
      tags,
      summary: "Stop a running import; rows already imported stay",
      security: bearerOrApiKey,
      request: { params: ImportIdParam },
      responses: {
        200: { description: "Cancelled; its progress as it stopped", content: json(JobProgress) },
        ...authErrors,
        ...notFound,
        409: { description: "The import has already finished", content: errorContent },
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const ref = deps.system.ref(importJob, c.var.auth.tenant, id);
      const r = await ref.ask("cancel", {});
      if (r.state === "not_running") {
        if (r.status === "new") throw new ImportNotFound(id);
        throw new CoveError("conflict", `import ${id} is already ${r.status}`, {
          status: 409,
          public: true,
          details: { importId: id, status: r.status },
        });
      }
      return c.json({ importId: id, ...await ref.query("progress") }, 200);
    },
  );

  return app;
}
