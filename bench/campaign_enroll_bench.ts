/**
 * Benchmark of campaign enrollment (`deno task bench:campaign`): a tenant of
 * `--leads` leads (default 100,000), one campaign whose audience is all of
 * them with the highest throttle (10,000 a minute), and how long it takes,
 * on a real `ActorSystem` over real Postgres, until
 *
 * - `told`: the campaign has told every lead to join (its `enrolled` count,
 *   one `campaign_scan` query and one `campaign_enroll` outbox row per 1,000),
 * - `joined`: every lead actor has joined (the `leads` read model's
 *   `campaigns` column, written in the lead's own turn),
 * - `queued`: every lead's first-step message is in the outbox (the lead's
 *   campaign reminder fired and its turn queued the email),
 * - `sent`: every one of those went through the sandbox email provider and
 *   its outcome came back to the lead.
 *
 * The node's own pollers do the work, as `node.ts` runs them: a
 * `ReminderPoller` and an `OutboxWorker` (actor messages, the campaign
 * channels, SMS and email through `ChannelDispatcher` over a
 * `SandboxProvider`) on their intervals (`--poll-ms`, default the node's
 * 1,000). Not as node.ts: no governor or breaker around the channels (the
 * campaign's own spacing is what paces first steps here), and a
 * `ManualClock`: the campaign spaces first steps over `leads / 10,000`
 * minutes, so once every lead has joined the clock jumps past the last slot
 * and the figures measure the system, not the throttle's waiting.
 *
 * Fill: the leads are captured through the real capture path (directory
 * claim, lead actor turn, group commit) by `--concurrency` loops (default
 * 64), timed separately; follow-up sequences are switched off so the outbox
 * holds campaign work only. The system is then shut down and a fresh one
 * started, so the campaign meets leads at rest, as in production, and peak
 * RSS (`Deno.memoryUsage().rss` sampled every 100 ms) is of the campaign's
 * work alone (PGlite is not involved: Postgres runs in its own processes).
 *
 * Flags: `--pg-url=URL` (default env TEST_DATABASE_URL, then
 * BENCH_DATABASE_URL; required), `--leads=10000,100000` (one run per size),
 * `--concurrency=N`, `--poll-ms=N`, `--timeout-s=N` (whole run after launch, default 900),
 * `--until=queued` (stop once the first steps are queued, before they are sent),
 * `--no-vacuum` (skip the VACUUM ANALYZE between fill and launch).
 * Each size runs in its own schema (`bench_campaign_<id>`), dropped at the end.
 *
 * @module
 */
import { campaign, campaignDispatchers, campaignMigrations } from "../actors/campaign/mod.ts";
import { ChannelDispatcher, SandboxProvider } from "../actors/channels/mod.ts";
import { channelMigrations } from "../actors/channels/mod.ts";
import { captureLead, lead, leadMigrations, settings, SETTINGS_ID } from "../actors/lead/mod.ts";
import {
  ActorDispatcher,
  ActorSystem,
  openDatabase,
  OutboxWorker,
  ReminderPoller,
} from "../actors/runtime/mod.ts";
import { ManualClock } from "../shared/clock.ts";
import { newId } from "../shared/ids.ts";
import { int, table } from "./mod.ts";

function flag(name: string): string | undefined {
  const hit = Deno.args.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (hit === undefined) return undefined;
  return hit.includes("=") ? hit.slice(hit.indexOf("=") + 1) : "";
}

const PG_URL = flag("pg-url") || Deno.env.get("TEST_DATABASE_URL") ||
  Deno.env.get("BENCH_DATABASE_URL");
const SIZES = (flag("leads") ?? "100000").split(",").map(Number).filter((n) => n > 0);
const CONCURRENCY = Number(flag("concurrency") ?? 64);
const POLL_MS = Number(flag("poll-ms") ?? 1_000);
const TIMEOUT_MS = Number(flag("timeout-s") ?? 900) * 1_000;
/** `--no-vacuum`: launch on the fill's fresh tables, before autovacuum has been through them. */
const VACUUM = flag("no-vacuum") === undefined;
const UNTIL = flag("until") === "queued" ? "queued" : "sent";
const THROTTLE = 10_000;
const TENANT = "bench";
/** Monday 1 June 2026, 15:00 UTC: 11:00 in New York, inside the default send window. */
const START = Date.UTC(2026, 5, 1, 15);

if (flag("help") !== undefined || !PG_URL) {
  console.log(
    "deno task bench:campaign --pg-url=postgres://... [--leads=10000,100000] " +
      "[--concurrency=64] [--poll-ms=1000] [--timeout-s=900] [--until=queued|sent]",
  );
  Deno.exit(PG_URL ? 0 : 1);
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Samples RSS every 100 ms until stopped; `peak` is the highest seen. */
function rssSampler() {
  let peak = Deno.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, Deno.memoryUsage().rss);
  }, 100);
  return {
    get peak() {
      return Math.max(peak, Deno.memoryUsage().rss);
    },
    stop: () => clearInterval(timer),
  };
}

interface Result {
  leads: number;
  fill: number;
  told: number;
  joined: number;
  queued: number;
  sent: number | undefined;
  rssBase: number;
  rssPeak: number;
  heapPeak: number;
}

async function run(n: number): Promise<Result> {
  const schema = `bench_campaign_${newId()}`;
  const db = await openDatabase({
    url: PG_URL,
    schema,
    max: 10,
    migrations: [
      ...await leadMigrations(),
      ...await channelMigrations(),
      ...await campaignMigrations(),
    ],
  });
  const clock = new ManualClock(START);
  const types = [lead, settings, campaign];
  try {
    // --- fill through the real capture path
    const filler = new ActorSystem({ database: db, types, clock });
    await filler.ref(settings, TENANT, SETTINGS_ID).ask("setFollowUpPlan", { sequences: {} });
    const fillStart = performance.now();
    let next = 0;
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < n; i = next++) {
        await captureLead(filler, TENANT, {
          idempotencyKey: `k${i}`,
          source: "rest",
          contact: { name: `Lead ${i}`, email: `lead${i}@bench.example` },
        });
        if (i > 0 && i % 20_000 === 0) console.log(`    captured ${int(i)}`);
      }
    }));
    const fill = performance.now() - fillStart;
    console.log(
      `  fill: ${int(n)} leads in ${secs(fill)} (${int(n / (fill / 1000))}/s), ` +
        `load ${Deno.readTextFileSync("/proc/loadavg").split(" ")[0]}`,
    );
    const stopStart = performance.now();
    await filler.shutdown(600_000);
    const [snaps] = await db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM snapshots`;
    console.log(
      `  fill system shut down in ${secs(performance.now() - stopStart)} ` +
        `(${int(snaps!.n)} snapshots)`,
    );
    // As an old tenant's tables would be (capture_bench does the same after its fill).
    if (VACUUM) await db.sql.unsafe("VACUUM ANALYZE");
    // The fill's garbage is not the campaign's: collect it when the flag allows.
    (globalThis as { gc?: () => void }).gc?.();

    // --- the campaign, on a fresh system as a node would run it
    const system = new ActorSystem({ database: db, types, clock });
    const email = new SandboxProvider({ channel: "email", limit: 100, clock });
    const sms = new SandboxProvider({ channel: "sms", limit: 100, clock });
    const outbox = new OutboxWorker(system, [
      new ActorDispatcher(system),
      ...campaignDispatchers(system, db.sql),
      new ChannelDispatcher({ channel: "email", provider: email, sql: db.sql, clock }),
      new ChannelDispatcher({ channel: "sms", provider: sms, sql: db.sql, clock }),
    ], { intervalMs: POLL_MS });
    const reminders = new ReminderPoller(system, { intervalMs: POLL_MS });
    const rssBase = Deno.memoryUsage().rss;
    const rss = rssSampler();
    let heapPeak = 0;
    const heapTimer = setInterval(() => {
      heapPeak = Math.max(heapPeak, Deno.memoryUsage().heapUsed);
    }, 500);
    reminders.start();
    outbox.start();
    const id = `c${newId()}`;
    const t0 = performance.now();
    try {
      const ref = system.ref(campaign, TENANT, id);
      await ref.ask("create", {
        definition: {
          name: "Everyone",
          audience: {},
          steps: [{
            channel: "email",
            delayMinutes: 0,
            variants: [{ template: "Hi {{firstName}}, a spring offer", subject: "Spring" }],
          }],
          throttlePerMinute: THROTTLE,
        },
      });
      await ref.ask("launch", {});
      const done: Partial<Record<"told" | "joined" | "queued" | "sent", number>> = {};
      const pattern = `%:campaign:${id}:0`;
      let jumped = false;
      let lastLog = 0;
      while (done[UNTIL] === undefined) {
        await new Promise((r) => setTimeout(r, 250));
        const elapsed = performance.now() - t0;
        if (elapsed > TIMEOUT_MS) {
          throw new Error(`not done after ${secs(elapsed)}: ${JSON.stringify(done)}`);
        }
        const told = (await ref.query("view")).enrolled;
        const [j] = await db.sql<{ n: number }[]>`
          SELECT count(*)::int AS n FROM leads
          WHERE tenant = ${TENANT} AND campaigns @> ARRAY[${id}]::text[]`;
        const [q] = await db.sql<{ queued: number; sent: number }[]>`
          SELECT count(*)::int AS queued, count(*) FILTER (WHERE status = 'done')::int AS sent
          FROM outbox WHERE tenant = ${TENANT} AND channel = 'email' AND key LIKE ${pattern}`;
        const now = { told, joined: j!.n, queued: q!.queued, sent: q!.sent };
        for (const k of ["told", "joined", "queued", "sent"] as const) {
          if (done[k] === undefined && now[k] >= n) done[k] = elapsed;
        }
        if (done.joined !== undefined && !jumped) {
          // Past the last first-step slot: the throttle's spacing is not what is measured.
          clock.advance(Math.ceil(n / THROTTLE + 1) * 60_000);
          jumped = true;
        }
        if (elapsed - lastLog > 5_000) {
          lastLog = elapsed;
          console.log(
            `    ${secs(elapsed)}: told ${int(now.told)}, joined ${int(now.joined)}, ` +
              `queued ${int(now.queued)}, sent ${int(now.sent)}, rss ${mib(rss.peak)}, ` +
              `load ${Deno.readTextFileSync("/proc/loadavg").split(" ")[0]}`,
          );
        }
      }
      return {
        leads: n,
        fill,
        told: done.told!,
        joined: done.joined!,
        queued: done.queued!,
        sent: done.sent,
        rssBase,
        rssPeak: rss.peak,
        heapPeak,
      };
    } finally {
      rss.stop();
      clearInterval(heapTimer);
      await Promise.all([reminders.stop(), outbox.stop()]);
      await system.shutdown(60_000);
    }
  } finally {
    await db.sql.unsafe(`DROP SCHEMA "${schema}" CASCADE`).catch(() => {});
    await db.close();
  }
}

const results: Result[] = [];
for (const n of SIZES) {
  console.log(`campaign of ${int(n)} leads (poll ${POLL_MS} ms, throttle ${int(THROTTLE)}/min)`);
  // Other work on the machine skews the times: print its load beside them.
  console.log(`  load ${Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ")}`);
  results.push(await run(n));
}
console.log(
  "\n" + table(
    [
      "leads",
      "fill (captures/s)",
      "all told",
      "all joined",
      "first steps queued",
      "first steps sent",
      "RSS before → peak",
      "heap peak",
    ],
    results.map((r) => [
      int(r.leads),
      `${secs(r.fill)} (${int(r.leads / (r.fill / 1000))}/s)`,
      secs(r.told),
      secs(r.joined),
      secs(r.queued),
      r.sent === undefined ? "not run" : secs(r.sent),
      `${mib(r.rssBase)} → ${mib(r.rssPeak)}`,
      mib(r.heapPeak),
    ]),
  ),
);
console.log(
  "Times are from launch; the clock jumps past the last first-step slot once all joined.",
);
