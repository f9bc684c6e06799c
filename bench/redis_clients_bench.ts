/**
 * Which Redis TCP client carries the bus (`deno task bench:redis`): pub/sub
 * publish→receive throughput and latency of npm:redis (node-redis) against
 * ioredis with `enableAutoPipelining`, over loopback only. This script is the
 * one place besides the Redis adapter that imports the clients: it measures
 * the bare clients, not Cove.
 *
 * Each client gets one publishing and one subscribed connection, as
 * `RedisBus` does, and sends the bus's own wire envelope (one lead event,
 * ~330 bytes of JSON). Three measurements per client, the clients alternating
 * round by round so that load from other processes falls on both:
 *
 * 0. **publish only**: N publishes in windows of 1,000 to a channel nobody
 *    subscribes to; msgs/s until the last reply (the publishing client alone).
 * 1. **burst**: N publishes issued in windows of 1,000 in flight (many commits
 *    publishing at once); msgs/s from the first publish to the last receipt.
 * 2. **paced**: publishes at a fixed rate for 2 s; p50/p99 from the publish
 *    call to the receipt (one clock: both ends are in this process).
 * 3. **one at a time**: 2,000 publishes, each waiting for its receipt; the
 *    round trip through Redis without queueing.
 *
 * Flags: `--url=redis://127.0.0.1:6379` (default: env TEST_REDIS_URL, then
 * that; loopback hosts only), `--messages=N` (burst size, default 100,000),
 * `--rate=N` (paced msgs/s, default 10,000), `--rounds=N` (default 3),
 * `--quick` (20,000 messages, 1 round).
 *
 * @module
 */
import { Redis } from "ioredis";
import { createClient } from "redis";
import { int, ms, summarize, table } from "./mod.ts";

const args = new Map(
  Deno.args.map((a) => a.replace(/^--/, "").split("=") as [string, string | undefined]),
);
const QUICK = args.has("quick");
const URL_ = args.get("url") ?? Deno.env.get("TEST_REDIS_URL") ?? "redis://127.0.0.1:6379";
const MESSAGES = Number(args.get("messages") ?? (QUICK ? 20_000 : 100_000));
const RATE = Number(args.get("rate") ?? 10_000);
const ROUNDS = Number(args.get("rounds") ?? (QUICK ? 1 : 3));
const WINDOW = 1_000;
const PACED_MS = 2_000;
const SERIAL = 2_000;
// Every wait is bounded: a lost message fails the run instead of hanging it. Generous, as
// connecting alone took over 5 s when other processes kept the two cores busy.
const TIMEOUT_MS = 30_000;

/** Wall-clock ms with sub-ms resolution, comparable with the subscriber thread's. */
const clockMs = () => performance.timeOrigin + performance.now();

const host = new URL(URL_).hostname;
if (!/^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/.test(host)) {
  console.error(`redis_clients_bench: loopback Redis only, got host ${host}`);
  Deno.exit(2);
}

/** One client's publishing connection here, its subscribed one in a worker thread. */
interface PubSub {
  name: string;
  publish(message: string): Promise<unknown>;
  /** Publishes on another channel, e.g. one without subscribers. */
  publishTo(channel: string, message: string): Promise<unknown>;
  /**
   * Starts a subscriber phase; resolves once the subscriber counts, with the
   * phase's end: its latencies and last receipt.
   */
  phase(
    opts: { expect?: number; ack?: boolean },
  ): Promise<{ done: Promise<{ latencies: number[]; lastAt: number }> }>;
  /** Sets the running phase's count (paced: known once publishing stopped). */
  expect(n: number): void;
  /** Resolves once the subscriber has received `n` messages of an `ack` phase. */
  received(n: number): Promise<void>;
  close(): Promise<void>;
}

type Publisher = { publish(channel: string, message: string): Promise<unknown> };

const CLIENTS: Record<
  string,
  { name: string; open: () => Promise<[Publisher, () => Promise<void>]> }
> = {
  "node-redis": {
    name: "redis 6.3.1 (node-redis)",
    open: async () => {
      const pub = createClient({ url: URL_, socket: { connectTimeout: TIMEOUT_MS } });
      // Without a listener an "error" event (e.g. a socket timeout) would end the process.
      pub.on("error", (e: unknown) => console.error("  node-redis publisher:", String(e)));
      await pub.connect();
      return [pub, () => pub.close()];
    },
  },
  ioredis: {
    name: "ioredis 6.0.0 (autopipelining)",
    open: async () => {
      const pub = new Redis(URL_, {
        enableAutoPipelining: true,
        lazyConnect: true,
        connectTimeout: TIMEOUT_MS,
      });
      pub.on("error", (e: unknown) => console.error("  ioredis publisher:", String(e)));
      await pub.connect();
      return [pub, () => pub.quit().then(() => {})];
    },
  },
};

async function open(client: string, channel: string): Promise<PubSub> {
  const worker = new Worker(new URL("./_redis_subscriber.ts", import.meta.url), { type: "module" });
  let receivedCount = 0;
  let waitingFor: { n: number; resolve: () => void } | undefined;
  let phaseDone: ((r: { latencies: number[]; lastAt: number }) => void) | undefined;
  let phaseStarted: (() => void) | undefined;
  let ready!: () => void;
  let closed!: () => void;
  const isReady = new Promise<void>((r) => ready = r);
  const isClosed = new Promise<void>((r) => closed = r);
  worker.onmessage = (e: MessageEvent) => {
    const m = e.data;
    if (m.ready) ready();
    else if (m.started) phaseStarted?.();
    else if (m.closed) closed();
    else if (m.received !== undefined) {
      receivedCount = m.received;
      if (waitingFor && receivedCount >= waitingFor.n) waitingFor.resolve();
    } else if (m.latencies) phaseDone?.(m);
  };
  worker.postMessage({ client, url: URL_, channel });
  const [pub, closePub] = await CLIENTS[client]!.open();
  await bounded("the subscriber", isReady);
  return {
    name: CLIENTS[client]!.name,
    publish: (message) => pub.publish(channel, message),
    publishTo: (other, message) => pub.publish(`${channel}:${other}`, message),
    phase: async (opts) => {
      receivedCount = 0;
      const done = new Promise<{ latencies: number[]; lastAt: number }>((r) => phaseDone = r);
      const started = new Promise<void>((r) => phaseStarted = r);
      worker.postMessage({ start: true, ...opts });
      await bounded("the subscriber's phase to start", started);
      return { done: bounded("the subscriber's phase", done) };
    },
    expect: (n) => worker.postMessage({ expect: n }),
    received: (n) =>
      receivedCount >= n ? Promise.resolve() : bounded(
        "a serial receipt",
        new Promise<void>((resolve) => waitingFor = { n, resolve }),
      ),
    close: async () => {
      worker.postMessage({ close: true });
      await bounded("the subscriber to close", isClosed);
      worker.terminate();
      await closePub();
    },
  };
}

/** `p`, or a rejection naming `what` after the timeout: a lost message fails the run. */
function bounded<T>(what: string, p: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), TIMEOUT_MS);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** The bus's wire envelope around one lead event; `seq` and `sent` vary per message. */
function envelope(seq: number, sent: number): string {
  return JSON.stringify({
    v: 1,
    messages: [{
      tenant: "bench",
      position: seq,
      actor: `lead/bench/${seq % 1000}`,
      seq,
      type: "lead.captured",
      version: 1,
      data: {
        name: "Ada Lovelace",
        email: "ada@example.com",
        phone: "+447700900123",
        source: "widget",
        message: "Please call me back about a quote",
        sent,
      },
      at: 1_700_000_000_000 + seq,
    }],
  });
}

/** Publishes per second to a channel nobody subscribes to: the publishing client alone. */
async function publishOnly(c: PubSub): Promise<number> {
  const start = performance.now();
  for (let sent = 0; sent < MESSAGES;) {
    const inFlight = [];
    for (let i = 0; i < WINDOW && sent < MESSAGES; i++) {
      inFlight.push(c.publishTo(`${c.name}:nobody`, envelope(++sent, clockMs())));
    }
    await Promise.all(inFlight);
  }
  return MESSAGES / ((performance.now() - start) / 1000);
}

/** Messages per second from the first publish to the subscriber's last receipt. */
async function burst(c: PubSub): Promise<{ rate: number; latencies: number[] }> {
  const { done } = await c.phase({ expect: MESSAGES });
  const start = clockMs();
  for (let sent = 0; sent < MESSAGES;) {
    const inFlight = [];
    for (let i = 0; i < WINDOW && sent < MESSAGES; i++) {
      inFlight.push(c.publish(envelope(++sent, clockMs())));
    }
    await Promise.all(inFlight);
  }
  const { latencies, lastAt } = await done;
  return { rate: MESSAGES / ((lastAt - start) / 1000), latencies };
}

async function paced(c: PubSub): Promise<number[]> {
  const { done } = await c.phase({});
  const start = performance.now();
  let sent = 0;
  const publishes: Promise<unknown>[] = [];
  while (performance.now() - start < PACED_MS) {
    // Catch up to the schedule each tick: timers fire every ~1 ms at best.
    const due = Math.floor(((performance.now() - start) / 1000) * RATE);
    while (sent < due) publishes.push(c.publish(envelope(++sent, clockMs())));
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(publishes);
  c.expect(sent);
  return (await done).latencies;
}

async function oneAtATime(c: PubSub): Promise<number[]> {
  const { done } = await c.phase({ expect: SERIAL, ack: true });
  for (let i = 1; i <= SERIAL; i++) {
    await c.publish(envelope(i, clockMs()));
    await c.received(i);
  }
  return (await done).latencies;
}

interface Figures {
  publishOnly: number[];
  burst: number[];
  burstP99: number[];
  pacedP50: number[];
  pacedP99: number[];
  serialP50: number[];
  serialP99: number[];
}

const median = (xs: number[]) => summarize(xs).p50;
const load = () => Deno.loadavg()[0]!.toFixed(2);

async function main(): Promise<void> {
  const figures = new Map<string, Figures>();
  const run = crypto.randomUUID().slice(0, 8);
  console.log(
    `Redis client pub/sub benchmark${QUICK ? " (--quick)" : ""} — deno ${Deno.version.deno}, ` +
      `${int(MESSAGES)} burst msgs in windows of ${int(WINDOW)}, paced ${int(RATE)}/s for ` +
      `${PACED_MS / 1000} s, ${int(SERIAL)} serial, ${ROUNDS} round(s), load ${load()}`,
  );
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate who goes first so neither always runs on a warmer or quieter machine.
    const order = round % 2 === 0 ? ["node-redis", "ioredis"] : ["ioredis", "node-redis"];
    for (const client of order) {
      let c: PubSub;
      try {
        c = await open(client, `bench:redis:${run}:${round}:${client}`);
      } catch (error) {
        console.log(`  round ${round + 1} ${client}: could not connect: ${error}`);
        continue;
      }
      try {
        const f = figures.get(c.name) ??
          {
            publishOnly: [],
            burst: [],
            burstP99: [],
            pacedP50: [],
            pacedP99: [],
            serialP50: [],
            serialP99: [],
          };
        figures.set(c.name, f);
        const po = await publishOnly(c);
        const b = await burst(c);
        const bl = summarize(b.latencies);
        const p = summarize(await paced(c));
        const s = summarize(await oneAtATime(c));
        f.publishOnly.push(po);
        f.burst.push(b.rate);
        f.burstP99.push(bl.p99);
        f.pacedP50.push(p.p50);
        f.pacedP99.push(p.p99);
        f.serialP50.push(s.p50);
        f.serialP99.push(s.p99);
        console.log(
          `  round ${round + 1} ${c.name}: publish only ${int(po)} msg/s; burst ${
            int(b.rate)
          } msg/s (p99 ${ms(bl.p99)}); ` +
            `paced p50 ${ms(p.p50)} p99 ${ms(p.p99)}; serial p50 ${ms(s.p50)} ` +
            `p99 ${ms(s.p99)} (load ${load()})`,
        );
      } catch (error) {
        // A round that fails (a timeout on an overloaded machine) is reported, not counted.
        console.log(`  round ${round + 1} ${c.name}: failed: ${error}`);
      } finally {
        await c.close().catch((e) => console.log(`  closing ${c.name} failed: ${e}`));
      }
    }
  }
  console.log(
    "\nMedians over rounds:\n" +
      table(
        [
          "client",
          "publish only msg/s",
          "burst msg/s",
          "burst p99",
          `paced ${int(RATE)}/s p50`,
          "p99",
          "one at a time p50",
          "p99",
        ],
        [...figures].map(([name, f]) => [
          name,
          int(median(f.publishOnly)),
          int(median(f.burst)),
          ms(median(f.burstP99)),
          ms(median(f.pacedP50)),
          ms(median(f.pacedP99)),
          ms(median(f.serialP50)),
          ms(median(f.serialP99)),
        ]),
      ),
  );
}

await main();
