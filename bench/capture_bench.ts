/**
 * Benchmark of lead capture with dedupe (`deno task bench:capture`): leads
 * captured per second through `captureLead` (directory claim in Postgres,
 * then the lead actor's turn and group commit) when the tenant already holds
 * 10,000, 100,000 and 1,000,000 leads. Dedupe must not cost more as a tenant
 * grows; the table compares each size with 10,000 in the same run.
 *
 * How a size is reached: the tenant is pre-populated with bulk SQL
 * (`INSERT ... SELECT generate_series`), NOT through the actor: per lead, its
 * four `lead_identities` keys (email, phone, business in one of `--postcodes`
 * postcodes, the capture's idempotency key), its `actors` row, one
 * `lead.captured` event at the next stream position and its `leads`
 * read-model row: what a capture would have left. One tenant grows from size
 * to size (10k, then +90k, then +900k); each step ends with VACUUM ANALYZE
 * and a CHECKPOINT, as an old tenant would have had.
 *
 * The figures at each size, after a warm-up:
 *
 * - `capture`: `--captures` captures (default 4,000; `--quick` 1,000) from
 *   `--concurrency` client loops (default 64). They alternate: a new person
 *   (new email and phone: `created`) and an existing lead picked at random
 *   without repeats, by its email and its phone written another way
 *   (`merged`; its actor is activated from the journal).
 * - `dedupe`: the directory alone (`resolveLead`: the lookup and claim that
 *   `captureLead` does first), same mix, to separate dedupe from the rest.
 * - `business`: half as many captures with only a company and a postcode (a
 *   scraped list of businesses): new ones, and existing leads by their
 *   business. These take the directory's fuzzy path: a lock per postcode and
 *   a name comparison with every business already in that postcode.
 *
 * Each figure also shows CPU per capture (this process, and the machine's
 * postgres processes), buffer hits and reads of the schema's tables, and WAL
 * written (server-wide).
 *
 * Flags: `--quick` (sizes 10k and 100k, 1,000 captures), `--pg-url=URL`
 * (default env TEST_DATABASE_URL, then BENCH_DATABASE_URL; none: Postgres
 * skipped), `--backend=postgres|pglite`, `--sizes=10000,100000,1000000`,
 * `--captures=N`, `--concurrency=N`, `--postcodes=N`, `--only=capture,dedupe,business`,
 * `--pglite-max=N` (largest size run on PGlite). The Postgres schema
 * (`bench_capture_<id>`) is dropped at the end.
 *
 * @module
 */
import { createHash } from "node:crypto";
import process from "node:process";
import postgres from "postgres";
import { importJob, importMigrations } from "../actors/import/mod.ts";
import { captureLead, lead, leadMigrations, resolveLead } from "../actors/lead/mod.ts";
import { ActorSystem, type Database, openDatabase } from "../actors/runtime/mod.ts";
import { newId } from "../shared/ids.ts";
import { int, ms, summarize, table } from "./mod.ts";

// --- flags ---

function flag(name: string): string | undefined {
  const hit = Deno.args.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (hit === undefined) return undefined;
  return hit.includes("=") ? hit.slice(hit.indexOf("=") + 1) : "";
}

if (flag("help") !== undefined) {
  console.log(
    "deno task bench:capture [--quick] [--pg-url=postgres://...] [--backend=postgres|pglite] " +
      "[--sizes=10000,100000,1000000] [--captures=N] [--concurrency=N] [--postcodes=N] " +
      "[--only=capture,dedupe,business] [--pglite-max=N]",
  );
  Deno.exit(0);
}

const QUICK = flag("quick") !== undefined;
const PG_URL = flag("pg-url") || Deno.env.get("TEST_DATABASE_URL") ||
  Deno.env.get("BENCH_DATABASE_URL") || undefined;
const BACKEND = flag("backend");
const SIZES = (flag("sizes") ?? (QUICK ? "10000,100000" : "10000,100000,1000000")).split(",").map(
  Number,
)
  .filter((n) => Number.isInteger(n) && n > 0).sort((a, b) => a - b);
const CAPTURES = Number(flag("captures") ?? (QUICK ? 1_000 : 4_000));
const WARMUP = QUICK ? 200 : 300;
const CONCURRENCY = Number(flag("concurrency") ?? 64);
const FIGURES = ["capture", "dedupe", "business"] as const;
/** `--only=capture,dedupe,business`: a subset of the figures, e.g. under `--cpu-prof`. */
const ONLY = new Set((flag("only") ?? FIGURES.join(",")).split(","));
/** Postcodes the pre-populated businesses are spread over (`--postcodes`, default 1,000). */
const POSTCODES = Number(flag("postcodes") ?? 1_000);
/**
 * Largest tenant run on PGlite (`--pglite-max`). 1M fits: it takes ~75 s to
 * pre-populate in PGlite's in-memory wasm database (~1.8 GiB of tables).
 */
const PGLITE_MAX = Number(flag("pglite-max") ?? 1_000_000);
/** Rows per bulk INSERT statement while pre-populating. */
const CHUNK = 100_000;
const TENANT = "bench";
/** Asks wait long: a figure measures throughput, and a timed-out capture would skew it. */
const ASK = { timeout: 60_000 };

// --- results ---

interface Row {
  /** Which figure (capture, dedupe, business): rows of one kind are compared across sizes. */
  kind: string;
  figure: string;
  backend: string;
  size: number;
  value: string;
  rate?: number;
  p50?: string;
  p99?: string;
  load: string;
}

const rows: Row[] = [];
const notes: string[] = [];

function loadAverage(): string {
  try {
    return Deno.readTextFileSync("/proc/loadavg").split(" ")[0] ?? "?";
  } catch {
    return "?";
  }
}

function record(row: Omit<Row, "load">): void {
  const r = { ...row, load: loadAverage() };
  rows.push(r);
  const lat = r.p50 ? ` (p50 ${r.p50}, p99 ${r.p99})` : "";
  console.log(
    `  · ${r.figure} — ${r.backend}, ${int(r.size)} leads: ${r.value}${lat}  (load ${r.load})`,
  );
}

const now = () => performance.now();

/** CPU time of this process (user + system), µs. PGlite runs inside it. */
const selfCpu = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

/**
 * CPU time of every `postgres` process on the machine (user + system), µs,
 * from /proc at 100 Hz ticks; other sessions' queries on the same server are
 * included, so it is an upper bound. Undefined where /proc is not readable.
 */
function postgresCpu(): number | undefined {
  try {
    let ticks = 0;
    for (const e of Deno.readDirSync("/proc")) {
      if (!/^\d+$/.test(e.name)) continue;
      try {
        const stat = Deno.readTextFileSync(`/proc/${e.name}/stat`);
        const close = stat.lastIndexOf(")");
        if (!stat.slice(stat.indexOf("(") + 1, close).startsWith("postgres")) continue;
        const f = stat.slice(close + 2).split(" ");
        ticks += Number(f[11]) + Number(f[12]); // utime, stime (fields 14 and 15)
      } catch {
        // the process ended while we looked
      }
    }
    return ticks * 10_000;
  } catch {
    return undefined;
  }
}

// --- pre-population (bulk SQL, not through the actor) ---

/** Phone of pre-populated lead i: +1 415 2xx xxxx (exchange 200-299 for i < 1,000,000). */
const seedPhone = (i: number) =>
  `+1415${200 + Math.floor(i / 10_000)}${String(i % 10_000).padStart(4, "0")}`;
const SQL_SEED_PHONE = `'+1415' || (200 + i / 10000)::text || lpad((i % 10000)::text, 4, '0')`;
/** Postcode of pre-populated lead i: one of POSTCODES, 10000 upwards. */
const seedPostcode = (i: number) => String(10_000 + (i % POSTCODES));
const SQL_SEED_POSTCODE = `(10000 + i % ${POSTCODES})::text`;
/**
 * Business name of pre-populated lead i: 12 hex digits of md5(i), so that two
 * names share few letter pairs and fuzzy matching only joins a business with
 * itself, as with real names that differ.
 */
const seedBusiness = (i: number) => createHash("md5").update(String(i)).digest("hex").slice(0, 12);
const SQL_SEED_BUSINESS = `left(md5(i::text), 12)`;
const SQL_SEED_BIZ_KEY = `'biz:' || ${SQL_SEED_POSTCODE} || ':' || ${SQL_SEED_BUSINESS}`;

/** Adds leads [from, to) to the tenant, in chunks, each chunk one transaction. */
async function populate(db: Database, from: number, to: number): Promise<void> {
  for (let a = from; a < to; a += CHUNK) {
    const b = Math.min(to, a + CHUNK);
    await db.sql.begin(async (tx) => {
      // Positions continue the tenant's stream, as commits would have handed them out.
      const [s] = await tx<{ position: number }[]>`
        INSERT INTO streams (tenant, position) VALUES (${TENANT}, ${b - a})
        ON CONFLICT (tenant) DO UPDATE SET position = streams.position + ${b - a}
        RETURNING position`;
      const base = s!.position - (b - a) - a; // position of lead i = base + i + 1
      await tx.unsafe(
        `INSERT INTO lead_identities (tenant, key, lead_id)
         SELECT $1, k, 'p' || i FROM generate_series($2::int, $3::int - 1) AS i,
           LATERAL (VALUES ('email:lead' || i || '@bench.example'),
                           ('phone:' || ${SQL_SEED_PHONE}),
                           (${SQL_SEED_BIZ_KEY}),
                           ('idem:seed-' || i)) AS v(k)`,
        [TENANT, a, b],
      );
      await tx.unsafe(
        `INSERT INTO actors (key, type, tenant, epoch, seq)
         SELECT 'lead/' || $1 || '/p' || i, 'lead', $1, 1, 1
         FROM generate_series($2::int, $3::int - 1) AS i`,
        [TENANT, a, b],
      );
      await tx.unsafe(
        `INSERT INTO events (tenant, actor, seq, position, type, version, data, at)
         SELECT $1, 'lead/' || $1 || '/p' || i, 1, $4::bigint + i + 1, 'lead.captured', 1,
           jsonb_build_object(
             'idempotencyKey', 'seed-' || i, 'source', 'csv',
             'contact', jsonb_build_object('name', 'Lead ' || i,
               'email', 'lead' || i || '@bench.example', 'phone', ${SQL_SEED_PHONE},
               'phoneValid', true, 'company', ${SQL_SEED_BUSINESS},
               'address', jsonb_build_object('postcode', ${SQL_SEED_POSTCODE})),
             'consent', '[]'::jsonb, 'tags', '[]'::jsonb, 'customFields', '{}'::jsonb,
             'identities', jsonb_build_array('email:lead' || i || '@bench.example',
               'phone:' || ${SQL_SEED_PHONE}, ${SQL_SEED_BIZ_KEY}),
             'possibleDuplicates', '[]'::jsonb),
           now()
         FROM generate_series($2::int, $3::int - 1) AS i`,
        [TENANT, a, b, base],
      );
      await tx.unsafe(
        `INSERT INTO leads (actor, tenant, lead_id, name, email, phone, company, status, score,
                            priority, source, tags, created_at, last_activity)
         SELECT 'lead/' || $1 || '/p' || i, $1, 'p' || i, 'Lead ' || i,
                'lead' || i || '@bench.example', ${SQL_SEED_PHONE}, ${SQL_SEED_BUSINESS}, 'new', 0,
                'low', 'csv',
                '{}', now(), now()
         FROM generate_series($2::int, $3::int - 1) AS i`,
        [TENANT, a, b],
      );
    });
  }
  // A tenant that grew over months has been vacuumed and checkpointed: without this the first
  // captures would pay for setting hint bits on freshly loaded pages and for the bulk load's
  // checkpoint, which is not what a big tenant costs.
  for (const t of ["lead_identities", "actors", "events", "leads", "streams"]) {
    await db.sql.unsafe(`VACUUM ANALYZE ${t}`);
  }
  await db.sql.unsafe("CHECKPOINT");
}

// --- the load ---

let freshCounter = 0;

/**
 * The k-th capture of a run: even k a new person, odd k an existing lead
 * (picked by `pick`); with the identity keys the directory will see.
 */
function captureInput(run: string, k: number, pick: () => number) {
  const idempotencyKey = `${run}-${k}`;
  if (k % 2 === 0) {
    const c = freshCounter++;
    const phone = `+1415${500 + Math.floor(c / 10_000)}${String(c % 10_000).padStart(4, "0")}`;
    const email = `new${c}@bench.example`;
    return {
      input: {
        idempotencyKey,
        source: "widget" as const,
        contact: { name: `New ${c}`, email, phone },
      },
      keys: {
        idempotency: `idem:${idempotencyKey}`,
        email: `email:${email}`,
        phone: `phone:${phone}`,
      },
    };
  }
  const i = pick();
  const e164 = seedPhone(i);
  return {
    input: {
      idempotencyKey,
      source: "widget" as const,
      contact: {
        email: `Lead${i}@bench.example`,
        // The same number as a person types it: (415) 2xx-xxxx.
        phone: `(${e164.slice(2, 5)}) ${e164.slice(5, 8)}-${e164.slice(8)}`,
      },
    },
    keys: {
      idempotency: `idem:${idempotencyKey}`,
      email: `email:lead${i}@bench.example`,
      phone: `phone:${e164}`,
    },
  };
}

const hex12 = () =>
  Array.from(crypto.getRandomValues(new Uint8Array(6)), (b) => b.toString(16).padStart(2, "0"))
    .join("");

/**
 * The k-th capture of the business figure: a company and a postcode only, as
 * a scraped list of businesses has them. Even k a new business in one of the
 * postcodes, odd k an existing lead's business written as it was.
 */
function businessInput(run: string, k: number, pick: () => number) {
  const idempotencyKey = `${run}-${k}`;
  if (k % 2 === 0) {
    const postcode = seedPostcode(Math.floor(Math.random() * POSTCODES));
    return {
      idempotencyKey,
      source: "csv" as const,
      contact: { company: `${hex12()} Plumbing LLC`, address: { postcode } },
    };
  }
  const i = pick();
  return {
    idempotencyKey,
    source: "csv" as const,
    contact: { company: seedBusiness(i), address: { postcode: seedPostcode(i) } },
  };
}

/** Distinct random lead numbers in [0, size): each existing lead is hit at most once per run. */
function picker(size: number, used: Set<number>): () => number {
  return () => {
    for (;;) {
      const i = Math.floor(Math.random() * size);
      if (!used.has(i)) {
        used.add(i);
        return i;
      }
    }
  };
}

interface LoadResult {
  done: number;
  seconds: number;
  latencies: number[];
  outcomes: Record<string, number>;
  errors: number;
  firstError?: unknown;
  /** CPU µs per completed call: this process, and the machine's postgres processes. */
  cpu: { self: number; postgres: number | undefined };
}

/** `n` calls from `CONCURRENCY` client loops, each starting its next call when one returns. */
async function drive(n: number, call: (k: number) => Promise<string>): Promise<LoadResult> {
  const latencies: number[] = [];
  const outcomes: Record<string, number> = {};
  let next = 0;
  let errors = 0;
  let firstError: unknown;
  const c0 = selfCpu();
  const p0 = postgresCpu();
  const t0 = now();
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, n) }, async () => {
    for (let k = next++; k < n; k = next++) {
      const s = now();
      try {
        const outcome = await call(k);
        latencies.push(now() - s);
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      } catch (e) {
        errors++;
        firstError ??= e;
      }
    }
  }));
  const seconds = (now() - t0) / 1000;
  const p1 = postgresCpu();
  const done = latencies.length;
  const cpu = {
    self: (selfCpu() - c0) / done,
    postgres: p0 === undefined || p1 === undefined ? undefined : (p1 - p0) / done,
  };
  return { done, seconds, latencies, outcomes, errors, firstError, cpu };
}

function describe(
  r: LoadResult & { io: Io },
  unit: string,
  backend: string,
): { value: string; rate: number } {
  const rate = r.done / r.seconds;
  const mix = Object.entries(r.outcomes).map(([k, v]) => `${int(v)} ${k}`).join(", ");
  const errs = r.errors ? `; ${r.errors} errors, first: ${(r.firstError as Error)?.message}` : "";
  const cpu = backend === "PGlite"
    ? `CPU ${int(r.cpu.self)} µs (Deno + PGlite)`
    : `CPU ${int(r.cpu.self)} µs Deno + ${
      r.cpu.postgres === undefined ? "?" : int(r.cpu.postgres)
    } µs postgres`;
  const io = `${r.io.hit.toFixed(0)} buffer hits + ${r.io.read.toFixed(1)} reads, WAL ${
    (r.io.walBytes / 1024).toFixed(1)
  } KiB (${r.io.fpi.toFixed(2)} full pages)`;
  return { value: `${int(rate)} ${unit}/s (${mix}; ${cpu}; ${io} each${errs})`, rate };
}

async function tableSizes(db: Database): Promise<string> {
  const [r] = await db.sql<{ heap: number; idx: number; all: number; buffers: string }[]>`
    SELECT pg_relation_size('lead_identities')::float8 AS heap,
           pg_indexes_size('lead_identities')::float8 AS idx,
           (SELECT sum(pg_total_relation_size(c.oid))::float8 FROM pg_class c
            WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r') AS all,
           current_setting('shared_buffers') AS buffers`;
  const mib = (n: number) => `${(n / 2 ** 20).toFixed(0)} MiB`;
  return `lead_identities ${mib(r!.heap)} + indexes ${mib(r!.idx)}; all tables ${
    mib(r!.all)
  }; shared_buffers ${r!.buffers}`;
}

/** Per-call I/O counters of a figure. */
interface Io {
  /** Blocks of this schema's tables and indexes found in shared buffers. */
  hit: number;
  /** Blocks not in shared buffers: read from the OS (page cache or disk). */
  read: number;
  /** WAL bytes and full-page images written, server-wide (other sessions included). */
  walBytes: number;
  fpi: number;
}

async function ioCounters(db: Database): Promise<Io> {
  const [r] = await db.sql<Io[]>`
    SELECT coalesce(sum(heap_blks_hit + coalesce(idx_blks_hit, 0)), 0)::float8 AS hit,
           coalesce(sum(heap_blks_read + coalesce(idx_blks_read, 0)), 0)::float8 AS read,
           (SELECT wal_bytes::float8 FROM pg_stat_wal) AS "walBytes",
           (SELECT wal_fpi::float8 FROM pg_stat_wal) AS fpi
    FROM pg_statio_user_tables WHERE schemaname = current_schema()`;
  return r!;
}

/**
 * I/O counters per call over `fn`. Backends publish their counters when they
 * go idle at least a second after the last time, so each end waits a second
 * and touches every pooled connection before reading.
 */
async function withIo<T extends LoadResult>(
  db: Database,
  fn: () => Promise<T>,
): Promise<T & { io: Io }> {
  const settle = async () => {
    await new Promise((r) => setTimeout(r, 1_100));
    await Promise.all(Array.from({ length: 16 }, () => db.sql`SELECT 1`));
    return await ioCounters(db);
  };
  const a = await settle();
  const r = await fn();
  const b = await settle();
  const per = (k: keyof Io) => (b[k] - a[k]) / Math.max(1, r.done);
  return {
    ...r,
    io: { hit: per("hit"), read: per("read"), walBytes: per("walBytes"), fpi: per("fpi") },
  };
}

async function measure(name: string, db: Database, size: number, run: string): Promise<void> {
  const used = new Set<number>();
  const sys = new ActorSystem({ database: db, types: [lead, importJob], askTimeout: 60_000 });
  try {
    // Warm-up: statement preparation, JIT, the first activations. Not measured.
    const pickW = picker(size, used);
    await drive(
      WARMUP,
      (k) =>
        captureLead(sys, TENANT, captureInput(`${run}w`, k, pickW).input, { ask: ASK })
          .then((r) => r.outcome),
    );

    if (ONLY.has("capture")) await captureFigure(name, db, sys, size, run, used);
    if (ONLY.has("dedupe")) await dedupeFigure(name, db, size, run, used);
    if (ONLY.has("business")) await businessFigure(name, db, sys, size, run, used);
  } finally {
    await sys.shutdown(60_000);
  }
}

async function captureFigure(
  name: string,
  db: Database,
  sys: ActorSystem,
  size: number,
  run: string,
  used: Set<number>,
): Promise<void> {
  const pick = picker(size, used);
  const cap = await withIo(db, () =>
    drive(
      CAPTURES,
      (k) =>
        captureLead(sys, TENANT, captureInput(`${run}c`, k, pick).input, { ask: ASK }).then((
          r,
        ) => r.outcome),
    ));
  const lat = summarize(cap.latencies);
  const d = describe(cap, "captures", name);
  record({
    kind: "capture",
    figure: `captureLead, ${CONCURRENCY} concurrent, half new / half existing`,
    backend: name,
    size,
    value: d.value,
    rate: d.rate,
    p50: ms(lat.p50),
    p99: ms(lat.p99),
  });
}

/**
 * Captures matched by business (company within a postcode): the directory
 * takes a lock per postcode and compares the name with every business
 * already claimed in that postcode.
 */
async function businessFigure(
  name: string,
  db: Database,
  sys: ActorSystem,
  size: number,
  run: string,
  used: Set<number>,
): Promise<void> {
  const pick = picker(size, used);
  const n = Math.max(2, Math.round(CAPTURES / 2));
  const cap = await withIo(db, () =>
    drive(
      n,
      (k) =>
        captureLead(sys, TENANT, businessInput(`${run}b`, k, pick), { ask: ASK }).then((r) =>
          r.outcome
        ),
    ));
  const lat = summarize(cap.latencies);
  const d = describe(cap, "captures", name);
  record({
    kind: "business",
    figure: `captureLead by company + postcode (${int(size / POSTCODES)} businesses per postcode)`,
    backend: name,
    size,
    value: d.value,
    rate: d.rate,
    p50: ms(lat.p50),
    p99: ms(lat.p99),
  });
}

/** The directory alone: the dedupe lookup and claim that captureLead does first. */
async function dedupeFigure(
  name: string,
  db: Database,
  size: number,
  run: string,
  used: Set<number>,
): Promise<void> {
  const pickD = picker(size, used);
  const dir = await withIo(db, () =>
    drive(CAPTURES, async (k) => {
      const r = await resolveLead(db.sql, TENANT, captureInput(`${run}d`, k, pickD).keys);
      return r.isNew ? "new" : "matched";
    }));
  const dlat = summarize(dir.latencies);
  const dd = describe(dir, "resolves", name);
  record({
    kind: "dedupe",
    figure: `dedupe only (resolveLead), ${CONCURRENCY} concurrent, same mix`,
    backend: name,
    size,
    value: dd.value,
    rate: dd.rate,
    p50: ms(dlat.p50),
    p99: ms(dlat.p99),
  });
}

async function runBackend(name: string, db: Database): Promise<void> {
  const sizes = name === "PGlite" ? SIZES.filter((s) => s <= PGLITE_MAX) : SIZES;
  if (sizes.length < SIZES.length) {
    notes.push(
      `PGlite: ${SIZES.filter((s) => s > PGLITE_MAX).map(int).join(", ")} leads skipped by ` +
        `--pglite-max=${PGLITE_MAX}.`,
    );
  }
  // Process-wide warm-up in a tenant of its own (JIT, the pool's prepared statements), so the
  // first size measured does not pay for it. Its few rows do not change any size's index depth.
  {
    const sys = new ActorSystem({ database: db, types: [lead, importJob], askTimeout: 60_000 });
    const t0 = now();
    await drive(
      WARMUP * 3,
      (k) =>
        captureLead(sys, "warmup", captureInput("warm", k, () => k).input, { ask: ASK })
          .then((r) => r.outcome),
    );
    await sys.shutdown(60_000);
    console.log(`  (warm-up: ${int(WARMUP * 3)} captures in another tenant, ${ms(now() - t0)})`);
  }
  let have = 0;
  for (const size of sizes) {
    const t0 = now();
    await populate(db, have, size);
    const took = now() - t0;
    console.log(
      `  (pre-populated leads ${int(have)}..${int(size)} by bulk SQL, not through the actor, ` +
        `in ${ms(took)}; ${await tableSizes(db)})`,
    );
    have = size;
    await measure(name, db, size, `r${size}`);
  }
}

/** A URL without its password. */
function redact(url: string): string {
  return url.replace(/:[^:@/]*@/, ":***@");
}

async function main(): Promise<void> {
  const started = now();
  console.log(
    `Cove capture benchmark${QUICK ? " (--quick)" : ""} — deno ${Deno.version.deno}, ` +
      `${navigator.hardwareConcurrency} cores, Postgres: ${PG_URL ? redact(PG_URL) : "none"}; ` +
      `${int(CAPTURES)} captures per figure, ${CONCURRENCY} concurrent, sizes ${
        SIZES.map(int).join(" / ")
      }`,
  );
  console.log(
    "Pre-population writes lead_identities, actors, events, leads and streams rows with bulk SQL; " +
      "it is NOT through the actor and not part of any figure.",
  );
  const migrations = [...await leadMigrations(), ...await importMigrations()];

  if (BACKEND !== "pglite") {
    if (!PG_URL) {
      notes.push("Postgres skipped: no --pg-url, TEST_DATABASE_URL or BENCH_DATABASE_URL given.");
    } else {
      const schema = `bench_capture_${newId()}`;
      console.log(`\n[Postgres] schema ${schema}`);
      let db: Database | undefined;
      try {
        db = await openDatabase({ url: PG_URL, schema, max: 8, migrations });
        await runBackend("Postgres", db);
      } finally {
        await db?.close();
        const admin = postgres(PG_URL, { max: 1, onnotice: () => {} });
        try {
          await admin.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        } finally {
          await admin.end();
        }
      }
    }
  }
  if (BACKEND !== "postgres") {
    console.log(`\n[PGlite] in memory`);
    const db = await openDatabase({ migrations });
    try {
      await runBackend("PGlite", db);
    } finally {
      await db.close();
    }
  }

  console.log(`\nResults (${((now() - started) / 1000).toFixed(0)} s total)\n`);
  console.log(table(
    ["figure", "backend", "leads in tenant", "value", "p50", "p99", "vs 10k", "load"],
    rows.map((r) => {
      const base = rows.find((b) => b.kind === r.kind && b.backend === r.backend);
      return [
        r.figure,
        r.backend,
        int(r.size),
        r.value,
        r.p50 ?? "",
        r.p99 ?? "",
        base && r.rate && base.rate ? `${(r.rate / base.rate).toFixed(2)}×` : "",
        r.load,
      ];
    }),
  ));
  console.log(
    "\nvs 10k = throughput relative to the smallest tenant of the same figure and backend, same run.",
  );
  console.log(
    "load = 1-minute load average when the figure was taken (2 cores; above 2 means contention).",
  );
  for (const n of notes) console.log(`Note: ${n}`);
}

await main();
