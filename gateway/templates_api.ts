/**
 * The template REST routes under `/v1/templates`: the tenant's library
 * (list, create, read, replace, delete, which archives), a preview rendered
 * for a lead or a sample contact, and an AI draft from a brief. Variables are
 * checked when a template is saved: an unknown one is a 400 naming the field
 * and the variable. The tenant always comes from the caller's credentials,
 * so another tenant's template or lead is a 404.
 *
 * @module
 */
import type { AiClient } from "../actors/ai/mod.ts";
import {
  draftTemplate,
  findTemplate,
  libraryRef,
  previewTemplate,
  TemplateNotFound,
  type TemplateReply,
} from "../actors/templates/mod.ts";
import {
  MessageTemplate,
  newId,
  PreviewTemplate,
  SaveTemplate,
  TemplateBrief,
  TemplateDraft,
  TemplateId,
  TemplatePreview,
} from "../shared/mod.ts";
import { readsOnly } from "./ai_policy.ts";
import { conflict, refusal } from "./_refusal.ts";
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

/** What the template routes need: the shared deps and, for drafts, an AI client. */
export type TemplateRouteDeps = ApiDeps & {
  /** Drafts templates; without one (or with `disabledAi`) a draft is a 503. */
  ai?: AiClient;
};

const tags = ["templates"];

const IdParam = z.object({ id: TemplateId });
// `extend({})`: shared schemas are made before the OpenAPI extension is loaded.
const TemplateOut = MessageTemplate.extend({}).openapi("MessageTemplate");
const templateReply = z.object({ template: TemplateOut });
const SAVE_NOTE = "Variables ({{firstName}}, ...) are checked now: an unknown one is a 400 " +
  "naming the field and the variable. An email needs a subject; an SMS has none.";
const ListQuery = z.object({
  archived: z.enum(["true", "false"]).default("false").openapi({
    description: "`true` lists deleted (archived) templates as well",
  }),
});

const aiErrors = {
  502: {
    description: "The AI gave no usable draft (`details.reason`)",
    content: json(ErrorSchema),
  },
  503: {
    description: "`ai_not_configured`: no AI provider is set on this node",
    content: json(ErrorSchema),
  },
  504: { description: "The AI did not answer in time", content: json(ErrorSchema) },
} as const;

/** A library command's reply as an HTTP answer: the template, a 404, or a 409 with the reason. */
function templateOf(reply: TemplateReply): MessageTemplate {
  if (reply.status === "ok") return reply.template;
  if (reply.status === "not_found") throw new TemplateNotFound(reply.id);
  throw refusal(reply.reason, reply.message);
}

/** The `/v1/templates` sub-app. */
export function templateRoutes(deps: TemplateRouteDeps): OpenAPIHono<AuthEnv> {
  const app = apiRouter<AuthEnv>();
  app.use("*", guard(deps, STAFF_ROLES));

  app.openapi(
    createRoute({
      method: "get",
      path: "/",
      tags,
      summary: "The tenant's templates, oldest first (a library holds at most 500)",
      security: bearerOrApiKey,
      request: { query: ListQuery },
      responses: {
        200: {
          description: "Every template",
          content: json(z.object({ items: z.array(TemplateOut) })),
        },
        ...authErrors,
      },
    }),
    async (c) => {
      const ref = libraryRef(deps.system, c.var.auth.tenant);
      const all = c.req.valid("query").archived === "true";
      return c.json({ items: await ref.query(all ? "all" : "list") }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/",
      tags,
      summary: "Save a new template; its id is generated",
      security: bearerOrApiKey,
      request: { body: jsonBody(SaveTemplate, SAVE_NOTE) },
      responses: {
        201: { description: "Saved", content: json(templateReply) },
        ...authErrors,
        ...conflict,
      },
    }),
    async (c) => {
      const reply = await libraryRef(deps.system, c.var.auth.tenant).ask("create", {
        id: newId(),
        template: c.req.valid("json"),
      });
      return c.json({ template: templateOf(reply) }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/preview",
      tags,
      summary: "Render a template (saved or inline) for a lead, or for a sample contact",
      description: "Names the variables the contact has no value for: `emptyVariables` render as " +
        'nothing, `fallbackVariables` as a fallback word ("there").',
      middleware: [readsOnly()] as const,
      security: bearerOrApiKey,
      request: { body: jsonBody(PreviewTemplate) },
      responses: {
        200: { description: "The rendered message", content: json(TemplatePreview) },
        ...authErrors,
        ...notFound,
      },
    }),
    async (c) => {
      const preview = await previewTemplate(deps.system, c.var.auth.tenant, c.req.valid("json"));
      return c.json(preview, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/draft",
      tags,
      summary: "Ask the AI to draft a template from a brief (not saved)",
      description: "Unknown variables in the draft are replaced by the known one meant or " +
        "removed, each listed in `fixes`. Without an AI configured: 503 `ai_not_configured`.",
      middleware: [readsOnly()] as const,
      security: bearerOrApiKey,
      request: { body: jsonBody(TemplateBrief.extend({}).openapi("TemplateBrief")) },
      responses: {
        200: { description: "The draft", content: json(TemplateDraft) },
        ...authErrors,
        ...aiErrors,
      },
    }),
    async (c) => c.json(await draftTemplate(deps.ai, c.req.valid("json")), 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/{id}",
      tags,
      summary: "One template (a deleted one too, marked archived)",
      security: bearerOrApiKey,
      request: { params: IdParam },
      responses: {
        200: { description: "The template", content: json(templateReply) },
        ...authErrors,
        ...notFound,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const template = await findTemplate(deps.system, c.var.auth.tenant, id);
      if (!template) throw new TemplateNotFound(id);
      return c.json({ template }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/{id}",
      tags,
      summary: "Replace a template's name, channel, subject and body",
      description: "Campaigns that copied the old text keep it. A deleted template answers 409 " +
        "`template_archived`.",
      security: bearerOrApiKey,
      request: { params: IdParam, body: jsonBody(SaveTemplate, SAVE_NOTE) },
      responses: {
        200: { description: "The template now", content: json(templateReply) },
        ...authErrors,
        ...notFound,
        ...conflict,
      },
    }),
    async (c) => {
      const reply = await libraryRef(deps.system, c.var.auth.tenant).ask("update", {
        id: c.req.valid("param").id,
        template: c.req.valid("json"),
      });
      return c.json({ template: templateOf(reply) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/{id}",
      tags,
      summary: "Delete a template: it is archived, leaves the list and stays readable by id",
      security: bearerOrApiKey,
      request: { params: IdParam },
      responses: {
        200: { description: "The archived template", content: json(templateReply) },
        ...authErrors,
        ...notFound,
      },
    }),
    async (c) => {
      const reply = await libraryRef(deps.system, c.var.auth.tenant).ask("archive", {
        id: c.req.valid("param").id,
      });
      return c.json({ template: templateOf(reply) }, 200);
    },
  );

  return app;
}
