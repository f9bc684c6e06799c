/**
 * The leads REST routes under `/v1/leads`: create (the same capture path as
 * every other source, so it dedupes alike), list with filters and a cursor,
 * get one, and its timeline. The tenant always comes from the caller's
 * token, never from the path or the body, so a token for one tenant cannot
 * name another's lead.
 *
 * @module
 */
import { captureLead, lead, leadTimeline } from "../actors/lead/mod.ts";
import {
  CaptureLeadFields,
  identifiesSomeone,
  IDENTIFY_ISSUE,
  LeadSource,
  LeadStatus,
  NotFoundError,
  ValidationError,
} from "../shared/mod.ts";
import type { AuthEnv } from "./auth.ts";
import { type ApiDeps, guard, STAFF_ROLES } from "./guard.ts";
import {
  apiRouter,
  authErrors,
  bearerOrApiKey,
  createRoute,
  json,
  jsonBody,
  notFound,
  type OpenAPIHono,
  z,
} from "./openapi.ts";

/** What the leads routes need. */
export type LeadRouteDeps = ApiDeps;

/** A lead id in a path. */
export const LeadIdParam = z.object({
  id: z.string().min(1).max(128).openapi({ param: { name: "id", in: "path" } }),
});

const ListQuery = z.object({
  status: LeadStatus.optional(),
  q: z.string().max(200).optional().openapi({ description: "Matches name, email or company" }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional().openapi({
    description: "Opaque: the `next` of the previous page",
  }),
});

/** One row of the lead list. */
export const LeadRow = z.object({
  lead_id: z.string(),
  name: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  company: z.string().nullable(),
  status: z.string(),
  score: z.number().nullable(),
  priority: z.string().nullable(),
  owner: z.string().nullable(),
  source: z.string().nullable(),
  tags: z.unknown(),
  created_at: z.unknown(),
  last_activity: z.unknown(),
}).openapi("LeadRow");

const CaptureBody = CaptureLeadFields.extend({ source: LeadSource.default("rest") })
  .refine(identifiesSomeone, IDENTIFY_ISSUE)
  .openapi("CaptureLead", { description: "A capture; `source` defaults to `rest`" });

const CaptureResultSchema = z.object({
  leadId: z.string(),
  outcome: z.enum(["created", "merged", "repeated"]),
  matchedBy: z.array(z.string()),
  possibleDuplicates: z.array(z.string()),
}).openapi("CaptureResult");

/** A lead as the actor holds it (fields documented on the lead schema in `shared/lead.ts`). */
export const LeadView = z.object({ leadId: z.string() }).catchall(z.unknown()).openapi("Lead");

const TimelineEntry = z.object({
  seq: z.number(),
  at: z.number(),
  type: z.string(),
  summary: z.string(),
  data: z.unknown(),
});

const TimelineQuery = z.object({
  after: z.coerce.number().int().min(0).optional().openapi({ description: "Entries after seq" }),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
});

function decodeCursor(cursor: string): [string, string] {
  let text = "";
  try {
    text = atob(cursor);
  } catch { /* reported below */ }
  const [at, id] = text.split("|");
  if (!at || id === undefined || Number.isNaN(Date.parse(at))) {
    throw new ValidationError("query", [{ path: "cursor", message: "not a cursor from this API" }]);
  }
  return [at, id];
}

const tags = ["leads"];

/** The `/v1/leads` sub-app. */
export function leadRoutes(deps: LeadRouteDeps): OpenAPIHono<AuthEnv> {
  const app = apiRouter<AuthEnv>();
  app.use("*", guard(deps, STAFF_ROLES));

  app.openapi(
    createRoute({
      method: "post",
      path: "/",
      tags,
      summary: "Capture a lead (deduplicated like every other source)",
      security: bearerOrApiKey,
      request: { body: jsonBody(CaptureBody) },
      responses: {
        201: { description: "A new lead", content: json(CaptureResultSchema) },
        200: {
          description: "Merged into an existing lead, or a repeated submit",
          content: json(CaptureResultSchema),
        },
        ...authErrors,
      },
    }),
    async (c) => {
      const r = await captureLead(deps.system, c.var.auth.tenant, c.req.valid("json"));
      return r.outcome === "created" ? c.json(r, 201) : c.json(r, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/",
      tags,
      summary: "List leads, newest first, with filters and a cursor",
      security: bearerOrApiKey,
      request: { query: ListQuery },
      responses: {
        200: {
          description: "One page; `next` is the cursor of the next page or null",
          content: json(z.object({ items: z.array(LeadRow), next: z.string().nullable() })),
        },
        ...authErrors,
      },
    }),
    async (c) => {
      const { status, q, limit, cursor } = c.req.valid("query");
      const [afterAt, afterId] = cursor ? decodeCursor(cursor) : [];
      const sql = deps.system.journal.sql;
      const like = q ? `%${q.replace(/[\\%_]/g, (m) => "\\" + m)}%` : undefined;
      const rows = await sql<z.infer<typeof LeadRow>[]>`
        SELECT lead_id, name, email, phone, company, status, score, priority, owner, source, tags,
               created_at, last_activity
        FROM leads
        WHERE tenant = ${c.var.auth.tenant} AND merged_into IS NULL
          ${status ? sql`AND status = ${status}` : sql``}
          ${
        like ? sql`AND (name ILIKE ${like} OR email ILIKE ${like} OR company ILIKE ${like})` : sql``
      }
          ${
        afterAt ? sql`AND (created_at, lead_id) < (${new Date(afterAt)}, ${afterId ?? ""})` : sql``
      }
        ORDER BY created_at DESC, lead_id DESC
        LIMIT ${limit + 1}`;
      const items = rows.slice(0, limit);
      const last = items.at(-1);
      const next = rows.length > limit && last
        ? btoa(`${(last.created_at as Date).toISOString()}|${last.lead_id}`)
        : null;
      return c.json({ items, next }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/{id}",
      tags,
      summary: "One lead",
      security: bearerOrApiKey,
      request: { params: LeadIdParam },
      responses: {
        200: { description: "The lead", content: json(LeadView) },
        ...authErrors,
        ...notFound,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const view = await deps.system.ref(lead, c.var.auth.tenant, id).query("view");
      if (!view.exists) throw new LeadNotFound(id);
      return c.json({ leadId: id, ...view }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/{id}/timeline",
      tags,
      summary: "The lead's history, one entry per event, oldest first",
      security: bearerOrApiKey,
      request: { params: LeadIdParam, query: TimelineQuery },
      responses: {
        200: {
          description: "Timeline entries",
          content: json(z.object({ items: z.array(TimelineEntry) })),
        },
        ...authErrors,
        ...notFound,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const { after, limit } = c.req.valid("query");
      const items = await leadTimeline(deps.system, c.var.auth.tenant, id, {
        ...(after !== undefined ? { after } : {}),
        limit,
      });
      if (items.length === 0 && after === undefined) throw new LeadNotFound(id);
      return c.json({ items }, 200);
    },
  );

  return app;
}

/** 404 for a lead the caller's tenant does not have. */
export class LeadNotFound extends NotFoundError {
  /** `id` as the caller gave it. */
  constructor(id: string) {
    super(`lead ${id}`);
  }
}
