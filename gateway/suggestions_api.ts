/**
 * The admin's side of the `ai` policy: `/v1/suggestions` lists what Minerva
 * suggested and approves or rejects it, and `/v1/ai-policy` reads and sets
 * the tenant's mode. Approving runs the stored request again through the
 * node's own app as the approving admin, so every check a request of that
 * admin meets (validation, roles, rate limit, and at send time quiet hours
 * and consent in the outbox dispatcher) still applies, and records what it
 * answered. Setting the mode is refused to the `ai` role (403).
 *
 * @module
 */
import { decodeCursor, encodeCursor } from "./_cursor.ts";
import { settings, SETTINGS_ID } from "../actors/lead/mod.ts";
import { AiMode, NotFoundError, SuggestionStatus, SuggestionView } from "../shared/mod.ts";
import { aiModeFor, SuggestionConflictError } from "./ai_policy.ts";
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
import { suggestion, type SuggestionStep, suggestionView } from "./suggestion.ts";

/** The node's own app, as approvals use it: the stored request runs through it. */
export interface RequestRunner {
  /** Handles one request in-process, through every middleware a request from outside meets. */
  fetch(request: Request): Response | Promise<Response>;
}

const IdParam = z.object({
  id: z.string().regex(/^[A-Za-z0-9_.:@+-]{1,128}$/, "not a suggestion id")
    .openapi({ param: { name: "id", in: "path" } }),
});

const ListQuery = z.object({
  status: SuggestionStatus.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional().openapi({
    description: "Opaque: the `next` of the previous page",
  }),
});

// A fresh schema: zod gives `.openapi` only to schemas made after @hono/zod-openapi loaded,
// and shared/ may well load first.
const View = SuggestionView.extend({}).openapi("Suggestion");

const RejectBody = z.object({ reason: z.string().max(1000).optional() });

const PolicyBody = z.object({ mode: AiMode }).openapi("AiPolicy", {
  description: "`suggest`: the ai role's changes wait for an admin; `autopilot`: they run at once",
});

const conflict = {
  409: {
    description: "The suggestion is no longer pending (already approved, failed or rejected)",
    content: json(ErrorSchema),
  },
} as const;

interface Row {
  suggestion_id: string;
  status: SuggestionStatus;
  suggested_by: string;
  method: string;
  path: string;
  body: unknown;
  created_at: Date;
  decided_by: string | null;
  decided_at: Date | null;
  result: SuggestionView["result"];
  reason: string | null;
}

function fromRow(r: Row): SuggestionView {
  return {
    suggestionId: r.suggestion_id,
    status: r.status,
    suggestedBy: r.suggested_by,
    method: r.method,
    path: r.path,
    body: r.body ?? null,
    createdAt: r.created_at.getTime(),
    decidedBy: r.decided_by,
    decidedAt: r.decided_at === null ? null : r.decided_at.getTime(),
    result: r.result ?? null,
    reason: r.reason,
  };
}

/** The view of a step's outcome, or the error it means. */
function stepView(id: string, step: SuggestionStep, what: string): SuggestionView {
  if (step.state === "missing") throw new SuggestionNotFound(id);
  if (step.state === "conflict") throw new SuggestionConflictError(id, step.status, what);
  return step.view;
}

/** The JSON (or text) body of a response, to record with the outcome. */
async function readAnswer(res: Response): Promise<unknown> {
  const text = await res.text();
  if (text === "") return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const tags = ["suggestions"];

/** The `/v1/suggestions` sub-app: admins only. */
export function suggestionRoutes(deps: ApiDeps, runner: RequestRunner): OpenAPIHono<AuthEnv> {
  const app = apiRouter<AuthEnv>();
  app.use("*", guard(deps, ["admin"]));

  app.openapi(
    createRoute({
      method: "get",
      path: "/",
      tags,
      summary: "The ai role's suggestions, newest first",
      security: bearerOrApiKey,
      request: { query: ListQuery },
      responses: {
        200: {
          description: "One page; `next` is the cursor of the next page or null",
          content: json(z.object({ items: z.array(View), next: z.string().nullable() })),
        },
        ...authErrors,
      },
    }),
    async (c) => {
      const { status, limit, cursor } = c.req.valid("query");
      const [afterAt, afterId] = cursor
        ? decodeCursor(cursor, (at) => !Number.isNaN(Number(at)))
        : [];
      const sql = deps.system.journal.sql;
      const rows = await sql<Row[]>`
        SELECT suggestion_id, status, suggested_by, method, path, body, created_at, decided_by,
               decided_at, result, reason
        FROM suggestions
        WHERE tenant = ${c.var.auth.tenant}
          ${status ? sql`AND status = ${status}` : sql``}
          ${
        afterAt
          ? sql`AND (created_at, suggestion_id) < (${new Date(Number(afterAt))}, ${afterId ?? ""})`
          : sql``
      }
        ORDER BY created_at DESC, suggestion_id DESC
        LIMIT ${limit + 1}`;
      const items = rows.slice(0, limit).map(fromRow);
      const last = items.at(-1);
      const next = rows.length > limit && last
        ? encodeCursor(last.createdAt, last.suggestionId)
        : null;
      return c.json({ items, next }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/{id}",
      tags,
      summary: "One suggestion",
      security: bearerOrApiKey,
      request: { params: IdParam },
      responses: {
        200: { description: "The suggestion", content: json(View) },
        ...authErrors,
        ...notFound,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const state = await deps.system.ref(suggestion, c.var.auth.tenant, id).query("state");
      const view = suggestionView(state, id);
      if (!view) throw new SuggestionNotFound(id);
      return c.json(view, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/{id}/approve",
      tags,
      summary: "Run a pending suggestion as the approving admin and record what it answered",
      description: "The stored request runs through this node's app with the admin's rights, " +
        "so validation, roles and rate limits apply as to any request of the admin, and " +
        "quiet hours and consent apply when a message is sent. `status` becomes `approved` " +
        "when the request answered 2xx/3xx, `failed` otherwise; `result` holds the answer.",
      security: bearerOrApiKey,
      request: { params: IdParam },
      responses: {
        200: { description: "Run; the suggestion with its result", content: json(View) },
        ...authErrors,
        ...notFound,
        ...conflict,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const { sub, tenant, role } = c.var.auth;
      const ref = deps.system.ref(suggestion, tenant, id);
      // Claimed first, in one turn: a second approval is refused and the request runs once.
      const claimed = stepView(id, await ref.ask("claim", { by: sub }), "approve");
      const { accessToken } = await deps.tokens.issue({ sub, tenant, role });
      const headers: Record<string, string> = { authorization: `Bearer ${accessToken}` };
      if (claimed.body !== null) headers["content-type"] = "application/json";
      let result;
      try {
        const res = await runner.fetch(
          new Request(new URL(c.req.url).origin + claimed.path, {
            method: claimed.method,
            headers,
            ...(claimed.body !== null ? { body: JSON.stringify(claimed.body) } : {}),
          }),
        );
        result = { status: res.status, body: await readAnswer(res) };
      } catch (error) {
        console.error(`running suggestion ${id} failed:`, error);
        result = { status: 500, body: { error: { code: "internal", message: "internal error" } } };
      }
      const done = stepView(id, await ref.ask("finish", { by: sub, result }), "finish");
      return c.json(done, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/{id}/reject",
      tags,
      summary: "Reject a pending suggestion; it never runs",
      security: bearerOrApiKey,
      request: {
        params: IdParam,
        body: { required: false, content: json(RejectBody), description: "Optional `reason`" },
      },
      responses: {
        200: { description: "The rejected suggestion", content: json(View) },
        ...authErrors,
        ...notFound,
        ...conflict,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const { reason } = c.req.valid("json");
      const step = await deps.system.ref(suggestion, c.var.auth.tenant, id).ask("reject", {
        by: c.var.auth.sub,
        reason: reason ?? null,
      });
      return c.json(stepView(id, step, "reject"), 200);
    },
  );

  return app;
}

/** The `/v1/ai-policy` sub-app: anyone on staff reads the mode; only an admin sets it. */
export function aiPolicyRoutes(deps: ApiDeps): OpenAPIHono<AuthEnv> {
  const app = apiRouter<AuthEnv>();
  const policyTags = ["ai policy"];

  app.openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: policyTags,
      summary: "How the ai role's changes run for this tenant",
      security: bearerOrApiKey,
      middleware: [guard(deps, STAFF_ROLES)] as const,
      responses: { 200: { description: "The mode", content: json(PolicyBody) }, ...authErrors },
    }),
    async (c) => c.json({ mode: await aiModeFor(deps.system, c.var.auth.tenant) }, 200),
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/",
      tags: policyTags,
      summary: "Set the mode (admins only: the ai role may not change its own policy)",
      security: bearerOrApiKey,
      // Admins only at the guard: an ai caller is refused before the policy could record it.
      middleware: [guard(deps, ["admin"])] as const,
      request: { body: jsonBody(PolicyBody) },
      responses: { 200: { description: "The mode now", content: json(PolicyBody) }, ...authErrors },
    }),
    async (c) => {
      const { mode } = c.req.valid("json");
      await deps.system.ref(settings, c.var.auth.tenant, SETTINGS_ID).ask("setAiMode", { mode });
      return c.json({ mode }, 200);
    },
  );

  return app;
}

/** 404 for a suggestion the caller's tenant does not have. */
export class SuggestionNotFound extends NotFoundError {
  /** `id` as the caller gave it. */
  constructor(id: string) {
    super(`suggestion ${id}`);
  }
}
