/**
 * The campaign REST routes under `/v1/campaigns`: create a draft (its id is
 * generated), list the tenant's campaigns newest first with a cursor, read
 * and edit one (edits only while a draft: 409 after launch), its life
 * (launch, pause, resume, stop, each the campaign actor's own command), its
 * figures from the analytics projection, and how many leads an audience
 * matches now, as the builder shows before launch. A definition that fails
 * its schema (variants not matching the split, weights not summing to 100,
 * an unknown template variable) is a 400 naming the field. A create with an
 * `Idempotency-Key` makes one draft however often it is sent. The tenant comes
 * from the caller's credentials only: another tenant's campaign is a 404.
 * Launch and the other changes go through the `ai` policy like every write.
 *
 * @module
 */
import { readCampaignStats } from "../actors/analytics/mod.ts";
import { campaign, CampaignView } from "../actors/campaign/mod.ts";
import {
  Audience,
  CampaignDefinition,
  CampaignStats,
  CampaignStatus,
  newId,
  NotFoundError,
} from "../shared/mod.ts";
import { decodeCursor, encodeCursor } from "./_cursor.ts";
import { AudienceSampleLead, campaignPage, previewAudience } from "./_campaign_queries.ts";
import { readsOnly } from "./ai_policy.ts";
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

const tags = ["campaigns"];

/** Campaign ids: what the API generates, and what the actor accepts (no `:`). */
const CampaignId = z.string().regex(/^[A-Za-z0-9_.@+-]{1,128}$/, {
  message: "1-128 of letters, digits, _ . @ + -",
});
const IdParam = z.object({ id: CampaignId });

// `extend({})`: shared schemas are made before the OpenAPI extension is loaded.
const CampaignOut = CampaignView.extend({}).openapi("Campaign");
const campaignReply = z.object({ campaign: CampaignOut });
const DEFINITION_NOTE = "Each step has one variant per `split` weight, and the weights sum to " +
  "100; template variables are checked now (an unknown one is a 400 naming the field).";

const conflict = {
  409: {
    description: "The campaign's status does not allow this (e.g. editing after launch)",
    content: json(ErrorSchema),
  },
} as const;

/** One row of the campaign list. */
export const CampaignListItem = z.object({
  id: z.string(),
  name: z.string(),
  status: CampaignStatus,
  enrolled: z.number().int(),
  createdAt: z.number(),
  launchedAt: z.number().nullable(),
  stoppedAt: z.number().nullable(),
}).openapi("CampaignListItem");

const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(300).optional().openapi({
    description: "Opaque: the `next` of the previous page",
  }),
});

const AudiencePreviewBody = z.object({
  audience: Audience,
  sample: z.number().int().min(0).max(20).default(5).openapi({
    description: "How many matching leads to show (best score first)",
  }),
}).openapi("AudiencePreviewRequest");

const AudiencePreview = z.object({
  count: z.number().int().openapi({ description: "Leads the audience matches now" }),
  sample: z.array(AudienceSampleLead),
}).openapi("AudiencePreview");

/** A new campaign id: creation time first, so ids sort roughly by age, then random. */
function campaignId(now: number): string {
  return `${now.toString(36).padStart(9, "0")}${newId().slice(0, 8)}`;
}

/**
 * The id of a create sent with an `Idempotency-Key`: the same caller and key
 * always name the same campaign, so a retried or double-clicked create finds
 * the draft the first one made (a different definition under the key is a 409).
 */
async function keyedCampaignId(sub: string, key: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${sub}\n${key}`));
  const hex = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
  return `k${hex.slice(0, 31)}`;
}

/** The campaign's view, or a 404 when `tenant` has no such campaign. */
async function requireCampaign(deps: ApiDeps, tenant: string, id: string): Promise<CampaignView> {
  const view = await deps.system.ref(campaign, tenant, id).query("view");
  if (!view.exists) throw new NotFoundError(`campaign ${id}`);
  return { ...view, id };
}

/** The `/v1/campaigns` sub-app. */
export function campaignRoutes(deps: ApiDeps): OpenAPIHono<AuthEnv> {
  const app = apiRouter<AuthEnv>();
  app.use("*", guard(deps, STAFF_ROLES));
  const ref = (tenant: string, id: string) => deps.system.ref(campaign, tenant, id);

  app.openapi(
    createRoute({
      method: "post",
      path: "/",
      tags,
      summary: "Create a draft campaign; its id is generated",
      description: "With an `Idempotency-Key` header the id follows from the caller and the " +
        "key: the same request sent again answers the same draft, and another definition " +
        "under that key is a 409.",
      security: bearerOrApiKey,
      request: {
        body: jsonBody(CampaignDefinition, DEFINITION_NOTE),
        headers: z.object({ "idempotency-key": z.string().min(1).max(200).optional() }),
      },
      responses: {
        201: { description: "The draft", content: json(campaignReply) },
        ...authErrors,
      },
    }),
    async (c) => {
      const key = c.req.valid("header")["idempotency-key"];
      const id = key
        ? await keyedCampaignId(c.var.auth.sub, key)
        : campaignId(deps.system.clock.now());
      const view = await ref(c.var.auth.tenant, id).ask("create", {
        definition: c.req.valid("json"),
      });
      return c.json({ campaign: view }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/",
      tags,
      summary: "List campaigns, newest first, with a cursor",
      security: bearerOrApiKey,
      request: { query: ListQuery },
      responses: {
        200: {
          description: "One page; `next` is the cursor of the next page or null",
          content: json(
            z.object({ items: z.array(CampaignListItem), next: z.string().nullable() }),
          ),
        },
        ...authErrors,
      },
    }),
    async (c) => {
      const { limit, cursor } = c.req.valid("query");
      const tenant = c.var.auth.tenant;
      const after = cursor
        ? decodeCursor(cursor, (at) => Number.isSafeInteger(Number(at)))
        : undefined;
      const page = await campaignPage(
        deps.system.journal.sql,
        tenant,
        limit + 1,
        after ? { at: Number(after[0]), id: after[1] } : undefined,
      );
      const items = page.slice(0, limit);
      const last = items.at(-1);
      const next = page.length > limit && last ? encodeCursor(last.createdAt, last.id) : null;
      return c.json({ items, next }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/preview-audience",
      tags,
      summary: "How many leads an audience matches now, with a few of them",
      description: "Counted over the leads read model with the criteria launch enrolls by; " +
        "merged and unsubscribed leads never count. Leads that match later join a running " +
        "campaign too.",
      middleware: [readsOnly()] as const,
      security: bearerOrApiKey,
      request: { body: jsonBody(AudiencePreviewBody) },
      responses: {
        200: { description: "The count and sample", content: json(AudiencePreview) },
        ...authErrors,
      },
    }),
    async (c) => {
      const { audience, sample } = c.req.valid("json");
      const r = await previewAudience(
        deps.system.journal.sql,
        c.var.auth.tenant,
        audience,
        deps.system.clock.now(),
        sample,
      );
      return c.json(r, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/{id}",
      tags,
      summary: "One campaign: definition, status and enrollment progress",
      security: bearerOrApiKey,
      request: { params: IdParam },
      responses: {
        200: { description: "The campaign", content: json(campaignReply) },
        ...authErrors,
        ...notFound,
      },
    }),
    async (c) => {
      const view = await requireCampaign(deps, c.var.auth.tenant, c.req.valid("param").id);
      return c.json({ campaign: view }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/{id}",
      tags,
      summary: "Replace a draft's definition (409 once launched)",
      security: bearerOrApiKey,
      request: { params: IdParam, body: jsonBody(CampaignDefinition, DEFINITION_NOTE) },
      responses: {
        200: { description: "The campaign now", content: json(campaignReply) },
        ...authErrors,
        ...notFound,
        ...conflict,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const tenant = c.var.auth.tenant;
      await requireCampaign(deps, tenant, id);
      const view = await ref(tenant, id).ask("update", { definition: c.req.valid("json") });
      return c.json({ campaign: view }, 200);
    },
  );

  /** One life command as a route: it takes no body and answers the campaign as it now is. */
  function transition(
    command: "launch" | "pause" | "resume" | "stop",
    summary: string,
  ): void {
    app.openapi(
      createRoute({
        method: "post",
        path: `/{id}/${command}`,
        tags,
        summary,
        description: "Asking for the status the campaign is already in answers 200; a move " +
          "its status does not allow answers 409.",
        security: bearerOrApiKey,
        request: { params: IdParam },
        responses: {
          200: { description: "The campaign now", content: json(campaignReply) },
          ...authErrors,
          ...notFound,
          ...conflict,
        },
      }),
      async (c) => {
        const { id } = c.req.valid("param");
        const tenant = c.var.auth.tenant;
        await requireCampaign(deps, tenant, id);
        const view = await ref(tenant, id).ask(command, {});
        return c.json({ campaign: view }, 200);
      },
    );
  }
  transition("launch", "Launch a draft: enroll the audience now and leads that match later");
  transition("pause", "Pause: due steps wait, and no one new is enrolled");
  transition("resume", "Resume a paused campaign");
  transition("stop", "Stop for good: no further steps are sent");

  app.openapi(
    createRoute({
      method: "get",
      path: "/{id}/stats",
      tags,
      summary: "The campaign's figures (enrolled, sent, delivered, replies, bookings, ROI)",
      description: "From the analytics projection of the journal, kept live.",
      security: bearerOrApiKey,
      request: { params: IdParam },
      responses: {
        200: {
          description: "Figures; per A/B variant in `byVariant`",
          content: json(CampaignStats.extend({}).openapi("CampaignStats")),
        },
        ...authErrors,
        ...notFound,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const tenant = c.var.auth.tenant;
      await requireCampaign(deps, tenant, id);
      return c.json(await readCampaignStats(deps.system.journal.sql, tenant, id), 200);
    },
  );

  return app;
}
