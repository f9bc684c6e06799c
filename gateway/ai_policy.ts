/**
 * The `ai` role's policy: every mutating REST request (anything but GET,
 * HEAD and OPTIONS) made by Minerva passes through its tenant's
 * {@link AiMode}. In `autopilot` it runs as usual; in `suggest` it does not
 * run: it is recorded durably as a suggestion (a `suggestion` actor, so
 * `suggestion.created` reaches the tenant's live stream) and answered
 * `202 {"suggestionId", "status": "pending"}` for an admin to approve or
 * reject (see `suggestions_api.ts`). {@link guard} applies it to every REST
 * router, after authentication, the role check and the rate limit.
 *
 * Neither mode skips quiet hours or consent: the policy only decides
 * whether a request runs, and every SMS or email a request causes is sent
 * through the outbox dispatcher, which checks them at send time.
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import { aiModeOf, settings, SETTINGS_ID } from "../actors/lead/mod.ts";
import type { ActorSystem } from "../actors/runtime/mod.ts";
import {
  type AiMode,
  CoveError,
  newId,
  type Role,
  type SuggestedAnswer,
  ValidationError,
} from "../shared/mod.ts";
import type { AuthEnv } from "./auth.ts";
import { unstorableString } from "./openapi.ts";
import { suggestion } from "./suggestion.ts";

/** Methods that only read, so the policy lets them through in every mode. */
const READ_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS"]);

/** Largest body a suggestion keeps; a larger request is refused (413) rather than cut. */
export const MAX_SUGGESTED_BODY_BYTES = 256 * 1024;

/** A step on a suggestion that its status does not allow (approve twice, reject after approve). */
export class SuggestionConflictError extends CoveError {
  /** `id` names the suggestion, `status` where it is now; a public 409. */
  constructor(id: string, status: string, what: string) {
    super("conflict", `suggestion ${id} is ${status}; cannot ${what} it`, {
      status: 409,
      public: true,
      details: { suggestionId: id, status },
    });
  }
}

const ROUTE_ROLES = Symbol("routeRoles");

/**
 * Marks a route's middleware with the roles it admits (`onlyRoles` does),
 * so the policy, which runs before it, lets a route `ai` may not use refuse
 * the request (403) instead of recording it as a suggestion.
 */
export function withRoles(
  mw: MiddlewareHandler<AuthEnv>,
  roles: readonly Role[],
): MiddlewareHandler<AuthEnv> {
  return Object.assign(mw, { [ROUTE_ROLES]: roles });
}

const READS_ONLY = Symbol("readsOnly");

/**
 * Middleware marking a POST route that changes nothing (a preview, a count,
 * a draft not saved), so the policy lets the `ai` role run it in every mode
 * instead of recording a suggestion nobody needs to approve.
 */
export function readsOnly(): MiddlewareHandler<AuthEnv> {
  return Object.assign(async (_c: unknown, next: () => Promise<void>) => await next(), {
    [READS_ONLY]: true,
  });
}

/** Each handler of a matched route as registered (Hono wraps a sub-app's handlers). */
function unwrapped(handlers: readonly unknown[]): unknown[] {
  return handlers.map((h) => {
    while ((h as Record<string, unknown>)?.["__COMPOSED_HANDLER"]) {
      h = (h as Record<string, unknown>)["__COMPOSED_HANDLER"];
    }
    return h;
  });
}

/** Whether some middleware of the matched route admits only roles other than `ai`. */
function closedToAi(handlers: readonly unknown[]): boolean {
  return unwrapped(handlers).some((h) => {
    const roles = (h as { [ROUTE_ROLES]?: readonly Role[] })[ROUTE_ROLES];
    return roles !== undefined && !roles.includes("ai");
  });
}

/** The tenant's current {@link AiMode}, read from its settings actor. */
export async function aiModeFor(system: ActorSystem, tenant: string): Promise<AiMode> {
  return aiModeOf(await system.ref(settings, tenant, SETTINGS_ID).query("current"));
}

/** What the policy needs: the actor system hosting `settings` and `suggestion`. */
export interface AiPolicyDeps {
  system: ActorSystem;
}

/** The policy as middleware; {@link guard} runs it, so routers need not. */
export function aiPolicy(deps: AiPolicyDeps): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const { role, tenant, sub } = c.var.auth;
    if (role !== "ai" || READ_METHODS.has(c.req.method)) return await next();
    // No route for this method and path, or one closed to `ai`: let it answer (404, 403)
    // rather than suggest a request the ai role could never make.
    const route = matchedRoutes(c).filter((r) => r.method === c.req.method);
    if (route.length === 0 || closedToAi(route.map((r) => r.handler))) return await next();
    if (unwrapped(route.map((r) => r.handler)).some((h) => (h as never)[READS_ONLY])) {
      return await next();
    }
    if (await aiModeFor(deps.system, tenant) === "autopilot") return await next();

    const body = parseBody(await c.req.text());
    const url = new URL(c.req.url);
    const request = {
      suggestedBy: sub,
      method: c.req.method,
      path: url.pathname + url.search,
      body,
    };
    const key = c.req.header("idempotency-key");
    const id = key ? idempotentId(sub, key) : newId();
    const outcome = await deps.system.ref(suggestion, tenant, id).ask("create", request);
    if (!outcome.created) {
      // The same key for another request is a caller's bug; the earlier request is kept.
      if (canonical(outcome.request) !== canonical(request)) {
        throw new CoveError(
          "idempotency_key_reused",
          "Idempotency-Key was already used for a different request",
          { status: 409, public: true, details: { suggestionId: id } },
        );
      }
      return c.json<SuggestedAnswer>({ suggestionId: id, status: outcome.view.status }, 202);
    }
    return c.json<SuggestedAnswer>({ suggestionId: id, status: "pending" }, 202);
  };
}

/** A retried request with the same key maps to the same suggestion, per caller. */
function idempotentId(sub: string, key: string): string {
  return "k" + createHash("sha256").update(`${sub}\n${key}`).digest("hex").slice(0, 31);
}

/** JSON with object keys sorted: a body read back from the journal (jsonb) may be reordered. */
function canonical(value: unknown): string {
  return JSON.stringify(
    value,
    (_k, v) =>
      v && typeof v === "object" && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0))
        : v,
  );
}

/** The request's JSON body (null when empty); what is stored is what an approval sends again. */
function parseBody(text: string): unknown {
  if (new TextEncoder().encode(text).byteLength > MAX_SUGGESTED_BODY_BYTES) {
    throw new CoveError(
      "payload_too_large",
      `a suggested request's body may have at most ${MAX_SUGGESTED_BODY_BYTES} bytes`,
      { status: 413, public: true },
    );
  }
  if (text.trim() === "") return null;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ValidationError("request body", [{ path: "", message: "expected JSON" }]);
  }
  if (deeperThan(body, MAX_SUGGESTED_BODY_DEPTH)) {
    throw new ValidationError("request body", [{
      path: "",
      message: `nested deeper than ${MAX_SUGGESTED_BODY_DEPTH} levels`,
    }]);
  }
  // Checked here too: the route's own check runs only when the suggestion is approved.
  const unstorable = unstorableString(body);
  if (unstorable !== null) {
    throw new ValidationError("request body", [{
      path: unstorable,
      message: "contains a NUL character or an unpaired surrogate",
    }]);
  }
  return body;
}

/**
 * Deepest nesting a suggested body may have. The body is journaled as jsonb:
 * Postgres refuses one nested thousands deep (a 500), and the embedded
 * database stops answering altogether.
 */
export const MAX_SUGGESTED_BODY_DEPTH = 64;

/** Whether `value` nests arrays or objects deeper than `max`; iterative, as the value may not fit the stack. */
function deeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (depth > max) return true;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}
