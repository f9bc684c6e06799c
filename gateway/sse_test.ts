import assert from "node:assert/strict";
import { type BusMessage, MemoryBus, tenantTopic } from "../actors/runtime/mod.ts";
import type { ServerFrame } from "../shared/mod.ts";
import { createApp, type GatewayApp } from "./app.ts";
import { formatSse, streamRoutes, type VerifyStreamToken } from "./sse.ts";
import { StreamHub, type StreamSource } from "./stream_hub.ts";
import { upgradeToStream } from "./ws_deno.ts";

/** A journal in memory that publishes what it appends, as the actor system does after commit. */
class FakeStream implements StreamSource {
  readonly events: BusMessage[] = [];
  constructor(readonly bus: MemoryBus) {}
  async append(n: number): Promise<void> {
    const batch = Array.from({ length: n }, (_, i) => {
      const position = this.events.length + i + 1;
      return {
        tenant: "t1",
        position,
        actor: "lead/t1/a",
        seq: position,
        type: "test.pinged",
        version: 1,
        data: { i: position },
        at: 1_000 + position,
      };
    });
    this.events.push(...batch);
    await this.bus.publish(tenantTopic("t1"), batch);
  }
  readStream(tenant: string, after: number, limit: number) {
    return Promise.resolve(
      this.events.filter((e) => e.tenant === tenant && e.position > after).slice(0, limit),
    );
  }
}

const verify: VerifyStreamToken = (token) =>
  Promise.resolve(token === "good" || token === "ticket-1" ? { tenant: "t1" } : null);

interface Ctx {
  app: GatewayApp;
  hub: StreamHub;
  stream: FakeStream;
  /** The lowest position clients may resume from; tests raise it to exercise retention. */
  retention: { oldest: number };
}

function test(name: string, fn: (ctx: Ctx) => Promise<void>) {
  Deno.test(`stream routes: ${name}`, async () => {
    const bus = new MemoryBus();
    const stream = new FakeStream(bus);
    const retention = { oldest: 0 };
    const hub = new StreamHub({
      bus,
      journal: stream,
      oldestPosition: () => Promise.resolve(retention.oldest),
      startInterval: () => () => {},
    });
    const app = createApp({
      health: { ping: () => Promise.resolve(true), isShuttingDown: () => false },
      routes: (app) =>
        app.route(
          "/v1/stream",
          streamRoutes({
            hub,
            verify,
            upgradeWebSocket: (req) => upgradeToStream(req, hub, verify),
          }),
        ),
    });
    try {
      await fn({ app, hub, stream, retention });
    } finally {
      await hub.close();
      await bus.close();
    }
  });
}

/** Reads SSE messages from `body` until `done` says enough; then cancels the stream. */
async function readSse(
  body: ReadableStream<Uint8Array>,
  done: (messages: Array<{ id?: string; frame: ServerFrame }>) => boolean,
  during: () => Promise<void> = () => Promise.resolve(),
) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  const messages: Array<{ id?: string; frame: ServerFrame }> = [];
  let text = "";
  let started = false;
  while (!done(messages)) {
    const { value, done: end } = await reader.read();
    if (end) break;
    text += value;
    let cut;
    while ((cut = text.indexOf("\n\n")) >= 0) {
      const block = text.slice(0, cut);
      text = text.slice(cut + 2);
      const id = block.match(/^id: (.*)$/m)?.[1];
      const data = block.match(/^data: (.*)$/m)?.[1];
      if (data) messages.push({ ...(id ? { id } : {}), frame: JSON.parse(data) });
    }
    if (!started && messages.some((m) => m.frame.type === "caught_up")) {
      started = true;
      await during();
    }
  }
  await reader.cancel();
  return messages;
}

const positions = (ms: Array<{ frame: ServerFrame }>) =>
  ms.flatMap((m) => m.frame.type === "event" ? [m.frame.position] : []);

test("SSE streams the replay, caught_up, live events; resumes from Last-Event-ID", async (ctx) => {
  await ctx.stream.append(3);
  const res = await ctx.app.request("/v1/stream/sse?topics=tenant", {
    headers: { authorization: "Bearer good" },
  });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "text/event-stream");
  const first = await readSse(
    res.body!,
    (ms) => positions(ms).length === 5,
    () => ctx.stream.append(2),
  );
  assert.deepEqual(first[0]?.frame, { type: "ready", version: 1 });
  assert.deepEqual(positions(first), [1, 2, 3, 4, 5]);
  assert.deepEqual(first.filter((m) => m.frame.type === "event").map((m) => m.id), [
    "1",
    "2",
    "3",
    "4",
    "5",
  ]);
  assert.equal(ctx.hub.connectionCount, 0, "cancelling the body detaches the connection");

  const again = await ctx.app.request("/v1/stream/sse?ticket=ticket-1&from=0", {
    headers: { "last-event-id": "3" },
  });
  const resumed = await readSse(again.body!, (ms) => ms.some((m) => m.frame.type === "caught_up"));
  assert.deepEqual(positions(resumed), [4, 5]);
  assert.deepEqual(resumed.at(-1), { id: "5", frame: { type: "caught_up", position: 5 } });
});

test("SSE refuses missing or bad tokens, bad topics and positions beyond retention", async (ctx) => {
  const code = async (path: string, headers: Record<string, string> = {}) => {
    const res = await ctx.app.request(path, { headers });
    const body = await res.json();
    return [res.status, body.error.code];
  };
  assert.deepEqual(await code("/v1/stream/sse"), [401, "unauthorized"]);
  assert.deepEqual(await code("/v1/stream/sse", { authorization: "Bearer bad" }), [
    401,
    "unauthorized",
  ]);
  assert.deepEqual(await code("/v1/stream/sse?ticket=nope"), [401, "unauthorized"]);
  const good = { authorization: "Bearer good" };
  assert.deepEqual(await code("/v1/stream/sse?topics=lead:a/b", good), [400, "validation_failed"]);
  assert.deepEqual(await code("/v1/stream/sse?from=x", good), [400, "validation_failed"]);
  ctx.retention.oldest = 2;
  assert.deepEqual(await code("/v1/stream/sse?from=1", good), [410, "beyond_retention"]);
  assert.deepEqual(await code("/v1/stream"), [426, "upgrade_required"]);
});

Deno.test("stream routes: heartbeats are SSE comments, events carry their position as id", () => {
  assert.equal(formatSse({ type: "heartbeat", at: 5 }), ": heartbeat 5\n\n");
  assert.equal(formatSse({ type: "caught_up", position: 7 }).split("\n")[0], "id: 7");
});

/** A socket whose frames can be awaited one at a time. */
function openSocket(url: string) {
  const ws = new WebSocket(url);
  const frames: ServerFrame[] = [];
  const waiting: Array<() => void> = [];
  ws.onmessage = (e) => {
    frames.push(JSON.parse(e.data));
    waiting.shift()?.();
  };
  const closed = new Promise<CloseEvent>((resolve) => ws.onclose = resolve);
  const opened = new Promise<void>((resolve) => ws.onopen = () => resolve());
  let read = 0;
  const next = async (): Promise<ServerFrame> => {
    while (frames.length <= read) await new Promise<void>((r) => waiting.push(r));
    return frames[read++]!;
  };
  return { ws, next, closed, opened };
}

test("WebSocket over a real socket: auth, subscribe, replay, live; a bad first frame closes", async (ctx) => {
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, ctx.app.fetch);
  try {
    const url = `ws://127.0.0.1:${server.addr.port}/v1/stream`;
    await ctx.stream.append(3);
    const s = openSocket(url);
    await s.opened;
    s.ws.send(JSON.stringify({ type: "auth", token: "good" }));
    assert.deepEqual(await s.next(), { type: "ready", version: 1 });
    s.ws.send(JSON.stringify({ type: "subscribe", topics: ["tenant"], from: 2 }));
    const replay = [await s.next(), await s.next()];
    assert.deepEqual(replay.map((f) => f.type === "event" && f.position), [3, false]);
    assert.deepEqual(replay[1], { type: "caught_up", position: 3 });
    await ctx.stream.append(1);
    const live = await s.next();
    assert.equal(live.type === "event" && live.position, 4);
    assert.deepEqual(live.type === "event" && live.event, {
      actor: "lead/t1/a",
      seq: 4,
      type: "test.pinged",
      version: 1,
      data: { i: 4 },
      at: 1004,
    });
    s.ws.send("not json");
    const err = await s.next();
    assert.equal(err.type === "error" && err.code, "bad_json");
    s.ws.close();
    await s.closed;

    const rude = openSocket(url);
    await rude.opened;
    rude.ws.send(JSON.stringify({ type: "subscribe", topics: ["tenant"], from: null }));
    const refused = await rude.next();
    assert.equal(refused.type === "error" && refused.code, "auth_required");
    assert.equal((await rude.closed).code, 4401);
  } finally {
    await server.shutdown();
  }
});
