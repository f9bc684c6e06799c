/**
 * Folding one page of a tenant's journal into the projection, in memory: the
 * rows the page touches are loaded first, events are applied in position
 * order, then the page yields the rows to write back and the deltas to add
 * to the aggregates. Pure apart from what it was given.
 *
 * @module
 */
import {
  campaignLeadDeltas,
  type CampaignLeadFacts,
  CLOSED_STATUSES,
  type Delta,
  emptyLead,
  leadDeltas,
  type LeadFacts,
  negate,
  STATUS_RANK,
} from "./_facts.ts";

/** A journal event as the projector reads it. */
export interface JournalEvent {
  actor: string;
  seq: number;
  position: number;
  type: string;
  data: unknown;
  /** Epoch ms. */
  at: number;
}

/** An outbound message status updates may name. */
export interface MessageRow {
  leadId: string;
  externalId: string;
  channel: string;
  campaignId: string | null;
  delivered: boolean;
  failed: boolean;
}

/** The rows a page starts from. */
export interface Loaded {
  leads: Map<string, LeadFacts>;
  /** By lead, then campaign. */
  runs: Map<string, Map<string, CampaignLeadFacts>>;
  /** By `messageKey(lead, externalId)`. */
  messages: Map<string, MessageRow>;
}

/** Map key of a message. */
export const messageKey = (leadId: string, externalId: string): string =>
  `${leadId}\u0000${externalId}`;

const CHANNELS = new Set(["sms", "email"]);
const num = (v: unknown) => typeof v === "number" && Number.isFinite(v) ? v : 0;

const formats = new Map<string, Intl.DateTimeFormat>();
/** The local day (`YYYY-MM-DD`) of `at` in `zone`. */
export function dayOf(at: number, zone: string): string {
  let f = formats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-CA", {
      timeZone: zone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
    });
    formats.set(zone, f);
  }
  const p = Object.fromEntries(f.formatToParts(at).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}`;
}

/** The lead id of a lead actor key of `tenant`, or null for any other actor. */
export function leadIdOf(actor: string, tenant: string): string | null {
  const prefix = `lead/${tenant}/`;
  return actor.startsWith(prefix) ? actor.slice(prefix.length) : null;
}

/** Which lead rows and messages folding `events` needs. */
export function needs(
  events: JournalEvent[],
  tenant: string,
): { leadIds: string[]; messages: Array<[string, string]> } {
  const leadIds = new Set<string>();
  const messages: Array<[string, string]> = [];
  for (const e of events) {
    const id = leadIdOf(e.actor, tenant);
    if (id === null || !e.type.startsWith("lead.")) continue;
    leadIds.add(id);
    if (e.type === "lead.message_status_changed") {
      messages.push([id, String((e.data as { externalId?: unknown }).externalId)]);
    }
  }
  return { leadIds: [...leadIds], messages };
}

/** One page's fold. */
export class PageFold {
  readonly #zone: string;
  readonly #tenant: string;
  readonly #leads = new Map<string, { before: LeadFacts | null; now: LeadFacts }>();
  readonly #runs = new Map<
    string,
    Map<string, { before: CampaignLeadFacts | null; now: CampaignLeadFacts }>
  >();
  readonly #messages: Map<string, MessageRow>;
  readonly #dirty = new Set<string>();
  readonly #deltas: Delta[] = [];

  constructor(tenant: string, zone: string, loaded: Loaded) {
    this.#tenant = tenant;
    this.#zone = zone;
    for (const [id, f] of loaded.leads) this.#leads.set(id, { before: f, now: structuredClone(f) });
    for (const [id, runs] of loaded.runs) {
      const m = new Map<string, { before: CampaignLeadFacts | null; now: CampaignLeadFacts }>();
      for (const [c, r] of runs) m.set(c, { before: r, now: { ...r } });
      this.#runs.set(id, m);
    }
    this.#messages = loaded.messages;
  }

  #lead(id: string): LeadFacts {
    let l = this.#leads.get(id);
    if (!l) this.#leads.set(id, l = { before: null, now: emptyLead() });
    return l.now;
  }

  /** Runs of the lead's campaigns it enrolled in before event `seq`. */
  #runsBefore(id: string, seq: number): CampaignLeadFacts[] {
    return [...this.#runs.get(id)?.values() ?? []].map((r) => r.now).filter((r) =>
      r.enrolledSeq < seq
    );
  }

  #add(d: Delta): void {
    this.#deltas.push(d);
  }

  /** Applies one event (events of other actors and kinds are ignored). */
  apply(e: JournalEvent): void {
    const id = leadIdOf(e.actor, this.#tenant);
    if (id === null || !e.type.startsWith("lead.")) return;
    const d = (e.data ?? {}) as Record<string, unknown>;
    const f = this.#lead(id);
    switch (e.type) {
      case "lead.captured":
        f.capturedAt = e.at;
        f.day = dayOf(e.at, this.#zone);
        f.source = String(d.source);
        if (d.message) f.heardAt = e.at;
        this.#consent(f, d.consent);
        break;
      case "lead.merged":
        if (d.message) f.heardAt = e.at;
        this.#consent(f, d.consent);
        break;
      case "lead.consent_changed":
        this.#consent(f, [d]);
        break;
      case "lead.status_changed": {
        const to = String(d.to);
        f.rank = Math.max(f.rank, STATUS_RANK[to] ?? 0);
        if (CLOSED_STATUSES.includes(to)) f.closed = true;
        if (to === "won" && !f.won) {
          f.won = true;
          f.valueCents = num(d.valueCents);
          for (const r of this.#runsBefore(id, e.seq)) {
            r.won = true;
            r.revenueCents = f.valueCents;
          }
        }
        break;
      }
      case "lead.booked":
        f.rank = Math.max(f.rank, 3);
        f.closed = true;
        for (const r of this.#runsBefore(id, e.seq)) r.booked = true;
        break;
      case "lead.message_recorded":
        if (d.channel === "note") break;
        if (d.direction === "inbound") {
          f.heardAt = e.at;
          f.rank = Math.max(f.rank, 2);
          const ch = String(d.channel);
          if (CHANNELS.has(ch) && !f.repliedOn.includes(ch)) f.repliedOn = [...f.repliedOn, ch];
          if (f.firstOutSeq !== null) f.repliedAfter = true;
          for (const r of this.#runsBefore(id, e.seq)) r.replied = true;
        } else {
          this.#outbound(id, f, e, String(d.channel), d.externalId, null);
        }
        break;
      case "lead.followup_sent":
        this.#outbound(id, f, e, String(d.channel), d.key, null);
        break;
      case "lead.campaign_step_sent": {
        const campaignId = String(d.campaignId);
        this.#outbound(id, f, e, String(d.channel), d.key, campaignId);
        const variant = num(d.variant);
        this.#add({
          table: "analytics_campaigns",
          key: { campaign_id: campaignId },
          values: { sent: 1, cost_cents: num(d.costCents) },
        });
        this.#add({
          table: "analytics_campaign_variants",
          key: { campaign_id: campaignId, variant },
          values: { sent: 1 },
        });
        if (CHANNELS.has(String(d.channel))) {
          this.#add({
            table: "analytics_channels",
            key: { channel: String(d.channel) },
            values: { cost_cents: num(d.costCents) },
          });
        }
        f.firstTouch ??= campaignId;
        if (!f.won) f.lastTouch = campaignId;
        break;
      }
      case "lead.message_status_changed":
        this.#status(id, String(d.externalId), String(d.status));
        break;
      case "lead.scored":
        f.score = num(d.score);
        break;
      case "lead.merged_into":
        f.mergedInto = typeof d.into === "string" ? d.into : null;
        break;
      case "lead.engaged":
        for (const r of this.#runsBefore(id, e.seq)) {
          if (d.kind === "opened") r.opened = true;
          if (d.kind === "clicked") r.clicked = true;
        }
        break;
      case "lead.campaign_enrolled": {
        const campaignId = String(d.campaignId);
        let runs = this.#runs.get(id);
        if (!runs) this.#runs.set(id, runs = new Map());
        if (!runs.has(campaignId)) {
          runs.set(campaignId, {
            before: null,
            now: {
              variant: num(d.variant),
              enrolledSeq: e.seq,
              opened: false,
              clicked: false,
              replied: false,
              booked: false,
              won: false,
              revenueCents: 0,
            },
          });
        }
        break;
      }
    }
  }

  #consent(f: LeadFacts, list: unknown): void {
    if (!Array.isArray(list) || list.length === 0) return;
    const next = { ...f.consent };
    for (const c of list as Array<{ channel?: unknown; granted?: unknown }>) {
      if (c.channel === "sms" || c.channel === "email") next[c.channel] = c.granted === true;
    }
    f.consent = next;
    // Withdrawn on every channel makes the lead unsubscribed (as the lead actor does).
    if (next.sms === false && next.email === false) f.closed = true;
  }

  #outbound(
    id: string,
    f: LeadFacts,
    e: JournalEvent,
    channel: string,
    externalId: unknown,
    campaignId: string | null,
  ): void {
    f.rank = Math.max(f.rank, 1);
    f.firstOutSeq ??= e.seq;
    f.firstOutAt ??= e.at;
    if (CHANNELS.has(channel)) {
      this.#add({ table: "analytics_channels", key: { channel }, values: { sent: 1 } });
      f.firstChannel ??= channel;
      if (!f.won) f.lastChannel = channel;
    }
    if (typeof externalId !== "string") return;
    const k = messageKey(id, externalId);
    // Status updates name the first message with the id, as the lead actor finds it.
    if (this.#messages.has(k)) return;
    this.#messages.set(k, {
      leadId: id,
      externalId,
      channel,
      campaignId,
      delivered: false,
      failed: false,
    });
    this.#dirty.add(k);
  }

  #status(id: string, externalId: string, status: string): void {
    const k = messageKey(id, externalId);
    const m = this.#messages.get(k);
    if (!m) return;
    const counted = CHANNELS.has(m.channel);
    if (status === "delivered" && !m.delivered) {
      m.delivered = true;
      this.#dirty.add(k);
      if (counted) {
        this.#add({
          table: "analytics_channels",
          key: { channel: m.channel },
          values: { delivered: 1 },
        });
      }
      if (m.campaignId !== null) {
        this.#add({
          table: "analytics_campaigns",
          key: { campaign_id: m.campaignId },
          values: { delivered: 1 },
        });
      }
    }
    if (status === "failed" && !m.failed) {
      m.failed = true;
      this.#dirty.add(k);
      if (counted) {
        this.#add({
          table: "analytics_channels",
          key: { channel: m.channel },
          values: { failed: 1 },
        });
      }
    }
  }

  /** The rows to write back and every delta of the page. */
  finish(): {
    leads: Array<[string, LeadFacts]>;
    runs: Array<[string, string, CampaignLeadFacts]>;
    messages: MessageRow[];
    deltas: Delta[];
  } {
    const deltas = [...this.#deltas];
    const leads: Array<[string, LeadFacts]> = [];
    for (const [id, { before, now }] of this.#leads) {
      if (before && JSON.stringify(before) === JSON.stringify(now)) continue;
      if (before) deltas.push(...negate(leadDeltas(before)));
      deltas.push(...leadDeltas(now));
      leads.push([id, now]);
    }
    const runs: Array<[string, string, CampaignLeadFacts]> = [];
    for (const [id, m] of this.#runs) {
      for (const [c, { before, now }] of m) {
        if (before && JSON.stringify(before) === JSON.stringify(now)) continue;
        if (before) deltas.push(...negate(campaignLeadDeltas(c, before)));
        deltas.push(...campaignLeadDeltas(c, now));
        runs.push([id, c, now]);
      }
    }
    const messages = [...this.#dirty].map((k) => this.#messages.get(k)!);
    return { leads, runs, messages, deltas };
  }
}
