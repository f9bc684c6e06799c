import assert from "node:assert/strict";
import { connectUpstash, startFakeUpstash } from "../actors/runtime/mod.ts";
import { newId } from "../shared/mod.ts";
import { rateLimitStoreConformance } from "./_rate_limit_suite.ts";
import { RedisRateLimitStore } from "./rate_limit.ts";

// The real @upstash/redis client against a local server speaking Upstash's
// REST protocol, which runs every command in the real Redis.
const REDIS_URL = Deno.env.get("TEST_REDIS_URL");
const skipped = "skipped: TEST_REDIS_URL not set";

rateLimitStoreConformance(
  "RedisRateLimitStore over Upstash REST",
  async () => {
    if (!REDIS_URL) throw new Error(skipped);
    const fake = await startFakeUpstash({ redisUrl: REDIS_URL });
    // Two nodes: a client each, one key prefix.
    const [a, b] = await Promise.all([connectUpstash(fake), connectUpstash(fake)]);
    const prefix = `cove:test:rl:${newId()}:`;
    return {
      stores: [new RedisRateLimitStore(a, { prefix }), new RedisRateLimitStore(b, { prefix })],
      close: () => fake.close(),
    };
  },
  REDIS_URL ? {} : { ignore: skipped },
);

Deno.test({
  name: `RedisRateLimitStore over Upstash REST${
    REDIS_URL ? "" : ` (${skipped})`
  }: the counter expires after its window`,
  ignore: !REDIS_URL,
  async fn() {
    await using fake = await startFakeUpstash({ redisUrl: REDIS_URL ?? "" });
    const upstash = await connectUpstash(fake);
    const prefix = `cove:test:rl:${newId()}:`;
    const now = Date.UTC(2026, 0, 1, 12, 0, 10);
    await new RedisRateLimitStore(upstash, { prefix }).hit("ip:1", 5, 60_000, now);
    const key = `${prefix}ip:1:60000:${Math.floor(now / 60_000)}`;
    const ttl = Number(await upstash.eval("return redis.call('PTTL', KEYS[1])", [key], []));
    // 50 s left in the window plus 5 s of grace for skewed clocks.
    assert.ok(ttl > 50_000 && ttl <= 55_000, `ttl ${ttl}`);
  },
});
