/**
 * The leads REST routes under `/v1/leads`: create (the same capture path as
 * every other source, so it dedupes alike), list (`_lead_list.ts`), the
 * silent leads, get one, its timeline, its conversation, its state at a past
 * moment and its follow-ups; the routes that change a lead are in `_lead_commands.ts`. The
 * tenant always comes from the caller's token, never from the path or the
 * body, so a token for one tenant cannot name another's lead.
 *
 * @module
 */
import { LeadRow, listLeads, ListQuery } from "./_lead_list.ts";
import {
  ActiveFollowUp,
  captureLead,
  lead,
  leadTimeline,
  listSilentLeads,
  settings,
  SETTINGS_ID,
  SilentLead,
} from "../actors/lead/mod.ts";
import {
  CaptureLeadFields,
  ConversationMessage,
  FollowUpSequence,
  identifiesSomeone,
  IDENTIFY_ISSUE,
  LeadSource,
} from "../shared/mod.ts";
import type { AuthEnv } from "./auth.ts";
import { guard, STAFF_ROLES } from "./guard.ts";
import { mountLeadCommands } from "./_lead_commands.ts";
import {
  LeadIdParam,
  LeadNotFound,
  type LeadRouteDeps,
  LeadView,
  requireLead,
} from "./_lead_common.ts";
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

export { LeadRow, LeadSort } from "./_lead_list.ts";
export {
  LeadConflictError,
  LeadIdParam,
  LeadNotFound,
  type LeadRouteDeps,
  LeadView,
} from "./_lead_common.ts";

const CaptureBody = CaptureLeadFields.extend({ source: LeadSource.default("rest") })
  .refine(identifiesSomeone, IDENTIFY_ISSUE)
  .openapi("CaptureLead", { description: "A capture; `source` defaults to `rest`" });

const CaptureResultSchema = z.object({
  leadId: z.string(),
  outcome: z.enum(["created", "merged", "repeated"]),
  matchedBy: z.array(z.string()),
  possibleDuplicates: z.array(z.string()),
}).openapi("CaptureResult");

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

const SilentQuery = z.object({
  hours: z.coerce.number().positive().max(24 * 365).default(72).openapi({
    description: "Silent for at least this many hours (default 72; fractions allowed, e.g. 0.5)",
  }),
  minScore: z.coerce.number().int().min(0).max(100).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** The last millisecond of the year 9999: later instants are no one's history. */
const LATEST_INSTANT = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * Epoch ms of an ISO 8601 time or of a string of epoch milliseconds, from
 * 1970 to the year 9999; undefined otherwise (the database rejects far dates).
 */
export function parseInstant(text: string): number | undefined {
  const ms = /^\d{1,15}$/.test(text) ? Number(text) : Date.parse(text);
  return Number.isFinite(ms) && ms >= 0 && ms <= LATEST_INSTANT ? ms : undefined;
}

const StateAtQuery = z.object({
  at: z.string().max(40).refine((t) => parseInstant(t) !== undefined, {
    message: "an ISO 8601 time (2026-05-01T12:00:00Z) or epoch milliseconds, 1970 to 9999",
  }).openapi({ description: "The moment, as ISO 8601 or epoch milliseconds" }),
});

const StateAt = z.object({
  leadId: z.string(),
  at: z.number().openapi({ description: "The moment asked for, epoch ms" }),
  seq: z.number().openapi({ description: "The lead's last event by then; 0 if none" }),
  state: LeadView,
}).openapi("LeadStateAt");

const Messages = z.object({
  items: z.array(ConversationMessage.extend({
    at: z.number().openapi({ description: "When it was recorded, epoch ms" }),
  })),
}).openapi("LeadMessages");

const FollowUps = z.object({
  active: ActiveFollowUp.nullable().openapi({
    description: "The sequence in progress: which, the step due next and when",
  }),
  sequence: FollowUpSequence.nullable().openapi({
    description: "That sequence's steps as the tenant's plan has them now",
  }),
}).openapi("LeadFollowUps");

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
      summary: "List leads in one of five orders, with filters, a search and a cursor",
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
      const page = await listLeads(
        deps.system.journal.sql,
        c.var.auth.tenant,
        c.req.valid("query"),
      );
      return c.json(page, 200);
    },
  );

  // Before `/{id}`: the first matching route answers, and "silent" is not a lead id.
  app.openapi(
    createRoute({
      method: "get",
      path: "/silent",
      tags,
      summary: "Open leads that have not written to us for a while, best first",
      security: bearerOrApiKey,
      request: { query: SilentQuery },
      responses: {
        200: {
          description: "Highest score first, then longest silent",
          content: json(z.object({ items: z.array(SilentLead) })),
        },
        ...authErrors,
      },
    }),
    async (c) => {
      const { hours, minScore, limit } = c.req.valid("query");
      const items = await listSilentLeads(deps.system.journal.sql, c.var.auth.tenant, {
        hours,
        minScore,
        limit,
        now: deps.system.clock.now(),
      });
      return c.json({ items }, 200);
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
      const view = await requireLead(deps, c.var.auth.tenant, id);
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

  app.openapi(
    createRoute({
      method: "get",
      path: "/{id}/state-at",
      tags,
      summary: "The lead as it was at a past moment, folded from its journal",
      security: bearerOrApiKey,
      request: { params: LeadIdParam, query: StateAtQuery },
      responses: {
        200: { description: "The lead's state then", content: json(StateAt) },
        ...authErrors,
        ...notFound,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const at = parseInstant(c.req.valid("query").at)!;
      await requireLead(deps, c.var.auth.tenant, id);
      const ref = deps.system.ref(lead, c.var.auth.tenant, id);
      const { state, seq } = await deps.system.stateAt(ref, at);
      return c.json({ leadId: id, at, seq, state: { leadId: id, ...state } }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/{id}/messages",
      tags,
      summary: "The lead's latest 50 messages, oldest first, with their delivery status",
      description: "Inbound and outbound on every channel; `status` follows each outbound " +
        "message as its provider reports it. Older messages are on the timeline.",
      security: bearerOrApiKey,
      request: { params: LeadIdParam },
      responses: {
        200: { description: "The conversation", content: json(Messages) },
        ...authErrors,
        ...notFound,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const view = await requireLead(deps, c.var.auth.tenant, id);
      return c.json({ items: view.messages }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/{id}/follow-ups",
      tags,
      summary: "The lead's follow-up sequence in progress, if any",
      security: bearerOrApiKey,
      request: { params: LeadIdParam },
      responses: {
        200: { description: "`active` is null when none runs", content: json(FollowUps) },
        ...authErrors,
        ...notFound,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const tenant = c.var.auth.tenant;
      const view = await requireLead(deps, tenant, id);
      const active = view.followUp;
      const plan = active
        ? (await deps.system.ref(settings, tenant, SETTINGS_ID).query("current")).followUps
        : undefined;
      return c.json(
        { active, sequence: (active && plan?.sequences[active.sequence]) ?? null },
        200,
      );
    },
  );

  mountLeadCommands(app, deps);
  return app;
}
