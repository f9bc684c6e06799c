import assert from "node:assert/strict";
import { Hono } from "hono";
import { connectRedisCommands } from "../actors/runtime/mod.ts";
import { rateLimitStoreConformance } from "./_rate_limit_suite.ts";
import { ManualClock, newId } from "../shared/mod.ts";
import { createApp, type ErrorBody, type GatewayApp } from "./app.ts";
import { type AuthEnv, MemoryApiKeyStore, siteKeyAuth } from "./auth.ts";
import {
  defaultLimits,
  MemoryRateLimitStore,
  rateLimit,
  type RateLimitStore,
  RedisRateLimitStore,
} from "./rate_limit.ts";

const health = { ping: () => Promise.resolve(true), isShuttingDown: () => false };
const MINUTE = 60_000;

/** An app limited to `limit` per minute per IP behind the real error boundary. */
function limitedApp(store: RateLimitStore, clock: ManualClock, limit: number): GatewayApp {
  return createApp({
    health,
    routes: (app) =>
      app.get(
        "/x",
        rateLimit({ store, clock, limitFor: defaultLimits({ limits: { default: limit } }) }),
        (c) => c.json({ ok: true }),
      ),
  });
}

const from = (ip: string) => ({ headers: { "X-Forwarded-For": `10.9.9.9, ${ip}` } });

Deno.test("rate limit: the 4th request of 3/min is 429 with Retry-After, and the window rolls", async () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 12, 0, 10));
  const app = limitedApp(new MemoryRateLimitStore(), clock, 3);
  for (let i = 0; i < 3; i++) assert.equal((await app.request("/x", from("1.1.1.1"))).status, 200);
  const over = await app.request("/x", from("1.1.1.1"));
  assert.equal(over.status, 429);
  assert.equal(over.headers.get("Retry-After"), "50");
  const { error } = (await over.json()) as ErrorBody;
  assert.equal(error.code, "rate_limited");
  assert.match(error.message, /rate limit default exceeded: 3 requests per 60 s/);
  assert.equal(error.details?.limit, "default");
  // Another client has its own count.
  assert.equal((await app.request("/x", from("2.2.2.2"))).status, 200);
  clock.advance(50_000);
  assert.equal((await app.request("/x", from("1.1.1.1"))).status, 200);
});

Deno.test("rate limit: widget limits per site key and IP, and the 429 keeps its CORS header", async () => {
  const clock = new ManualClock();
  const sites = new MemoryApiKeyStore();
  await sites.putSiteKey({ key: "s1", tenant: "acme", allowedOrigins: ["https://a.example"] });
  const store = new MemoryRateLimitStore();
  const app = createApp({
    health,
    routes: (root) => {
      const w = new Hono<AuthEnv>();
      w.use("*", siteKeyAuth(sites));
      w.use("*", rateLimit({ store, clock, limitFor: defaultLimits({ limits: { widget: 2 } }) }));
      w.post("/leads", (c) => c.json({ ok: true }));
      root.route("/w", w);
    },
  });
  const post = (ip: string) =>
    app.request("/w/leads", {
      method: "POST",
      headers: { "X-Site-Key": "s1", Origin: "https://a.example", "X-Forwarded-For": ip },
    });
  assert.equal((await post("1.1.1.1")).status, 200);
  assert.equal((await post("1.1.1.1")).status, 200);
  const over = await post("1.1.1.1");
  assert.equal(over.status, 429);
  assert.equal(over.headers.get("Access-Control-Allow-Origin"), "https://a.example");
  assert.match(((await over.json()) as ErrorBody).error.message, /rate limit widget/);
  assert.equal((await post("3.3.3.3")).status, 200);
});

Deno.test("rate limit: a failing store lets the request through and is reported", async () => {
  const failures: unknown[] = [];
  const store: RateLimitStore = { hit: () => Promise.reject(new Error("redis down")) };
  const app = createApp({
    health,
    routes: (root) =>
      root.get(
        "/x",
        rateLimit({ store, limitFor: defaultLimits(), onStoreError: (e) => failures.push(e) }),
        (c) => c.json({ ok: true }),
      ),
  });
  assert.equal((await app.request("/x")).status, 200);
  assert.equal(failures.length, 1);
});

Deno.test("rate limit: a limit of 0 is off and never reaches the store", async () => {
  let hits = 0;
  const counting: RateLimitStore = {
    hit: (...args) => (hits++, new MemoryRateLimitStore().hit(...args)),
  };
  const clock = new ManualClock();
  const app = limitedApp(counting, clock, 0);
  for (let i = 0; i < 5; i++) assert.equal((await app.request("/x", from("1.1.1.1"))).status, 200);
  assert.equal(hits, 0);
  const limited = limitedApp(counting, clock, 1);
  assert.equal((await limited.request("/x", from("1.1.1.1"))).status, 200);
  assert.equal(hits, 1);
});

const REDIS_URL = Deno.env.get("TEST_REDIS_URL");
const skipped = "skipped: TEST_REDIS_URL not set";

rateLimitStoreConformance("MemoryRateLimitStore", () => {
  // One node: both handles are the same store.
  const store = new MemoryRateLimitStore();
  return Promise.resolve({ stores: [store, store], close: () => Promise.resolve() });
});

rateLimitStoreConformance(
  "RedisRateLimitStore",
  async () => {
    if (!REDIS_URL) throw new Error(skipped);
    // Two nodes: a connection each, one key prefix.
    const clients = await Promise.all([
      connectRedisCommands(REDIS_URL),
      connectRedisCommands(REDIS_URL),
    ]);
    const prefix = `cove:test:rl:${newId()}:`;
    return {
      stores: [
        new RedisRateLimitStore(clients[0], { prefix }),
        new RedisRateLimitStore(clients[1], { prefix }),
      ],
      close: async () => {
        await Promise.all(clients.map((c) => c.close()));
      },
    };
  },
  REDIS_URL ? {} : { ignore: skipped },
);
const redisTest = (name: string, fn: () => Promise<void>) =>
  Deno.test({
    name: `rate limit [Redis]${REDIS_URL ? "" : ` (${skipped})`}: ${name}`,
    ignore: !REDIS_URL,
    fn,
  });

redisTest("two nodes, each with its own connection, share one count", async () => {
  // Two nodes: two connections, two stores, two apps, one Redis.
  const [clientA, clientB] = await Promise.all([
    connectRedisCommands(REDIS_URL ?? ""),
    connectRedisCommands(REDIS_URL ?? ""),
  ]);
  try {
    const prefix = `cove:test:rl:${newId()}:`;
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 12, 0, 0));
    const a = limitedApp(new RedisRateLimitStore(clientA, { prefix }), clock, 3);
    const b = limitedApp(new RedisRateLimitStore(clientB, { prefix }), clock, 3);
    const statuses = [];
    for (const app of [a, b, a, b, a]) {
      statuses.push((await app.request("/x", from("1.1.1.1"))).status);
    }
    assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
    // Another client is counted apart, on either node.
    assert.equal((await a.request("/x", from("2.2.2.2"))).status, 200);
    clock.advance(MINUTE);
    assert.equal((await b.request("/x", from("1.1.1.1"))).status, 200);
    const key = `${prefix}ip:1.1.1.1:${MINUTE}:${clock.now() / MINUTE}`;
    const ttl = Number(await clientA.eval("return redis.call('PTTL', KEYS[1])", [key], []));
    assert.ok(ttl > 0 && ttl <= MINUTE + 5_000, `ttl ${ttl}`);
  } finally {
    await Promise.all([clientA.close(), clientB.close()]);
  }
});
