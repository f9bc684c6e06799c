/**
 * `deno task demo [--tenant demo] [--leads 600] [--seed 7] [--no-serve]`:
 * fills a tenant with 90 days of sample leads, conversations, tasks, bookings
 * and two campaigns, then serves the node and prints a one-time sign-in link.
 *
 * The fill runs an actor system on the node's own database with a manual
 * clock moved through the 90 days, so every lead's history carries its real
 * dates; all data goes through the actors (capture, status moves, messages,
 * tasks, bookings, campaigns), never into the journal directly. Runs are
 * idempotent: the same seed gives the same idempotency keys. Run it with no
 * other node on the same database: the fill's own actor system publishes on
 * no bus, so open dashboards would not see its events live.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { ACTOR_TYPES, startCove } from "./node.ts";
import { type Config, ConfigError, loadConfig, ManualClock } from "./shared/mod.ts";
import {
  ActorDispatcher,
  ActorSystem,
  openDatabase,
  OutboxWorker,
  ReminderPoller,
} from "./actors/runtime/mod.ts";
import { captureLead, lead } from "./actors/lead/mod.ts";
import { task, team, TEAM_ID } from "./actors/team/mod.ts";
import { calendar } from "./actors/calendar/mod.ts";
import { campaign, campaignDispatchers } from "./actors/campaign/mod.ts";
import { ChannelDispatcher, SandboxProvider } from "./actors/channels/mod.ts";
import { OneTimeCodes, SIGNIN_TTL_MS } from "./gateway/mod.ts";
import { DEMO_TEAM, NO_WEBSITE, planLeads, seeded, WIN_BACK } from "./demo_data.ts";
import type { CampaignDefinitionInput } from "./shared/campaign.ts";

const DAY = 24 * 3600_000;
const DAYS = 90;

const { values } = parseArgs({
  args: Deno.args,
  options: {
    tenant: { type: "string", default: "demo" },
    leads: { type: "string", default: "600" },
    seed: { type: "string", default: "7" },
    "no-serve": { type: "boolean", default: false },
  },
});
const tenant = values.tenant;
const count = Number(values.leads);
const seed = Number(values.seed);
if (!/^[A-Za-z0-9_.@+-]{1,128}$/.test(tenant) || !(count >= 1) || !Number.isInteger(seed)) {
  console.error("usage: deno task demo [--tenant <id>] [--leads <n>] [--seed <int>] [--no-serve]");
  Deno.exit(2);
}

let config: Config;
try {
  config = loadConfig(Deno.env.toObject());
} catch (e) {
  if (!(e instanceof ConfigError)) throw e;
  console.error(e.message);
  Deno.exit(1);
}

// A first start migrates the database and creates tenant `demo`, exactly as `deno task start` does.
await (await startCove({ ...config, PORT: 0 }, { log: () => {} })).stop();

const db = await openDatabase(
  config.DATABASE_URL ? { url: config.DATABASE_URL } : { dataDir: `${config.DATA_DIR}/pg` },
);
await db.sql`INSERT INTO tenants (id, name) VALUES (${tenant}, ${tenant}) ON CONFLICT DO NOTHING`;
const end = Date.now();
const clock = new ManualClock(end - DAYS * DAY);
const system = new ActorSystem({ database: db, types: ACTOR_TYPES, clock });
// Messages go to a sandbox: the demo never texts or emails anyone.
const channels = (["sms", "email"] as const).map((channel) =>
  new ChannelDispatcher({
    channel,
    provider: new SandboxProvider({ channel, clock }),
    sql: db.sql,
    clock,
  })
);
const outbox = new OutboxWorker(system, [
  new ActorDispatcher(system),
  ...campaignDispatchers(system, db.sql),
  ...channels,
], { batch: 500 });
const reminders = new ReminderPoller(system, { batch: 2_000 });
/** Runs what became due up to the clock's now: reminders, then the outbox, until quiet. */
async function pump(): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await reminders.tick()) + (await outbox.tick()) === 0) return;
  }
}

const stats = {
  engagements: 0,
  created: 0,
  repeated: 0,
  merged: 0,
  messages: 0,
  won: 0,
  lost: 0,
  tasks: 0,
  bookings: 0,
};
const bySource: Record<string, number> = {};
try {
  for (const m of DEMO_TEAM) {
    await system.ref(team, tenant, TEAM_ID).ask("upsertMember", { ...m, types: [...m.types] });
    const day = [{ start: "08:00", end: "18:00" }];
    const cal = system.ref(calendar, tenant, m.id);
    if (await cal.query("hours")) continue;
    await cal.ask("setHours", {
      timeZone: "America/Chicago",
      weekly: { "1": day, "2": day, "3": day, "4": day, "5": day, "6": [], "7": [] },
      minNoticeMinutes: 0,
    });
  }

  const stories = planLeads(seed, count, DAYS, end);
  // Every step of every story, in time order, so the clock only moves forward.
  type Step = { at: number; run: () => Promise<void> };
  const steps: Step[] = [];
  const made = new Map<string, string>();
  for (const s of stories) {
    steps.push({
      at: s.at,
      run: async () => {
        const r = await captureLead(system, tenant, s.capture);
        bySource[s.capture.source] = (bySource[s.capture.source] ?? 0) + 1;
        if (r.outcome === "created") {
          made.set(s.key, r.leadId);
          stats.created++;
        } else if (r.outcome === "repeated") stats.repeated++;
        else stats.merged++;
        (s as { leadId?: string }).leadId = r.leadId;
      },
    });
    const leadOf = () => (s as { leadId?: string }).leadId!;
    // A repeated capture means an earlier run played this story already.
    const only = (f: () => Promise<void>) => async () => {
      if (made.has(s.key)) await f();
    };
    let reply = 0;
    for (const mv of s.moves) {
      const at = s.at + mv.afterMs;
      if (mv.status === "contacted") {
        steps.push({
          at: at - 60_000,
          run: only(async () => {
            await system.ref(lead, tenant, leadOf()).ask("recordMessage", {
              channel: s.capture.contact.phone ? "sms" : "email",
              direction: "outbound",
              content: `Hi ${s.capture.contact.name}, thanks for reaching out! When suits a call?`,
              status: "delivered",
            });
            stats.messages++;
          }),
        });
      }
      if (mv.status === "responded" && reply++ === 0) {
        steps.push({
          at: at - 60_000,
          run: only(async () => {
            await system.ref(lead, tenant, leadOf()).ask("recordMessage", {
              channel: s.capture.contact.phone ? "sms" : "email",
              direction: "inbound",
              content: "Yes please, tomorrow afternoon works for me.",
              status: "received",
            });
            stats.messages++;
          }),
        });
      }
      if (mv.status === "responded" && s.task) {
        steps.push({
          at: at + 60_000,
          run: only(async () => {
            const r = await system.ref(task, tenant, `task-${s.key}`).ask("create", {
              leadId: leadOf(),
              type: "sales",
              title: `Send a proposal to ${s.capture.contact.company}`,
              dueAt: clock.now() + 2 * DAY,
              priority: "medium",
              idempotencyKey: `task-${s.key}`,
            });
            if (r.status === "created") stats.tasks++;
          }),
        });
      }
      if (mv.status === "meeting_scheduled" && s.booking) {
        steps.push({
          at: at - 120_000,
          run: only(async () => {
            const member = DEMO_TEAM[stats.bookings % DEMO_TEAM.length]!.id;
            const start = nextSlot(clock.now() + DAY);
            const r = await system.ref(calendar, tenant, member).ask("book", {
              start: new Date(start).toISOString(),
              durationMinutes: 30,
              leadId: leadOf(),
              attendee: { name: String(s.capture.contact.name) },
              idempotencyKey: `book-${s.key}`,
            });
            if (r.status === "booked") stats.bookings++;
          }),
        });
      }
      steps.push({
        at,
        run: only(async () => {
          await system.ref(lead, tenant, leadOf()).ask("setStatus", {
            status: mv.status,
            ...(mv.reason ? { reason: mv.reason } : {}),
            ...(mv.valueCents ? { valueCents: mv.valueCents } : {}),
          });
          if (mv.status === "won") stats.won++;
          if (mv.status === "lost") stats.lost++;
        }),
      });
    }
  }
  // Two campaigns, launched 30 and 12 days ago, so their results build up over the rest.
  steps.push({ at: end - 30 * DAY, run: () => launch("demo-win-back", WIN_BACK) });
  steps.push({ at: end - 12 * DAY, run: () => launch("demo-no-website", NO_WEBSITE) });
  steps.sort((a, b) => a.at - b.at);

  let day = Math.floor(clock.now() / DAY);
  let captured = 0;
  for (const step of steps) {
    if (step.at > end) continue;
    // Each new day first lets reminders, follow-ups and campaign steps of the last one run.
    while (Math.floor(step.at / DAY) > day) {
      day++;
      clock.set(Math.min(day * DAY, end));
      await pump();
      await engage(day, made);
    }
    clock.set(Math.max(clock.now(), step.at));
    const before = stats.created + stats.repeated + stats.merged;
    await step.run();
    if (stats.created + stats.repeated + stats.merged > before && ++captured % 100 === 0) {
      console.log(
        `demo: ${captured}/${count} leads (${new Date(step.at).toISOString().slice(0, 10)})`,
      );
    }
  }
  clock.set(end);
  await pump();
} finally {
  await system.shutdown();
}
const code = await new OneTimeCodes(db.sql).mint(
  "signin",
  { sub: `demo-admin`, tenant, role: "admin" },
  SIGNIN_TTL_MS,
);
await db.close();

console.log(
  `demo: tenant ${tenant}: ${stats.created} leads created, ${stats.repeated} already there, ${stats.merged} merged ` +
    `(by source: ${Object.entries(bySource).map(([k, v]) => `${k} ${v}`).join(", ")}); ` +
    `${stats.messages} messages, ${stats.won} won, ${stats.lost} lost, ${stats.tasks} tasks, ` +
    `${stats.bookings} bookings, 2 campaigns (${stats.engagements} opens, clicks and replies)`,
);
if (values["no-serve"]) {
  console.log(`demo: sign-in code (one-time, 24 h): ${code}`);
  Deno.exit(0);
}
const node = await startCove(config);
const base = Deno.env.get("PUBLIC_URL")?.replace(/\/+$/, "") || node.url;
console.log(
  `demo: dashboard ${base}/ ; sign in (one-time link, valid 24 h): ${base}/signin#code=${code}`,
);
const stop = () => node.stop().then(() => Deno.exit(0));
Deno.addSignalListener("SIGINT", stop);
if (Deno.build.os !== "windows") Deno.addSignalListener("SIGTERM", stop);

/**
 * Campaign results: on each day, some leads in a running campaign open,
 * click or answer its message, decided by the seed so reruns agree.
 */
async function engage(day: number, made: Map<string, string>): Promise<void> {
  const rnd = seeded(seed * 1_000_003 + day);
  for (const leadId of made.values()) {
    if (rnd() >= 0.15) continue;
    const ref = system.ref(lead, tenant, leadId);
    const view = await ref.query("view");
    if (!Object.values(view.campaigns).some((r) => r.active)) continue;
    const r = rnd();
    if (r < 0.8) {
      await ref.ask("recordEngagement", { kind: r < 0.55 ? "opened" : "clicked" });
      stats.engagements++;
    } else {
      await ref.ask("recordMessage", {
        channel: view.contact.phone ? "sms" : "email",
        direction: "inbound",
        content: "Interesting, can you send me prices?",
        status: "received",
      });
      stats.messages++;
      stats.engagements++;
    }
  }
}

/** The next weekday 10:00-16:00 UTC half-hour at or after `t`. */
function nextSlot(t: number): number {
  const d = new Date(Math.ceil(t / 1_800_000) * 1_800_000);
  while (
    d.getUTCDay() === 0 || d.getUTCDay() === 6 || d.getUTCHours() < 15 || d.getUTCHours() > 21
  ) {
    d.setTime(d.getTime() + 1_800_000);
  }
  return d.getTime();
}

async function launch(id: string, definition: CampaignDefinitionInput): Promise<void> {
  const ref = system.ref(campaign, tenant, id);
  // A second run finds the campaign made by the first and leaves it as it is.
  if ((await ref.query("view")).exists) return;
  await ref.ask("create", { definition });
  await ref.ask("launch", {});
}
