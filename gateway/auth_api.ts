/**
 * The credential routes: renew tokens (`/v1/auth/refresh`), exchange a
 * one-time sign-in code for tokens (`/v1/auth/signin`), mint a stream ticket
 * for EventSource (`/v1/auth/ticket`), and an admin's API keys
 * (`/v1/api-keys`) and widget site keys with their form's settings
 * (`/v1/site-keys`). One-time codes
 * (sign-in codes and stream tickets) live in Postgres as hashes, so any node
 * redeems what another minted, and each redeems exactly once.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import type { Sql } from "../actors/runtime/mod.ts";
import { type Clock, NotFoundError, type Principal, Role, systemClock } from "../shared/mod.ts";
import {
  type AuthEnv,
  AuthError,
  createApiKey,
  hashApiKey,
  PostgresApiKeyStore,
  type SiteKey,
} from "./auth.ts";
import { type ApiDeps, guard } from "./guard.ts";
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
import { storedWidgetSettings, WidgetSettings } from "./_widget_settings.ts";

// ---------------------------------------------------------------- one-time codes

/** What a one-time code is for: signing in, or opening one stream connection. */
export type CodePurpose = "signin" | "stream";

/** Prefix of stream tickets, so a stream can tell one from a JWT without a lookup. */
export const TICKET_PREFIX = "tkt_";

/** How long a stream ticket lives: long enough to open an EventSource, no longer. */
export const TICKET_TTL_MS = 60_000;

/**
 * Single-use codes in Postgres (table `one_time_codes`), stored as SHA-256
 * hashes. Redeeming is one `UPDATE ... WHERE used_at IS NULL`, so two nodes
 * redeeming the same code at once cannot both win.
 */
export class OneTimeCodes {
  readonly #sql: Sql;
  readonly #clock: Clock;

  /** `sql` is a migrated database's client (or a transaction of one). */
  constructor(sql: Sql, clock: Clock = systemClock) {
    this.#sql = sql;
    this.#clock = clock;
  }

  /** A new code for `principal`, valid for `ttlMs`; the plain code is returned here only. */
  async mint(purpose: CodePurpose, principal: Principal, ttlMs: number): Promise<string> {
    const now = this.#clock.now();
    const code = (purpose === "stream" ? TICKET_PREFIX : "") +
      randomBytes(32).toString("base64url");
    // Expired codes are dead weight; the expiry index makes this sweep cheap.
    await this.#sql`DELETE FROM one_time_codes WHERE expires_at < ${new Date(now)}`;
    await this.#sql`
      INSERT INTO one_time_codes (hash, purpose, tenant, sub, role, expires_at)
      VALUES (${hashApiKey(code)}, ${purpose}, ${principal.tenant}, ${principal.sub},
              ${principal.role}, ${new Date(now + ttlMs)})`;
    return code;
  }

  /** The principal of a live, unused code of `purpose`, marking it used; null otherwise. */
  async redeem(purpose: CodePurpose, code: string): Promise<Principal | null> {
    const now = new Date(this.#clock.now());
    const [row] = await this.#sql<Principal[]>`
      UPDATE one_time_codes SET used_at = ${now}
      WHERE hash = ${hashApiKey(code)} AND purpose = ${purpose}
        AND used_at IS NULL AND expires_at > ${now}
      RETURNING tenant, sub, role`;
    return row ? { tenant: row.tenant, sub: row.sub, role: row.role } : null;
  }
}

// ---------------------------------------------------------------- schemas

const TokenPairSchema = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  expiresIn: z.number().openapi({ description: "Seconds the access token is valid for" }),
}).openapi("TokenPair");

const SignedIn = TokenPairSchema.extend({ tenant: z.string(), role: Role }).openapi("SignedIn");

/** An exact web origin, as a browser sends it in `Origin`. */
const Origin = z.string().max(200).refine((s) => {
  try {
    const u = new URL(s);
    return (u.protocol === "https:" || u.protocol === "http:") && u.origin === s;
  } catch {
    return false;
  }
}, { message: "expected an origin such as https://shop.example.com (no path, no trailing slash)" });

const SiteKeySchema = z.object({
  key: z.string(),
  allowedOrigins: z.array(z.string()),
  widget: z.object({
    fields: z.array(z.string()),
    labels: z.record(z.string(), z.string()),
    thankYou: z.string().optional(),
    booking: z.boolean(),
  }).openapi({ description: "The widget's settings, defaults applied" }),
}).openapi("SiteKey");

/** A site key's id in a path: the key itself (it is public). */
const SiteKeyParam = z.object({
  id: z.string().regex(/^[\x21-\x7e]{1,200}$/, "not a site key").openapi({
    param: { name: "id", in: "path" },
  }),
});

const SiteKeyPatch = z.object({
  allowedOrigins: z.array(Origin).min(1).max(50).optional(),
  widget: WidgetSettings.optional().openapi({ description: "Replaces the settings as a whole" }),
}).refine((b) => b.allowedOrigins !== undefined || b.widget !== undefined, {
  message: "give allowedOrigins or widget",
}).openapi("SiteKeyPatch");

/** A site key as the routes answer it. */
function siteKeyReply(site: SiteKey): z.infer<typeof SiteKeySchema> {
  return {
    key: site.key,
    allowedOrigins: site.allowedOrigins,
    widget: storedWidgetSettings(site.widget),
  };
}

const ApiKeyCreated = z.object({
  id: z.string(),
  key: z.string().openapi({ description: "Shown once; only its hash is stored" }),
  role: Role,
}).openapi("ApiKeyCreated");

// ---------------------------------------------------------------- routes

/** What the credential routes need beyond {@link ApiDeps}. */
export interface AuthRouteDeps extends ApiDeps {
  /** Source of "now" for code expiry (default the actor system's clock). */
  clock?: Clock;
}

const tags = ["auth"];

/**
 * The credential routes, to be mounted at `/v1`. Each route carries its own
 * guard: `use("*")` here would guard every other `/v1` router too.
 */
export function authRoutes(deps: AuthRouteDeps): OpenAPIHono<AuthEnv> {
  const app = apiRouter<AuthEnv>();
  const sql = deps.system.journal.sql;
  const clock = deps.clock ?? deps.system.clock;
  const codes = new OneTimeCodes(sql, clock);
  const keys = deps.apiKeys ?? new PostgresApiKeyStore(sql);
  const sites = new PostgresApiKeyStore(sql);
  // Unauthenticated routes still count against the caller's IP.
  const open = deps.limiter ? [deps.limiter] : [];
  // Not `ai`: its policy would turn a POST into a suggestion, and Minerva can send headers.
  const people = guard(deps, ["admin", "agent"]);
  const admin = guard(deps, ["admin"]);

  app.openapi(
    createRoute({
      method: "post",
      path: "/auth/refresh",
      tags,
      summary: "A new token pair for a valid refresh token (an access token is refused)",
      middleware: open,
      request: { body: jsonBody(z.object({ refreshToken: z.string().min(1).max(4096) })) },
      responses: {
        200: { description: "A new pair", content: json(TokenPairSchema) },
        ...authErrors,
      },
    }),
    async (c) => c.json(await deps.tokens.refresh(c.req.valid("json").refreshToken), 200),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/auth/signin",
      tags,
      summary: "Exchange a one-time sign-in code (from the first-start URL) for tokens",
      description: "Each code works once and expires; the first start prints one for tenant " +
        "`demo`'s admin as `/signin#code=...`.",
      middleware: open,
      request: { body: jsonBody(z.object({ code: z.string().min(1).max(200) })) },
      responses: {
        200: { description: "Signed in", content: json(SignedIn) },
        ...authErrors,
      },
    }),
    async (c) => {
      const who = await codes.redeem("signin", c.req.valid("json").code);
      if (!who) throw new AuthError("sign-in code unknown, already used or expired");
      return c.json({ ...await deps.tokens.issue(who), tenant: who.tenant, role: who.role }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/auth/ticket",
      tags,
      summary:
        "A single-use stream ticket for `/v1/stream/sse?ticket=` (EventSource sets no headers)",
      description: `Valid for ${TICKET_TTL_MS / 1000} s and one connection: ` +
        "to reconnect, mint another and resume with `from=`. For people's browsers; " +
        "Minerva sends its token as a header instead.",
      security: bearerOrApiKey,
      middleware: [people],
      responses: {
        200: {
          description: "The ticket",
          content: json(z.object({ ticket: z.string(), expiresIn: z.number() })),
        },
        ...authErrors,
      },
    }),
    async (c) => {
      const ticket = await codes.mint("stream", c.var.auth, TICKET_TTL_MS);
      return c.json({ ticket, expiresIn: TICKET_TTL_MS / 1000 }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api-keys",
      tags,
      summary: "Create an API key for this tenant (admin); the key is shown only in this answer",
      security: bearerOrApiKey,
      middleware: [admin],
      request: {
        body: jsonBody(z.object({ role: z.enum(["admin", "agent", "ai"]).default("agent") })),
      },
      responses: {
        201: { description: "The new key", content: json(ApiKeyCreated) },
        ...authErrors,
      },
    }),
    async (c) => {
      const { role } = c.req.valid("json");
      const created = await createApiKey(keys, { tenant: c.var.auth.tenant, role, clock });
      await ensureTenant(sql, c.var.auth.tenant);
      return c.json({ ...created, role }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/api-keys/{id}",
      tags,
      summary: "Revoke an API key of this tenant (admin); it answers 401 from then on",
      security: bearerOrApiKey,
      middleware: [admin],
      request: {
        params: z.object({
          id: z.string().regex(/^[\w-]{1,128}$/, "not an API key id").openapi({
            param: { name: "id", in: "path" },
          }),
        }),
      },
      responses: {
        204: { description: "Revoked" },
        ...authErrors,
        ...notFound,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      if (!await keys.revoke(c.var.auth.tenant, id, clock.now())) {
        throw new NotFoundError(`live API key ${id}`);
      }
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/site-keys",
      tags,
      summary: "Create a widget site key for this tenant (admin), bound to its allowed origins",
      description: "`widget` sets what the key's form shows (fields, labels, thank-you " +
        "message, meeting times); left out, the widget's defaults.",
      security: bearerOrApiKey,
      middleware: [admin],
      request: {
        body: jsonBody(z.object({
          allowedOrigins: z.array(Origin).min(1).max(50),
          widget: WidgetSettings.optional(),
        })),
      },
      responses: {
        201: {
          description: "The new site key (public: it goes in the page)",
          content: json(SiteKeySchema),
        },
        ...authErrors,
      },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const site: SiteKey = {
        key: newSiteKey(),
        tenant: c.var.auth.tenant,
        allowedOrigins: [...new Set(body.allowedOrigins)],
        widget: body.widget ?? null,
      };
      await sites.putSiteKey(site);
      await ensureTenant(sql, site.tenant);
      return c.json(siteKeyReply(site), 201);
    },
  );

  app.openapi(
    createRoute({
      method: "patch",
      path: "/site-keys/{id}",
      tags,
      summary: "Change a site key's allowed origins or widget settings (admin)",
      description: "`id` is the key. `widget` replaces the settings as a whole (parts left out " +
        "take the defaults); pages pick the change up at their next load.",
      security: bearerOrApiKey,
      middleware: [admin],
      request: { params: SiteKeyParam, body: jsonBody(SiteKeyPatch) },
      responses: {
        200: { description: "The site key as it now is", content: json(SiteKeySchema) },
        ...authErrors,
        ...notFound,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const patch = c.req.valid("json");
      const found = await sites.findSiteKey(id);
      // Another tenant's key is as absent as a key that never was.
      if (!found || found.tenant !== c.var.auth.tenant) throw new NotFoundError(`site key ${id}`);
      const site: SiteKey = {
        ...found,
        ...(patch.allowedOrigins ? { allowedOrigins: [...new Set(patch.allowedOrigins)] } : {}),
        ...(patch.widget ? { widget: patch.widget } : {}),
      };
      await sites.putSiteKey(site);
      return c.json(siteKeyReply(site), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/site-keys",
      tags,
      summary: "This tenant's widget site keys, their allowed origins and widget settings (admin)",
      security: bearerOrApiKey,
      middleware: [admin],
      responses: {
        200: {
          description: "The site keys",
          content: json(z.object({ items: z.array(SiteKeySchema) })),
        },
        ...authErrors,
      },
    }),
    async (c) => {
      const tenant = c.var.auth.tenant;
      const rows = await sql<{ key: string; origins: string; widget: string | null }[]>`
        SELECT key, array_to_json(allowed_origins)::text AS origins, widget::text AS widget
        FROM site_keys WHERE tenant = ${tenant} ORDER BY key`;
      const items = rows.map((r) =>
        siteKeyReply({
          key: r.key,
          tenant,
          allowedOrigins: JSON.parse(r.origins),
          widget: r.widget === null ? null : JSON.parse(r.widget),
        })
      );
      return c.json({ items }, 200);
    },
  );

  return app;
}

/** A new public site key. */
export function newSiteKey(): string {
  return `site_${randomBytes(16).toString("base64url")}`;
}

/** Records `tenant` as existing (see `bootstrap.ts`: a database with tenants is not a first start). */
export async function ensureTenant(sql: Sql, tenant: string, name = tenant): Promise<void> {
  await sql`INSERT INTO tenants (id, name) VALUES (${tenant}, ${name}) ON CONFLICT (id) DO NOTHING`;
}

/**
 * The stream routes' token check (`VerifyStreamToken`): a ticket from
 * `/v1/auth/ticket` (redeemed once), else an access token checked by `verifyAccess`.
 */
export function verifyStreamCredential(
  codes: OneTimeCodes,
  verifyAccess: (token: string) => Promise<{ tenant: string }>,
): (token: string) => Promise<{ tenant: string } | null> {
  return async (token) => {
    try {
      if (token.startsWith(TICKET_PREFIX)) {
        const who = await codes.redeem("stream", token);
        return who ? { tenant: who.tenant } : null;
      }
      return await verifyAccess(token);
    } catch {
      return null;
    }
  };
}
