/**
 * Benchmark of lead capture over HTTP (`deno task bench:http`): durable
 * captures per second end to end and their latency, driven by `wrk` on
 * loopback against a node started as its own process (`deno run -A
 * main.ts`), so the load generator never shares the node's event loop.
 *
 * The node runs with `DATABASE_URL` (a fresh schema `bench_http_<id>` on
 * `--pg-url`, dropped at the end) or, without one, the embedded PGlite in a
 * temporary data directory; rate limits off (`RATE_LIMIT_*=0`); tokens are
 * signed with a `JWT_SECRET` the bench sets and issues an admin token with.
 *
 * Figures, each with throughput, p50/p90/p99/max latency, answers by status
 * and socket errors, CPU per request of the server (and of Postgres), and
 * the load average:
 *
 * 1. floor: the bare parts in a process of their own (Deno.serve, Hono,
 *    @hono/zod-openapi validating the same capture schema, no auth, no
 *    database): what the machine allows right now, for a ratio.
 * 2. floor: the node's `GET /healthz` (its HTTP stack without a capture).
 * 3. `POST /v1/leads` with a Bearer token: every request a new person (own
 *    email and idempotency key), 201 only after the capture is committed;
 *    at each of `--connections` keep-alive connections.
 * 4. `POST /v1/widget/leads` with `X-Site-Key`, when the node has the route
 *    and `Origin` of the tenant `demo` the node creates at first start (or
 *    `--site-key`): the widget's bot checks and idempotency apply as for a
 *    real submit; 202 after the commit.
 *
 * After the run the bench counts the `lead.captured` events in the schema
 * and fails loudly if fewer were committed than were acknowledged.
 *
 * Flags: `--pg-url=URL` (default env TEST_DATABASE_URL, then
 * BENCH_DATABASE_URL; none: embedded PGlite), `--duration=15` and
 * `--warmup=3` (seconds per figure), `--connections=32,256` (capture
 * figures), `--floor-connections=128`, `--threads=2` (wrk threads),
 * `--only=bare,healthz,rest,widget`, `--site-key=KEY`, `--node-cpu-prof=DIR`
 * (the node writes a V8 CPU profile there on stop). Needs `wrk` on the
 * PATH (Debian: `apt-get install wrk`).
 *
 * @module
 */
import { createTokenService } from "../gateway/mod.ts";
import { int, ms, table } from "./mod.ts";
import {
  type BenchSchema,
  cpuMs,
  createBenchSchema,
  flag,
  loadAverage,
  type NodeProcess,
  postgresCpuMs,
  randomSecret,
  startNode,
} from "./_processes.ts";

if (flag("help") !== undefined) {
  console.log(
    "deno task bench:http [--pg-url=postgres://...] [--duration=15] [--warmup=3] " +
      "[--connections=32,256] [--floor-connections=128] [--threads=2] " +
      "[--only=bare,healthz,rest,widget] [--site-key=KEY] [--node-cpu-prof=DIR]",
  );
  Deno.exit(0);
}

const PG_URL = flag("pg-url") || Deno.env.get("TEST_DATABASE_URL") ||
  Deno.env.get("BENCH_DATABASE_URL") || undefined;
const DURATION = Number(flag("duration") ?? 15);
const WARMUP = Number(flag("warmup") ?? 3);
const CONNECTIONS = (flag("connections") ?? "32,256").split(",").map(Number).filter((n) => n > 0);
const FLOOR_CONNECTIONS = Number(flag("floor-connections") ?? 128);
const THREADS = Number(flag("threads") ?? 2);
const ONLY = new Set((flag("only") ?? "bare,healthz,rest,widget").split(","));
const SITE_KEY = flag("site-key") || undefined;
/** `--node-cpu-prof=DIR`: the node writes a V8 CPU profile there when it stops. */
const NODE_CPU_PROF = flag("node-cpu-prof") || undefined;
const TENANT = "bench";
/** Unique per run, so two runs against one database never share an email or a key. */
const RUN = crypto.randomUUID().slice(0, 8);

// --- wrk ---

/** What one wrk run measured; latencies in ms. */
interface WrkResult {
  requests: number;
  seconds: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  statuses: Record<string, number>;
  socketErrors: { connect: number; read: number; write: number; timeout: number };
}

/**
 * The wrk script: each request a distinct capture (run id, thread and a
 * counter make its email and idempotency key), every answer counted by
 * status, and one JSON line with the figures at the end.
 */
function wrkScript(method: string, path: string, headers: Record<string, string>, body: string) {
  const lua = (s: string) => JSON.stringify(s); // a JSON string is a valid Lua string literal here
  const headerLines = Object.entries(headers).map(([k, v]) => `wrk.headers[${lua(k)}] = ${lua(v)}`)
    .join("\n");
  // `body` holds {K} wherever the per-request key goes.
  const bodyExpr = body ? body.split("{K}").map(lua).join(" .. k .. ") : "nil";
  return `
local threads = {}
local next_id = 0
function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end
function init(args)
  prefix = args[1] .. "-" .. args[2] .. "-" .. id .. "-"
  counter = 0
  statuses = {}
end
wrk.method = ${lua(method)}
${headerLines}
function request()
  counter = counter + 1
  local k = prefix .. counter
  return wrk.format(nil, ${lua(path)}, nil, ${bodyExpr})
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
  local all = {}
  for _, t in ipairs(threads) do
    for code, n in pairs(t:get("statuses")) do all[code] = (all[code] or 0) + n end
  end
  local parts = {}
  for code, n in pairs(all) do table.insert(parts, string.format('"%d":%d', code, n)) end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"us":%d,"p50":%d,"p90":%d,"p99":%d,"max":%d,"statuses":{%s},' ..
    '"connect":%d,"read":%d,"write":%d,"timeout":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, table.concat(parts, ","),
    e.connect, e.read, e.write, e.timeout))
end
`;
}

async function runWrk(
  url: string,
  script: string,
  seconds: number,
  connections: number,
  phase: string,
): Promise<WrkResult> {
  const file = await Deno.makeTempFile({ prefix: "cove_bench_", suffix: ".lua" });
  try {
    await Deno.writeTextFile(file, script);
    const out = await new Deno.Command("wrk", {
      args: [
        `-t${Math.min(THREADS, connections)}`,
        `-c${connections}`,
        `-d${seconds}s`,
        "--timeout",
        "10s",
        "-s",
        file,
        url,
        "--",
        RUN,
        phase,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout);
    const line = text.split("\n").find((l) => l.startsWith("WRKJSON "));
    if (!out.success || !line) {
      throw new Error(`wrk failed:\n${text}\n${new TextDecoder().decode(out.stderr)}`);
    }
    const j = JSON.parse(line.slice(8));
    return {
      requests: j.requests,
      seconds: j.us / 1e6,
      p50: j.p50 / 1000,
      p90: j.p90 / 1000,
      p99: j.p99 / 1000,
      max: j.max / 1000,
      statuses: j.statuses,
      socketErrors: { connect: j.connect, read: j.read, write: j.write, timeout: j.timeout },
    };
  } finally {
    await Deno.remove(file).catch(() => {});
  }
}

// --- figures ---

interface Row {
  figure: string;
  connections: number;
  rate: number;
  result: WrkResult;
  cpu: string;
  load: string;
}
const rows: Row[] = [];

let figureNumber = 0;

/** A warm-up run (not counted), then the measured one with the server's CPU around it. */
async function figure(
  name: string,
  server: { pid: number },
  url: string,
  script: string,
  connections: number,
  withPostgres: boolean,
  captures = false,
  schema?: BenchSchema,
): Promise<Row> {
  // The phase goes into each request's email and idempotency key: letters and digits only.
  const phase = `f${++figureNumber}`;
  if (WARMUP > 0) {
    const warm = await runWrk(url, script, WARMUP, connections, `${phase}w`);
    if (captures) acknowledged += okCount(warm);
  }
  const tables0 = schema ? await tableStats(schema) : undefined;
  const cpu0 = cpuMs(server.pid);
  const pg0 = withPostgres ? postgresCpuMs() : 0;
  const result = await runWrk(url, script, DURATION, connections, phase);
  const ok = okCount(result);
  if (captures) acknowledged += ok;
  const per = (v: number) => ok > 0 ? `${int((v * 1000) / ok)} µs` : "n/a";
  const cpu = per(cpuMs(server.pid) - cpu0) +
    (withPostgres ? ` + PG ${per(postgresCpuMs() - pg0)}` : "");
  const row: Row = {
    figure: name,
    connections,
    rate: ok / result.seconds,
    result,
    cpu,
    load: loadAverage(),
  };
  rows.push(row);
  const errs = Object.entries(result.socketErrors).filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`).join(", ");
  console.log(
    `  · ${name}, ${connections} connections: ${int(row.rate)} ok/s; p50 ${ms(result.p50)}, ` +
      `p90 ${ms(result.p90)}, p99 ${ms(result.p99)}, max ${ms(result.max)}; statuses ` +
      `${JSON.stringify(result.statuses)}${
        errs ? `; socket errors: ${errs}` : ""
      }; CPU per ok ${cpu}` +
      `  (load ${row.load})`,
  );
  if (schema && tables0 && ok > 0) {
    // Table statistics reach pg_stat_user_tables about once a second, and work a capture
    // started (re-score reminders, follow-ups) finishes shortly after: wait for both.
    await new Promise((r) => setTimeout(r, 3_000));
    const tables1 = await tableStats(schema);
    const per = (k: "writes" | "scans") =>
      [...tables1].map(([t, v]) => [t, (v[k] - (tables0.get(t)?.[k] ?? 0)) / ok] as const)
        .filter(([, n]) => n >= 0.05).sort((a, b) => b[1] - a[1]);
    const show = (list: ReturnType<typeof per>) =>
      `${list.reduce((a, [, n]) => a + n, 0).toFixed(1)} (` +
      list.map(([t, n]) => `${t} ${n.toFixed(1)}`).join(", ") + ")";
    console.log(`    rows written per ok: ${show(per("writes"))}`);
    console.log(`    index and table scans per ok: ${show(per("scans"))}`);
  }
  return row;
}

/** Rows written and scans started per table of the run's schema, as Postgres counts them. */
async function tableStats(schema: BenchSchema) {
  const rows = await schema.sql<{ relname: string; writes: number; scans: number }[]>`
    SELECT relname, (n_tup_ins + n_tup_upd + n_tup_del)::float8 AS writes,
           (coalesce(idx_scan, 0) + coalesce(seq_scan, 0))::float8 AS scans
    FROM pg_stat_user_tables WHERE schemaname = ${schema.schema}`;
  return new Map(rows.map((r) => [r.relname, { writes: r.writes, scans: r.scans }]));
}

/** Acknowledged captures (2xx) over all capture runs, warm-ups included. */
let acknowledged = 0;

function okCount(r: WrkResult): number {
  return Object.entries(r.statuses).filter(([s]) => s.startsWith("2")).reduce(
    (a, [, n]) => a + n,
    0,
  );
}

function captureBody(): string {
  return JSON.stringify({
    idempotencyKey: "{K}",
    contact: { name: "Bench {K}", email: "{K}@bench.example" },
    message: "HTTP capture benchmark",
    attribution: { pageUrl: "https://bench.example/landing", utm: { source: "wrk" } },
  });
}

/** The widget's flat form; `elapsedMs` as a person takes, the honeypot left empty. */
function widgetBody(): string {
  return JSON.stringify({
    idempotencyKey: "{K}",
    name: "Widget {K}",
    email: "{K}@bench.example",
    message: "HTTP capture benchmark",
    pageUrl: "https://bench.example/landing",
    utm_source: "wrk",
    elapsedMs: 5_000,
  });
}

// --- run ---

async function main(): Promise<void> {
  const probe = await new Deno.Command("wrk", {
    args: ["--version"],
    stdout: "null",
    stderr: "null",
  })
    .output().catch(() => undefined);
  if (!probe) {
    console.error("wrk is not on the PATH (Debian: apt-get install wrk)");
    Deno.exit(1);
  }
  console.log(
    `HTTP capture benchmark, run ${RUN}: ${DURATION} s per figure after ${WARMUP} s of warm-up, ` +
      `wrk with ${THREADS} threads; load ${loadAverage()}`,
  );

  if (ONLY.has("bare")) {
    const bare = await startNode("bare", {}, { script: "bench/_bare_server.ts" });
    try {
      await figure(
        "floor: bare Deno.serve + Hono + zod, POST /v1/leads",
        bare,
        `${bare.url}/v1/leads`,
        wrkScript("POST", "/v1/leads", { "Content-Type": "application/json" }, captureBody()),
        FLOOR_CONNECTIONS,
        false,
      );
    } finally {
      await bare.stop();
    }
  }

  if (!["healthz", "rest", "widget"].some((f) => ONLY.has(f))) return printTable();
  const secret = randomSecret();
  const schema: BenchSchema | undefined = PG_URL
    ? await createBenchSchema(PG_URL, "bench_http")
    : undefined;
  const dataDir = await Deno.makeTempDir({ prefix: "cove_bench_http_" });
  let node: NodeProcess | undefined;
  try {
    node = await startNode("node", {
      DATA_DIR: dataDir,
      JWT_SECRET: secret,
      RATE_LIMIT_DEFAULT: "0",
      RATE_LIMIT_AI: "0",
      RATE_LIMIT_WIDGET: "0",
      ...(schema ? { DATABASE_URL: schema.url } : {}),
    }, NODE_CPU_PROF ? { denoFlags: ["--cpu-prof", `--cpu-prof-dir=${NODE_CPU_PROF}`] } : {});
    const backend = schema ? `Postgres (schema ${schema.schema})` : "embedded PGlite";
    console.log(`node ${node.url} (pid ${node.pid}), ${backend}`);
    const tokens = createTokenService({ secret });
    const { accessToken } = await tokens.issue({
      sub: "bench-admin",
      tenant: TENANT,
      role: "admin",
    });
    // The default 15-minute token outlives any run of this bench.

    if (ONLY.has("healthz")) {
      await figure(
        "floor: node GET /healthz",
        node,
        `${node.url}/healthz`,
        wrkScript("GET", "/healthz", {}, ""),
        FLOOR_CONNECTIONS,
        false,
      );
    }

    if (ONLY.has("rest")) {
      const script = wrkScript("POST", "/v1/leads", {
        "Content-Type": "application/json",
        Authorization: `Bearer ${accessToken}`,
      }, captureBody());
      for (const c of CONNECTIONS) {
        const row = await figure(
          `POST /v1/leads (${schema ? "Postgres" : "PGlite"})`,
          node,
          `${node.url}/v1/leads`,
          script,
          c,
          !!schema,
          true,
          schema,
        );
        if (row.result.statuses["429"]) {
          console.log("    ! 429 answers: this node does not take RATE_LIMIT_DEFAULT=0 yet");
        }
      }
    }

    // An empty database gets tenant `demo` and its widget site key at first start.
    const siteKey = SITE_KEY ?? node.output.stdout.match(/widget site key (\S+?);/)?.[1];
    if (ONLY.has("widget")) {
      const probe = await fetch(`${node.url}/v1/widget/leads`, { method: "POST", body: "{}" });
      await probe.body?.cancel();
      if (probe.status === 404) {
        console.log("  · widget: the node has no POST /v1/widget/leads; skipped");
      } else if (!siteKey) {
        console.log(
          "  · widget: no site key (none printed at first start, no --site-key); skipped",
        );
      } else {
        // The site key is bound to its origins; a browser always sends one.
        const script = wrkScript("POST", "/v1/widget/leads", {
          "Content-Type": "application/json",
          "X-Site-Key": siteKey,
          Origin: node.url,
        }, widgetBody());
        for (const c of CONNECTIONS) {
          await figure(
            "POST /v1/widget/leads",
            node,
            `${node.url}/v1/widget/leads`,
            script,
            c,
            !!schema,
            true,
            schema,
          );
        }
      }
    }

    if (schema && acknowledged > 0) {
      // Requests still in flight when wrk stopped may have committed without being counted.
      const [r] = await schema.sql<{ n: number }[]>`
        SELECT count(*)::int AS n FROM events WHERE type = 'lead.captured'`; // the run's own schema: every tenant
      const committed = r!.n;
      console.log(
        `  · durability: ${int(acknowledged)} captures acknowledged, ${
          int(committed)
        } lead.captured ` +
          `events committed`,
      );
      if (committed < acknowledged) {
        throw new Error(`${acknowledged - committed} acknowledged captures are not in the journal`);
      }
    }
    const errors = node.output.stderr.trim();
    if (errors) console.log(`node stderr (tail):\n${errors.slice(-2_000)}`);
  } finally {
    await node?.stop();
    await schema?.drop();
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }

  printTable();
}

function printTable(): void {
  const floor = rows.find((r) => r.figure.startsWith("floor: bare"));
  console.log(
    "\n" + table(
      [
        "figure",
        "conns",
        "ok/s",
        "vs bare",
        "p50",
        "p90",
        "p99",
        "max",
        "non-2xx",
        "CPU per ok",
        "load",
      ],
      rows.map((r) => [
        r.figure,
        String(r.connections),
        int(r.rate),
        floor ? `${(r.rate / floor.rate).toFixed(3)}×` : "",
        ms(r.result.p50),
        ms(r.result.p90),
        ms(r.result.p99),
        ms(r.result.max),
        Object.entries(r.result.statuses).filter(([s]) => !s.startsWith("2"))
          .map(([s, n]) => `${s}: ${n}`).join(", ") || "0",
        r.cpu,
        r.load,
      ]),
    ),
  );
  console.log("target: ≥ 10,000 durable captures/s with p99 ≤ 50 ms");
}

await main();
