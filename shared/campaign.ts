/**
 * Campaign shapes: a multi-step, multi-channel sequence sent to an audience
 * of leads, with A/B variants, send windows, branches, a throttle and stats.
 * One schema per shape, used by the campaign actor, the lead actor (which
 * does the per-lead work), the REST layer, analytics and the UI.
 *
 * @module
 */
import { z } from "zod";
import { LeadSource, LeadStatus, MessageChannel } from "./lead.ts";
import { Template } from "./followup.ts";
import { SendWindow } from "./quiet_hours.ts";
import { TemplateSubject } from "./message_template.ts";

/** A campaign's life: drafted, then running until stopped; paused holds every due step. */
export const CampaignStatus = z.enum(["draft", "running", "paused", "stopped"]);
/** A campaign status. */
export type CampaignStatus = z.infer<typeof CampaignStatus>;

/**
 * Which leads a campaign is for: every given criterion must hold. Leads merged
 * into another and unsubscribed leads are never in an audience.
 */
export const Audience = z.strictObject({
  statuses: z.array(LeadStatus).min(1).max(8).optional(),
  minScore: z.number().int().min(0).max(100).optional(),
  maxScore: z.number().int().min(0).max(100).optional(),
  /** The lead has at least one of these tags. */
  tagsAny: z.array(z.string().trim().min(1).max(50)).min(1).max(20).optional(),
  /** The lead has every one of these tags. */
  tagsAll: z.array(z.string().trim().min(1).max(50)).min(1).max(20).optional(),
  sources: z.array(LeadSource).min(1).max(5).optional(),
  /** Not heard from (or, never having written, captured) for at least this many hours. */
  silentForHours: z.number().int().min(1).max(24 * 365).optional(),
}).refine((a) => a.minScore === undefined || a.maxScore === undefined || a.minScore <= a.maxScore, {
  message: "minScore must not exceed maxScore",
  path: ["minScore"],
});
/** A campaign audience. */
export type Audience = z.infer<typeof Audience>;

/** What a step's message says in one A/B variant. */
export const StepContent = z.strictObject({
  template: Template,
  /** Email only; may use the same variables as the template. */
  subject: TemplateSubject.optional(),
});
/** A step's content. */
export type StepContent = z.infer<typeof StepContent>;

/** Things a lead may have done since it was enrolled, which a step can branch on. */
export const BranchSignal = z.enum(["replied", "opened", "clicked", "booked"]);
/** A branch signal. */
export type BranchSignal = z.infer<typeof BranchSignal>;

/** One step of the sequence. */
export const CampaignStep = z.strictObject({
  channel: MessageChannel,
  /** Minutes after the previous step (after enrollment for the first). */
  delayMinutes: z.number().int().min(0).max(60 * 24 * 90),
  /** One entry per A/B variant, in the campaign's `split` order. */
  variants: z.array(StepContent).min(1).max(4),
  /** The step is sent only when the lead did (`is: true`) or did not do `signal` since enrolling. */
  when: z.strictObject({ signal: BranchSignal, is: z.boolean() }).optional(),
});
/** A campaign step. */
export type CampaignStep = z.infer<typeof CampaignStep>;

/** Everything a campaign is, as created or edited while a draft. */
export const CampaignDefinition = z.strictObject({
  name: z.string().trim().min(1).max(200),
  audience: Audience,
  steps: z.array(CampaignStep).min(1).max(20),
  /** Weights of the A/B variants (percentages summing to 100); one entry means no test. */
  split: z.array(z.number().int().min(1).max(100)).min(1).max(4).default([100]),
  /** Sent only inside this window of the lead's local time (default: the tenant's follow-up window). */
  window: SendWindow.optional(),
  /** At most this many messages per minute for the whole campaign, across the cluster. */
  throttlePerMinute: z.number().int().min(1).max(10_000).default(60),
  /** A lead that replies leaves the campaign (default true). */
  stopOnReply: z.boolean().default(true),
  /** What one message costs, in cents, per channel; campaign cost and ROI are built from it. */
  costCents: z.strictObject({
    sms: z.number().min(0).max(10_000).default(1),
    email: z.number().min(0).max(10_000).default(0),
  }).default({ sms: 1, email: 0 }),
}).superRefine((d, ctx) => {
  const total = d.split.reduce((a, b) => a + b, 0);
  if (total !== 100) {
    ctx.addIssue({ code: "custom", path: ["split"], message: `weights sum to ${total}, not 100` });
  }
  d.steps.forEach((s, i) => {
    if (s.variants.length !== d.split.length) {
      ctx.addIssue({
        code: "custom",
        path: ["steps", i, "variants"],
        message: `${s.variants.length} variants for a split of ${d.split.length}`,
      });
    }
    s.variants.forEach((v, j) => {
      if (s.channel === "email" && !v.subject) {
        ctx.addIssue({
          code: "custom",
          path: ["steps", i, "variants", j, "subject"],
          message: "an email step needs a subject",
        });
      }
    });
  });
});
/** A campaign definition as submitted. */
export type CampaignDefinitionInput = z.input<typeof CampaignDefinition>;
/** A campaign definition with defaults filled in. */
export type CampaignDefinition = z.infer<typeof CampaignDefinition>;

/** Why a lead left a campaign. */
export const LeaveReason = z.enum([
  "finished",
  "replied",
  "booked",
  "unsubscribed",
  "campaign_stopped",
  "lead_closed",
]);
/** A leave reason. */
export type LeaveReason = z.infer<typeof LeaveReason>;

/**
 * The lead events that campaigns add (emitted by the lead actor, which does the
 * per-lead work). Analytics reads them from the journal, so their shapes are here.
 */
export const LeadCampaignEvents = {
  /** `lead.campaign_enrolled`: the lead joined a campaign in variant `variant`, first step due at `firstAt`. */
  enrolled: z.object({
    campaignId: z.string(),
    variant: z.number().int().min(0),
    firstAt: z.number(),
  }),
  /**
   * `lead.campaign_step_sent`: a step's message was queued to the outbox under `key`
   * (format `<leadId>:campaign:<campaignId>:<step>`, also the conversation message's
   * `externalId`, so delivery status events can be matched to it).
   */
  stepSent: z.object({
    campaignId: z.string(),
    variant: z.number().int().min(0),
    step: z.number().int().min(0),
    channel: MessageChannel,
    to: z.string(),
    subject: z.string().optional(),
    body: z.string(),
    key: z.string(),
    costCents: z.number().min(0),
  }),
  /** `lead.campaign_step_skipped`: a step not sent (no consent, branch not taken, ...). */
  stepSkipped: z.object({
    campaignId: z.string(),
    step: z.number().int().min(0),
    reason: z.string(),
  }),
  /** `lead.campaign_left`: the lead's run of the campaign ended. */
  left: z.object({ campaignId: z.string(), reason: LeaveReason }),
} as const;

/** The outbox key of a campaign step's message; see {@link LeadCampaignEvents}. */
export function campaignMessageKey(leadId: string, campaignId: string, step: number): string {
  return `${leadId}:campaign:${campaignId}:${step}`;
}

/** The campaign and step of a campaign message key, or null for any other key. */
export function parseCampaignMessageKey(
  key: string,
): { leadId: string; campaignId: string; step: number } | null {
  const m = /^(.+):campaign:([^:]+):(\d+)$/.exec(key);
  return m ? { leadId: m[1]!, campaignId: m[2]!, step: Number(m[3]) } : null;
}

/** A campaign's figures. Counts are of leads, except `sent`/`delivered` (messages). */
export const CampaignStats = z.object({
  enrolled: z.number().int(),
  sent: z.number().int(),
  delivered: z.number().int(),
  opened: z.number().int(),
  clicked: z.number().int(),
  replied: z.number().int(),
  booked: z.number().int(),
  won: z.number().int(),
  costCents: z.number(),
  revenueCents: z.number(),
  /** Per A/B variant, in `split` order. */
  byVariant: z.array(z.object({
    variant: z.number().int(),
    enrolled: z.number().int(),
    sent: z.number().int(),
    replied: z.number().int(),
    booked: z.number().int(),
  })),
});
/** Campaign figures. */
export type CampaignStats = z.infer<typeof CampaignStats>;
