/**
 * What every authenticated REST router is built over, and the one middleware
 * that guards it: authentication (token or API key), the role check, then the
 * caller's rate limit, in that order so limits count per caller, not per IP;
 * last the `ai` role's policy (`ai_policy.ts`), so a mutating request of
 * Minerva runs only in autopilot and is otherwise recorded as a suggestion.
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
import { aiPolicy, withRoles } from "./ai_policy.ts";
import type { ProviderStatus } from "./outbox_api.ts";

/** The dependencies shared by every REST router of the node. */
export interface ApiDeps {
  system: ActorSystem;
  tokens: TokenService;
  /** Accepts `X-Api-Key` when set. */
  apiKeys?: ApiKeyStore;
  /** Runs after authentication (see `rateLimit`); none when unset. */
  limiter?: MiddlewareHandler;
  /** Each channel's provider and breaker on this node (`GET /v1/providers`); none when unset. */
  providerStatus?: () => ProviderStatus[];
}

/** People and Minerva: the roles that may use the admin REST routes. */
export const STAFF_ROLES: readonly Role[] = ["admin", "agent", "ai"];

/**
 * Authenticates, checks `roles`, applies the rate limit, then the `ai`
 * policy. A route that configures that policy must leave `ai` out of
 * `roles`, so it is refused (403) before the policy could record it.
 */
export function guard(deps: ApiDeps, roles: readonly Role[]): MiddlewareHandler<AuthEnv> {
  const auth = requireAuth({
    roles,
    tokens: deps.tokens,
    ...(deps.apiKeys ? { apiKeys: deps.apiKeys } : {}),
  });
  const limiter = deps.limiter;
  const policy = aiPolicy(deps);
  return async (c, next) => {
    // The policy may answer itself (202 for a suggestion): hand that answer back to Hono.
    let answer: Response | void = undefined;
    const afterLimit = async () => {
      const r = await policy(c, next);
      if (r instanceof Response) answer = r;
    };
    await auth(c, () => limiter ? limiter(c, afterLimit).then(() => {}) : afterLimit());
    return answer;
  };
}

/** Middleware for one route: 403 unless the authenticated caller has one of `roles`. */
export function onlyRoles(...roles: Role[]): MiddlewareHandler<AuthEnv> {
  // Marked, so the ai policy refuses such a route to `ai` rather than suggest it.
  return withRoles(async (c, next) => {
    const role = c.var.auth.role;
    if (!roles.includes(role)) {
      throw new ForbiddenError(`role ${role} may not do this (allowed: ${roles.join(", ")})`);
    }
    await next();
  }, roles);
}
