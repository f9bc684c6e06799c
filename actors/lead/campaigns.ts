/**
 * A lead's part in campaigns: joining one, and what to do when one of its
 * steps falls due. The campaign actor only enrolls; each lead runs its own
 * steps, reading the campaign's `definition` query (no turn on the campaign,
 * so 100,000 leads never queue behind it) and re-checking everything that
 * may have changed: the campaign paused or stopped, the lead replied, booked
 * or closed, the branch, consent, the send window in the lead's zone.
 *
 * @module
 */
import { z } from "zod";
import {
  campaignMessageKey,
  type CampaignStep,
  LeadCampaignEvents,
  type LeaveReason,
} from "../../shared/campaign.ts";
import { renderTemplate } from "../../shared/followup.ts";
import type { LeadStatus, MessageChannel } from "../../shared/lead.ts";
import { nextSendTime, type SendWindow } from "../../shared/quiet_hours.ts";
import type { EngagementKind } from "../../shared/scoring.ts";
import {
  campaign,
  campaignReminderName,
  type CampaignRuntime,
  type EnrollInCampaign,
} from "../campaign/mod.ts";
import type { Effect, FiredReminder, TurnContext } from "../runtime/mod.ts";
import { type FollowUpFacts, recipient, templateValues } from "./followups.ts";
import { settings, SETTINGS_ID } from "./settings.ts";

/** One campaign run of a lead. */
export const CampaignRun = z.object({
  variant: z.number().int().min(0),
  /** The step due next (the number of steps done). */
  step: z.number().int().min(0),
  enrolledAt: z.number(),
  /** When the next step is due; null once the run ended. */
  dueAt: z.number().nullable(),
  active: z.boolean(),
  stopOnReply: z.boolean(),
  /** The lead's status when it joined: a campaign for won leads does not end because they are won. */
  fromStatus: z.string(),
});
/** A lead's run of one campaign. */
export type CampaignRun = z.infer<typeof CampaignRun>;

/** Runs kept per lead; the oldest ended ones go first. */
export const KEEP_CAMPAIGN_RUNS = 100;

/** While a campaign is paused, a due step looks again this much later. */
export const PAUSED_RECHECK_MS = 5 * 60_000;

/** Event data of `lead.campaign_enrolled` (the shared shape, plus `stopOnReply`). */
export const CampaignEnrolled = LeadCampaignEvents.enrolled.extend({
  stopOnReply: z.boolean().optional(),
});
/** Event data of `lead.campaign_step_sent` (plus `nextAt`, the next step's due time, if any). */
export const CampaignStepSent = LeadCampaignEvents.stepSent.extend({
  nextAt: z.number().optional(),
});
/** Event data of `lead.campaign_step_skipped` (plus `nextAt`). */
export const CampaignStepSkipped = LeadCampaignEvents.stepSkipped.extend({
  nextAt: z.number().optional(),
});
/** Event data of `lead.campaign_left`. */
export const CampaignLeft = LeadCampaignEvents.left;

/** The lead events of campaigns, as handlers emit them. */
export type CampaignEvent =
  | { type: "lead.campaign_enrolled"; data: z.infer<typeof CampaignEnrolled> }
  | { type: "lead.campaign_step_sent"; data: z.infer<typeof CampaignStepSent> }
  | { type: "lead.campaign_step_skipped"; data: z.infer<typeof CampaignStepSkipped> }
  | { type: "lead.campaign_left"; data: z.infer<typeof CampaignLeft> };

type Runs = Record<string, CampaignRun>;

/** `runs` with `id` set to `run`, dropping the oldest ended runs beyond the bound. */
export function withRun(runs: Runs, id: string, run: CampaignRun): Runs {
  const next = { ...runs, [id]: run };
  const ids = Object.keys(next);
  if (ids.length <= KEEP_CAMPAIGN_RUNS) return next;
  const ended = ids.filter((k) => !next[k]!.active && k !== id)
    .sort((a, b) => next[a]!.enrolledAt - next[b]!.enrolledAt);
  for (const k of ended.slice(0, ids.length - KEEP_CAMPAIGN_RUNS)) delete next[k];
  return next;
}

/** The run after a step went out or was skipped: the next one due at `nextAt`, if any. */
export function advancedRun(
  run: CampaignRun,
  step: number,
  nextAt: number | undefined,
): CampaignRun {
  return { ...run, step: step + 1, dueAt: nextAt ?? null };
}

/** What a lead looks like to its campaign steps. */
export interface CampaignLeadFacts extends FollowUpFacts {
  status: LeadStatus;
  mergedInto: string | null;
  engagement: ReadonlyArray<{ kind: EngagementKind; at: number }>;
}

/** What to do when a campaign step falls due. */
export type CampaignStepDecision =
  | { kind: "leave"; reason: LeaveReason }
  | { kind: "wait"; until: number; reason: string }
  | { kind: "skip"; reason: string; nextAt: number | undefined }
  | {
    kind: "send";
    channel: MessageChannel;
    to: string;
    subject?: string;
    body: string;
    key: string;
    costCents: number;
    nextAt: number | undefined;
  };

/** Whether the lead did `signal` since `since`. */
export function didSince(lead: CampaignLeadFacts, signal: EngagementKind, since: number): boolean {
  if (signal === "replied" && lead.lastInboundAt !== null && lead.lastInboundAt > since) {
    return true;
  }
  return lead.engagement.some((e) => e.kind === signal && e.at > since);
}

const CLOSED = new Set(["won", "lost"]);

/**
 * Decides a due step of `campaignId` from the campaign as it is now (null:
 * gone), the lead's run, and the lead; `defaults` are the tenant's window
 * and zone, used when the campaign or the lead names none.
 */
export function decideCampaignStep(
  def: CampaignRuntime | null,
  campaignId: string,
  run: CampaignRun,
  lead: CampaignLeadFacts,
  defaults: { window: SendWindow; timeZone: string },
  now: number,
): CampaignStepDecision {
  if (!def || def.status === "stopped") return { kind: "leave", reason: "campaign_stopped" };
  if (lead.mergedInto) return { kind: "leave", reason: "lead_closed" };
  if (lead.status === "unsubscribed") return { kind: "leave", reason: "unsubscribed" };
  if (CLOSED.has(lead.status) && !CLOSED.has(run.fromStatus)) {
    return { kind: "leave", reason: "lead_closed" };
  }
  if (run.stopOnReply && didSince(lead, "replied", run.enrolledAt)) {
    return { kind: "leave", reason: "replied" };
  }
  if (def.status !== "running") {
    return { kind: "wait", until: now + PAUSED_RECHECK_MS, reason: `campaign ${def.status}` };
  }
  const step: CampaignStep | undefined = def.steps[run.step];
  if (!step) return { kind: "leave", reason: "finished" };
  const following = def.steps[run.step + 1];
  const nextAt = following ? now + following.delayMinutes * 60_000 : undefined;
  if (step.when && didSince(lead, step.when.signal, run.enrolledAt) !== step.when.is) {
    const reason = `branch: ${step.when.is ? "" : "no "}${step.when.signal}`;
    return { kind: "skip", reason, nextAt };
  }
  // The follow-ups' consent rule.
  const address = recipient(step.channel, lead);
  if ("skip" in address) return { kind: "skip", reason: address.skip, nextAt };
  const { to } = address;
  const zone = lead.timeZone ?? defaults.timeZone;
  const window = def.window ?? defaults.window;
  const open = nextSendTime(now, zone, window);
  if (open > now) {
    return {
      kind: "wait",
      until: open,
      reason: `outside ${window.start}-${window.end} in ${zone}`,
    };
  }
  const content = step.variants[run.variant] ?? step.variants[0]!;
  const values = templateValues(lead);
  const body = renderTemplate(content.template, values);
  return {
    kind: "send",
    channel: step.channel,
    to,
    ...(content.subject ? { subject: renderTemplate(content.subject, values) } : {}),
    body,
    key: campaignMessageKey(lead.leadId, campaignId, run.step),
    costCents: def.costCents[step.channel],
    nextAt,
  };
}

/** What a handler returns for campaigns: events and effects to add to its own. */
export interface CampaignDecision {
  events: CampaignEvent[];
  effects: Effect[];
}

/** Joins a campaign; a lead already in it, merged away or unsubscribed does nothing. */
export function enrollInCampaign(
  s: { exists: boolean; mergedInto: string | null; status: LeadStatus; campaigns: Runs },
  c: EnrollInCampaign,
  ctx: TurnContext,
): CampaignDecision & { reply: { enrolled: boolean; reason?: string } } {
  const none = { events: [], effects: [] };
  if (!s.exists) return { ...none, reply: { enrolled: false, reason: "no such lead" } };
  if (s.campaigns[c.campaignId]) return { ...none, reply: { enrolled: true, reason: "already" } };
  if (s.mergedInto) return { ...none, reply: { enrolled: false, reason: "merged" } };
  if (s.status === "unsubscribed") {
    return { ...none, reply: { enrolled: false, reason: "unsubscribed" } };
  }
  return {
    events: [{ type: "lead.campaign_enrolled", data: c }],
    effects: [ctx.remind(campaignReminderName(c.campaignId), c.firstAt, { payload: { step: 0 } })],
    reply: { enrolled: true },
  };
}

/** Input of the lead's `leaveCampaign` command (told by a campaign that stopped). */
export const LeaveCampaign = z.object({
  campaignId: z.string().min(1).max(128),
  reason: z.enum(["campaign_stopped"]),
});

/** Ends the lead's run of one campaign now, if it is still going. */
export function leaveCampaign(
  runs: Runs,
  c: z.infer<typeof LeaveCampaign>,
  ctx: TurnContext,
): CampaignDecision & { reply: { left: boolean } } {
  if (!runs[c.campaignId]?.active) return { events: [], effects: [], reply: { left: false } };
  return {
    events: [{ type: "lead.campaign_left", data: c }],
    effects: [ctx.cancelReminder(campaignReminderName(c.campaignId))],
    reply: { left: true },
  };
}

/** Ends every active run (those with stop-on-reply only, for `replied`) in this turn. */
export function leaveCampaigns(
  runs: Runs,
  reason: LeaveReason,
  ctx: TurnContext,
): CampaignDecision {
  const ids = Object.entries(runs)
    .filter(([, r]) => r.active && (reason !== "replied" || r.stopOnReply))
    .map(([id]) => id);
  return {
    events: ids.map((campaignId) => ({ type: "lead.campaign_left", data: { campaignId, reason } })),
    effects: ids.map((id) => ctx.cancelReminder(campaignReminderName(id))),
  };
}

const DuePayload = z.object({ step: z.number().int() });

/** Handles the lead's reminder for a step of `campaignId`. */
export async function campaignStepDue(
  runs: Runs,
  facts: CampaignLeadFacts,
  campaignId: string,
  r: FiredReminder,
  ctx: TurnContext,
): Promise<CampaignDecision> {
  const run = runs[campaignId];
  const due = DuePayload.safeParse(r.payload);
  // A reminder of a step already done, or of a run that ended, does nothing.
  if (!run?.active || !due.success || due.data.step !== run.step) {
    return { events: [], effects: [] };
  }
  const [def, conf] = await Promise.all([
    ctx.query(ctx.ref(campaign, campaignId), "definition"),
    ctx.query(ctx.ref(settings, SETTINGS_ID), "current"),
  ]);
  const defaults = { window: conf.followUps.window, timeZone: conf.followUps.defaultTimeZone };
  const d = decideCampaignStep(def, campaignId, run, facts, defaults, ctx.now);
  const name = campaignReminderName(campaignId);
  const left = (reason: LeaveReason): CampaignEvent => ({
    type: "lead.campaign_left",
    data: { campaignId, reason },
  });
  if (d.kind === "leave") return { events: [left(d.reason)], effects: [] };
  if (d.kind === "wait") {
    return { events: [], effects: [ctx.remind(name, d.until, { payload: { step: run.step } })] };
  }
  const then = d.nextAt !== undefined
    ? { events: [], effects: [ctx.remind(name, d.nextAt, { payload: { step: run.step + 1 } })] }
    : { events: [left("finished")], effects: [] };
  const nextAt = d.nextAt !== undefined ? { nextAt: d.nextAt } : {};
  if (d.kind === "skip") {
    return {
      events: [{
        type: "lead.campaign_step_skipped",
        data: { campaignId, step: run.step, reason: d.reason, ...nextAt },
      }, ...then.events],
      effects: then.effects,
    };
  }
  const message = {
    leadId: facts.leadId,
    to: d.to,
    ...(d.subject ? { subject: d.subject } : {}),
    body: d.body,
    // For the channels' governor: the campaign's cap holds across the cluster.
    campaign: { id: campaignId, perMinute: def!.throttlePerMinute },
  };
  return {
    events: [{
      type: "lead.campaign_step_sent",
      data: {
        campaignId,
        variant: run.variant,
        step: run.step,
        channel: d.channel,
        to: d.to,
        ...(d.subject ? { subject: d.subject } : {}),
        body: d.body,
        key: d.key,
        costCents: d.costCents,
        ...nextAt,
      },
    }, ...then.events],
    effects: [ctx.send(d.channel, message, { key: d.key }), ...then.effects],
  };
}
