import assert from "node:assert/strict";
import { UnavailableError } from "../../shared/errors.ts";
import { busConformance } from "./_bus_suite.ts";
import { RedisBus } from "./bus_redis.ts";

const url = Deno.env.get("TEST_REDIS_URL");
const skipped = "skipped: TEST_REDIS_URL not set";
// A random prefix per bus keeps cases and parallel test runs off each other's channels.
const prefix = () => `test:${crypto.randomUUID()}:`;

busConformance(
  "RedisBus",
  () => url ? RedisBus.connect(url, { prefix: prefix() }) : Promise.reject(new Error(skipped)),
  url ? {} : { ignore: skipped },
);

Deno.test("RedisBus.connect rejects with UnavailableError when Redis is unreachable", async () => {
  await assert.rejects(RedisBus.connect("redis://127.0.0.1:1"), UnavailableError);
});

Deno.test({
  name: `RedisBus drops malformed messages and keeps delivering${url ? "" : ` (${skipped})`}`,
  ignore: !url,
  fn: async () => {
    const channelPrefix = prefix();
    const bus = await RedisBus.connect(url ?? "", { prefix: channelPrefix });
    const logged: unknown[][] = [];
    const consoleError = console.error;
    console.error = (...args: unknown[]) => logged.push(args);
    try {
      const received: number[] = [];
      await bus.subscribe("leads", (m) => received.push(m.position));
      for (const garbage of ["{not json", '{"v":1,"messages":[{"tenant":1}]}', '"v1"']) {
        await publishRaw(url ?? "", `${channelPrefix}leads`, garbage);
      }
      await bus.publish("leads", [{
        tenant: "t1",
        position: 7,
        actor: "a",
        seq: 1,
        type: "x",
        version: 1,
        data: null,
        at: 0,
      }]);
      const deadline = Date.now() + 5_000;
      while (received.length < 1 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 5));
      }
      assert.deepEqual(received, [7]);
      assert.equal(logged.length, 3);
    } finally {
      console.error = consoleError;
      await bus.close();
    }
  },
});

/** PUBLISH over a raw RESP socket, so bytes the bus would never send reach the channel. */
async function publishRaw(redisUrl: string, channel: string, payload: string): Promise<void> {
  const { hostname, port } = new URL(redisUrl);
  const conn = await Deno.connect({ hostname, port: Number(port || 6379) });
  try {
    const parts = ["PUBLISH", channel, payload].map((p) =>
      `$${new TextEncoder().encode(p).length}\r\n${p}\r\n`
    );
    await conn.write(new TextEncoder().encode(`*3\r\n${parts.join("")}`));
    await conn.read(new Uint8Array(64)); // the reply: wait until Redis has handled it
  } finally {
    conn.close();
  }
}
