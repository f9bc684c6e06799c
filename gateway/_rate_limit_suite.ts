/**
 * The conformance suite every {@link RateLimitStore} must pass. Each binding
 * (memory and Redis in `rate_limit_test.ts`, Upstash REST in
 * `rate_limit_upstash_test.ts`) calls {@link rateLimitStoreConformance} with
 * a factory; the cases never depend on which store they run against.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { RateLimitStore } from "./rate_limit.ts";

/** What a case gets: two stores that must share counts (two nodes, or one store twice). */
export interface StorePair {
  /** Two handles on one count: separate connections where the store has them. */
  stores: [RateLimitStore, RateLimitStore];
  /** Releases what `make` opened. */
  close(): Promise<void>;
}

/** Options of {@link rateLimitStoreConformance}. */
export interface RateLimitConformanceOptions {
  /** When set, every case is registered as ignored, with this reason in its name. */
  ignore?: string;
}

const MINUTE = 60_000;
// 12:00:10 on a minute boundary plus 10 s: the window ends 50 s later.
const NOON = Date.UTC(2026, 0, 1, 12, 0, 10);

/**
 * Registers the cases as `Deno.test`s named `<name>: <case>`. `make` is called
 * once per case and must return stores with no counts yet (e.g. a fresh key
 * prefix).
 */
export function rateLimitStoreConformance(
  name: string,
  make: () => Promise<StorePair>,
  opts: RateLimitConformanceOptions = {},
): void {
  const label = opts.ignore === undefined ? name : `${name} (${opts.ignore})`;
  const test = (what: string, fn: (stores: [RateLimitStore, RateLimitStore]) => Promise<void>) =>
    Deno.test({
      name: `${label}: ${what}`,
      ignore: opts.ignore !== undefined,
      fn: async () => {
        const pair = await make();
        try {
          await fn(pair.stores);
        } finally {
          await pair.close();
        }
      },
    });

  test("counts up to the limit, then refuses until the window ends", async ([store]) => {
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await store.hit("ip:1", 3, MINUTE, NOON + i));
    assert.deepEqual(results.map((r) => r.ok), [true, true, true, false]);
    assert.deepEqual(results.map((r) => r.remaining), [2, 1, 0, 0]);
    assert.deepEqual(results.map((r) => r.retryAfterMs), [50_000, 49_999, 49_998, 49_997]);
    // The next window (aligned to the epoch, so every node agrees) starts afresh.
    const next = await store.hit("ip:1", 3, MINUTE, NOON + 50_000);
    assert.deepEqual(next, { ok: true, remaining: 2, retryAfterMs: MINUTE });
  });

  test("keys and window lengths are counted apart", async ([store]) => {
    assert.equal((await store.hit("a", 1, MINUTE, NOON)).ok, true);
    assert.equal((await store.hit("a", 1, MINUTE, NOON)).ok, false);
    assert.equal((await store.hit("b", 1, MINUTE, NOON)).ok, true);
    assert.equal((await store.hit("a", 1, 1_000, NOON)).ok, true);
  });

  test("two handles share one count", async ([a, b]) => {
    const oks = [];
    for (const store of [a, b, a, b, a]) oks.push((await store.hit("k", 3, MINUTE, NOON)).ok);
    assert.deepEqual(oks, [true, true, true, false, false]);
  });

  test("concurrent hits are each counted exactly once", async (stores) => {
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => stores[i % 2]!.hit("burst", 150, MINUTE, NOON)),
    );
    assert.equal(results.filter((r) => r.ok).length, 150);
    // Every count from 1 to 200 was handed out once: remaining 149..1 once each, then 0s.
    assert.deepEqual(
      results.map((r) => r.remaining).filter((n) => n > 0).toSorted((x, y) => x - y),
      Array.from({ length: 149 }, (_, i) => i + 1),
    );
  });
}
