/**
 * Benchmark of SMS dispatch through the outbox (`deno task bench:outbox`):
 * messages per second from `outbox` rows to a local server speaking Twilio's
 * API, through the production path with the breaker and a governor on
 * (OutboxWorker → GuardedDispatcher → ChannelDispatcher → the real `twilio`
 * SDK), and each message's latency from the start of the claim that took it
 * to the commit of its result turn (the row `done`).
 *
 * Each run enqueues N rows due now, spread over 100 origin actors of one
 * tenant, and ticks one worker until the outbox is drained. Variants: the
 * in-memory governor and the Postgres one (a `channel_buckets` row locked per
 * take), with caps far above the rate so nothing is deferred; on real Postgres
 * and on in-memory PGlite.
 *
 * Flags: `--quick` (1,000 messages instead of 5,000), `--pg-url=URL`
 * (default: env TEST_DATABASE_URL, then BENCH_DATABASE_URL; without one the
 * Postgres rows are skipped), `--backend=postgres|pglite`, `--batch=N` (rows
 * per claim, default 200). Postgres runs use one fresh schema
 * (`bench_outbox_<id>`), dropped at the end.
 *
 * @module
 */
import postgres from "postgres";
import { z } from "zod";
import {
  ActorSystem,
  type ClaimedMessage,
  type Database,
  defineActor,
  openDatabase,
  OutboxWorker,
} from "../actors/runtime/mod.ts";
import { leadMigrations } from "../actors/lead/mod.ts";
import {
  ChannelDispatcher,
  channelMigrations,
  CircuitBreaker,
  createTwilioProvider,
  type Governor,
  GuardedDispatcher,
  limitsByPrefix,
  MemoryGovernor,
  perDay,
  perMinute,
  PostgresGovernor,
  startFakeTwilio,
} from "../actors/channels/mod.ts";
import { newId } from "../shared/ids.ts";
import { int, ms, summarize, table } from "./mod.ts";

function flag(name: string): string | undefined {
  const hit = Deno.args.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (hit === undefined) return undefined;
  return hit.includes("=") ? hit.slice(hit.indexOf("=") + 1) : "";
}

if (flag("help") !== undefined) {
  console.log(
    "deno task bench:outbox [--quick] [--pg-url=postgres://...] [--backend=postgres|pglite] " +
      "[--batch=200]",
  );
  Deno.exit(0);
}

const QUICK = flag("quick") !== undefined;
const PG_URL = flag("pg-url") || Deno.env.get("TEST_DATABASE_URL") ||
  Deno.env.get("BENCH_DATABASE_URL") || undefined;
const BACKEND = flag("backend");
const MESSAGES = QUICK ? 1_000 : 5_000;
const BATCH = Number(flag("batch") || 200);
const ACTORS = 100;
const TENANT = "t1";
/** Midday in New York: compliance's send window (no lead, so the default zone) is open. */
const MIDDAY_NEW_YORK = { now: () => Date.parse("2026-06-01T16:00:00Z") };
/** Caps far above any rate reached here: the governor is consulted, never refuses. */
const LIMITS = limitsByPrefix({
  tenant: [perMinute(10_000_000), perDay(100_000_000)],
  sender: [perMinute(10_000_000)],
});

/** The origin of the rows: takes the results and keeps nothing. */
const sender = defineActor("bench_sms", { state: z.object({}), initial: () => ({}) })
  .query("state", (s) => s);

interface Row {
  backend: string;
  governor: string;
  messages: number;
  seconds: number;
  latency: ReturnType<typeof summarize>;
  load: string;
}

const now = () => performance.now();

function load(): string {
  return Deno.loadavg()[0]!.toFixed(2);
}

async function openBackend(name: "postgres" | "pglite") {
  const migrations = [...await leadMigrations(), ...await channelMigrations()];
  if (name === "pglite") {
    return { db: await openDatabase({ migrations }), drop: async () => {} };
  }
  const schema = `bench_outbox_${newId()}`;
  const db = await openDatabase({ url: PG_URL!, schema, max: 8, migrations });
  return {
    db,
    drop: async () => {
      const admin = postgres(PG_URL!, { max: 1, onnotice: () => {} });
      try {
        await admin.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await admin.end();
      }
    },
  };
}

async function seed(db: Database): Promise<void> {
  await db.sql`DELETE FROM outbox`;
  await db.sql`DELETE FROM message_sends`;
  await db.sql`DELETE FROM channel_buckets`;
  const ids = Array.from({ length: MESSAGES }, (_, i) => i);
  await db.sql`
    INSERT INTO outbox (tenant, actor, type, channel, key, payload, max_attempts, next_at)
    SELECT ${TENANT}, ${`${sender.type}/${TENANT}/a`} || (i % ${ACTORS}), ${sender.type}, 'sms',
           'sms-' || i,
           jsonb_build_object('to', '+1415' || lpad(i::text, 7, '0'),
                              'body', 'Hi Dana, thanks for reaching out. Reply STOP to opt out.'),
           8, 0
    FROM unnest(${ids}::int[]) AS u(i)`;
}

async function run(
  backend: "postgres" | "pglite",
  db: Database,
  governorName: "memory" | "postgres",
  twilioUrl: string,
): Promise<Row> {
  await seed(db);
  const system = new ActorSystem({ database: db, types: [sender] });
  // Times each message from the start of the claim that took it to its result's commit.
  const claimedAt = new Map<number, number>();
  const latencies: number[] = [];
  const journal = system.journal;
  const claim = journal.claimOutbox.bind(journal);
  journal.claimOutbox = async (...args) => {
    const t = now();
    const rows = await claim(...args);
    for (const r of rows) claimedAt.set(r.id, t);
    return rows;
  };
  const deliver = system.deliverOutboxResult.bind(system);
  system.deliverOutboxResult = async (m: ClaimedMessage, outcome) => {
    const result = await deliver(m, outcome);
    latencies.push(now() - claimedAt.get(m.id)!);
    return result;
  };
  const governor: Governor = governorName === "memory"
    ? new MemoryGovernor(LIMITS)
    : new PostgresGovernor(db.sql, LIMITS);
  const provider = createTwilioProvider({
    accountSid: "AC" + "0".repeat(32),
    authToken: "secret-token",
    from: "+14155550000",
    baseUrl: twilioUrl,
    timeoutMs: 10_000,
  });
  const breaker = new CircuitBreaker("twilio");
  const worker = new OutboxWorker(system, [
    new GuardedDispatcher(
      new ChannelDispatcher({
        channel: "sms",
        provider,
        sql: db.sql,
        clock: MIDDAY_NEW_YORK,
        providerDedupes: true,
      }),
      {
        clock: system.clock,
        breaker,
        governor,
        keys: (m) => [`tenant:${m.tenant}`, "sender:+14155550000"],
      },
    ),
  ], { batch: BATCH, leaseMs: 60_000 });
  const t0 = now();
  try {
    while (await worker.tick() > 0);
  } finally {
    await system.shutdown();
  }
  const seconds = (now() - t0) / 1000;
  const [left] = await db.sql<{ done: number; other: number }[]>`
    SELECT count(*) FILTER (WHERE status = 'done')::int AS done,
           count(*) FILTER (WHERE status <> 'done')::int AS other FROM outbox`;
  if (left!.done !== MESSAGES || left!.other !== 0) {
    throw new Error(`${backend}/${governorName}: ${left!.done} done, ${left!.other} not`);
  }
  if (breaker.snapshot().state !== "closed") throw new Error("the breaker opened");
  return {
    backend,
    governor: governorName,
    messages: MESSAGES,
    seconds,
    latency: summarize(latencies),
    load: load(),
  };
}

async function main(): Promise<void> {
  console.log(
    `Cove outbox dispatch benchmark${QUICK ? " (--quick)" : ""} — deno ${Deno.version.deno}, ` +
      `${navigator.hardwareConcurrency} cores, ${int(MESSAGES)} SMS per run, batch ${BATCH}, ` +
      `Postgres: ${PG_URL ? PG_URL.replace(/:[^:@/]*@/, ":***@") : "none"}`,
  );
  const backends = (["postgres", "pglite"] as const).filter((b) =>
    (!BACKEND || BACKEND === b) && (b === "pglite" || PG_URL)
  );
  await using fake = startFakeTwilio();
  const rows: Row[] = [];
  for (const backend of backends) {
    const { db, drop } = await openBackend(backend);
    try {
      for (const governor of ["memory", "postgres"] as const) {
        const row = await run(backend, db, governor, fake.baseUrl);
        console.log(
          `  ${backend} / ${governor} governor: ${int(row.messages / row.seconds)} msg/s ` +
            `(load ${row.load})`,
        );
        rows.push(row);
      }
    } finally {
      await db.close();
      await drop();
    }
  }
  if (fake.requests.length !== rows.length * MESSAGES) {
    throw new Error(`the fake got ${fake.requests.length} requests for ${rows.length} runs`);
  }
  console.log();
  console.log(table(
    ["backend", "governor", "messages", "msg/s", "claim→done p50", "p99", "max", "load"],
    rows.map((r) => [
      r.backend,
      r.governor,
      int(r.messages),
      int(r.messages / r.seconds),
      ms(r.latency.p50),
      ms(r.latency.p99),
      ms(r.latency.max),
      r.load,
    ]),
  ));
  console.log(
    "\nload = 1-minute load average after the run (2 cores; above 2 means contention).",
  );
  if (!PG_URL) console.log("Note: Postgres rows skipped: no --pg-url or TEST_DATABASE_URL.");
}

await main();
