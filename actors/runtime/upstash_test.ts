import assert from "node:assert/strict";
import { UnavailableError } from "../../shared/errors.ts";
import { busConformance } from "./_bus_suite.ts";
import type { Bus, BusMessage } from "./bus.ts";
import { connectRedisCommands, RedisBus } from "./bus_redis.ts";
import { type FakeUpstash, startFakeUpstash, WRONGPASS } from "./fake_upstash.ts";
import { connectUpstash, UpstashBus } from "./upstash.ts";

const url = Deno.env.get("TEST_REDIS_URL");
const skipped = "skipped: TEST_REDIS_URL not set";
const prefix = () => `test:${crypto.randomUUID()}:`;

/**
 * An UpstashBus publishing over REST to the fake (backed by the real Redis),
 * delivering through a RedisBus on the same Redis; closing it stops the fake too.
 */
async function upstashOverRedis(): Promise<Bus> {
  if (!url) throw new Error(skipped);
  const fake = await startFakeUpstash({ redisUrl: url });
  const channels = prefix();
  const bus = new UpstashBus(await connectUpstash(fake), {
    prefix: channels,
    subscriber: await RedisBus.connect(url, { prefix: channels }),
  });
  return closingToo(bus, fake);
}

/** An UpstashBus without a subscribing connection: its own publishes, delivered in process. */
async function upstashAlone(): Promise<Bus> {
  if (!url) throw new Error(skipped);
  const fake = await startFakeUpstash({ redisUrl: url });
  return closingToo(new UpstashBus(await connectUpstash(fake), { prefix: prefix() }), fake);
}

function closingToo(bus: Bus, fake: FakeUpstash): Bus {
  return {
    publish: (topic, messages) => bus.publish(topic, messages),
    subscribe: (topic, handler) => bus.subscribe(topic, handler),
    close: () => bus.close().finally(() => fake.close()),
  };
}

busConformance("UpstashBus → RedisBus", upstashOverRedis, url ? {} : { ignore: skipped });
busConformance("UpstashBus alone", upstashAlone, url ? {} : { ignore: skipped });

const redisTest = (name: string, fn: (redisUrl: string) => Promise<void>) =>
  Deno.test({
    name: `${name}${url ? "" : ` (${skipped})`}`,
    ignore: !url,
    fn: () => fn(url ?? ""),
  });

redisTest(
  "UpstashBus publishes reach another node's RedisBus, in order, in few requests",
  async (redisUrl) => {
    await using fake = await startFakeUpstash({ redisUrl });
    const channels = prefix();
    const publisher = new UpstashBus(await connectUpstash(fake), { prefix: channels });
    const subscriber = await RedisBus.connect(redisUrl, { prefix: channels });
    try {
      const received: number[] = [];
      await subscriber.subscribe("tenant:t1", (m) => received.push(m.position));
      const before = fake.requests;
      // Not awaited one by one: concurrent commits publishing at once.
      await Promise.all(
        Array.from({ length: 300 }, (_, i) => publisher.publish("tenant:t1", [message(i + 1)])),
      );
      const deadline = Date.now() + 5_000;
      while (received.length < 300 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 5));
      }
      assert.deepEqual(received, Array.from({ length: 300 }, (_, i) => i + 1));
      // Queued publishes share a pipeline request; far fewer requests than publishes.
      assert.ok(fake.requests - before < 300, `${fake.requests - before} requests`);
    } finally {
      await publisher.close();
      await subscriber.close();
    }
  },
);

redisTest(
  "the fake answers a wrong or missing token with 401 WRONGPASS, like Upstash",
  async (redisUrl) => {
    await using fake = await startFakeUpstash({ redisUrl, token: "right-token" });
    for (const headers of [{ Authorization: "Bearer wrong-token" }, {} as Record<string, string>]) {
      const res = await fetch(fake.url, {
        method: "POST",
        headers,
        body: JSON.stringify(["PING"]),
      });
      assert.equal(res.status, 401);
      assert.deepEqual(await res.json(), { error: WRONGPASS });
    }
    const ok = await fetch(fake.url, {
      method: "POST",
      headers: { Authorization: "Bearer right-token" },
      body: JSON.stringify(["ECHO", "héllo"]),
    });
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { result: "héllo" });
    // The real client: a wrong token fails at start-up, naming the cause.
    await assert.rejects(
      connectUpstash({ url: fake.url, token: "wrong-token" }),
      (e: unknown) => e instanceof UnavailableError && e.message.includes("WRONGPASS"),
    );
  },
);

redisTest(
  "a Redis-side error surfaces as an error, through the fake and the real client",
  async (redisUrl) => {
    await using fake = await startFakeUpstash({ redisUrl });
    const auth = { Authorization: `Bearer ${fake.token}` };
    const key = `${prefix()}not-a-number`;
    const set = await fetch(fake.url, {
      method: "POST",
      headers: auth,
      body: JSON.stringify(["SET", key, "abc", "PX", 60_000]),
    });
    assert.deepEqual(await set.json(), { result: "OK" });
    const incr = await fetch(fake.url, {
      method: "POST",
      headers: auth,
      body: JSON.stringify(["INCR", key]),
    });
    assert.equal(incr.status, 400);
    assert.match((await incr.json()).error, /not an integer/);
    const pipeline = await fetch(`${fake.url}/pipeline`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify([["INCR", key], ["GET", key]]),
    });
    assert.equal(pipeline.status, 200);
    const [failed, got] = await pipeline.json();
    assert.match(failed.error, /not an integer/);
    assert.deepEqual(got, { result: "abc" });

    const upstash = await connectUpstash(fake);
    await assert.rejects(
      upstash.eval("return redis.error_reply('ERR boom from the script')", [], []),
      /boom from the script/,
    );
    await assert.rejects(upstash.eval("return redis.call('INCR', KEYS[1])", [key], []), /integer/);
    // Replies come back as Redis sent them, decoded from the client's base64.
    assert.deepEqual(
      await upstash.eval("return {KEYS[1], ARGV[1], 7}", ["k:é"], ["v ✓"]),
      ["k:é", "v ✓", 7],
    );
  },
);

redisTest("the fake refuses commands that would hold its shared connection", async (redisUrl) => {
  await using fake = await startFakeUpstash({ redisUrl });
  for (const command of [["SUBSCRIBE", "x"], ["BLPOP", "x", 0], ["MULTI"], "PING", []]) {
    const res = await fetch(fake.url, {
      method: "POST",
      headers: { Authorization: `Bearer ${fake.token}` },
      body: JSON.stringify(command),
    });
    assert.equal(res.status, 400, JSON.stringify(command));
    assert.match((await res.json()).error, /^ERR /);
  }
});

redisTest(
  "UpstashBus: a failing Upstash rejects the publish with UnavailableError",
  async (redisUrl) => {
    const fake = await startFakeUpstash({ redisUrl });
    const bus = new UpstashBus(await connectUpstash(fake), { prefix: prefix() });
    const received: number[] = [];
    await bus.subscribe("leads", (m) => received.push(m.position));
    await fake.close();
    try {
      await assert.rejects(bus.publish("leads", [message(1)]), UnavailableError);
      // This node's own subscribers still got it: they do not depend on Upstash.
      assert.deepEqual(received, [1]);
    } finally {
      await bus.close();
    }
  },
);

Deno.test("connectRedisCommands rejects with UnavailableError when Redis is unreachable", async () => {
  await assert.rejects(connectRedisCommands("redis://127.0.0.1:1"), UnavailableError);
});

function message(position: number): BusMessage {
  return {
    tenant: "t1",
    position,
    actor: "lead/t1/a",
    seq: position,
    type: "lead.captured",
    version: 1,
    data: { n: position },
    at: 1_700_000_000_000 + position,
  };
}
