/**
 * Test support: a seeded random workload driving the real lead and campaign
 * actors, so the journal holds real events: captures from every source over
 * many days, repeat captures, status changes and wins with values, messages
 * in and out on every channel, delivery updates, engagements, bookings,
 * consent changes, merges and un-merges, and campaign enrollments whose steps
 * the leads send when their reminders fire.
 *
 * @module
 */
import type { ManualClock } from "../../shared/clock.ts";
import { CoveError } from "../../shared/errors.ts";
import { captureLead, lead, mergeLeads, unmergeLeads } from "../lead/mod.ts";
import { campaign } from "../campaign/mod.ts";
import { type ActorSystem, ReminderPoller } from "../runtime/mod.ts";

/** A small, seedable PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The campaigns the workload creates: id and how many A/B variants. */
export const WORKLOAD_CAMPAIGNS: ReadonlyArray<{ id: string; variants: number }> = [
  { id: "spring", variants: 2 },
  { id: "winback", variants: 1 },
  { id: "promo", variants: 3 },
];

const SOURCES = ["widget", "rest", "csv", "inbound_sms", "inbound_email"] as const;
const TO = ["contacted", "responded", "qualified", "meeting_scheduled", "won", "lost"] as const;

async function createCampaigns(system: ActorSystem, tenant: string): Promise<void> {
  for (const [i, c] of WORKLOAD_CAMPAIGNS.entries()) {
    const split = c.variants === 1 ? [100] : c.variants === 2 ? [50, 50] : [34, 33, 33];
    const variants = (channel: "sms" | "email") =>
      split.map((_, v) => ({
        template: `Hello {{firstName}}, offer ${v}`,
        ...(channel === "email" ? { subject: `Offer ${v}` } : {}),
      }));
    const ref = system.ref(campaign, tenant, c.id);
    await ref.ask("create", {
      definition: {
        name: c.id,
        audience: { tagsAll: ["never-matches-anyone"] },
        steps: [
          { channel: "sms", delayMinutes: 0, variants: variants("sms") },
          { channel: "email", delayMinutes: 90, variants: variants("email") },
          {
            channel: i === 1 ? "email" : "sms",
            delayMinutes: 60 * 24,
            variants: variants(i === 1 ? "email" : "sms"),
            when: { signal: "opened", is: i !== 2 },
          },
        ],
        split,
        window: { start: "00:00", end: "23:59" },
        costCents: { sms: 2 + i, email: 0.5 },
      },
    });
    await ref.ask("launch", {});
  }
}

/**
 * Runs until the tenant's journal holds at least `events` events. Actions on
 * distinct leads run in parallel batches; the choices come from `seed`.
 */
export async function runWorkload(o: {
  system: ActorSystem;
  clock: ManualClock;
  tenant: string;
  seed: number;
  events: number;
}): Promise<{ leads: number }> {
  const { system, clock, tenant } = o;
  const r = rng(o.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const chance = (p: number) => r() < p;
  const poller = new ReminderPoller(system);
  const leads: Array<{ id: string; email: string }> = [];
  let n = 0;
  let ext = 0;
  await createCampaigns(system, tenant);

  const consent = () =>
    (["sms", "email"] as const).filter(() => chance(0.7)).map((channel) => ({
      channel,
      granted: chance(0.85),
      source: "form",
    }));

  const capture = async (): Promise<{ id: string; email: string } | null> => {
    const k = n++;
    const phone = `+1415555${String(k % 10_000).padStart(4, "0")}`;
    const email = `p${k}@example.com`;
    const input = {
      idempotencyKey: `cap-${k}`,
      source: pick(SOURCES),
      contact: { name: `Person ${k}`, email, ...(chance(0.8) ? { phone } : {}) },
      ...(chance(0.4) ? { message: "Hi, I need a website" } : {}),
      consent: consent(),
    };
    const res = await captureLead(system, tenant, input);
    return res.outcome === "created" ? { id: res.leadId, email } : null;
  };

  // Every random choice is drawn before the first await, so parallel batches replay alike.
  const act = (l: { id: string; email: string }): Promise<unknown> => {
    const ref = system.ref(lead, tenant, l.id);
    const roll = r();
    if (roll < 0.04) {
      return captureLead(system, tenant, {
        idempotencyKey: `again-${n++}`,
        source: pick(SOURCES),
        contact: { email: l.email },
        ...(chance(0.5) ? { message: "Me again" } : {}),
        consent: consent(),
      });
    } else if (roll < 0.2) {
      const to = pick(TO);
      const status = chance(0.03) ? "unsubscribed" : to;
      const value = to === "won" && chance(0.8) ? { valueCents: Math.floor(r() * 500_000) } : {};
      return ref.ask("setStatus", { status, ...value });
    } else if (roll < 0.38) {
      return ref.ask("recordMessage", {
        channel: pick(["sms", "email", "sms", "email", "widget", "note"] as const),
        direction: "outbound",
        content: "Following up",
        status: "queued",
        ...(chance(0.9) ? { externalId: `m-${ext++}` } : {}),
      });
    } else if (roll < 0.52) {
      return ref.ask("recordMessage", {
        channel: pick(["sms", "email", "sms", "email", "widget", "note"] as const),
        direction: "inbound",
        content: "Thanks!",
        status: "received",
      });
    } else if (roll < 0.68) {
      const which = r();
      const status = pick(["delivered", "delivered", "failed", "sent"] as const);
      return ref.query("view").then((view) => {
        const out = view.messages.filter((m) => m.direction === "outbound" && m.externalId);
        if (out.length === 0) return;
        const externalId = out[Math.floor(which * out.length)]!.externalId!;
        return ref.ask("updateMessageStatus", { externalId, status });
      });
    } else if (roll < 0.74) {
      return ref.ask("recordEngagement", { kind: pick(["opened", "clicked"] as const) });
    } else if (roll < 0.77) {
      return ref.ask("recordBooking", { bookingId: `b-${ext++}`, start: clock.now() + 86_400_000 });
    } else if (roll < 0.81) {
      return ref.ask("recordConsent", {
        channel: pick(["sms", "email"] as const),
        granted: chance(0.3),
        source: "reply STOP",
      });
    }
    const c = pick(WORKLOAD_CAMPAIGNS);
    return ref.ask("enrollInCampaign", {
      campaignId: c.id,
      variant: Math.floor(r() * c.variants),
      firstAt: clock.now() + Math.floor(r() * 3_600_000),
      stopOnReply: chance(0.7),
    });
  };

  const count = async () =>
    (await system.journal.sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM events WHERE tenant = ${tenant}`)[0]!.n;

  while (await count() < o.events) {
    const batch: Promise<unknown>[] = [];
    const captures: Promise<{ id: string; email: string } | null>[] = [];
    const busy = new Set<string>();
    for (let i = 0; i < 12; i++) {
      if (leads.length < 20 || chance(0.22)) {
        captures.push(capture().catch((e) => (expected(e), null)));
        continue;
      }
      const l = pick(leads);
      if (busy.has(l.id)) continue;
      busy.add(l.id);
      batch.push(act(l).catch(expected));
    }
    await Promise.all(batch);
    // New leads join in the order they were drawn, whatever order their turns finished in.
    for (const c of await Promise.all(captures)) if (c) leads.push(c);
    // Merges touch two leads and the identity directory: one at a time.
    if (leads.length > 10 && chance(0.15)) {
      const [into, from] = [pick(leads), pick(leads)];
      if (into.id !== from.id) {
        await (chance(0.75)
          ? mergeLeads(system, tenant, { into: into.id, from: from.id })
          : unmergeLeads(system, tenant, { into: into.id, from: from.id })).catch(expected);
      }
    }
    clock.advance(Math.floor(r() * 4 * 3_600_000));
    while (await poller.tick() > 0) { /* fire everything due */ }
  }
  return { leads: leads.length };
}

/** Refusals the workload provokes on purpose (a merge of merged leads, ...) are fine. */
function expected(e: unknown): void {
  if (e instanceof CoveError && e.status !== undefined && e.status < 500) return;
  throw e;
}
