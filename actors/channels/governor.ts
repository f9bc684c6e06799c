/**
 * The throughput governor: caps on how fast and how much one sender (a
 * from-number, a sending domain) and one tenant may send, per minute and per
 * day (10DLC carrier caps, provider rate limits, a tenant's plan). A message
 * over a cap is deferred to when there is room again, never failed.
 *
 * `take` is all or nothing across its keys: when the tenant has room but the
 * sender does not, nothing is taken from the tenant either, so a deferred
 * message never eats into a cap it did not use.
 *
 * Two implementations decide alike (one arithmetic, `_buckets.ts`):
 * {@link MemoryGovernor} keeps buckets on the node, so a cluster of N nodes
 * may send up to N times a cap; {@link PostgresGovernor} keeps them in the
 * `channel_buckets` table and holds across the cluster, at the cost of one
 * short transaction per send (row locks serialise the sends of one key, fine
 * at carrier rates of tens per second). Carrier caps on a number are
 * cluster-wide, so clustered deployments want the Postgres one for them.
 *
 * @module
 */
import { ConfigError } from "../../shared/errors.ts";
import type { Sql } from "../runtime/mod.ts";
import { type BucketState, freshState, isIdle, type Limit, limitId, takeAll } from "./_buckets.ts";

export type { Limit } from "./_buckets.ts";

/** What `take` answers: taken from every key, or wait until `retryAt` (nothing taken). */
export type TakeResult =
  | { ok: true }
  | { ok: false; retryAt: number; key: string; limit: Limit };

/** The limits of a key; none means the key is not capped. */
export type LimitsFor = (key: string) => readonly Limit[];

/** Takes one message's worth from the caps of several keys at once. */
export interface Governor {
  /** All or nothing across `keys` (e.g. `sender:+14155550100`, `tenant:t1`). */
  take(keys: readonly string[], now: number): TakeResult | Promise<TakeResult>;
}

const MINUTE = 60_000;
const DAY = 86_400_000;

/** `n` per second, as a token bucket (bursts of up to `n`). */
export function perSecond(n: number): Limit {
  return { kind: "rate", max: n, perMs: 1_000 };
}

/** `n` per minute, as a token bucket (bursts of up to `n`, then one every `60/n` s). */
export function perMinute(n: number): Limit {
  return { kind: "rate", max: n, perMs: MINUTE };
}

/**
 * `n` per calendar day, from midnight in a zone `utcOffsetMs` from UTC
 * (default UTC; e.g. `-7 * 3_600_000` for Los Angeles in summer, where
 * carriers reset daily caps). A fixed offset does not follow daylight saving.
 */
export function perDay(n: number, opts: { utcOffsetMs?: number } = {}): Limit {
  // A day starting at local midnight starts `-utcOffset` after midnight UTC.
  return {
    kind: "quota",
    max: n,
    windowMs: DAY,
    offsetMs: opts.utcOffsetMs ? -opts.utcOffsetMs : 0,
  };
}

/**
 * Limits by the key's prefix, the part before its first `:`; e.g.
 * `{ sender: [perMinute(60), perDay(2_000)], tenant: [perMinute(600)] }`.
 */
export function limitsByPrefix(table: Record<string, readonly Limit[]>): LimitsFor {
  return (key) => {
    const prefix = key.split(":", 1)[0]!;
    return Object.hasOwn(table, prefix) ? table[prefix]! : [];
  };
}

/** One bucket a take touches. */
export interface PlannedBucket {
  /** The capped key, e.g. `sender:+14155550100`. */
  key: string;
  /** The limit's identity within the key (see `limitId`). */
  id: string;
  /** The limit itself. */
  limit: Limit;
}

/**
 * The buckets of `keys`, each once, sorted by key and limit (the order the
 * Postgres governor locks rows in, so concurrent takes cannot deadlock).
 * Throws {@link ConfigError} for a malformed limit.
 */
export function planTake(limitsFor: LimitsFor, keys: readonly string[]): PlannedBucket[] {
  const plan: PlannedBucket[] = [];
  const issues: { path: string; message: string }[] = [];
  for (const key of new Set(keys)) {
    const seen = new Set<string>();
    for (const limit of limitsFor(key)) {
      const id = limitId(limit);
      const period = limit.kind === "rate" ? limit.perMs : limit.windowMs;
      if (!(Number.isInteger(limit.max) && limit.max >= 1)) {
        issues.push({ path: `governor.${key}.${id}.max`, message: `must be a whole number ≥ 1` });
      }
      if (!(Number.isInteger(period) && period >= 1)) {
        issues.push({ path: `governor.${key}.${id}`, message: `period must be ≥ 1 ms` });
      }
      if (seen.has(id)) {
        issues.push({ path: `governor.${key}.${id}`, message: "given twice for the same key" });
      }
      seen.add(id);
      plan.push({ key, id, limit });
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return plan.sort((a, b) => cmp(a.key, b.key) || cmp(a.id, b.id));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function refusal(plan: PlannedBucket[], retryAt: number, refused: number): TakeResult {
  const b = plan[refused]!;
  return { ok: false, retryAt, key: b.key, limit: b.limit };
}

/** Buckets in this node's memory. */
export class MemoryGovernor implements Governor {
  readonly #buckets = new Map<string, { limit: Limit; state: BucketState }>();

  /** Caps each key by `limitsFor(key)`. */
  constructor(readonly limitsFor: LimitsFor) {}

  take(keys: readonly string[], now: number): TakeResult {
    const plan = planTake(this.limitsFor, keys);
    const slots = plan.map((b) => `${b.key}\u0000${b.id}`);
    const decision = takeAll(
      plan.map((b) => b.limit),
      slots.map((s) => this.#buckets.get(s)?.state),
      now,
    );
    if (!decision.ok) return refusal(plan, decision.retryAt, decision.refused);
    plan.forEach((b, i) =>
      this.#buckets.set(slots[i]!, { limit: b.limit, state: decision.next[i]! })
    );
    return { ok: true };
  }

  /** Forgets buckets with nothing to remember (full, or a past window), so idle keys cost nothing. */
  prune(now: number): number {
    let dropped = 0;
    for (const [slot, b] of this.#buckets) {
      if (isIdle(b.limit, b.state, now)) {
        this.#buckets.delete(slot);
        dropped++;
      }
    }
    return dropped;
  }

  /** Buckets held, for metrics. */
  get size(): number {
    return this.#buckets.size;
  }
}

/** Buckets in the `channel_buckets` table (migration 0401), shared by every node. */
export class PostgresGovernor implements Governor {
  /** Caps each key by `limitsFor(key)`; `sql` must reach a database with the channel migrations. */
  constructor(readonly sql: Sql, readonly limitsFor: LimitsFor) {}

  async take(keys: readonly string[], now: number): Promise<TakeResult> {
    const plan = planTake(this.limitsFor, keys);
    if (plan.length === 0) return { ok: true };
    const ks = plan.map((b) => b.key);
    const ids = plan.map((b) => b.id);
    return await this.sql.begin(async (tx) => {
      // Rows first exist, then are locked: a missing row cannot be locked, and two
      // nodes creating the same bucket must not both start it full.
      const fresh = plan.map((b) => freshState(b.limit, now));
      await tx`
        INSERT INTO channel_buckets (key, limit_id, level, at)
        SELECT * FROM unnest(${ks}::text[], ${ids}::text[],
                             ${fresh.map((s) => s.level)}::float8[],
                             ${fresh.map((s) => s.at)}::bigint[])
        ON CONFLICT (key, limit_id) DO NOTHING`;
      const rows = await tx<{ key: string; limit_id: string; level: number; at: number }[]>`
        SELECT b.key, b.limit_id, b.level, b.at FROM channel_buckets b
        JOIN unnest(${ks}::text[], ${ids}::text[]) AS u(k, l) ON b.key = u.k AND b.limit_id = u.l
        ORDER BY b.key COLLATE "C", b.limit_id COLLATE "C"
        FOR UPDATE OF b`;
      const byId = new Map(rows.map((r) => [`${r.key}\u0000${r.limit_id}`, r]));
      const decision = takeAll(
        plan.map((b) => b.limit),
        plan.map((b) => byId.get(`${b.key}\u0000${b.id}`)),
        now,
      );
      if (!decision.ok) return refusal(plan, decision.retryAt, decision.refused);
      await tx`
        UPDATE channel_buckets b SET level = u.level, at = u.at
        FROM unnest(${ks}::text[], ${ids}::text[],
                    ${decision.next.map((s) => s.level)}::float8[],
                    ${decision.next.map((s) => s.at)}::bigint[]) AS u(k, l, level, at)
        WHERE b.key = u.k AND b.limit_id = u.l`;
      return { ok: true } as const;
    });
  }
}
