/**
 * What the campaign tests share: one system per test (lead, settings and
 * campaign actors on a fresh database, embedded PGlite and real Postgres),
 * a manual clock, the reminder poller and outbox worker driven by hand, and
 * SMS and email dispatchers that record what would have gone out.
 *
 * @module
 */
import { ManualClock } from "../../shared/clock.ts";
import { captureLead, lead, leadMigrations, settings, SETTINGS_ID } from "../lead/mod.ts";
import { channelMigrations } from "../channels/mod.ts";
import {
  ActorSystem,
  type ClaimedMessage,
  type Database,
  type Dispatcher,
  type DispatchResult,
  openTestDatabase,
  OutboxWorker,
  ReminderPoller,
  testBackends,
  testName,
} from "../runtime/mod.ts";
import { campaign, campaignDispatchers, campaignMigrations } from "./mod.ts";
import type { CampaignDefinitionInput } from "../../shared/campaign.ts";

/** A message a recording dispatcher took. */
export interface Sent {
  channel: string;
  key: string;
  at: number;
  payload: { leadId: string; to: string; subject?: string; body: string; campaign?: unknown };
}

/** Records SMS or email messages instead of sending them. */
export class Recorder implements Dispatcher {
  /** Records into `log`, stamped with `clock`. */
  constructor(readonly channel: string, readonly log: Sent[], readonly clock: ManualClock) {}

  send(m: ClaimedMessage): Promise<DispatchResult> {
    this.log.push({
      channel: m.channel,
      key: m.key,
      at: this.clock.now(),
      payload: m.payload as Sent["payload"],
    });
    return Promise.resolve({ ok: true, response: { providerId: `rec-${m.key}` } });
  }
}

/** One test's world. */
export interface World {
  s: ActorSystem;
  db: Database;
  clock: ManualClock;
  /** Every SMS and email the recorders took, in order. */
  sent: Sent[];
  /** Fires due reminders and dispatches due outbox rows until nothing is left to do now. */
  pump(): Promise<void>;
  /** Moves the clock by `ms` in steps of `step` (default 1 minute), pumping after each. */
  advance(ms: number, step?: number): Promise<void>;
  /** Captures a lead in tenant t1; returns its id. */
  capture(
    key: string,
    contact: Record<string, unknown>,
    extra?: Record<string, unknown>,
  ): Promise<string>;
  /** Creates and launches a campaign in t1, then pumps. */
  launch(id: string, definition: CampaignDefinitionInput): Promise<void>;
}

/** Options of {@link campaignTest}. */
export interface WorldOptions {
  /** Dispatchers for `sms` and `email` (default recorders into `sent`). */
  channels?: (w: Pick<World, "s" | "db" | "clock" | "sent">) => Dispatcher[];
  /** Real Postgres only: the test is too heavy for embedded PGlite on a shared machine. */
  postgresOnly?: boolean;
}

/** 10:00 in New York on a Monday in June. */
export const START = Date.parse("2026-06-01T14:00:00Z");

/** Registers `fn` once per backend, each with a fresh world. */
export function campaignTest(
  name: string,
  fn: (w: World) => Promise<void>,
  opts: WorldOptions = {},
): void {
  const backends = testBackends().filter((b) => !opts.postgresOnly || b.name === "Postgres");
  for (const backend of backends) {
    Deno.test({
      name: testName("campaign", backend, name),
      ignore: backend.skip !== undefined,
      async fn() {
        const db = await openTestDatabase(backend, [
          ...await leadMigrations(),
          ...await channelMigrations(),
          ...await campaignMigrations(),
        ]);
        const clock = new ManualClock(START);
        const s = new ActorSystem({ database: db, types: [lead, settings, campaign], clock });
        const sent: Sent[] = [];
        try {
          // No follow-up sequences: the outbox holds campaign messages only.
          await s.ref(settings, "t1", SETTINGS_ID).ask("setFollowUpPlan", { sequences: {} });
          const base = { s, db, clock, sent };
          const channels = opts.channels?.(base) ??
            [new Recorder("sms", sent, clock), new Recorder("email", sent, clock)];
          const outbox = new OutboxWorker(s, [...campaignDispatchers(s, db.sql), ...channels], {
            batch: 500,
            random: () => 0.5,
          });
          const reminders = new ReminderPoller(s, { batch: 2_000 });
          const pump = async () => {
            for (let i = 0; i < 1_000; i++) {
              const fired = await reminders.tick();
              const dispatched = await outbox.tick();
              if (fired + dispatched === 0) return;
            }
            throw new Error("pump did not settle");
          };
          const world: World = {
            ...base,
            pump,
            async advance(ms, step = 60_000) {
              for (let done = 0; done < ms; done += step) {
                clock.advance(Math.min(step, ms - done));
                await pump();
              }
            },
            async capture(key, contact, extra = {}) {
              const r = await captureLead(s, "t1", {
                idempotencyKey: key,
                source: "rest",
                contact,
                ...extra,
              });
              return r.leadId;
            },
            async launch(id, definition) {
              const ref = s.ref(campaign, "t1", id);
              await ref.ask("create", { definition });
              await ref.ask("launch", {});
              await pump();
            },
          };
          await fn(world);
        } finally {
          await s.shutdown();
          await db.close();
        }
      },
    });
  }
}

/** Campaign events of `leadId` in t1, as `type` and data, in order. */
export async function leadCampaignEvents(
  w: World,
  leadId: string,
): Promise<Array<{ type: string; data: Record<string, unknown> }>> {
  const history = await w.s.history(w.s.ref(lead, "t1", leadId));
  return history.filter((e) => e.type.startsWith("lead.campaign_")).map((e) => ({
    type: e.type,
    data: e.data as Record<string, unknown>,
  }));
}
