/**
 * The governor conformance suite: the same caps, decided the same way, by
 * every {@link Governor} implementation (in memory, Postgres on PGlite, real
 * Postgres). Each binding calls {@link governorConformance}.
 *
 * @module
 */
import assert from "node:assert/strict";
import { ManualClock } from "../../shared/clock.ts";
import { type Governor, limitsByPrefix, type LimitsFor, perDay, perMinute } from "./governor.ts";

/** Makes a governor with the given limits; `close` frees what it holds. */
export type GovernorFactory = (
  limits: LimitsFor,
) => Promise<{ governor: Governor; close(): Promise<void> }>;

/** Monday 2026-06-01 15:00 UTC. */
const T0 = Date.UTC(2026, 5, 1, 15);
const MIDNIGHT = Date.UTC(2026, 5, 2);

/** Registers the governor tests for one implementation. */
export function governorConformance(
  name: string,
  make: GovernorFactory,
  opts: { skip?: string } = {},
): void {
  const test = (
    title: string,
    limits: LimitsFor,
    fn: (g: Governor, clock: ManualClock) => Promise<void>,
  ) =>
    Deno.test({
      name: `governor [${name}]${opts.skip ? ` (skipped: ${opts.skip})` : ""}: ${title}`,
      ignore: opts.skip !== undefined,
      async fn() {
        const { governor, close } = await make(limits);
        try {
          await fn(governor, new ManualClock(T0));
        } finally {
          await close();
        }
      },
    });

  test(
    "a per-minute cap bursts, then refills evenly",
    limitsByPrefix({ sender: [perMinute(3)] }),
    async (g, clock) => {
      const take = () => g.take(["sender:+14155550100"], clock.now());
      for (let i = 0; i < 3; i++) assert.deepEqual(await take(), { ok: true });
      assert.deepEqual(await take(), {
        ok: false,
        retryAt: T0 + 20_000,
        key: "sender:+14155550100",
        limit: perMinute(3),
      });
      clock.advance(19_999);
      assert.equal((await take()).ok, false, "not a millisecond early");
      clock.advance(1);
      assert.deepEqual(await take(), { ok: true }, "one token back after 60/3 s");
      const next = await take();
      assert.equal(next.ok, false);
      assert.equal(!next.ok && next.retryAt, T0 + 40_000);
      clock.advance(600_000);
      for (let i = 0; i < 3; i++) assert.deepEqual(await take(), { ok: true });
      assert.equal((await take()).ok, false, "an idle hour refills to the burst, not beyond");
    },
  );

  test(
    "a per-day cap holds until the next day starts",
    limitsByPrefix({ sender: [perMinute(100), perDay(2)] }),
    async (g, clock) => {
      const take = () => g.take(["sender:a"], clock.now());
      assert.deepEqual(await take(), { ok: true });
      clock.advance(3_600_000);
      assert.deepEqual(await take(), { ok: true });
      const refused = await take();
      assert.deepEqual(refused, {
        ok: false,
        retryAt: MIDNIGHT,
        key: "sender:a",
        limit: perDay(2),
      });
      clock.set(MIDNIGHT - 1);
      assert.equal((await take()).ok, false, "the minute bucket is full, the day is not over");
      clock.set(MIDNIGHT);
      assert.deepEqual(await take(), { ok: true });
      assert.deepEqual(await take(), { ok: true });
      assert.equal((await take()).ok, false);
    },
  );

  test(
    "a day can start at another midnight than UTC's",
    limitsByPrefix({ sender: [perDay(1, { utcOffsetMs: -7 * 3_600_000 })] }),
    async (g, clock) => {
      // 15:00 UTC is 08:00 in Los Angeles (UTC-7): the day ends at 07:00 UTC tomorrow.
      assert.deepEqual(await g.take(["sender:a"], clock.now()), { ok: true });
      const r = await g.take(["sender:a"], clock.now());
      assert.equal(!r.ok && r.retryAt, MIDNIGHT + 7 * 3_600_000);
    },
  );

  test(
    "across keys it is all or nothing: a refusing sender takes nothing from the tenant",
    limitsByPrefix({ sender: [perMinute(1)], tenant: [perMinute(5)] }),
    async (g, clock) => {
      assert.deepEqual(await g.take(["sender:a", "tenant:t1"], clock.now()), { ok: true });
      for (let i = 0; i < 3; i++) {
        const r = await g.take(["sender:a", "tenant:t1"], clock.now());
        assert.deepEqual(r, {
          ok: false,
          retryAt: T0 + 60_000,
          key: "sender:a",
          limit: perMinute(1),
        });
      }
      // The three refusals took nothing: the tenant still has 4 of its 5.
      for (const s of ["b", "c", "d", "e"]) {
        assert.deepEqual(await g.take([`sender:${s}`, "tenant:t1"], clock.now()), { ok: true });
      }
      const r = await g.take(["sender:f", "tenant:t1"], clock.now());
      assert.deepEqual(r, {
        ok: false,
        retryAt: T0 + 12_000,
        key: "tenant:t1",
        limit: perMinute(5),
      });
      assert.deepEqual(
        await g.take(["sender:f"], clock.now()),
        { ok: true },
        "sender f lost nothing to the tenant's refusal",
      );
    },
  );

  test(
    "retryAt is when every refusing key has room: the latest of them",
    limitsByPrefix({ sender: [perMinute(1)], tenant: [perDay(1)] }),
    async (g, clock) => {
      assert.deepEqual(await g.take(["sender:a", "tenant:t1"], clock.now()), { ok: true });
      const r = await g.take(["tenant:t1", "sender:a"], clock.now());
      assert.deepEqual(r, { ok: false, retryAt: MIDNIGHT, key: "tenant:t1", limit: perDay(1) });
    },
  );

  test(
    "uncapped keys pass; a key named twice counts once",
    limitsByPrefix({ sender: [perMinute(2)] }),
    async (g, clock) => {
      assert.deepEqual(await g.take(["tenant:t1", "other"], clock.now()), { ok: true });
      assert.deepEqual(await g.take(["sender:a", "sender:a"], clock.now()), { ok: true });
      assert.deepEqual(await g.take(["sender:a"], clock.now()), { ok: true });
      assert.equal((await g.take(["sender:a"], clock.now())).ok, false);
    },
  );

  test(
    "concurrent takes never exceed a cap",
    limitsByPrefix({ sender: [perMinute(10)] }),
    async (g, clock) => {
      const results = await Promise.all(
        Array.from({ length: 30 }, () => g.take(["sender:a"], clock.now())),
      );
      assert.equal(results.filter((r) => r.ok).length, 10);
    },
  );
}
