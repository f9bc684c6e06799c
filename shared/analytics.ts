/**
 * Analytics shapes: the figures the journal's projections keep live for a
 * tenant (leads per day by source, the funnel, response rate and time, channel
 * performance, campaign ROI, silent leads, score distribution) and the
 * recommendations drawn from them. Read by REST, the weekly report, Minerva
 * and the dashboard.
 *
 * @module
 */
import { z } from "zod";
import { LeadSource, MessageChannel } from "./lead.ts";

/** Stages of the conversion funnel; a lead counts in every stage it ever reached. */
export const FunnelStage = z.enum(["new", "contacted", "responded", "meeting", "won"]);
/** A funnel stage. */
export type FunnelStage = z.infer<typeof FunnelStage>;

/** Revenue and cost attributed to one campaign or channel. */
export const TouchAttribution = z.object({
  /** Leads whose first (or last, before winning) touch was this campaign or channel. */
  leads: z.number().int(),
  won: z.number().int(),
  revenueCents: z.number(),
  costCents: z.number(),
  /** `costCents / leads`; null when there are none. */
  costPerLeadCents: z.number().nullable(),
  /** `costCents / won`; null when none were won. */
  costPerWonCents: z.number().nullable(),
});
/** Attributed figures. */
export type TouchAttribution = z.infer<typeof TouchAttribution>;

/** Every figure of a tenant's analytics, as of stream position `position`. */
export const AnalyticsReport = z.object({
  tenant: z.string(),
  /** The last journal position folded in; a report is exact up to it. */
  position: z.number().int(),
  /** Calendar days are counted in this zone (the tenant's). */
  timeZone: z.string(),
  /** First and last local day of the capture cohort asked for, when narrowed. */
  from: z.string().optional(),
  to: z.string().optional(),
  /** Captures per local day (`YYYY-MM-DD`) and source. */
  leadsPerDay: z.array(z.object({ day: z.string(), source: LeadSource, count: z.number().int() })),
  /** Leads that ever reached each stage, in stage order. */
  funnel: z.array(z.object({ stage: FunnelStage, count: z.number().int() })),
  /** Leads that replied after we first wrote to them, over leads we wrote to; null if none. */
  responseRate: z.number().nullable(),
  /** From capture to our first outbound message, over leads that got one; ms. */
  timeToFirstResponse: z.object({
    count: z.number().int(),
    meanMs: z.number().nullable(),
  }),
  /**
   * Per channel: outbound messages, delivered, failed, leads who replied on it, and
   * attribution to the channel of a lead's first and last (before winning) outbound message
   * (cost: what campaign steps on the channel cost).
   */
  channels: z.array(z.object({
    channel: MessageChannel,
    sent: z.number().int(),
    delivered: z.number().int(),
    failed: z.number().int(),
    replied: z.number().int(),
    firstTouch: TouchAttribution,
    lastTouch: TouchAttribution,
  })),
  /** Per campaign, first-touch and last-touch attribution. */
  campaigns: z.array(z.object({
    campaignId: z.string(),
    firstTouch: TouchAttribution,
    lastTouch: TouchAttribution,
  })),
  /** Open leads not heard from for `hours`; silence is measured at `asOf`. */
  silent: z.object({ hours: z.number().int(), count: z.number().int(), asOf: z.number() }),
  /** Current scores of live leads in buckets of ten (0-9, ..., 90-100). */
  scoreDistribution: z.array(z.object({ from: z.number().int(), count: z.number().int() })),
});
/** A tenant's analytics. */
export type AnalyticsReport = z.infer<typeof AnalyticsReport>;

/** What a recommendation advises. */
export const RecommendationKind = z.enum([
  "generate_leads",
  "optimize_templates",
  "recover_silent_leads",
]);
/** A recommendation kind. */
export type RecommendationKind = z.infer<typeof RecommendationKind>;

/**
 * A recommendation, published on the tenant's stream as `recommendation.made`
 * (for Minerva and the dashboard) with its reason and suggested parameters.
 */
export const Recommendation = z.object({
  kind: RecommendationKind,
  /** Why, in words and with the figure that triggered it. */
  reason: z.string(),
  /** The figure and the threshold it crossed. */
  metric: z.object({ name: z.string(), value: z.number(), threshold: z.number() }),
  /** What to do, e.g. locations and business types, an A/B test, lead ids to recover. */
  suggested: z.record(z.string(), z.unknown()),
});
/** A recommendation. */
export type Recommendation = z.infer<typeof Recommendation>;
