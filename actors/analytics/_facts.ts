/**
 * What the projection keeps per lead and per lead-in-campaign, and what each
 * contributes to the aggregate tables. A lead's contribution is a pure
 * function of its facts, so folding an event is "take back the old
 * contribution, add the new one": figures that move between rows (a lead's
 * last-touch campaign, its silence hour, its score bucket) stay exact.
 *
 * Counting rules (the test's SQL recount follows the same ones):
 * - A lead is a `lead.captured`; repeat captures (`lead.merged`) are not new leads.
 * - Funnel stages reached: contacted by any outbound message or a status of
 *   contacted; responded by an inbound message or responded/qualified;
 *   meeting by `lead.booked` or meeting_scheduled; won by won. A stage counts
 *   every lead that reached it or a later one.
 * - Messages are conversation messages on any channel but `note`, follow-ups
 *   and campaign steps.
 * - Attribution: a campaign touch is a campaign step sent to the lead; a
 *   channel touch is any outbound message on sms or email. First touch is the
 *   lead's first; last touch its last before it was won (its latest while not
 *   won). Revenue is the win's `valueCents`; cost is what campaign steps cost.
 * - A lead merged into another (`lead.merged_into` with a target) leaves the
 *   current-state figures (silent, score distribution); its history (captures,
 *   funnel, messages, campaigns) still counts as it happened. Un-merging
 *   brings it back.
 *
 * @module
 */
import type { FunnelStage } from "../../shared/mod.ts";

/** An hour in ms. */
export const HOUR_MS = 3_600_000;
/** The funnel in order. */
export const FUNNEL: readonly FunnelStage[] = ["new", "contacted", "responded", "meeting", "won"];
/** Lower bounds of the score buckets (the last one holds 90-100). */
export const SCORE_BUCKETS: readonly number[] = [0, 10, 20, 30, 40, 50, 60, 70, 80, 90];
/** Statuses after which a lead is no longer open (cannot go silent). */
export const CLOSED_STATUSES: readonly string[] = [
  "meeting_scheduled",
  "won",
  "lost",
  "unsubscribed",
];
/** The funnel rank a status reaches (statuses not in the funnel reach none). */
export const STATUS_RANK: Readonly<Record<string, number>> = {
  contacted: 1,
  responded: 2,
  qualified: 2,
  meeting_scheduled: 3,
  won: 4,
};

/** A lead's folded facts. */
export interface LeadFacts {
  capturedAt: number | null;
  day: string | null;
  source: string | null;
  /** Highest funnel rank reached: 0 new ... 4 won. */
  rank: number;
  /** No longer open: meeting, won, lost or unsubscribed. */
  closed: boolean;
  consent: { sms?: boolean; email?: boolean };
  mergedInto: string | null;
  score: number;
  /** Last inbound message (or capture carrying a message), epoch ms. */
  heardAt: number | null;
  firstOutSeq: number | null;
  firstOutAt: number | null;
  /** An inbound message came after our first outbound one. */
  repliedAfter: boolean;
  /** Channels (sms, email) the lead replied on. */
  repliedOn: string[];
  firstTouch: string | null;
  /** Last campaign touch, frozen once the lead is won. */
  lastTouch: string | null;
  /** Channel (sms, email) of the first outbound message. */
  firstChannel?: string | null;
  /** Channel of the last outbound message, frozen once the lead is won. */
  lastChannel?: string | null;
  won: boolean;
  valueCents: number;
}

/** A lead's run of one campaign. */
export interface CampaignLeadFacts {
  variant: number;
  enrolledSeq: number;
  opened: boolean;
  clicked: boolean;
  replied: boolean;
  booked: boolean;
  won: boolean;
  revenueCents: number;
}

/** A new lead's facts before its first event. */
export function emptyLead(): LeadFacts {
  return {
    capturedAt: null,
    day: null,
    source: null,
    rank: 0,
    closed: false,
    consent: {},
    mergedInto: null,
    score: 0,
    heardAt: null,
    firstOutSeq: null,
    firstOutAt: null,
    repliedAfter: false,
    repliedOn: [],
    firstTouch: null,
    lastTouch: null,
    firstChannel: null,
    lastChannel: null,
    won: false,
    valueCents: 0,
  };
}

/** Aggregate tables, their key columns and value columns. */
export const TABLES = {
  analytics_days: {
    keys: { day: "date", source: "text" },
    values: [
      "captured",
      "contacted",
      "responded",
      "meeting",
      "won",
      "wrote",
      "replied_after",
      "ttfr_count",
      "ttfr_sum_ms",
    ],
  },
  analytics_channels: {
    keys: { channel: "text" },
    values: [
      "sent",
      "delivered",
      "failed",
      "replied",
      "cost_cents",
      "first_leads",
      "first_won",
      "first_revenue_cents",
      "last_leads",
      "last_won",
      "last_revenue_cents",
    ],
  },
  analytics_campaigns: {
    keys: { campaign_id: "text" },
    values: [
      "enrolled",
      "sent",
      "delivered",
      "opened",
      "clicked",
      "replied",
      "booked",
      "won",
      "cost_cents",
      "revenue_cents",
      "first_leads",
      "first_won",
      "first_revenue_cents",
      "last_leads",
      "last_won",
      "last_revenue_cents",
    ],
  },
  analytics_campaign_variants: {
    keys: { campaign_id: "text", variant: "int" },
    values: ["enrolled", "sent", "replied", "booked"],
  },
  analytics_scores: { keys: { bucket: "int" }, values: ["count"] },
  analytics_silence: { keys: { hour: "bigint" }, values: ["count"] },
} as const;

/** An aggregate table's name. */
export type AggregateTable = keyof typeof TABLES;

/** One change to one row of an aggregate table. */
export interface Delta {
  table: AggregateTable;
  key: Record<string, string | number>;
  values: Record<string, number>;
}

/** Since when an open live lead has been silent, or null when it does not count. */
export function silentSince(f: LeadFacts): number | null {
  if (f.capturedAt === null || f.closed || f.mergedInto !== null) return null;
  return f.heardAt ?? f.capturedAt;
}

/** What a lead adds to the aggregates. */
export function leadDeltas(f: LeadFacts): Delta[] {
  if (f.capturedAt === null || f.day === null || f.source === null) return [];
  const b = (x: boolean) => x ? 1 : 0;
  const wrote = f.firstOutAt !== null;
  const out: Delta[] = [{
    table: "analytics_days",
    key: { day: f.day, source: f.source },
    values: {
      captured: 1,
      contacted: b(f.rank >= 1),
      responded: b(f.rank >= 2),
      meeting: b(f.rank >= 3),
      won: b(f.rank >= 4),
      wrote: b(wrote),
      replied_after: b(f.repliedAfter),
      ttfr_count: b(wrote),
      ttfr_sum_ms: wrote ? f.firstOutAt! - f.capturedAt : 0,
    },
  }];
  for (const channel of f.repliedOn) {
    out.push({ table: "analytics_channels", key: { channel }, values: { replied: 1 } });
  }
  const revenue = f.won ? f.valueCents : 0;
  if (f.firstTouch !== null) {
    out.push({
      table: "analytics_campaigns",
      key: { campaign_id: f.firstTouch },
      values: { first_leads: 1, first_won: b(f.won), first_revenue_cents: revenue },
    });
  }
  if (f.lastTouch !== null) {
    out.push({
      table: "analytics_campaigns",
      key: { campaign_id: f.lastTouch },
      values: { last_leads: 1, last_won: b(f.won), last_revenue_cents: revenue },
    });
  }
  if (f.firstChannel) {
    out.push({
      table: "analytics_channels",
      key: { channel: f.firstChannel },
      values: { first_leads: 1, first_won: b(f.won), first_revenue_cents: revenue },
    });
  }
  if (f.lastChannel) {
    out.push({
      table: "analytics_channels",
      key: { channel: f.lastChannel },
      values: { last_leads: 1, last_won: b(f.won), last_revenue_cents: revenue },
    });
  }
  if (f.mergedInto === null) {
    const bucket = Math.min(9, Math.max(0, Math.floor(f.score / 10))) * 10;
    out.push({ table: "analytics_scores", key: { bucket }, values: { count: 1 } });
  }
  const since = silentSince(f);
  if (since !== null) {
    out.push({
      table: "analytics_silence",
      key: { hour: Math.floor(since / HOUR_MS) },
      values: { count: 1 },
    });
  }
  return out;
}

/** What a lead's run of a campaign adds to the aggregates. */
export function campaignLeadDeltas(campaignId: string, c: CampaignLeadFacts): Delta[] {
  const b = (x: boolean) => x ? 1 : 0;
  return [{
    table: "analytics_campaigns",
    key: { campaign_id: campaignId },
    values: {
      enrolled: 1,
      opened: b(c.opened),
      clicked: b(c.clicked),
      replied: b(c.replied),
      booked: b(c.booked),
      won: b(c.won),
      revenue_cents: c.won ? c.revenueCents : 0,
    },
  }, {
    table: "analytics_campaign_variants",
    key: { campaign_id: campaignId, variant: c.variant },
    values: { enrolled: 1, replied: b(c.replied), booked: b(c.booked) },
  }];
}

/** The same deltas with every value negated (taking a contribution back). */
export function negate(ds: Delta[]): Delta[] {
  return ds.map((d) => ({
    ...d,
    values: Object.fromEntries(Object.entries(d.values).map(([k, v]) => [k, -v])),
  }));
}
