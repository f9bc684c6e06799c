/**
 * The subscribing side of `redis_clients_bench.ts`, run in a Worker so that
 * publisher and subscriber have a thread each, as two gateway nodes would.
 * Messages from the bench thread: `{client, url, channel}` opens one
 * subscribed connection (answered `{ready}`); `{start, expect?, ack?}` starts
 * a phase (answered `{started}`) that ends with `{latencies, lastAt}` once `expect` messages arrived
 * (and with `ack`, `{received}` after each); `{expect}` sets a running phase's
 * count; `{close}` closes (answered `{closed}`). Times are `timeOrigin + now()`, one
 * clock across threads.
 *
 * @module
 */
import { Redis } from "ioredis";
import { createClient } from "redis";

// Wall-clock ms with sub-ms resolution, comparable between threads of one process.
const clockMs = () => performance.timeOrigin + performance.now();

interface Phase {
  expect: number;
  ack: boolean;
  latencies: number[];
}

// The worker's own scope; typed here because the project type-checks with the window lib.
const scope = self as unknown as {
  postMessage(message: unknown): void;
  onmessage: ((e: MessageEvent) => void) | null;
};

let phase: Phase | undefined;

function onMessage(raw: string): void {
  const now = clockMs();
  if (!phase) return;
  const sent = JSON.parse(raw).messages[0].data.sent as number;
  phase.latencies.push(now - sent);
  if (phase.ack) scope.postMessage({ received: phase.latencies.length });
  finishIfDone(now);
}

function finishIfDone(lastAt: number): void {
  if (phase && phase.latencies.length >= phase.expect) {
    scope.postMessage({ latencies: phase.latencies, lastAt });
    phase = undefined;
  }
}

async function subscribe(client: string, url: string, channel: string) {
  if (client === "ioredis") {
    const sub = new Redis(url, { lazyConnect: true, connectTimeout: 30_000 });
    sub.on("error", (e: unknown) => console.error("  ioredis subscriber:", String(e)));
    await sub.connect();
    sub.on("message", (_channel: string, message: string) => onMessage(message));
    await sub.subscribe(channel);
    return () => sub.quit().then(() => {});
  }
  const sub = createClient({ url, socket: { connectTimeout: 30_000 } });
  // Without a listener an "error" event (e.g. a socket timeout) would end the worker.
  sub.on("error", (e: unknown) => console.error("  node-redis subscriber:", String(e)));
  await sub.connect();
  await sub.subscribe(channel, onMessage);
  return () => sub.close();
}

let close: (() => Promise<void>) | undefined;

scope.onmessage = async (e: MessageEvent) => {
  const m = e.data;
  if (m.client) {
    close = await subscribe(m.client, m.url, m.channel);
    scope.postMessage({ ready: true });
  } else if (m.start) {
    phase = { expect: m.expect ?? Infinity, ack: m.ack ?? false, latencies: [] };
    // Publishing waits for this: a socket read may otherwise overtake the start message.
    scope.postMessage({ started: true });
  } else if (m.expect !== undefined && phase) {
    // The count of a paced phase is known only once its publishing stopped.
    phase.expect = m.expect;
    finishIfDone(clockMs());
  } else if (m.close) {
    await close?.();
    scope.postMessage({ closed: true });
  }
};
