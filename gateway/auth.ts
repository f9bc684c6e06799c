/**
 * Authentication and tenant isolation for gateway routes. People and Minerva
 * carry short-lived JWTs (HS256 only) renewed with a refresh token; servers
 * carry API keys (`X-Api-Key`), stored only as hashes; the widget carries a
 * public site key bound to its site's origins, and gets CORS for those only.
 * Every way in ends as one {@link Principal} in `c.var.auth`, and
 * {@link requireTenant} makes a route refuse any tenant but the caller's.
 *
 * @module
 */
import { createHash, randomBytes } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
// jose rather than a hand-rolled HMAC: it is the maintained, dependency-free
// JOSE library on Web Crypto, and its `algorithms` allow-list is what keeps
// `alg: none` and algorithm-confusion tokens out.
import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import type { Sql } from "../actors/runtime/mod.ts";
import {
  type Claims,
  Claims as ClaimsSchema,
  type Clock,
  ConfigError,
  CoveError,
  newId,
  type Principal,
  type Role,
  systemClock,
  type TokenType,
} from "../shared/mod.ts";

/** A request without valid credentials; the message says what was wrong. A public 401. */
export class AuthError extends CoveError {
  /** `why` is shown to the caller, e.g. `token expired`. */
  constructor(why: string) {
    super("unauthorized", why, { status: 401, public: true });
  }
}

/** Valid credentials that may not do this (role or tenant). A public 403. */
export class ForbiddenError extends CoveError {
  /** `why` is shown to the caller, e.g. `role agent may not ...`. */
  constructor(why: string) {
    super("forbidden", why, { status: 403, public: true });
  }
}

/** The Hono environment of an authenticated route: `c.var.auth` is the caller. */
export type AuthEnv = { Variables: { auth: Principal } };

// ---------------------------------------------------------------- tokens

/** Options of {@link createTokenService}. */
export interface TokenServiceOptions {
  /** HMAC key, at least 32 bytes (HS256 is only as strong as its key). */
  secret: string | Uint8Array;
  /** Access token lifetime, seconds (default 900: a stolen one is short-lived). */
  accessTtlSec?: number;
  /** Refresh token lifetime, seconds (default 7 days). */
  refreshTtlSec?: number;
  /** Source of "now" for issuing and expiry (default the wall clock). */
  clock?: Clock;
}

/** A fresh pair of tokens, as a login or refresh answers it. */
export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  /** Seconds the access token is valid for. */
  expiresIn: number;
}

/** Signs and checks the gateway's JWTs; see {@link createTokenService}. */
export interface TokenService {
  /** A new access and refresh token for `principal`. */
  issue(principal: Principal): Promise<TokenPair>;
  /** The claims of a valid token of type `typ`; throws {@link AuthError} saying why not. */
  verify(token: string, opts: { typ: TokenType }): Promise<Claims>;
  /** A new pair for the holder of a valid refresh token. */
  refresh(refreshToken: string): Promise<TokenPair>;
}

const ALG = "HS256";

/** Builds the token service; throws {@link ConfigError} when the secret is shorter than 32 bytes. */
export function createTokenService(opts: TokenServiceOptions): TokenService {
  const key = typeof opts.secret === "string" ? new TextEncoder().encode(opts.secret) : opts.secret;
  if (key.byteLength < 32) {
    throw new ConfigError([{
      path: "secret",
      message: `JWT secret has ${key.byteLength} bytes; HS256 needs at least 32`,
    }]);
  }
  const accessTtl = opts.accessTtlSec ?? 900;
  const refreshTtl = opts.refreshTtlSec ?? 7 * 24 * 3600;
  const clock = opts.clock ?? systemClock;

  const sign = (p: Principal, typ: TokenType, ttl: number, iat: number) =>
    new SignJWT({ tenant: p.tenant, role: p.role, typ })
      .setProtectedHeader({ alg: ALG, typ: "JWT" })
      .setSubject(p.sub)
      .setIssuedAt(iat)
      .setExpirationTime(iat + ttl)
      .sign(key);

  const service: TokenService = {
    async issue(principal) {
      const iat = Math.floor(clock.now() / 1000);
      const { sub, tenant, role } = principal;
      return {
        accessToken: await sign({ sub, tenant, role }, "access", accessTtl, iat),
        refreshToken: await sign({ sub, tenant, role }, "refresh", refreshTtl, iat),
        expiresIn: accessTtl,
      };
    },

    async verify(token, { typ }) {
      let payload: unknown;
      try {
        ({ payload } = await jwtVerify(token, key, {
          algorithms: [ALG],
          currentDate: new Date(clock.now()),
          requiredClaims: ["exp", "iat", "sub"],
        }));
      } catch (error) {
        throw new AuthError(whyRejected(error));
      }
      const parsed = ClaimsSchema.safeParse(payload);
      if (!parsed.success) {
        const fields = parsed.error.issues.map((i) => i.path.join(".") || "(root)").join(", ");
        throw new AuthError(`malformed token: bad claims ${fields}`);
      }
      if (parsed.data.typ !== typ) {
        throw new AuthError(`expected an ${typ} token, got a ${parsed.data.typ} token`);
      }
      return parsed.data;
    },

    async refresh(refreshToken) {
      const { sub, tenant, role } = await service.verify(refreshToken, { typ: "refresh" });
      return await service.issue({ sub, tenant, role });
    },
  };
  return service;
}

/** Why jose refused a token, in words a caller can act on (never the token itself). */
function whyRejected(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return "token expired";
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return "bad token signature";
  if (
    error instanceof joseErrors.JOSEAlgNotAllowed || error instanceof joseErrors.JOSENotSupported
  ) {
    return `token algorithm not allowed: only ${ALG}`;
  }
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    return `malformed token: claim ${error.claim} ${error.reason}`;
  }
  return "malformed token";
}

// ---------------------------------------------------------------- API keys

/** One stored API key; the key itself is never stored, only {@link hashApiKey} of it. */
export interface ApiKeyRecord {
  tenant: string;
  /** Public id, part of the key, used to name it for revocation. */
  id: string;
  hash: string;
  role: Role;
  /** Epoch ms. */
  createdAt: number;
  /** Epoch ms, or null while the key works. */
  revokedAt: number | null;
}

/** A widget site key and the origins it may be used from. */
export interface SiteKey {
  key: string;
  tenant: string;
  /** Exact origins such as `https://shop.example.com`. */
  allowedOrigins: string[];
  /**
   * The widget's settings as stored (JSON; see `gateway/_widget_settings.ts`), or null/absent
   * for the defaults. Read through `storedWidgetSettings`, which tolerates an outdated value.
   */
  widget?: unknown;
}

/** Where API keys live (the port; {@link MemoryApiKeyStore}, {@link PostgresApiKeyStore}). */
export interface ApiKeyStore {
  /** Stores a new key record. */
  add(record: ApiKeyRecord): Promise<void>;
  /** The record whose hash is `hash`, revoked or not; null when there is none. */
  findByHash(hash: string): Promise<ApiKeyRecord | null>;
  /** Revokes a key at `at` (epoch ms); false when the tenant has no such live key. */
  revoke(tenant: string, id: string, at: number): Promise<boolean>;
}

/** Where widget site keys live; the stores below hold them beside the API keys. */
export interface SiteKeyStore {
  /** The site key `key`, or null. */
  findSiteKey(key: string): Promise<SiteKey | null>;
  /** Creates or replaces a site key. */
  putSiteKey(site: SiteKey): Promise<void>;
}

/**
 * The stored form of an API key: hex SHA-256. A plain fast hash is enough
 * because keys are 32 random bytes, not passwords: there is nothing to guess.
 */
export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/** Creates a key for `tenant` with `role`; the plain key is returned here once and never again. */
export async function createApiKey(
  store: ApiKeyStore,
  opts: { tenant: string; role: Role; clock?: Clock },
): Promise<{ id: string; key: string }> {
  const id = newId();
  const key = `cove_${id}_${randomBytes(32).toString("base64url")}`;
  await store.add({
    tenant: opts.tenant,
    id,
    hash: hashApiKey(key),
    role: opts.role,
    createdAt: (opts.clock ?? systemClock).now(),
    revokedAt: null,
  });
  return { id, key };
}

/** The caller an API key stands for; throws {@link AuthError} when it is unknown or revoked. */
export async function verifyApiKey(store: ApiKeyStore, key: string): Promise<Principal> {
  const record = await store.findByHash(hashApiKey(key));
  if (!record) throw new AuthError("unknown API key");
  if (record.revokedAt !== null) throw new AuthError("API key revoked");
  return { sub: `key:${record.id}`, tenant: record.tenant, role: record.role };
}

/** API and site keys in memory: embedded mode and tests. */
export class MemoryApiKeyStore implements ApiKeyStore, SiteKeyStore {
  readonly #keys = new Map<string, ApiKeyRecord>();
  readonly #sites = new Map<string, SiteKey>();

  /** Stores a copy, so callers cannot change a stored record. */
  add(record: ApiKeyRecord): Promise<void> {
    this.#keys.set(record.hash, { ...record });
    return Promise.resolve();
  }
  /** See {@link ApiKeyStore.findByHash}. */
  findByHash(hash: string): Promise<ApiKeyRecord | null> {
    const r = this.#keys.get(hash);
    return Promise.resolve(r ? { ...r } : null);
  }
  /** See {@link ApiKeyStore.revoke}. */
  revoke(tenant: string, id: string, at: number): Promise<boolean> {
    for (const r of this.#keys.values()) {
      if (r.tenant === tenant && r.id === id && r.revokedAt === null) {
        r.revokedAt = at;
        return Promise.resolve(true);
      }
    }
    return Promise.resolve(false);
  }
  /** See {@link SiteKeyStore.findSiteKey}. */
  findSiteKey(key: string): Promise<SiteKey | null> {
    const s = this.#sites.get(key);
    return Promise.resolve(s ? structuredClone(s) : null);
  }
  /** See {@link SiteKeyStore.putSiteKey}. */
  putSiteKey(site: SiteKey): Promise<void> {
    this.#sites.set(site.key, structuredClone(site));
    return Promise.resolve();
  }
}

/** API and site keys in Postgres (tables of {@link gatewayMigrations}), shared by every node. */
export class PostgresApiKeyStore implements ApiKeyStore, SiteKeyStore {
  readonly #sql: Sql;
  /** `sql` is a migrated database's client. */
  constructor(sql: Sql) {
    this.#sql = sql;
  }
  /** See {@link ApiKeyStore.add}. */
  async add(r: ApiKeyRecord): Promise<void> {
    await this.#sql`
      INSERT INTO api_keys (tenant, id, hash, role, created_at, revoked_at)
      VALUES (${r.tenant}, ${r.id}, ${r.hash}, ${r.role}, ${new Date(r.createdAt)},
              ${r.revokedAt === null ? null : new Date(r.revokedAt)})`;
  }
  /** See {@link ApiKeyStore.findByHash}. */
  async findByHash(hash: string): Promise<ApiKeyRecord | null> {
    const [row] = await this.#sql<
      { tenant: string; id: string; hash: string; role: Role; created: number; revoked: number }[]
    >`
      SELECT tenant, id, hash, role,
             (extract(epoch FROM created_at) * 1000)::float8 AS created,
             (extract(epoch FROM revoked_at) * 1000)::float8 AS revoked
      FROM api_keys WHERE hash = ${hash}`;
    if (!row) return null;
    return {
      tenant: row.tenant,
      id: row.id,
      hash: row.hash,
      role: row.role,
      createdAt: Number(row.created),
      revokedAt: row.revoked === null ? null : Number(row.revoked),
    };
  }
  /** See {@link ApiKeyStore.revoke}. */
  async revoke(tenant: string, id: string, at: number): Promise<boolean> {
    const rows = await this.#sql`
      UPDATE api_keys SET revoked_at = ${new Date(at)}
      WHERE tenant = ${tenant} AND id = ${id} AND revoked_at IS NULL RETURNING id`;
    return rows.length > 0;
  }
  /** See {@link SiteKeyStore.findSiteKey}. */
  async findSiteKey(key: string): Promise<SiteKey | null> {
    const [row] = await this.#sql<{ tenant: string; origins: string; widget: string | null }[]>`
      SELECT tenant, array_to_json(allowed_origins)::text AS origins, widget::text AS widget
      FROM site_keys WHERE key = ${key}`;
    // Arrays and JSON cross as text both ways, so the embedded and the real Postgres path agree.
    if (!row) return null;
    return {
      key,
      tenant: row.tenant,
      allowedOrigins: JSON.parse(row.origins),
      ...(row.widget === null ? {} : { widget: JSON.parse(row.widget) }),
    };
  }
  /** See {@link SiteKeyStore.putSiteKey}. */
  async putSiteKey(site: SiteKey): Promise<void> {
    const origins = JSON.stringify(site.allowedOrigins);
    const widget = site.widget === undefined || site.widget === null
      ? null
      : JSON.stringify(site.widget);
    await this.#sql`
      INSERT INTO site_keys (key, tenant, allowed_origins, widget)
      VALUES (${site.key}, ${site.tenant},
              ARRAY(SELECT jsonb_array_elements_text(${origins}::text::jsonb)),
              ${widget}::text::jsonb)
      ON CONFLICT (key) DO UPDATE
      SET tenant = EXCLUDED.tenant, allowed_origins = EXCLUDED.allowed_origins,
          widget = EXCLUDED.widget`;
  }
}

// ---------------------------------------------------------------- middleware

/** Options of {@link requireAuth}. */
export interface RequireAuthOptions {
  /** Roles that may use the routes behind it. */
  roles: readonly Role[];
  /** Checks `Authorization: Bearer` access tokens; without it, bearer tokens are refused. */
  tokens?: TokenService;
  /** Checks `X-Api-Key`; without it, API keys are refused. */
  apiKeys?: ApiKeyStore;
}

/**
 * Middleware: authenticates by bearer token or `X-Api-Key`, answers 401 when
 * neither is valid and 403 when the caller's role is not in `roles`, and
 * otherwise sets `c.var.auth`. Routes with a tenant in the path must still
 * call {@link requireTenant}.
 */
export function requireAuth(opts: RequireAuthOptions): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const principal = await authenticate(c, opts);
    if (!opts.roles.includes(principal.role)) {
      throw new ForbiddenError(
        `role ${principal.role} may not use this route (allowed: ${opts.roles.join(", ")})`,
      );
    }
    c.set("auth", principal);
    await next();
  };
}

async function authenticate(c: Context, opts: RequireAuthOptions): Promise<Principal> {
  const header = c.req.header("Authorization");
  const apiKey = c.req.header("X-Api-Key");
  if (header !== undefined) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) throw new AuthError("malformed Authorization header: expected `Bearer <token>`");
    if (!opts.tokens) throw new AuthError("bearer tokens are not accepted here");
    const { sub, tenant, role } = await opts.tokens.verify(m[1]!, { typ: "access" });
    return { sub, tenant, role };
  }
  if (apiKey !== undefined) {
    if (!opts.apiKeys) throw new AuthError("API keys are not accepted here");
    return await verifyApiKey(opts.apiKeys, apiKey);
  }
  throw new AuthError("missing credentials: send `Authorization: Bearer <token>` or `X-Api-Key`");
}

/**
 * Refuses with 403 unless the authenticated caller belongs to `tenant`
 * (typically the path's `:tenant`). Every tenant-scoped route and stream
 * calls it, admin included: no role crosses tenants.
 */
export function requireTenant(c: Context<AuthEnv>, tenant: string): Principal {
  const auth = c.get("auth") as Principal | undefined;
  // A route that forgot requireAuth is a bug; fail closed rather than serve it.
  if (!auth) throw new CoveError("auth_not_wired", "requireTenant on a route without requireAuth");
  if (auth.tenant !== tenant) {
    throw new ForbiddenError(`this credential is for another tenant, not ${tenant}`);
  }
  return auth;
}

/** What any site key looks like; anything else is unknown without asking the store. */
const SITE_KEY_SHAPE = /^[\w.:-]{1,200}$/;

/** Headers a widget may send cross-origin, and how long a browser may cache a preflight. */
const WIDGET_CORS = {
  methods: "GET, POST, OPTIONS",
  headers: "Content-Type, X-Site-Key",
  maxAgeSec: "600",
};

/**
 * Middleware for widget routes: the site key (`X-Site-Key`, or the
 * `site_key` query parameter, which is all a CORS preflight carries) names
 * the tenant, and the request's `Origin` must be one of the key's allowed
 * origins. CORS headers echo that origin and no other; a preflight is
 * answered here (204, with CORS headers only for an allowed origin). Sets
 * `c.var.auth` to role `widget`, `sub` `site:<key>`.
 */
export function siteKeyAuth(store: SiteKeyStore): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const origin = c.req.header("Origin");
    const key = c.req.header("X-Site-Key") ?? c.req.query("site_key");
    // A key that cannot exist never reaches the store (a NUL byte is a database error there).
    const site = key && SITE_KEY_SHAPE.test(key) ? await store.findSiteKey(key) : null;
    const allowed = site !== null && origin !== undefined && site.allowedOrigins.includes(origin);
    // Caches must not hand one site's CORS answer to another.
    c.header("Vary", "Origin");
    if (allowed) c.header("Access-Control-Allow-Origin", origin);
    if (c.req.method === "OPTIONS") {
      if (allowed) {
        c.header("Access-Control-Allow-Methods", WIDGET_CORS.methods);
        c.header("Access-Control-Allow-Headers", WIDGET_CORS.headers);
        c.header("Access-Control-Max-Age", WIDGET_CORS.maxAgeSec);
      }
      return c.body(null, 204);
    }
    if (!key) throw new AuthError("missing site key: send `X-Site-Key` or `?site_key=`");
    if (!site) throw new AuthError("unknown site key");
    // The key is public, so the origin is what binds it to its site; the widget
    // always runs cross-origin, so a browser always sends one.
    if (!allowed) {
      throw new ForbiddenError(`origin ${origin ?? "(none)"} may not use this site key`);
    }
    c.set("auth", { sub: `site:${site.key}`, tenant: site.tenant, role: "widget" });
    return await next();
  };
}
