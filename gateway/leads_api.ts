/**
 * The leads REST routes under `/v1/leads`: create (the same capture path as
 * every other source, so it dedupes alike), list with filters and a cursor,
 * get one, and its timeline. The tenant always comes from the caller's
 * token, never from the path or the body, so a token for one tenant cannot
 * name another's lead.
 *
 * @module
 */
import { Hono } from "hono";
import { z } from "zod";
import { fieldIssues, NotFoundError, ValidationError } from "../shared/errors.ts";
import { captureLead, lead, leadTimeline } from "../actors/lead/mod.ts";
import type { ActorSystem } from "../actors/runtime/mod.ts";
import { type ApiKeyStore, type AuthEnv, requireAuth, type TokenService } from "./auth.ts";

/** What the leads routes need. */
export interface LeadRouteDeps {
  system: ActorSystem;
  tokens: TokenService;
  apiKeys?: ApiKeyStore;
}

const ListQuery = z.object({
  status: z.string().max(40).optional(),
  q: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** Opaque: the `next` of the previous page. */
  cursor: z.string().max(200).optional(),
});

async function jsonBody(req: Request): Promise<unknown> {
  try {
    return await req.json();
  } catch {
    throw new ValidationError("request body", [{ path: "", message: "not valid JSON" }]);
  }
}

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

/** The `/v1/leads` sub-app. */
export function leadRoutes(deps: LeadRouteDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  app.use(
    "*",
    requireAuth({
      roles: ["admin", "agent", "ai"],
      tokens: deps.tokens,
      ...(deps.apiKeys ? { apiKeys: deps.apiKeys } : {}),
    }),
  );

  app.post("/", async (c) => {
    const body = await jsonBody(c.req.raw);
    const input = typeof body === "object" && body !== null ? { source: "rest", ...body } : body;
    const r = await captureLead(deps.system, c.var.auth.tenant, input);
    return c.json(r, r.outcome === "created" ? 201 : 200);
  });

  app.get("/", async (c) => {
    const parsed = ListQuery.safeParse(c.req.query());
    if (!parsed.success) throw new ValidationError("query", fieldIssues(parsed.error.issues));
    const { status, q, limit, cursor } = parsed.data;
    const [afterAt, afterId] = cursor ? decodeCursor(cursor) : [];
    const sql = deps.system.journal.sql;
    const like = q ? `%${q.replace(/[\\%_]/g, (m) => "\\" + m)}%` : undefined;
    const rows = await sql<Record<string, unknown>[]>`
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
    return c.json({ items, next });
  });

  app.get("/:id", async (c) => {
    const ref = deps.system.ref(lead, c.var.auth.tenant, c.req.param("id"));
    const view = await ref.query("view");
    if (!view.exists) throw new NotFoundError(`lead ${c.req.param("id")}`);
    return c.json({ leadId: ref.address.id, ...view });
  });

  app.get("/:id/timeline", async (c) => {
    const id = c.req.param("id");
    const entries = await leadTimeline(deps.system, c.var.auth.tenant, id);
    if (entries.length === 0) throw new NotFoundError(`lead ${id}`);
    return c.json({ items: entries });
  });

  return app;
}
