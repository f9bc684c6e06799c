/**
 * The lead routes that change a lead: update, assign, merge and un-merge,
 * qualify, recover and record a message. Each goes through the lead actor
 * (or the merge and qualification helpers over it), never to the tables, and
 * each first looks the lead up in the caller's tenant, so another tenant's
 * lead is a 404 before anything is asked of it.
 *
 * @module
 */
import { disabledAi } from "../actors/ai/mod.ts";
import {
  AssignInput,
  canMove,
  lead,
  mergeLeads,
  RecoverInput,
  requalifyLead,
  SetStatusInput,
  TagInput,
  unmergeLeads,
} from "../actors/lead/mod.ts";
import { ConsentInput, ConversationMessage, Qualification } from "../shared/mod.ts";
import type { AuthEnv } from "./auth.ts";
import {
  conflict,
  LeadConflictError,
  LeadId,
  LeadIdParam,
  type LeadRouteDeps,
  LeadView,
  requireLead,
} from "./_lead_common.ts";
import {
  authErrors,
  bearerOrApiKey,
  createRoute,
  json,
  jsonBody,
  notFound,
  type OpenAPIHono,
  z,
} from "./openapi.ts";

// Strict: contact details are not editable here (the lead has no command for them), and a field
// the route would silently drop is worse than a 400 naming it.
const UpdateBody = z.strictObject({
  status: SetStatusInput.shape.status.optional(),
  reason: SetStatusInput.shape.reason,
  /** The deal's value when the status becomes `won`: the revenue campaign ROI is built from. */
  valueCents: SetStatusInput.shape.valueCents,
  owner: AssignInput.shape.owner.optional(),
  tags: TagInput.optional(),
  consent: z.array(ConsentInput).max(4).optional(),
}).refine(
  (b) =>
    b.status !== undefined || b.owner !== undefined || b.tags !== undefined ||
    b.consent !== undefined,
  { message: "give at least one of status, owner, tags, consent" },
).refine((b) => b.valueCents === undefined || b.status === "won", {
  message: "valueCents goes with status won",
  path: ["valueCents"],
}).openapi("UpdateLead", {
  description: "Changes to one lead; each field is one command of the lead, applied in turn",
});

const MergeBody = z.object({
  from: LeadId.openapi({ description: "The lead merged into this one; it ends marked merged" }),
  reason: z.string().max(500).optional(),
});

const MergeResult = z.object({
  into: z.string(),
  from: z.string(),
  movedKeys: z.array(z.string()).openapi({ description: "Identity keys now on `into`" }),
});

const tags = ["leads"];

/** Registers the lead command routes on the `/v1/leads` router. */
export function mountLeadCommands(app: OpenAPIHono<AuthEnv>, deps: LeadRouteDeps): void {
  app.openapi(
    createRoute({
      method: "patch",
      path: "/{id}",
      tags,
      summary: "Update a lead: status (with a reason), owner, tags, consent",
      description: "A status change must move the funnel forward (or to lost or unsubscribed); " +
        "one it does not allow is a 409 and nothing else in the request is applied.",
      security: bearerOrApiKey,
      request: { params: LeadIdParam, body: jsonBody(UpdateBody) },
      responses: {
        200: { description: "The lead after the update", content: json(LeadView) },
        ...authErrors,
        ...notFound,
        ...conflict,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const tenant = c.var.auth.tenant;
      const body = c.req.valid("json");
      const before = await requireLead(deps, tenant, id);
      if (body.status && body.status !== before.status && !canMove(before.status, body.status)) {
        throw new LeadConflictError(id, `cannot move from ${before.status} to ${body.status}`);
      }
      const ref = deps.system.ref(lead, tenant, id);
      if (body.owner !== undefined) await ref.ask("assign", { owner: body.owner });
      if (body.tags) await ref.ask("tag", body.tags);
      for (const consent of body.consent ?? []) await ref.ask("recordConsent", consent);
      if (body.status) {
        const r = await ref.ask("setStatus", {
          status: body.status,
          ...(body.reason ? { reason: body.reason } : {}),
          ...(body.valueCents !== undefined ? { valueCents: body.valueCents } : {}),
        });
        // Another change got in between the check above and this one.
        if (!r.ok) throw new LeadConflictError(id, r.reason);
      }
      return c.json({ leadId: id, ...await ref.query("view") }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/{id}/assign",
      tags,
      summary: "Assign the lead to a team member (or unassign with null)",
      security: bearerOrApiKey,
      request: { params: LeadIdParam, body: jsonBody(AssignInput) },
      responses: {
        200: { description: "The owner now", content: json(AssignInput) },
        ...authErrors,
        ...notFound,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      await requireLead(deps, c.var.auth.tenant, id);
      const r = await deps.system.ref(lead, c.var.auth.tenant, id).ask(
        "assign",
        c.req.valid("json"),
      );
      return c.json(r, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/{id}/merge",
      tags,
      summary: "Merge lead `from` into this lead (undo with /unmerge)",
      description: "`from`'s identity keys move here, so later captures of that person land " +
        "here; what the merge changed is recorded so it can be undone.",
      security: bearerOrApiKey,
      request: { params: LeadIdParam, body: jsonBody(MergeBody) },
      responses: {
        200: { description: "Merged", content: json(MergeResult) },
        ...authErrors,
        ...notFound,
        ...conflict,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const { from, reason } = c.req.valid("json");
      // mergeLeads looks up both leads in the caller's tenant: either missing is a 404.
      const r = await mergeLeads(deps.system, c.var.auth.tenant, {
        into: id,
        from,
        ...(reason ? { reason } : {}),
      });
      return c.json(r, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/{id}/unmerge",
      tags,
      summary: "Undo merging lead `from` into this lead",
      security: bearerOrApiKey,
      request: { params: LeadIdParam, body: jsonBody(MergeBody.pick({ from: true })) },
      responses: {
        200: { description: "Split off again", content: json(MergeResult) },
        ...authErrors,
        ...notFound,
        ...conflict,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const { from } = c.req.valid("json");
      await requireLead(deps, c.var.auth.tenant, id);
      const r = await unmergeLeads(deps.system, c.var.auth.tenant, { into: id, from });
      return c.json({ into: id, from, movedKeys: r.movedKeys }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/{id}/qualify",
      tags,
      summary: "Qualify the lead again: the AI's judgement, or the tenant's rules without it",
      security: bearerOrApiKey,
      request: { params: LeadIdParam },
      responses: {
        200: {
          description: "What was recorded on the lead (`source` says whether the AI answered)",
          content: json(Qualification),
        },
        ...authErrors,
        ...notFound,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      await requireLead(deps, c.var.auth.tenant, id);
      const q = await requalifyLead(deps.system, deps.ai ?? disabledAi, c.var.auth.tenant, id);
      return c.json(q, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/{id}/recover",
      tags,
      summary: "Start the tenant's `silent` follow-up sequence on the lead now",
      description: "Replaces any other sequence running; a recovery already running is kept " +
        "(a repeat starts nothing and sends nothing twice). A lead with a meeting, won or lost " +
        "is a 409.",
      security: bearerOrApiKey,
      request: { params: LeadIdParam, body: { content: json(RecoverInput) } },
      responses: {
        200: {
          description: "Started",
          content: json(z.object({ started: z.literal(true) })),
        },
        ...authErrors,
        ...notFound,
        ...conflict,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      await requireLead(deps, c.var.auth.tenant, id);
      const r = await deps.system.ref(lead, c.var.auth.tenant, id).ask(
        "recover",
        c.req.valid("json"),
      );
      if (!r.started) throw new LeadConflictError(id, r.reason);
      return c.json({ started: true as const }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/{id}/messages",
      tags,
      summary: "Record a message on the lead's conversation (a call, or a message sent elsewhere)",
      description: "Inbound: the lead replied (its follow-ups stop, it counts as engagement). " +
        "Outbound: a person wrote to the lead (a new lead becomes contacted, and a wait for " +
        "the reply starts). Nothing is sent: sending goes through the channels.",
      security: bearerOrApiKey,
      request: { params: LeadIdParam, body: jsonBody(ConversationMessage) },
      responses: {
        201: {
          description: "Recorded",
          content: json(z.object({ recorded: z.literal(true) })),
        },
        ...authErrors,
        ...notFound,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      await requireLead(deps, c.var.auth.tenant, id);
      await deps.system.ref(lead, c.var.auth.tenant, id).ask("recordMessage", c.req.valid("json"));
      return c.json({ recorded: true as const }, 201);
    },
  );
}
