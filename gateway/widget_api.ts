/**
 * The widget routes under `/v1/widget`: the embeddable capture form posts a
 * lead here with its public site key. The key names the tenant and the
 * origins it may be used from (CORS for those only, see `siteKeyAuth`); the
 * limit is per IP and site key. Two cheap bot checks run before anything is
 * written: a honeypot field people never see, and the time the form was open.
 *
 * @module
 */
import { captureLead } from "../actors/lead/mod.ts";
import { type Clock, ContactInput, identifiesSomeone, IDENTIFY_ISSUE } from "../shared/mod.ts";
import {
  type AuthEnv,
  AuthError,
  PostgresApiKeyStore,
  siteKeyAuth,
  type SiteKeyStore,
} from "./auth.ts";
import type { ApiDeps } from "./guard.ts";
import {
  apiRouter,
  authErrors,
  createRoute,
  json,
  jsonBody,
  type OpenAPIHono,
  siteKeySecurity,
  z,
} from "./openapi.ts";

/** A form submitted faster than this (ms after it was shown) is taken for a bot. */
export const MIN_FILL_MS = 2_000;

/** The honeypot: a field the widget hides from people, so only bots fill it. */
export const HONEYPOT_FIELD = "website";

/** Why a submission was taken for a bot. */
export type BotReason = "honeypot" | "too_fast";

/** What the widget routes need. */
export interface WidgetRouteDeps extends Pick<ApiDeps, "system" | "limiter"> {
  /** Where site keys are looked up (default: Postgres, the system's database). */
  siteKeys?: SiteKeyStore;
  /** Told of each submission dropped as a bot (for metrics). */
  onBot?: (reason: BotReason) => void;
  /** Overrides {@link MIN_FILL_MS}. */
  minFillMs?: number;
  clock?: Clock;
}

const utm = z.string().trim().max(200).optional();

/** What any site key looks like: printable ASCII, as `newSiteKey` makes them. */
const SITE_KEY_SHAPE = /^[\x21-\x7e]{1,200}$/;

/** The site key as a query parameter too: a CORS preflight carries only the URL. */
const SiteKeyQuery = z.object({
  site_key: z.string().max(200).optional().openapi({
    description: "The site key again, so the browser's preflight can be answered",
  }),
});

/** The widget's form, flat as a form is; mapped onto a `CaptureLead` with source `widget`. */
export const WidgetLead = z.object({
  idempotencyKey: z.string().trim().min(1).max(128).openapi({
    description: "Made once per form by the widget; a resubmit answers the same `leadId`",
  }),
  name: ContactInput.shape.name,
  email: ContactInput.shape.email,
  phone: ContactInput.shape.phone,
  company: ContactInput.shape.company,
  message: z.string().max(5000).optional(),
  pageUrl: z.url().max(2000).optional(),
  referrer: z.string().max(2000).optional(),
  utm_source: utm,
  utm_medium: utm,
  utm_campaign: utm,
  utm_term: utm,
  utm_content: utm,
  consent: z.object({ sms: z.boolean().optional(), email: z.boolean().optional() }).optional()
    .openapi({ description: "The form's consent checkboxes, per channel" }),
  [HONEYPOT_FIELD]: z.string().max(2000).optional().openapi({
    description: "Honeypot: hidden from people, must be empty",
  }),
  elapsedMs: z.number().int().min(0).openapi({
    description:
      `Milliseconds between showing the form and submitting it; under ${MIN_FILL_MS} is a bot`,
  }),
}).refine((f) => identifiesSomeone({ contact: f }), {
  message: "give an email or a phone",
  path: IDENTIFY_ISSUE.path,
}).openapi("WidgetLead");

/** A widget submission as posted. */
export type WidgetLead = z.infer<typeof WidgetLead>;

/** The capture a widget submission stands for. */
export function widgetCapture(f: WidgetLead) {
  const utmFields = defined({
    source: f.utm_source,
    medium: f.utm_medium,
    campaign: f.utm_campaign,
    term: f.utm_term,
    content: f.utm_content,
  });
  const hasUtm = Object.keys(utmFields).length > 0;
  const consent = (["sms", "email"] as const)
    .filter((channel) => f.consent?.[channel] !== undefined)
    .map((channel) => ({ channel, granted: f.consent![channel]!, source: "widget checkbox" }));
  return {
    idempotencyKey: f.idempotencyKey,
    source: "widget" as const,
    contact: defined({ name: f.name, email: f.email, phone: f.phone, company: f.company }),
    ...(f.message ? { message: f.message } : {}),
    attribution: {
      ...(f.pageUrl ? { pageUrl: f.pageUrl } : {}),
      ...(f.referrer ? { referrer: f.referrer } : {}),
      ...(hasUtm ? { utm: utmFields } : {}),
    },
    ...(consent.length > 0 ? { consent } : {}),
  };
}

/** `o` without its undefined fields, so stored events carry only what was sent. */
function defined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Why a submission is a bot, or null for a person. */
export function botCheck(f: WidgetLead, minFillMs = MIN_FILL_MS): BotReason | null {
  if ((f[HONEYPOT_FIELD] ?? "").trim() !== "") return "honeypot";
  if (f.elapsedMs < minFillMs) return "too_fast";
  return null;
}

const tags = ["widget"];

/** The `/v1/widget` sub-app. */
export function widgetRoutes(deps: WidgetRouteDeps): OpenAPIHono<AuthEnv> {
  const app = apiRouter<AuthEnv>();
  const sql = deps.system.journal.sql;
  const minFillMs = deps.minFillMs ?? MIN_FILL_MS;
  app.use("*", async (c, next) => {
    // A key no site could have (control characters, NUL) must not reach the store: Postgres
    // refuses NUL in text, and that would be a 500 instead of the 401 it is.
    const key = c.req.header("X-Site-Key") ?? c.req.query("site_key");
    if (key !== undefined && !SITE_KEY_SHAPE.test(key)) {
      if (c.req.method === "OPTIONS") return c.body(null, 204);
      throw new AuthError("unknown site key");
    }
    return await next();
  });
  app.use("*", siteKeyAuth(deps.siteKeys ?? new PostgresApiKeyStore(sql)));
  app.use("*", async (c, next) => {
    // Lets the widget read a 429's Retry-After cross-origin.
    c.header("Access-Control-Expose-Headers", "Retry-After");
    await next();
  });
  if (deps.limiter) app.use("*", deps.limiter);

  app.openapi(
    createRoute({
      method: "post",
      path: "/leads",
      tags,
      summary: "Capture a lead from the widget; 202 once the capture is committed",
      description: "Send the site key as `X-Site-Key` and as `?site_key=` (the CORS preflight " +
        "carries only the URL). A submission taken for a bot (honeypot filled, or " +
        `\`elapsedMs\` under ${MIN_FILL_MS}) is dropped and still answered 202, with ` +
        "`leadId: null`, so bots learn nothing; no lead is created.",
      security: siteKeySecurity,
      request: { query: SiteKeyQuery, body: jsonBody(WidgetLead) },
      responses: {
        202: {
          description: "Committed (or dropped as a bot: `leadId` null)",
          content: json(z.object({ leadId: z.string().nullable() })),
        },
        ...authErrors,
      },
    }),
    async (c) => {
      const form = c.req.valid("json");
      const bot = botCheck(form, minFillMs);
      if (bot) {
        deps.onBot?.(bot);
        return c.json({ leadId: null }, 202);
      }
      const r = await captureLead(deps.system, c.var.auth.tenant, widgetCapture(form));
      return c.json({ leadId: r.leadId }, 202);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/config",
      tags,
      summary: "What the widget needs to render for this site key",
      security: siteKeySecurity,
      request: { query: SiteKeyQuery },
      responses: {
        200: {
          description: "The tenant's display name and the bot-check parameters",
          content: json(z.object({
            tenant: z.string(),
            name: z.string(),
            honeypotField: z.string(),
            minFillMs: z.number(),
          })),
        },
        ...authErrors,
      },
    }),
    async (c) => {
      const tenant = c.var.auth.tenant;
      const [row] = await sql<{ name: string }[]>`SELECT name FROM tenants WHERE id = ${tenant}`;
      return c.json({
        tenant,
        name: row?.name ?? tenant,
        honeypotField: HONEYPOT_FIELD,
        minFillMs,
      }, 200);
    },
  );

  return app;
}
