/**
 * The widget routes under `/v1/widget`: the embeddable capture form reads
 * its site key's settings, lists free meeting times, and posts a lead (with
 * a chosen time, booked in the same request) with its public site key. The
 * key names the tenant and the origins it may be used from (CORS for those
 * only, see `siteKeyAuth`); the limit is per IP and site key. Two cheap bot
 * checks run before anything is written: a honeypot field people never see,
 * and the time the form was open.
 *
 * A submit may carry any of the lead fields even when its site key's form no
 * longer shows them: a page that cached an older widget keeps working and
 * what a person typed is never dropped. The settings decide what the form
 * shows, not what the gateway accepts.
 *
 * @module
 */
import { captureLead } from "../actors/lead/mod.ts";
import {
  type Clock,
  ContactInput,
  identifiesSomeone,
  IDENTIFY_ISSUE,
  IsoInstant,
  TimeZone,
} from "../shared/mod.ts";
import { bookForWidgetLead, hasBookableMembers, widgetSlots } from "./_widget_booking.ts";
import { storedWidgetSettings, WIDGET_FIELDS, WidgetSettings } from "./_widget_settings.ts";
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

export { WIDGET_FIELDS, WidgetSettings };

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
  timeZone: TimeZone.optional().openapi({
    description: "The visitor's IANA time zone (the browser's); becomes the lead's",
  }),
  slot: z.object({ start: IsoInstant, end: IsoInstant }).refine((s) => {
    const minutes = (Date.parse(s.end) - Date.parse(s.start)) / 60_000;
    return Number.isInteger(minutes) && minutes >= 5 && minutes <= 480;
  }, { message: "end must be 5 to 480 whole minutes after start", path: ["end"] }).optional()
    .openapi({
      description: "A time from `GET /v1/widget/slots` to book for the lead, after the capture",
    }),
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
    contact: defined({
      name: f.name,
      email: f.email,
      phone: f.phone,
      company: f.company,
      timeZone: f.timeZone,
    }),
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

/** How far ahead `GET /v1/widget/slots` looks, days. */
export const MAX_SLOT_DAYS = 14;

const BookingOutcome = z.discriminatedUnion("status", [
  z.object({ status: z.literal("booked"), start: z.string(), end: z.string() }),
  z.object({
    status: z.literal("unavailable"),
    reason: z.string().openapi({ description: "Why no meeting was booked; the lead still is" }),
  }),
]).openapi("WidgetBookingOutcome");

const WidgetConfig = z.object({
  tenant: z.string(),
  name: z.string(),
  honeypotField: z.string(),
  minFillMs: z.number(),
  configured: z.boolean().openapi({
    description: "Whether the key has widget settings; without, a page's own `fields` apply",
  }),
  fields: z.array(z.enum(WIDGET_FIELDS)).openapi({ description: "Fields to show, in order" }),
  labels: z.record(z.string(), z.string()).openapi({
    description: "Labels set for this site key; other fields keep the widget's own",
  }),
  thankYou: z.string().nullable().openapi({ description: "null: the widget's own message" }),
  booking: z.boolean().openapi({
    description: "Offer meeting times: enabled for the key and a team member has working hours",
  }),
}).openapi("WidgetConfig");

const SlotsQuery = SiteKeyQuery.extend({
  days: z.coerce.number().int().min(1).max(MAX_SLOT_DAYS).default(7).openapi({
    description: `Days ahead, 1-${MAX_SLOT_DAYS}`,
  }),
  tz: TimeZone.optional().openapi({ description: "Time zone of the labels (default UTC)" }),
});

const WidgetSlots = z.object({
  timeZone: z.string().openapi({ description: "The zone the labels are written in" }),
  slots: z.array(z.object({
    start: z.string(),
    end: z.string(),
    label: z.string().openapi({ example: "Tue, Mar 3, 10:00 – 10:30 AM (UTC)" }),
  })),
}).openapi("WidgetSlots");

/** The `/v1/widget` sub-app. */
export function widgetRoutes(deps: WidgetRouteDeps): OpenAPIHono<AuthEnv> {
  const app = apiRouter<AuthEnv>();
  const sql = deps.system.journal.sql;
  const minFillMs = deps.minFillMs ?? MIN_FILL_MS;
  const clock = deps.clock ?? deps.system.clock;
  const sites = deps.siteKeys ?? new PostgresApiKeyStore(sql);
  /** The caller's site key's settings (`sub` is `site:<key>`), and whether it has any stored. */
  const settingsOf = async (sub: string) => {
    const stored = (await sites.findSiteKey(sub.slice("site:".length)))?.widget;
    return { ...storedWidgetSettings(stored), configured: stored !== undefined && stored !== null };
  };
  /** Whether the key's form offers times now: enabled, and someone can be booked. */
  const offersBooking = async (tenant: string, settings: WidgetSettings) =>
    settings.booking && await hasBookableMembers(deps.system, tenant);

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
  app.use("*", siteKeyAuth(sites));
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
      summary: "Capture a lead from the widget (and book its chosen time); 202 once committed",
      description: "Send the site key as `X-Site-Key` and as `?site_key=` (the CORS preflight " +
        "carries only the URL). A submission taken for a bot (honeypot filled, or " +
        `\`elapsedMs\` under ${MIN_FILL_MS}) is dropped and still answered 202, with ` +
        "`leadId: null`, so bots learn nothing; no lead is created. With `slot`, the time is " +
        "booked for the lead after the capture commits, on a team member's calendar; the same " +
        "`idempotencyKey` never books twice. A time no longer free (or a key that no longer " +
        "offers times) still captures the lead and answers `booking.status: unavailable`. " +
        "Lead fields the key's form does not show are accepted all the same (an older cached " +
        "widget keeps working).",
      security: siteKeySecurity,
      request: { query: SiteKeyQuery, body: jsonBody(WidgetLead) },
      responses: {
        202: {
          description: "Committed (or dropped as a bot: `leadId` null); `booking` when a slot " +
            "was asked for",
          content: json(z.object({
            leadId: z.string().nullable(),
            booking: BookingOutcome.optional(),
          })),
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
      const { tenant, sub } = c.var.auth;
      const r = await captureLead(deps.system, tenant, widgetCapture(form));
      if (!form.slot) return c.json({ leadId: r.leadId }, 202);
      // After the capture committed: whatever happens to the booking, the lead is kept.
      const offered = (await settingsOf(sub)).booking;
      const booking = offered
        ? await bookForWidgetLead(deps.system, tenant, {
          leadId: r.leadId,
          slot: form.slot,
          idempotencyKey: form.idempotencyKey,
          ...(form.timeZone ? { timeZone: form.timeZone } : {}),
        })
        : { status: "unavailable" as const, reason: "this form does not offer meeting times" };
      return c.json({ leadId: r.leadId, booking }, 202);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/config",
      tags,
      summary: "What the widget needs to render for this site key",
      description: "The fields, labels and thank-you message set for the key " +
        "(`POST /v1/site-keys`, `PATCH /v1/site-keys/{id}`), and whether to offer meeting times.",
      security: siteKeySecurity,
      request: { query: SiteKeyQuery },
      responses: {
        200: { description: "The form to render", content: json(WidgetConfig) },
        ...authErrors,
      },
    }),
    async (c) => {
      const { tenant, sub } = c.var.auth;
      const [row] = await sql<{ name: string }[]>`SELECT name FROM tenants WHERE id = ${tenant}`;
      const settings = await settingsOf(sub);
      return c.json({
        tenant,
        name: row?.name ?? tenant,
        honeypotField: HONEYPOT_FIELD,
        minFillMs,
        configured: settings.configured,
        fields: settings.fields,
        labels: settings.labels,
        thankYou: settings.thankYou ?? null,
        booking: await offersBooking(tenant, settings),
      }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/slots",
      tags,
      summary: "Free meeting times for the widget's picker (times only, no names)",
      description: "The free slots of every team member who can be booked, merged: start and " +
        "end (UTC) and a label in `tz`. Empty when the key does not offer times. A slot may " +
        "be taken before it is booked: the submit then says so.",
      security: siteKeySecurity,
      request: { query: SlotsQuery },
      responses: {
        200: { description: "Free times, by start", content: json(WidgetSlots) },
        ...authErrors,
      },
    }),
    async (c) => {
      const { days, tz } = c.req.valid("query");
      const { tenant, sub } = c.var.auth;
      const timeZone = tz ?? "UTC";
      const settings = await settingsOf(sub);
      const slots = settings.booking
        ? await widgetSlots(deps.system, tenant, { now: clock.now(), days, timeZone })
        : [];
      return c.json({ timeZone, slots }, 200);
    },
  );

  return app;
}
