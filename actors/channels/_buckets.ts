/**
 * The arithmetic of the governor's limits, free of storage so the in-memory
 * and the Postgres governor decide alike: bring each bucket up to `now`, see
 * whether every one has room, and only then take from all of them.
 *
 * @module
 */

/**
 * One cap on a key.
 *
 * - `rate`: a token bucket holding up to `max`, refilled evenly over `perMs`.
 *   Bursts up to `max`, then a steady pace; right for per-second or
 *   per-minute throughput.
 * - `quota`: at most `max` per fixed window of `windowMs`, starting at
 *   multiples of `windowMs` shifted by `offsetMs`. Right for daily caps, which
 *   carriers count per calendar day: a token bucket would let up to twice the
 *   cap through in 24 hours.
 */
export type Limit =
  | { kind: "rate"; max: number; perMs: number }
  | { kind: "quota"; max: number; windowMs: number; offsetMs?: number };

/** A bucket as stored: a rate's tokens at `at`, or a quota's count in the window starting `at`. */
export interface BucketState {
  /** Tokens left (rate) or messages counted (quota). */
  level: number;
  /** Epoch ms the level was measured at (rate) or its window started (quota). */
  at: number;
}

/** What one take from many buckets came to. */
export type BucketsDecision =
  | { ok: true; next: BucketState[] }
  | { ok: false; retryAt: number; refused: number };

// Float refills land a hair below a whole token; this keeps retryAt honest.
const EPSILON = 1e-9;

/** Stable identity of a limit within its key; `max` is left out so a changed cap keeps its count. */
export function limitId(limit: Limit): string {
  return limit.kind === "rate"
    ? `rate/${limit.perMs}`
    : `quota/${limit.windowMs}/${limit.offsetMs ?? 0}`;
}

/** The state a bucket starts from: a full rate bucket, an empty quota window. */
export function freshState(limit: Limit, now: number): BucketState {
  return limit.kind === "rate"
    ? { level: limit.max, at: now }
    : { level: 0, at: windowStart(limit, now) };
}

/**
 * Takes one message from every bucket, or from none: `states[i]` belongs to
 * `limits[i]` (undefined when never used). On refusal, `retryAt` is the
 * latest time any refusing bucket has room again, and `refused` the index of
 * the bucket that waits longest.
 */
export function takeAll(
  limits: readonly Limit[],
  states: ReadonlyArray<BucketState | undefined>,
  now: number,
): BucketsDecision {
  const next: BucketState[] = [];
  let retryAt = -Infinity;
  let refused = -1;
  limits.forEach((limit, i) => {
    const s = settle(limit, states[i] ?? freshState(limit, now), now);
    const wait = limit.kind === "rate" ? rateRoom(limit, s) : quotaRoom(limit, s);
    if (wait === null) {
      next.push({ ...s, level: limit.kind === "rate" ? Math.max(0, s.level - 1) : s.level + 1 });
    } else if (wait > retryAt) {
      retryAt = wait;
      refused = i;
    }
  });
  return refused >= 0 ? { ok: false, retryAt, refused } : { ok: true, next };
}

/** Brings a bucket to `now`; a clock behind the stored time (another node's) never rewinds it. */
function settle(limit: Limit, s: BucketState, now: number): BucketState {
  if (limit.kind === "quota") {
    const start = windowStart(limit, now);
    return start > s.at ? { level: 0, at: start } : s;
  }
  const elapsed = Math.max(0, now - s.at);
  return {
    level: Math.min(limit.max, s.level + (elapsed * limit.max) / limit.perMs),
    at: Math.max(s.at, now),
  };
}

/** Null when a token is there, else when the next one will be (epoch ms). */
function rateRoom(limit: Extract<Limit, { kind: "rate" }>, s: BucketState): number | null {
  if (s.level >= 1 - EPSILON) return null;
  return s.at + Math.ceil(((1 - s.level) * limit.perMs) / limit.max);
}

/** Null while the window has room, else when the next window starts. */
function quotaRoom(limit: Extract<Limit, { kind: "quota" }>, s: BucketState): number | null {
  return s.level < limit.max ? null : s.at + limit.windowMs;
}

function windowStart(limit: Extract<Limit, { kind: "quota" }>, now: number): number {
  const offset = limit.offsetMs ?? 0;
  return Math.floor((now - offset) / limit.windowMs) * limit.windowMs + offset;
}

/** Whether a bucket has nothing to remember at `now`: a full rate bucket, a past quota window. */
export function isIdle(limit: Limit, s: BucketState, now: number): boolean {
  const settled = settle(limit, s, now);
  return limit.kind === "rate" ? settled.level >= limit.max : settled.level === 0;
}
