/**
 * What every authenticated REST router is built over, and the one middleware
 * that guards it: authentication (token or API key), the role check, then the
 * caller's rate limit, in that order so limits count per caller, not per IP.
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";
import type { ActorSystem } from "../actors/runtime/mod.ts";
import type { Role } from "../shared/mod.ts";
import {
  type ApiKeyStore,
  type AuthEnv,
  ForbiddenError,
  requireAuth,
  type TokenService,
} from "./auth.ts";

/** The dependencies shared by every REST router of the node. */
export interface ApiDeps {
  system: ActorSystem;
  tokens: TokenService;
  /** Accepts `X-Api-Key` when set. */
  apiKeys?: ApiKeyStore;
  /** Runs after authentication (see `rateLimit`); none when unset. */
  limiter?: MiddlewareHandler;
}

/** People and Minerva: the roles that may use the admin REST routes. */
export const STAFF_ROLES: readonly Role[] = ["admin", "agent", "ai"];

/** Authenticates, checks `roles`, then applies the rate limit. */
export function guard(deps: ApiDeps, roles: readonly Role[]): MiddlewareHandler<AuthEnv> {
  const auth = requireAuth({
    roles,
    tokens: deps.tokens,
    ...(deps.apiKeys ? { apiKeys: deps.apiKeys } : {}),
  });
  const limiter = deps.limiter;
  return (c, next) => auth(c, () => limiter ? limiter(c, next).then(() => {}) : next());
}

/** Middleware for one route: 403 unless the authenticated caller has one of `roles`. */
export function onlyRoles(...roles: Role[]): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const role = c.var.auth.role;
    if (!roles.includes(role)) {
      throw new ForbiddenError(`role ${role} may not do this (allowed: ${roles.join(", ")})`);
    }
    await next();
  };
}
