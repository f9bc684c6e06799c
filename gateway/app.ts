/**
 * The Hono app of a gateway node: health endpoints and the error boundary
 * every route shares. It sees the rest of the node only through
 * {@link HealthPort}, so it is tested in-process without a database.
 *
 * @module
 */
import { Hono, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { CoveError } from "../shared/errors.ts";
import { mountApiDocs, OpenAPIHono } from "./openapi.ts";

/** What the health endpoints need to know about the node. */
export interface HealthPort {
  /** Whether the database answers. */
  ping(): Promise<boolean>;
  /** Whether the shared bus answers; omitted when the node has no shared bus (in-process only). */
  busPing?: () => Promise<boolean>;
  /** True once the node has begun shutting down; readiness fails from then on. */
  isShuttingDown(): boolean;
}

/** What {@link createApp} is built over; later routes add their own ports here. */
export interface AppDeps {
  /** Backs `/readyz`; `/healthz` answers without it. */
  health: HealthPort;
  /** Longest a readiness check may take before it counts as failing, ms (default 2,000). */
  checkTimeoutMs?: number;
  /** Where errors that are not shown to the caller are reported (default `console.error`). */
  logInternalError?: (error: unknown, request: Request) => void;
  /**
   * Mounts further routes (webhooks, unsubscribe links) on the app, so they
   * sit behind the same 404 and error boundary without this file knowing them.
   */
  routes?: (app: RootApp) => void;
}

/** Largest request body, bytes, outside {@link LARGE_BODY_ROUTES}. */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Path prefixes that take larger bodies, with their outer cap: CSV imports
 * (their routes check their own, exact limits) and provider webhooks
 * (SendGrid's inbound parse posts whole emails with attachments, up to 30 MB).
 */
export const LARGE_BODY_ROUTES: readonly { prefix: string; maxBytes: number }[] = [
  { prefix: "/v1/imports", maxBytes: 32 * 1024 * 1024 },
  { prefix: "/webhooks/", maxBytes: 32 * 1024 * 1024 },
];

/** The status of one readiness check, as `/readyz` reports it. */
export type CheckStatus = "ok" | "failing" | "not configured";

/** The body of an error response: the only shape errors take on the wire. */
export interface ErrorBody {
  /** `code` is stable snake_case for programs, `message` is for people, `details` public-only. */
  error: { code: string; message: string; details?: Record<string, unknown> };
}

/**
 * What {@link createApp} returns: a Hono app, so tests call `app.request()`
 * in-process and {@link serve} puts the same app on a socket. Named here
 * because deno doc flags a bare `Hono` in our signatures as a private type.
 */
// deno-lint-ignore no-explicit-any -- any Env, so an OpenAPIHono root is one too
export type GatewayApp = Hono<any>;

/** The node's root app: an OpenAPI-aware Hono, so mounted REST routers land in `/openapi.json`. */
export type RootApp = OpenAPIHono;

/** Builds the gateway app: health endpoints, JSON 404 and the error boundary. */
export function createApp(deps: AppDeps): RootApp {
  const { health } = deps;
  const timeout = deps.checkTimeoutMs ?? 2_000;
  const logInternal = deps.logInternalError ??
    ((error: unknown, req: Request) =>
      console.error(`${req.method} ${new URL(req.url).pathname} failed:`, error));
  const app = new OpenAPIHono();
  // First, so no route reads a body past its limit; answered as 413 in the one error shape.
  app.use("*", limitBodies());

  // Liveness: answering at all is the signal; it checks nothing else, so a
  // slow database never gets a live process restarted.
  app.get("/healthz", (c) => c.json({ status: "ok" }));

  app.get("/readyz", async (c) => {
    // Checked first: once draining, the database may already be closing.
    if (health.isShuttingDown()) {
      return c.json({ status: "shutting down", failing: ["shutdown"] }, 503);
    }
    const [database, bus] = await Promise.all([
      check(() => health.ping(), timeout),
      health.busPing ? check(() => health.busPing!(), timeout) : "not configured" as const,
    ]);
    const checks = { database, bus };
    const failing = Object.entries(checks).filter(([, s]) => s === "failing").map(([k]) => k);
    if (failing.length > 0) return c.json({ status: "not ready", checks, failing }, 503);
    return c.json({ status: "ready", checks });
  });

  deps.routes?.(app);
  mountApiDocs(app);

  app.notFound((c) =>
    c.json<ErrorBody>({
      error: { code: "not_found", message: `no route for ${c.req.method} ${c.req.path}` },
    }, 404)
  );

  app.onError((error, c) => {
    const { status, body } = toErrorResponse(error);
    if (status >= 500 && !(error instanceof CoveError && error.public)) {
      logInternal(error, c.req.raw);
    }
    return c.json(body, status as ContentfulStatusCode);
  });

  return app;
}

/** Maps a thrown value to the wire: public errors as they are, anything else as a bare 500. */
export function toErrorResponse(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof CoveError && error.public) {
    return {
      status: error.status,
      body: { error: { code: error.code, message: error.message, details: error.details } },
    };
  }
  // Thrown by Hono middleware (body limits, malformed JSON); the message is the app's own.
  if (error instanceof HTTPException && error.status < 500) {
    return {
      status: error.status,
      body: { error: { code: "http_error", message: error.message || "bad request" } },
    };
  }
  return { status: 500, body: { error: { code: "internal", message: "internal error" } } };
}

/** Refuses bodies over {@link MAX_BODY_BYTES} (or a large route's cap) with 413 before any route reads them. */
function limitBodies(): MiddlewareHandler {
  const limiter = (maxSize: number) =>
    bodyLimit({
      maxSize,
      onError: () => {
        throw new CoveError("payload_too_large", `the body is over ${maxSize} bytes`, {
          status: 413,
          public: true,
          details: { limit: maxSize },
        });
      },
    });
  const fallback = limiter(MAX_BODY_BYTES);
  const large = LARGE_BODY_ROUTES.map((r) => ({ prefix: r.prefix, limit: limiter(r.maxBytes) }));
  return (c, next) =>
    (large.find((r) => c.req.path.startsWith(r.prefix))?.limit ?? fallback)(c, next);
}

/** Runs one check; a rejection or a check slower than `ms` counts as failing. */
async function check(run: () => Promise<boolean>, ms: number): Promise<CheckStatus> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((resolve) => timer = setTimeout(() => resolve(false), ms));
  try {
    return (await Promise.race([run().catch(() => false), late])) ? "ok" : "failing";
  } finally {
    clearTimeout(timer);
  }
}
