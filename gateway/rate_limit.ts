/**
 * Rate limits per client: fixed windows counted in a {@link RateLimitStore},
 * in memory for an embedded node, in Redis when gateway nodes share the
 * limit (over TCP, or over Upstash's REST API: the same script either way).
 * Over the limit a request gets 429 with `Retry-After`.
 *
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";
import { type Clock, CoveError, type Principal, systemClock } from "../shared/mod.ts";

/** The outcome of one counted request. */
export interface RateLimitResult {
  /** Whether the request is within the limit. */
  ok: boolean;
  /** Requests left in this window (0 once over). */
  remaining: number;
  /** Until the window resets, ms. */
  retryAfterMs: number;
}

/** Counts requests per key (the port; {@link MemoryRateLimitStore}, {@link RedisRateLimitStore}). */
export interface RateLimitStore {
  /** Counts one request for `key` in the `windowMs` window holding `now` (epoch ms). */
  hit(key: string, limit: number, windowMs: number, now: number): Promise<RateLimitResult>;
}

/** The window holding `now`: windows are aligned to the epoch, so every node agrees on them. */
function windowOf(now: number, windowMs: number): { index: number; endsAt: number } {
  const index = Math.floor(now / windowMs);
  return { index, endsAt: (index + 1) * windowMs };
}

function result(count: number, limit: number, retryAfterMs: number): RateLimitResult {
  return { ok: count <= limit, remaining: Math.max(0, limit - count), retryAfterMs };
}

/** Fixed windows in this process: embedded mode, where one node sees every request. */
export class MemoryRateLimitStore implements RateLimitStore {
  readonly #counts = new Map<string, { count: number; endsAt: number }>();
  #hits = 0;

  /** See {@link RateLimitStore.hit}. */
  hit(key: string, limit: number, windowMs: number, now: number): Promise<RateLimitResult> {
    // Sweeping now and then keeps memory bounded by the clients of the last window.
    if (++this.#hits % 1_000 === 0) this.#sweep(now);
    const { index, endsAt } = windowOf(now, windowMs);
    const id = `${key}\n${windowMs}\n${index}`;
    const entry = this.#counts.get(id) ?? { count: 0, endsAt };
    entry.count++;
    this.#counts.set(id, entry);
    return Promise.resolve(result(entry.count, limit, endsAt - now));
  }

  #sweep(now: number): void {
    for (const [id, e] of this.#counts) if (e.endsAt <= now) this.#counts.delete(id);
  }
}

/**
 * The one Redis command this store needs. The caller passes its client in, so
 * the Redis clients stay imported by their adapters only
 * (`connectRedisCommands` in the runtime's Redis adapter; the Upstash REST
 * client has this very shape).
 */
export interface RedisEvalClient {
  /** `EVAL script numkeys keys... args...`, resolving to the script's reply. */
  eval(script: string, keys: string[], args: string[]): Promise<unknown>;
}

// One round trip, atomic: the counter and its expiry are set together, so a
// crash between them cannot leave a counter that never expires.
const HIT_SCRIPT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`;

/**
 * Fixed windows in Redis, one counter per key and window: one limit across
 * gateway nodes. The client is `connectRedisCommands` (TCP) or
 * `connectUpstash` (REST) from the runtime.
 */
export class RedisRateLimitStore implements RateLimitStore {
  readonly #client: RedisEvalClient;
  readonly #prefix: string;

  /** `prefix` (default `cove:rl:`) keeps apps and parallel tests apart. */
  constructor(client: RedisEvalClient, opts: { prefix?: string } = {}) {
    this.#client = client;
    this.#prefix = opts.prefix ?? "cove:rl:";
  }

  /** See {@link RateLimitStore.hit}. */
  async hit(key: string, limit: number, windowMs: number, now: number): Promise<RateLimitResult> {
    const { index, endsAt } = windowOf(now, windowMs);
    const retryAfterMs = endsAt - now;
    const count = Number(
      await this.#client.eval(
        HIT_SCRIPT,
        [`${this.#prefix}${key}:${windowMs}:${index}`],
        // Kept a little past the window's end so nodes with skewed clocks still find it.
        [String(retryAfterMs + 5_000)],
      ),
    );
    return result(count, limit, retryAfterMs);
  }
}

/** Over the limit; a public 429. The middleware adds `Retry-After`. */
export class RateLimitedError extends CoveError {
  /** `name` says which limit (e.g. `widget`), `limit` per `windowMs`. */
  constructor(name: string, limit: number, windowMs: number, retryAfterSec: number) {
    super(
      "rate_limited",
      `rate limit ${name} exceeded: ${limit} requests per ${windowMs / 1000} s; ` +
        `retry in ${retryAfterSec} s`,
      { status: 429, public: true, details: { limit: name, max: limit, windowMs, retryAfterSec } },
    );
  }
}

/** One limit for one request: `key` names the client it is counted against. */
export interface RateLimit {
  /** Names the limit in the 429 body, e.g. `widget`. */
  name: string;
  key: string;
  limit: number;
  windowMs: number;
}

/** Options of {@link rateLimit}. */
export interface RateLimitOptions {
  store: RateLimitStore;
  /** The limit for a request, or null for none; see {@link defaultLimits}. */
  limitFor: (c: Context) => RateLimit | null;
  clock?: Clock;
  /**
   * Where a failing store is reported (default `console.error`). The request
   * then passes: a Redis outage should slow abuse control, not the gateway.
   */
  onStoreError?: (error: unknown) => void;
}

/** Middleware: counts the request and answers 429 with `Retry-After` (seconds) when over. */
export function rateLimit(opts: RateLimitOptions): MiddlewareHandler {
  const clock = opts.clock ?? systemClock;
  const onError = opts.onStoreError ??
    ((e: unknown) => console.error("cove: rate limit store failed:", e));
  return async (c, next) => {
    const limit = opts.limitFor(c);
    if (limit) {
      let r: RateLimitResult | undefined;
      try {
        r = await opts.store.hit(limit.key, limit.limit, limit.windowMs, clock.now());
      } catch (error) {
        onError(error);
      }
      if (r && !r.ok) {
        const retryAfterSec = Math.max(1, Math.ceil(r.retryAfterMs / 1000));
        // Set before throwing: the error boundary answers on this same context.
        c.header("Retry-After", String(retryAfterSec));
        throw new RateLimitedError(limit.name, limit.limit, limit.windowMs, retryAfterSec);
      }
      if (r) c.header("RateLimit-Remaining", String(r.remaining));
    }
    await next();
  };
}

/** Requests per minute by client type; 0 turns that limit off. */
export interface LimitsPerMinute {
  default: number;
  ai: number;
  widget: number;
}

/** The defaults: 100/min, Minerva 500/min, the widget 50/min per IP and site key. */
export const DEFAULT_LIMITS: LimitsPerMinute = { default: 100, ai: 500, widget: 50 };

/**
 * The default `limitFor`: after authentication, per caller (`ai`, `default`)
 * or per IP and site key (`widget`); before it, per IP. `clientIp` defaults
 * to the last `X-Forwarded-For` hop, the one our own proxy appended (the
 * earlier ones are whatever the client wrote). A limit of 0 counts nothing
 * (null: no store round trip).
 */
export function defaultLimits(
  opts: { limits?: Partial<LimitsPerMinute>; clientIp?: (c: Context) => string } = {},
): (c: Context) => RateLimit | null {
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const clientIp = opts.clientIp ?? forwardedFor;
  const windowMs = 60_000;
  const limited = (name: keyof LimitsPerMinute, key: string): RateLimit | null =>
    limits[name] > 0 ? { name, key, limit: limits[name], windowMs } : null;
  return (c) => {
    const auth = c.get("auth") as Principal | undefined;
    if (!auth) return limited("default", `ip:${clientIp(c)}`);
    if (auth.role === "widget") {
      return limited("widget", `widget:${auth.tenant}:${auth.sub}:${clientIp(c)}`);
    }
    const name = auth.role === "ai" ? "ai" : "default";
    return limited(name, `${name}:${auth.tenant}:${auth.sub}`);
  };
}

function forwardedFor(c: Context): string {
  const hops = (c.req.header("X-Forwarded-For") ?? "").split(",").map((s) => s.trim());
  return hops.findLast((h) => h !== "") ?? "unknown";
}
