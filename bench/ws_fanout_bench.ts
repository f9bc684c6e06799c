/**
 * Benchmark of WebSocket fan-out across gateway nodes (`deno task
 * bench:fanout`): `--nodes` Cove nodes (default 3) started as their own
 * processes on one Postgres (a fresh schema `bench_fanout_<id>`, dropped at
 * the end) and one Redis, and `--subscribers` stream WebSockets (default
 * 10,000) split evenly over them, each authenticated and subscribed to the
 * tenant feed from the start. The clients live in load processes of their
 * own, one per node (`bench/_ws_clients.ts`), so receiving shares an event
 * loop with neither a node nor this script.
 *
 * Figures:
 *
 * 1. connections per node, and how long opening them took (auth, subscribe,
 *    `caught_up`);
 * 2. memory per idle connection: each node's RSS (VmRSS in /proc) after the
 *    connections are open and idle, less its RSS before, over the count. The
 *    node was warmed first (a hundred connections opened and closed), so the
 *    code of the path is not counted;
 * 3. event-to-client latency at paced rates: `--paced` captures per second
 *    for `--paced-seconds` through node 1 (`POST /v1/leads`); latency is
 *    receipt time minus the event's `at` (stamped in the turn that emitted
 *    it, before its commit), so it spans commit, Redis, the hub and the
 *    socket; p50/p90/p99/max over every delivery to every subscriber;
 * 4. deliveries per second per node in a burst: `--burst` captures at once
 *    through node 1; a node's deliveries over the time from the burst's
 *    start to its clients' last receipt, and the node's CPU per delivery
 *    (from /proc), which says what one core could deliver.
 *
 * Every phase checks that each subscriber received every event (the number
 * of stream positions the phase added), and reports closes by code.
 *
 * Flags: `--pg-url=URL` (default env TEST_DATABASE_URL, then
 * BENCH_DATABASE_URL, then the local server), `--redis-url=URL` (default env
 * TEST_REDIS_URL, then redis://127.0.0.1:6379), `--nodes=3`,
 * `--node-cpu-prof=DIR` (node 2, which only delivers, writes a V8 CPU
 * profile there on stop), `--subscribers=10000`, `--paced=0.5,2.5` (captures/s, two events each: ~10,000 and ~50,000 deliveries/s at 10,000 subscribers), `--paced-seconds=10`, `--burst=50`.
 *
 * @module
 */
import { createTokenService } from "../gateway/mod.ts";
import { int, ms, table } from "./mod.ts";
import {
  cpuMs,
  cpuSplitMs,
  createBenchSchema,
  flag,
  loadAverage,
  type NodeProcess,
  randomSecret,
  rssBytes,
  startNode,
} from "./_processes.ts";

if (flag("help") !== undefined) {
  console.log(
    "deno task bench:fanout [--pg-url=postgres://...] [--redis-url=redis://...] [--nodes=3] " +
      "[--subscribers=10000] [--paced=0.5,2.5] [--paced-seconds=10] [--burst=50] [--node-cpu-prof=DIR]",
  );
  Deno.exit(0);
}

const PG_URL = flag("pg-url") || Deno.env.get("TEST_DATABASE_URL") ||
  Deno.env.get("BENCH_DATABASE_URL") || "postgres://postgres@127.0.0.1:5432/test";
const REDIS_URL = flag("redis-url") || Deno.env.get("TEST_REDIS_URL") || "redis://127.0.0.1:6379";
const NODES = Number(flag("nodes") ?? 3);
const SUBSCRIBERS = Number(flag("subscribers") ?? 10_000);
const PACED = (flag("paced") ?? "0.5,2.5").split(",").map(Number).filter((n) => n > 0)
  .sort((a, b) => a - b);
const PACED_SECONDS = Number(flag("paced-seconds") ?? 10);
const BURST = Number(flag("burst") ?? 50);
/** `--node-cpu-prof=DIR`: node 2 (it only delivers) writes a V8 CPU profile there on stop. */
const NODE_CPU_PROF = flag("node-cpu-prof") || undefined;
const RUN = crypto.randomUUID().slice(0, 8);
/** A tenant of this run only: other users of the same Redis never see its events. */
const TENANT = `fanout-${RUN}`;

// --- load processes ---

/** What a load process reports for a phase. */
interface Report {
  received: number;
  first: number;
  last: number;
  hist: Record<string, number>;
  closes: Record<string, number>;
  open: number;
  sample?: string;
}

/** One `_ws_clients.ts` process and its JSON-line conversation. */
class Clients {
  readonly #child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #waiting: Array<(v: Record<string, unknown>) => void> = [];
  readonly #lines: Record<string, unknown>[] = [];
  stderr = "";

  constructor(wsUrl: string, token: string, readonly count: number) {
    this.#child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        new URL("./_ws_clients.ts", import.meta.url).pathname,
        wsUrl,
        token,
        String(count),
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#writer = this.#child.stdin.getWriter();
    this.#read();
    this.#readErrors(this.#child.stderr);
  }

  async #readErrors(stream: ReadableStream<Uint8Array>): Promise<void> {
    for await (const t of stream.pipeThrough(new TextDecoderStream())) {
      this.stderr = (this.stderr + t).slice(-4_000);
    }
  }

  get pid(): number {
    return this.#child.pid;
  }

  async #read(): Promise<void> {
    let pending = "";
    for await (const chunk of this.#child.stdout.pipeThrough(new TextDecoderStream())) {
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf("\n")) >= 0) {
        const line = pending.slice(0, nl).trim();
        pending = pending.slice(nl + 1);
        if (!line.startsWith("{")) continue;
        const value = JSON.parse(line);
        const waiter = this.#waiting.shift();
        if (waiter) waiter(value);
        else this.#lines.push(value);
      }
    }
  }

  /** The next JSON line the process prints. */
  next(): Promise<Record<string, unknown>> {
    const ready = this.#lines.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  async send(command: "mark" | "close"): Promise<void> {
    await this.#writer.write(new TextEncoder().encode(command + "\n"));
  }

  async report(): Promise<Report> {
    await this.#writer.write(new TextEncoder().encode("report\n"));
    return await this.next() as unknown as Report;
  }

  async stop(): Promise<void> {
    await this.send("close").catch(() => {});
    const timer = setTimeout(() => {
      try {
        this.#child.kill("SIGKILL");
      } catch { /* exited */ }
    }, 10_000);
    await this.#child.status;
    clearTimeout(timer);
  }
}

// --- helpers ---

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Median of three RSS reads a second apart: one read can catch a GC mid-way. */
async function steadyRss(pid: number): Promise<number> {
  const reads: number[] = [];
  for (let i = 0; i < 3; i++) {
    reads.push(rssBytes(pid));
    if (i < 2) await sleep(1_000);
  }
  return reads.sort((a, b) => a - b)[1]!;
}

/** Latency percentiles of merged whole-millisecond histograms. */
function histSummary(hists: Record<string, number>[]) {
  const all = new Map<number, number>();
  for (const h of hists) {
    for (const [k, n] of Object.entries(h)) all.set(Number(k), (all.get(Number(k)) ?? 0) + n);
  }
  const keys = [...all.keys()].sort((a, b) => a - b);
  const total = keys.reduce((a, k) => a + all.get(k)!, 0);
  const at = (q: number) => {
    const rank = Math.max(1, Math.ceil(q * total));
    let seen = 0;
    for (const k of keys) {
      seen += all.get(k)!;
      if (seen >= rank) return k;
    }
    return NaN;
  };
  return { count: total, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: keys.at(-1) ?? NaN };
}

// --- run ---

async function main(): Promise<void> {
  console.log(
    `WebSocket fan-out benchmark, run ${RUN}: ${NODES} nodes, ${int(SUBSCRIBERS)} subscribers; ` +
      `load ${loadAverage()}`,
  );
  const schema = await createBenchSchema(PG_URL, "bench_fanout");
  const secret = randomSecret();
  const dataDirs: string[] = [];
  const nodes: NodeProcess[] = [];
  const clients: Clients[] = [];
  const rows: string[][] = [];
  const row = (figure: string, value: string, target = "", met = "") =>
    rows.push([figure, value, target, met, loadAverage()]);
  try {
    // One at a time: the first applies the migrations, the others find them done.
    for (let i = 0; i < NODES; i++) {
      const dataDir = await Deno.makeTempDir({ prefix: "cove_bench_fanout_" });
      dataDirs.push(dataDir);
      nodes.push(
        await startNode(
          `n${i + 1}`,
          {
            DATA_DIR: dataDir,
            DATABASE_URL: schema.url,
            REDIS_URL,
            NODE_ID: `fanout-${RUN}-n${i + 1}`,
            JWT_SECRET: secret,
            RATE_LIMIT_DEFAULT: "0",
            RATE_LIMIT_AI: "0",
            RATE_LIMIT_WIDGET: "0",
          },
          NODE_CPU_PROF && i === 1
            ? { denoFlags: ["--cpu-prof", `--cpu-prof-dir=${NODE_CPU_PROF}`] }
            : {},
        ),
      );
    }
    const tokens = createTokenService({ secret });
    const { accessToken } = await tokens.issue({ sub: "bench", tenant: TENANT, role: "admin" });
    const wsUrl = (n: NodeProcess) => `${n.url.replace(/^http/, "ws")}/v1/stream`;

    // Warm each node's stream path, so its code is not counted as memory per connection.
    await Promise.all(nodes.map(async (n) => {
      const warm = new Clients(wsUrl(n), accessToken, 100);
      await warm.next();
      await warm.stop();
    }));
    await sleep(2_000);
    const before = await Promise.all(nodes.map((n) => steadyRss(n.pid)));

    // 1. Open every connection.
    const per = nodes.map((_, i) =>
      Math.floor(SUBSCRIBERS / NODES) + (i < SUBSCRIBERS % NODES ? 1 : 0)
    );
    const opened = await Promise.all(nodes.map(async (n, i) => {
      const c = new Clients(wsUrl(n), accessToken, per[i]!);
      clients.push(c);
      return await c.next() as { ok: number; failed: number; ms: number };
    }));
    for (const [i, o] of opened.entries()) {
      console.log(
        `  · node ${i + 1}: ${int(o.ok)} connections subscribed (${o.failed} failed) in ` +
          `${ms(o.ms)}  (load ${loadAverage()})`,
      );
      row(
        `connections on node ${i + 1} (authenticated, subscribed, caught up)`,
        `${int(o.ok)} of ${int(per[i]!)}; opened in ${ms(o.ms)}`,
      );
    }
    const subscribed = opened.reduce((a, o) => a + o.ok, 0);

    // 2. Memory per idle connection.
    await sleep(3_000);
    const after = await Promise.all(nodes.map((n) => steadyRss(n.pid)));
    for (const [i, n] of nodes.entries()) {
      const perConn = (after[i]! - before[i]!) / opened[i]!.ok;
      console.log(
        `  · node ${i + 1}: RSS ${int(before[i]! / 2 ** 20)} → ${int(after[i]! / 2 ** 20)} MiB: ` +
          `${(perConn / 1024).toFixed(1)} KiB per idle connection  (load ${loadAverage()})`,
      );
      row(
        `RSS per idle connection, node ${i + 1} (pid ${n.pid})`,
        `${(perConn / 1024).toFixed(1)} KiB (${int(before[i]! / 2 ** 20)} → ${
          int(after[i]! / 2 ** 20)
        } MiB)`,
        "≤ 25 KB",
        perConn <= 25_000 ? "yes" : "no",
      );
    }

    let captureNo = 0;
    const capture = async () => {
      const k = `${RUN}-${++captureNo}`;
      const res = await fetch(`${nodes[0]!.url}/v1/leads`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${accessToken}` },
        body: JSON.stringify({
          idempotencyKey: k,
          contact: { name: `Fan-out ${k}`, email: `${k}@bench.example` },
          message: "fan-out benchmark",
        }),
      });
      await res.body?.cancel();
      // A failed capture is a finding, not the end of the run: the events tell what committed.
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    };
    const statuses: Record<number, number> = {};
    const takeStatuses = () => {
      const s = JSON.stringify(statuses);
      for (const k of Object.keys(statuses)) delete statuses[Number(k)];
      return s;
    };
    const position = async () => {
      const [r] = await schema.sql<{ position: number }[]>`
        SELECT coalesce((SELECT position FROM streams WHERE tenant = ${TENANT}), 0)::int AS position`;
      return r!.position;
    };
    /** Waits until every client has `events` × its connections, or `timeoutMs` passed. */
    const collect = async (from: number, timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const events = (await position()) - from;
        const reports = await Promise.all(clients.map((c) => c.report()));
        const complete = reports.every((r, i) => r.received >= events * opened[i]!.ok);
        if (complete || Date.now() > deadline) return { events, reports, complete };
        await sleep(500);
      }
    };

    // 3. Latency at paced rates, the lowest first: a backlog left by one would delay the next.
    for (const rate of PACED) {
      await Promise.all(clients.map((c) => c.send("mark")));
      const paced0 = await position();
      const pacedCpu0 = nodes.map((n) => cpuMs(n.pid));
      const sent: Promise<void>[] = [];
      const pacedStart = performance.now();
      for (let i = 0; i < rate * PACED_SECONDS; i++) {
        const due = pacedStart + (i * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
        sent.push(capture());
      }
      await Promise.all(sent);
      const paced = await collect(paced0, 30_000);
      const pacedCpu = nodes.map((n, i) => cpuMs(n.pid) - pacedCpu0[i]!);
      const lat = histSummary(paced.reports.map((r) => r.hist));
      const pacedRate = (paced.events * subscribed) / PACED_SECONDS;
      console.log(
        `  · paced: ${rate * PACED_SECONDS} captures → ${paced.events} events × ${
          int(subscribed)
        } ` +
          `subscribers (~${int(pacedRate)} deliveries/s over all nodes); ${
            int(lat.count)
          } received` +
          `${paced.complete ? "" : " (INCOMPLETE)"}; p50 ${lat.p50} ms, p90 ${lat.p90} ms, ` +
          `p99 ${lat.p99} ms, max ${lat.max} ms; captures answered ${takeStatuses()}  ` +
          `(load ${loadAverage()})`,
      );
      row(
        `event-to-client latency, ${rate} captures/s (${paced.events} events, ` +
          `~${int(pacedRate)} deliveries/s in all)`,
        `p50 ${lat.p50} ms, p90 ${lat.p90} ms, p99 ${lat.p99} ms, max ${lat.max} ms; ` +
          `${int(lat.count)} of ${int(paced.events * subscribed)} delivered; node CPU ` +
          `${pacedCpu.map((c) => `${int(c)} ms`).join(", ")}`,
      );
      await sleep(2_000);
    }

    // 4. Deliveries per second per node, in a burst.
    await Promise.all(clients.map((c) => c.send("mark")));
    const burst0 = await position();
    const cpu0 = nodes.map((n) => cpuMs(n.pid));
    const kernel0 = nodes.map((n) => cpuSplitMs(n.pid).system);
    const clientCpu0 = clients.map((c) => cpuMs(c.pid));
    const burstStart = Date.now();
    // Who was busy when: CPU used by each node and each load process, second by second.
    const traceLines: string[] = [];
    let lastCpu = [...nodes.map((n) => cpuMs(n.pid)), ...clients.map((c) => cpuMs(c.pid))];
    const trace = setInterval(() => {
      const cpu = [...nodes.map((n) => cpuMs(n.pid)), ...clients.map((c) => cpuMs(c.pid))];
      const used = cpu.map((v, i) => String(v - lastCpu[i]!).padStart(4));
      lastCpu = cpu;
      traceLines.push(
        `${String(Math.round((Date.now() - burstStart) / 1000)).padStart(3)} s: ` +
          `${used.slice(0, nodes.length).join(" ")} | ${used.slice(nodes.length).join(" ")}  ` +
          `load ${loadAverage()}`,
      );
    }, 1_000);
    await Promise.all(Array.from({ length: BURST }, capture));
    const committed = Date.now() - burstStart;
    const burst = await collect(burst0, 120_000);
    clearInterval(trace);
    if (traceLines.length > 0) {
      console.log(
        "  · CPU per second during the burst (ms used in each second; nodes 1..n | their clients):",
      );
      for (const line of traceLines) console.log(`      ${line}`);
    }
    const cpu1 = nodes.map((n) => cpuMs(n.pid));
    const kernel1 = nodes.map((n) => cpuSplitMs(n.pid).system);
    const clientCpu1 = clients.map((c) => cpuMs(c.pid));
    const burstLat = histSummary(burst.reports.map((r) => r.hist));
    console.log(
      `  · burst: ${BURST} captures committed in ${committed} ms → ${burst.events} events; ` +
        `latency p50 ${burstLat.p50} ms, p99 ${burstLat.p99} ms, max ${burstLat.max} ms` +
        `${burst.complete ? "" : " (INCOMPLETE)"}; captures answered ${takeStatuses()}`,
    );
    for (const [i, r] of burst.reports.entries()) {
      const seconds = (r.last - burstStart) / 1000;
      const rate = r.received / seconds;
      const cpuPer = ((cpu1[i]! - cpu0[i]!) * 1000) / r.received;
      const clientPer = ((clientCpu1[i]! - clientCpu0[i]!) * 1000) / r.received;
      const kernelPer = ((kernel1[i]! - kernel0[i]!) * 1000) / r.received;
      console.log(
        `  · node ${i + 1}: ${int(r.received)} deliveries in ${seconds.toFixed(2)} s = ` +
          `${int(rate)}/s; node CPU ${int(cpu1[i]! - cpu0[i]!)} ms = ${cpuPer.toFixed(1)} µs per ` +
          `delivery, of which ${kernelPer.toFixed(1)} µs in the kernel ` +
          `(${int(1e6 / cpuPer)}/s per core); its clients ${clientPer.toFixed(1)} µs per ` +
          `receipt; first to last receipt ${((r.last - r.first) / 1000).toFixed(2)} s  ` +
          `(load ${loadAverage()})`,
      );
      row(
        `deliveries/s, node ${i + 1}, burst of ${burst.events} events to ${int(opened[i]!.ok)}`,
        `${int(rate)}/s (${int(r.received)} in ${seconds.toFixed(2)} s); node CPU ` +
          `${cpuPer.toFixed(1)} µs per delivery (kernel ${kernelPer.toFixed(1)} µs) = ` +
          `${int(1e6 / cpuPer)}/s per core; ` +
          `clients ${clientPer.toFixed(1)} µs per receipt`,
        "≥ 100,000/s",
        rate >= 100_000 ? "yes" : "no",
      );
    }
    row(
      `event-to-client latency in the burst (${burst.events} events)`,
      `p50 ${burstLat.p50} ms, p99 ${burstLat.p99} ms, max ${burstLat.max} ms; ` +
        `${int(burstLat.count)} of ${int(burst.events * subscribed)} delivered`,
    );
    const sample = burst.reports.find((r) => r.sample)?.sample;
    if (sample) {
      // What serializing a frame once per connection costs: the hub stringifies each delivery.
      const frame = JSON.parse(sample);
      const n = 20_000;
      const t0 = performance.now();
      let bytes = 0;
      for (let i = 0; i < n; i++) bytes += JSON.stringify(frame).length;
      const each = ((performance.now() - t0) * 1000) / n;
      console.log(
        `  · an event frame: ${int(bytes / n)} bytes; JSON.stringify of it ${each.toFixed(1)} µs ` +
          `(this process, ${int(n)} times)  (load ${loadAverage()})`,
      );
      row(
        "an event frame: size, and JSON.stringify of it (done once per delivery today)",
        `${int(bytes / n)} bytes; ${each.toFixed(1)} µs`,
      );
    }
    const closes = burst.reports.map((r) => r.closes);
    const open = burst.reports.reduce((a, r) => a + r.open, 0);
    console.log(
      `  · connections still open: ${int(open)}; closes by code: ${JSON.stringify(closes)}`,
    );
    for (const n of nodes) {
      const errors = n.output.stderr.trim();
      if (errors) console.log(`node ${n.label} stderr (tail):\n${errors.slice(-1_500)}`);
    }
    for (const c of clients) if (c.stderr.trim()) console.log(`clients stderr:\n${c.stderr}`);
  } finally {
    await Promise.all(clients.map((c) => c.stop()));
    await Promise.all(nodes.map((n) => n.stop()));
    await schema.drop();
    for (const d of dataDirs) await Deno.remove(d, { recursive: true }).catch(() => {});
  }
  console.log("\n" + table(["figure", "value", "target", "met", "load"], rows));
}

await main();
