/**
 * Benchmark of the actor runtime (`deno task bench`).
 *
 * Figures, each printed beside its design target:
 *
 * 1. In-process messages/s through 10,000 warm actors: a command whose handler
 *    emits no events (so no journal I/O), sent with `tell`, with `ask`
 *    (timeout Infinity: no timer) and with `ask` under the default 5 s timeout
 *    (a deadline is registered only for an ask still pending after routing). A bare mailbox loop is measured
 *    in the same process as a yardstick of the machine's speed right now.
 * 2. Durable commands/s: each command emits one event of ~200 B of JSON. Group
 *    commit (default options) against one transaction per command, on real
 *    Postgres and on embedded PGlite, at 1, 64 and 1,024 actors, each with one
 *    client loop that asks its actor again as soon as the previous ask resolved.
 * 3. Activation latency: the first query to each of N actors, sequentially,
 *    after they were passivated (snapshot covering all 150 events), from a
 *    snapshot at 100 plus 50 events, and of brand-new actors; the three cases
 *    are interleaved actor by actor so that noise hits them alike.
 * 4. Memory per idle active actor, in a child process started with
 *    `--v8-flags=--expose-gc`: heap growth per activated actor after a full
 *    GC, less the heap size of its state measured the same way.
 *
 * Flags: `--quick` (short run), `--pg-url=URL` (default: env TEST_DATABASE_URL,
 * then BENCH_DATABASE_URL; without one the Postgres figures are skipped),
 * `--only=inproc,durable,activation,memory` (a subset, e.g. for `--cpu-prof`),
 * `--backend=postgres|pglite` (one database for sections 2 and 3).
 * The run uses one fresh Postgres schema (`bench_<id>`), dropped at the end,
 * and one in-memory PGlite; both are shared by sections 1-3.
 *
 * @module
 */
import postgres from "postgres";
import { z } from "zod";
import { ActorSystem, type Database, defineActor, openDatabase } from "../actors/runtime/mod.ts";
import type { ActorRef, GroupCommitOptions } from "../actors/runtime/mod.ts";
import { newId } from "../shared/ids.ts";
import { int, ms, summarize, table } from "./mod.ts";

// --- flags ---

const SECTIONS = ["inproc", "durable", "activation", "memory"] as const;
type Section = typeof SECTIONS[number];

function flag(name: string): string | undefined {
  const hit = Deno.args.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (hit === undefined) return undefined;
  return hit.includes("=") ? hit.slice(hit.indexOf("=") + 1) : "";
}

if (flag("help") !== undefined) {
  console.log(
    "deno task bench [--quick] [--pg-url=postgres://...] " +
      "[--only=inproc,durable,activation,memory] [--backend=postgres|pglite]",
  );
  Deno.exit(0);
}

const QUICK = flag("quick") !== undefined;
const PG_URL = flag("pg-url") || Deno.env.get("TEST_DATABASE_URL") ||
  Deno.env.get("BENCH_DATABASE_URL") || undefined;
const ONLY = new Set<Section>(
  (flag("only") ?? SECTIONS.join(",")).split(",").filter((s): s is Section =>
    (SECTIONS as readonly string[]).includes(s)
  ),
);

const CFG = QUICK
  ? {
    inprocActors: 10_000,
    inprocWindows: 3,
    inprocWindowMs: 200,
    durableMs: 750,
    durableWarmMs: 200,
    concurrency: [1, 64, 1_024],
    activationActors: 200,
    memoryActors: 10_000,
  }
  : {
    inprocActors: 10_000,
    inprocWindows: 7,
    inprocWindowMs: 400,
    durableMs: 3_000,
    durableWarmMs: 500,
    concurrency: [1, 64, 1_024],
    activationActors: 2_000,
    memoryActors: 100_000,
  };

/** Design targets from the issue. */
const TARGET = {
  inprocPerSec: 2_000_000,
  durablePerSec: 20_000,
  bytesPerIdleActor: 2_048,
};

/** Pool size of the real Postgres database (openDatabase's default). */
const PG_POOL = 8;
/** Event data of a durable command: `{"payload":"xxx…"}`, 200 bytes of JSON. */
const PAYLOAD = "x".repeat(200 - JSON.stringify({ payload: "" }).length);

// --- the actor under test ---

let pings = 0;

const BenchState = z.object({ n: z.number() });
const bench = defineActor("bench", { state: BenchState, initial: () => ({ n: 0 }) })
  .event("bench.wrote", {
    schema: z.object({ payload: z.string() }),
    apply: (s) => ({ n: s.n + 1 }),
  })
  .command("ping", {
    input: z.object({}),
    handle: (s) => {
      pings++;
      return { reply: s.n };
    },
  })
  .command("write", {
    input: z.object({ payload: z.string() }),
    handle: (s, cmd) => ({ events: [{ type: "bench.wrote", data: cmd }], reply: s.n + 1 }),
  })
  .command("seed", {
    input: z.object({ count: z.number().int().min(1), payload: z.string() }),
    handle: (s, cmd) => ({
      events: Array.from({ length: cmd.count }, () => ({
        type: "bench.wrote" as const,
        data: { payload: cmd.payload },
      })),
      reply: s.n + cmd.count,
    }),
  })
  .query("n", (s) => s.n);

type BenchRef = ActorRef<typeof bench>;

const INF = { timeout: Infinity };

// --- results ---

interface Row {
  section: string;
  figure: string;
  backend: string;
  value: string;
  p50?: string;
  p99?: string;
  target?: string;
  met?: boolean;
  /** 1-minute load average when the figure was taken (the machine is shared). */
  load?: string;
}

const rows: Row[] = [];
const notes = new Set<string>();

function loadAverage(): string {
  try {
    return Deno.readTextFileSync("/proc/loadavg").split(" ")[0] ?? "?";
  } catch {
    return "?";
  }
}

function record(row: Row): void {
  row.load ??= loadAverage();
  rows.push(row);
  const lat = row.p50 ? ` (p50 ${row.p50}, p99 ${row.p99})` : "";
  const tgt = row.target ? `  [target ${row.target}: ${row.met ? "met" : "MISSED"}]` : "";
  console.log(`  · ${row.figure} — ${row.backend}: ${row.value}${lat}${tgt}  (load ${row.load})`);
}

const now = () => performance.now();
const tick = () => new Promise<void>((r) => setTimeout(r, 0));

// --- databases ---

/** A database opened once per run and shared by the sections that use it. */
interface Backend {
  name: string;
  /** Connections the runtime's pool may use. */
  pool: number;
  db(): Promise<Database>;
  /** Closes the database and, for Postgres, drops the run's schema. */
  close(): Promise<void>;
}

function lazy(
  name: string,
  pool: number,
  open: () => Promise<Database>,
  drop?: () => Promise<void>,
) {
  let opened: Promise<Database> | undefined;
  return {
    name,
    pool,
    db: () => opened ??= open(),
    close: async () => {
      try {
        if (opened) await (await opened).close();
      } finally {
        await drop?.();
      }
    },
  } satisfies Backend;
}

/** Embedded PGlite in memory: one connection, so at most one transaction in flight. */
const PGLITE: Backend = lazy("PGlite", 1, () => openDatabase());

function realPostgres(url: string): Backend {
  const schema = `bench_${newId()}`;
  let created = false;
  return lazy("Postgres", PG_POOL, () => {
    created = true;
    return openDatabase({ url, schema, max: PG_POOL });
  }, async () => {
    if (!created) return;
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    try {
      await admin.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    } finally {
      await admin.end();
    }
  });
}

let PG: Backend | undefined = PG_URL ? realPostgres(PG_URL) : undefined;
const NO_PG =
  "Postgres figures skipped: no --pg-url, TEST_DATABASE_URL or BENCH_DATABASE_URL given.";

/** `--backend=postgres` or `--backend=pglite` limits sections 2 and 3 to one database. */
const BACKEND = flag("backend");

function backends(): Backend[] {
  if (BACKEND === "pglite") return [PGLITE];
  if (!PG_URL) notes.add(NO_PG);
  if (BACKEND === "postgres") return PG ? [PG] : [];
  return PG ? [PG, PGLITE] : [PGLITE];
}

function refs(sys: ActorSystem, tenant: string, prefix: string, n: number): BenchRef[] {
  return Array.from({ length: n }, (_, i) => sys.ref(bench, tenant, `${prefix}-${i}`));
}

/** Activates actors by querying them, `chunk` at a time. */
async function activate(list: BenchRef[], chunk = 5_000): Promise<void> {
  for (let i = 0; i < list.length; i += chunk) {
    await Promise.all(list.slice(i, i + chunk).map((r) => r.query("n")));
  }
}

// --- 1. in-process messages ---

/**
 * Runs `round` (which sends a batch of messages and returns how many) again
 * and again for `windowMs`, `windows` times, and returns each window's rate.
 * The machine is shared, so a figure is the median window, shown with the
 * range.
 */
async function rates(
  round: () => number | Promise<number>,
  windows = CFG.inprocWindows,
  windowMs = CFG.inprocWindowMs,
): Promise<number[]> {
  const out: number[] = [];
  for (let w = 0; w < windows; w++) {
    let sent = 0;
    const t0 = now();
    while (now() - t0 < windowMs) sent += await round();
    out.push(sent / ((now() - t0) / 1000));
  }
  return out;
}

function rateFigure(r: number[]): { median: number; text: string } {
  const st = summarize(r);
  const min = Math.min(...r);
  const max = Math.max(...r);
  return {
    median: st.p50,
    text: `${int(st.p50)} msg/s (${int(min)}–${int(max)})`,
  };
}

/** Yardstick: a mailbox per actor, push + shift + handler, no allocation per message. */
function bareMailbox(actors: number): () => number {
  class Box {
    q: number[] = [];
    running = false;
    n = 0;
    deliver(m: number): void {
      this.q.push(m);
      if (this.running) return;
      this.running = true;
      let x: number | undefined;
      while ((x = this.q.shift()) !== undefined) this.n += x;
      this.running = false;
    }
  }
  const boxes = Array.from({ length: actors }, () => new Box());
  return () => {
    for (let i = 0; i < actors; i++) boxes[i]!.deliver(1);
    return actors;
  };
}

/**
 * Yardstick for ask: the same mailbox, but each message is an envelope object
 * carrying its reply's resolve function, and the caller awaits a promise; one
 * message to every actor, then await all, as the runtime's ask figure does.
 */
function bareAsk(actors: number): () => Promise<number> {
  interface Env {
    input: number;
    resolve: (v: number) => void;
  }
  class Box {
    q: Env[] | undefined;
    running = false;
    n = 0;
    deliver(e: Env): void {
      (this.q ??= []).push(e);
      if (this.running) return;
      this.running = true;
      let x: Env | undefined;
      while ((x = this.q.shift()) !== undefined) x.resolve(this.n += x.input);
      this.q = undefined;
      this.running = false;
    }
  }
  const boxes = Array.from({ length: actors }, () => new Box());
  const ps: Promise<number>[] = new Array(actors);
  return async () => {
    for (let i = 0; i < actors; i++) {
      const box = boxes[i]!;
      ps[i] = new Promise<number>((resolve) => box.deliver({ input: 1, resolve }));
    }
    await Promise.all(ps);
    return actors;
  };
}

async function inProcess(): Promise<void> {
  console.log(
    `\n[1] in-process messages through ${int(CFG.inprocActors)} warm actors (PGlite), ` +
      `median of ${CFG.inprocWindows} windows of ${CFG.inprocWindowMs} ms (range)`,
  );
  const db = await PGLITE.db();
  const sys = new ActorSystem({ database: db, types: [bench] });
  const list = refs(sys, "inproc", "a", CFG.inprocActors);
  const ta = now();
  await activate(list);
  console.log(
    `  (activated ${int(sys.activeCount)} actors in ${ms(now() - ta)}; not part of any figure)`,
  );
  const N = list.length;
  const input = {};
  const target = `≥ ${int(TARGET.inprocPerSec)}/s`;

  record({
    section: "1",
    figure: "yardstick: bare mailbox loop (push/shift/call, no allocation)",
    backend: "in-process",
    value: rateFigure(await rates(bareMailbox(N))).text,
  });
  record({
    section: "1",
    figure: "yardstick: bare mailbox + envelope + promise per msg, 10,000 in flight",
    backend: "in-process",
    value: rateFigure(await rates(bareAsk(N))).text,
  });

  // Warm-up of every path so the JIT has compiled them.
  for (let i = 0; i < N; i++) list[i]!.tell("ping", input);
  await Promise.all(list.map((r) => r.ask("ping", input, INF)));
  await Promise.all(list.map((r) => r.ask("ping", input)));

  // tell: fire-and-forget; a no-event turn runs synchronously inside tell().
  {
    const start = pings;
    let sent = 0;
    const r = rateFigure(
      await rates(() => {
        for (let i = 0; i < N; i++) list[i]!.tell("ping", input);
        sent += N;
        return N;
      }),
    );
    if (pings - start !== sent) throw new Error(`${sent} told, ${pings - start} handled`);
    record({
      section: "1",
      figure: "tell, no-event command, round-robin over 10,000 actors",
      backend: "in-process",
      value: r.text,
      target,
      met: r.median >= TARGET.inprocPerSec,
    });
  }

  // ask: one ask to every actor, then await all 10,000 replies; repeat.
  for (
    const [label, opts] of [
      ["ask {timeout: Infinity} (no timer), 10,000 in flight", INF],
      ["ask, default 5 s timeout, 10,000 in flight", undefined],
    ] as const
  ) {
    const ps: Promise<unknown>[] = new Array(N);
    const r = rateFigure(
      await rates(async () => {
        for (let i = 0; i < N; i++) ps[i] = list[i]!.ask("ping", input, opts);
        await Promise.all(ps);
        return N;
      }),
    );
    record({
      section: "1",
      figure: label,
      backend: "in-process",
      value: r.text,
      target,
      met: r.median >= TARGET.inprocPerSec,
    });
  }

  // ask one at a time: the round trip of a single caller (reply via a promise).
  {
    let k = 0;
    const r = rateFigure(
      await rates(async () => {
        for (let i = 0; i < 1_000; i++) await list[k++ % N]!.ask("ping", input, INF);
        return 1_000;
      }),
    );
    record({
      section: "1",
      figure: "ask {timeout: Infinity}, 1 in flight (sequential awaits)",
      backend: "in-process",
      value: `${r.text}; ${(1e6 / r.median).toFixed(2)} µs per round trip`,
    });
  }
  await sys.shutdown();
}

// --- 2. durable commands ---

interface Mode {
  name: string;
  options: (b: Backend) => GroupCommitOptions;
}

const MODES: Mode[] = [
  { name: "group commit (defaults)", options: () => ({}) },
  {
    name: "1 tx per command",
    options: (b) => ({ maxBatch: 1, maxInFlight: b.pool }),
  },
];

interface LoadResult {
  done: number;
  errors: number;
  seconds: number;
  latencies: number[];
}

/** One client loop per actor: ask, await, ask again, until the deadline. */
async function drive(
  list: BenchRef[],
  durationMs: number,
  command: (r: BenchRef) => Promise<unknown>,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let done = 0;
  let errors = 0;
  let firstError: unknown;
  const t0 = now();
  const deadline = t0 + durationMs;
  await Promise.all(list.map(async (r) => {
    while (now() < deadline) {
      const s = now();
      try {
        await command(r);
        latencies.push(now() - s);
        done++;
      } catch (e) {
        errors++;
        firstError ??= e;
      }
    }
  }));
  const seconds = (now() - t0) / 1000;
  if (errors > 0) {
    console.log(`    ${errors} asks failed, first: ${(firstError as Error)?.message}`);
  }
  return { done, errors, seconds, latencies };
}

async function durable(): Promise<void> {
  console.log(
    `\n[2] durable commands (1 event of 200 B JSON each), ${CFG.durableMs / 1000} s per figure`,
  );
  for (const b of backends()) {
    const db = await b.db();
    for (const mode of MODES) {
      for (const conc of CFG.concurrency) {
        const opts = mode.options(b);
        const sys = new ActorSystem({
          database: db,
          types: [bench],
          groupCommit: opts,
          askTimeout: 60_000,
        });
        const list = refs(sys, "durable", `d${newId().slice(0, 6)}`, conc);
        await activate(list);
        const write = (r: BenchRef) => r.ask("write", { payload: PAYLOAD });
        await drive(list, CFG.durableWarmMs, write);
        const res = await drive(list, CFG.durableMs, write);
        const lat = summarize(res.latencies);
        const rate = res.done / res.seconds;
        const isTarget = b === PG && mode === MODES[0] && conc === Math.max(...CFG.concurrency);
        const cfg = opts.maxBatch === 1
          ? `maxBatch 1, maxInFlight ${opts.maxInFlight}`
          : "maxBatch 1000, maxInFlight 1";
        record({
          section: "2",
          figure: `${mode.name} [${cfg}], ${int(conc)} actors`,
          backend: b.name,
          value: `${int(rate)} cmd/s` + (res.errors ? ` (${res.errors} errors)` : ""),
          p50: ms(lat.p50),
          p99: ms(lat.p99),
          ...(isTarget
            ? { target: `≥ ${int(TARGET.durablePerSec)}/s`, met: rate >= TARGET.durablePerSec }
            : {}),
        });
        await sys.shutdown();
      }
    }
  }
}

// --- 3. activation latency ---

async function activation(): Promise<void> {
  const n = CFG.activationActors;
  console.log(
    `\n[3] activation latency: first query to each of ${int(n)} actors per case, sequentially, ` +
      `the three cases interleaved`,
  );
  for (const b of backends()) {
    const db = await b.db();
    // Seed 2n actors with 100 events (the default snapshotEvery writes a
    // snapshot with that commit), then 50 more (no snapshot).
    const t0 = now();
    const tenant = `act${newId().slice(0, 6)}`;
    const seeder = new ActorSystem({ database: db, types: [bench], askTimeout: 120_000 });
    const seeds = refs(seeder, tenant, "s", 2 * n);
    let next = 0;
    await Promise.all(Array.from({ length: 64 }, async () => {
      for (let i = next++; i < seeds.length; i = next++) {
        await seeds[i]!.ask("seed", { count: 100, payload: PAYLOAD });
        await seeds[i]!.ask("seed", { count: 50, payload: PAYLOAD });
      }
    }));
    await seeder.committer.idle();
    // The seeder is dropped without shutdown(): shutdown would snapshot at 150.
    console.log(`  (seeded ${int(2 * n)} actors × 150 events in ${ms(now() - t0)})`);

    const sys = new ActorSystem({ database: db, types: [bench], idleTimeout: 0 });
    const all = refs(sys, tenant, "s", 2 * n);
    // Half of them are activated and passivated: passivation snapshots at 150.
    const full = all.slice(0, n);
    const tail = all.slice(n);
    const fresh = refs(sys, tenant, "new", n);
    await activate(full);
    const passivated = await sys.passivateIdle();
    if (passivated !== n || sys.activeCount !== 0) {
      throw new Error(`passivated ${passivated}, ${sys.activeCount} still active`);
    }
    const lat = { full: [] as number[], tail: [] as number[], fresh: [] as number[] };
    const results = { full: 0, tail: 0, fresh: 0 };
    for (let i = 0; i < n; i++) {
      for (const k of ["full", "tail", "fresh"] as const) {
        const r = { full, tail, fresh }[k][i]!;
        const s = now();
        results[k] += await r.query("n");
        lat[k].push(now() - s);
      }
    }
    if (results.full !== 150 * n || results.tail !== 150 * n || results.fresh !== 0) {
      throw new Error(`recovered state is wrong: ${JSON.stringify(results)}`);
    }
    for (
      const [figure, samples] of [
        ["after passivation (snapshot covers all 150 events)", lat.full],
        ["snapshot at 100 + 50 events replayed", lat.tail],
        ["new actor (no events, no snapshot)", lat.fresh],
      ] as const
    ) {
      const st = summarize(samples);
      record({
        section: "3",
        figure: `activation: ${figure}`,
        backend: b.name,
        value: `mean ${ms(st.mean)}`,
        p50: ms(st.p50),
        p99: ms(st.p99),
      });
    }
    await sys.shutdown();
  }
}

// --- 4. memory per idle actor ---

interface MemoryResult {
  actors: number;
  heapPerActor: number;
  statePerActor: number;
  afterPassivationPerActor: number;
}

/** Runs in the child that has `gc`: measures and prints one JSON line. */
async function memoryChild(n: number): Promise<MemoryResult> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("memory child needs --v8-flags=--expose-gc");
  const heap = async () => {
    for (let i = 0; i < 3; i++) {
      await tick();
      gc();
    }
    return Deno.memoryUsage().heapUsed;
  };

  // The state's own size: N fresh states held in an array, less the same
  // array holding one shared object N times. Each array is read after its
  // measurement: a variable only written after an await is dead there, and
  // the optimiser lets the GC take it before heap() reads the size.
  const shared = bench.options.initial();
  let hold: unknown[] = [];
  const s0 = await heap();
  for (let i = 0; i < n; i++) hold.push(shared);
  const s1 = await heap();
  if (hold.length !== n) throw new Error("unreachable");
  hold = [];
  const s2 = await heap();
  for (let i = 0; i < n; i++) hold.push(bench.options.initial());
  const s3 = await heap();
  if (hold.length !== n) throw new Error("unreachable");
  hold = [];
  const statePerActor = ((s3 - s2) - (s1 - s0)) / n;

  const db = await openDatabase();
  try {
    const sys = new ActorSystem({ database: db, types: [bench], idleTimeout: 0 });
    // Warm the paths (statement cache, JIT) before the baseline.
    await activate(refs(sys, "mem", "warm", 1_000));
    await sys.passivateIdle();
    const h0 = await heap();
    for (let i = 0; i < n; i += 5_000) {
      // Refs are not kept: only what the system itself holds is measured.
      await Promise.all(
        Array.from(
          { length: Math.min(5_000, n - i) },
          (_, k) => sys.ref(bench, "mem", `m-${i + k}`).query("n"),
        ),
      );
    }
    if (sys.activeCount !== n) throw new Error(`${sys.activeCount} active, expected ${n}`);
    const h1 = await heap();
    await sys.passivateIdle();
    const h2 = await heap();
    await sys.shutdown();
    return {
      actors: n,
      heapPerActor: (h1 - h0) / n,
      statePerActor,
      afterPassivationPerActor: (h2 - h0) / n,
    };
  } finally {
    await db.close();
  }
}

async function memory(): Promise<void> {
  const n = CFG.memoryActors;
  console.log(`\n[4] memory per idle active actor (${int(n)} actors, PGlite, child with gc)`);
  const t0 = now();
  let result: MemoryResult;
  if ((globalThis as { gc?: unknown }).gc) {
    result = await memoryChild(n);
  } else {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-all",
        "--v8-flags=--expose-gc",
        "--config",
        new URL("../deno.json", import.meta.url).pathname,
        new URL(import.meta.url).pathname,
        `--child-memory=${n}`,
      ],
      stdout: "piped",
      stderr: "inherit",
    }).output();
    const text = new TextDecoder().decode(out.stdout);
    const line = text.split("\n").find((l) => l.startsWith("@@memory "));
    if (!out.success || !line) throw new Error(`memory child failed (${out.code}): ${text}`);
    result = JSON.parse(line.slice("@@memory ".length));
  }
  const beyond = result.heapPerActor - result.statePerActor;
  console.log(
    `  (${ms(now() - t0)}; heap growth ${int(result.heapPerActor)} B/actor, ` +
      `state ${int(result.statePerActor)} B/actor)`,
  );
  record({
    section: "4",
    figure: "heap per idle active actor beyond its state",
    backend: "in-process",
    value: `${int(beyond)} B/actor`,
    target: `≤ ${int(TARGET.bytesPerIdleActor)} B`,
    met: beyond <= TARGET.bytesPerIdleActor,
  });
  record({
    section: "4",
    figure: "  of which the state {n: 0} itself (not counted)",
    backend: "in-process",
    value: `${int(result.statePerActor)} B/actor`,
  });
  record({
    section: "4",
    figure: "heap still held per actor after passivating all",
    backend: "in-process",
    value: `${int(result.afterPassivationPerActor)} B/actor`,
  });
}

// --- main ---

/** A URL without its password. */
function redact(url: string): string {
  return url.replace(/:[^:@/]*@/, ":***@");
}

async function main(): Promise<void> {
  const started = now();
  console.log(
    `Cove runtime benchmark${QUICK ? " (--quick)" : ""} — deno ${Deno.version.deno}, ` +
      `V8 ${Deno.version.v8}, ${navigator.hardwareConcurrency} cores, ` +
      `Postgres: ${PG_URL ? redact(PG_URL) : "none"}`,
  );
  if (PG && (ONLY.has("durable") || ONLY.has("activation")) && BACKEND !== "pglite") {
    try {
      await PG.db();
    } catch (e) {
      notes.add(`Postgres figures skipped: cannot open ${redact(PG_URL!)}: ${e}`);
      await PG.close().catch(() => {});
      PG = undefined;
    }
  }
  try {
    if (ONLY.has("inproc")) await inProcess();
    if (ONLY.has("durable")) await durable();
    if (ONLY.has("activation")) await activation();
  } finally {
    for (const b of [PG, PGLITE]) await b?.close();
  }
  if (ONLY.has("memory")) await memory();

  console.log(`\nResults (${((now() - started) / 1000).toFixed(0)} s total)\n`);
  console.log(table(
    ["#", "figure", "backend", "value", "p50", "p99", "target", "met", "load"],
    rows.map((r) => [
      r.section,
      r.figure,
      r.backend,
      r.value,
      r.p50 ?? "",
      r.p99 ?? "",
      r.target ?? "",
      r.met === undefined ? "" : r.met ? "yes" : "NO",
      r.load ?? "",
    ]),
  ));
  console.log(
    "\nload = 1-minute load average when the figure was taken (2 cores; above 2 means contention).",
  );
  for (const n of notes) console.log(`Note: ${n}`);
}

const child = flag("child-memory");
if (child !== undefined) {
  console.log(`@@memory ${JSON.stringify(await memoryChild(Number(child)))}`);
} else {
  await main();
}
