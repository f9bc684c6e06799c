/**
 * Follow-up decisions of the lead actor, as pure functions: what to schedule
 * when a lead enters a condition, and what to do when a step falls due (send,
 * defer to the send window, skip a channel without consent, or stop because
 * the lead replied, booked, or left the funnel).
 *
 * @module
 */
import { z } from "zod";
import {
  type FollowUpCondition,
  FollowUpCondition as Condition,
  type FollowUpPlan,
  renderTemplate,
  type TemplateVariable,
} from "../../shared/followup.ts";
import type { MessageChannel } from "../../shared/lead.ts";
import { nextSendTime } from "../../shared/quiet_hours.ts";

/** The follow-up in progress on a lead, if any. */
export const ActiveFollowUp = z.object({
  sequence: Condition,
  step: z.number().int().min(0),
  dueAt: z.number(),
  /** When the sequence started; a reply after this stops it. */
  startedAt: z.number(),
});
/** An active follow-up. */
export type ActiveFollowUp = z.infer<typeof ActiveFollowUp>;

/** The name of the lead's one follow-up reminder. */
export const FOLLOW_UP_REMINDER = "followup";

/** What a lead looks like to the follow-up rules. */
export interface FollowUpFacts {
  leadId: string;
  status: string;
  name?: string | undefined;
  company?: string | undefined;
  businessType?: string | undefined;
  email?: string | undefined;
  phone?: string | undefined;
  timeZone?: string | undefined;
  smsConsent: boolean | undefined;
  emailConsent: boolean | undefined;
  lastInboundAt: number | null;
}

/** What to do when a step falls due. */
export type StepDecision =
  | { kind: "stop"; reason: string }
  | { kind: "defer"; until: number; reason: string }
  | {
    kind: "send";
    channel: MessageChannel;
    to: string;
    subject?: string;
    body: string;
    key: string;
    next: ActiveFollowUp | null;
  }
  | { kind: "skip"; reason: string; next: ActiveFollowUp | null };

const STOP_STATUSES = new Set(["meeting_scheduled", "won", "lost", "unsubscribed"]);

/** The first step of `sequence` for a condition that began at `since`, or null if the plan has none. */
export function startSequence(
  plan: FollowUpPlan,
  sequence: FollowUpCondition,
  since: number,
  opts: { now?: boolean } = {},
): ActiveFollowUp | null {
  const seq = plan.sequences[sequence];
  if (!seq) return null;
  // `now`: the condition is taken as met already (a person asked for it), so skip the wait.
  const wait = opts.now ? 0 : seq.afterMinutes;
  const dueAt = since + (wait + seq.steps[0]!.delayMinutes) * 60_000;
  return { sequence, step: 0, dueAt, startedAt: since };
}

function nextStep(plan: FollowUpPlan, f: ActiveFollowUp, now: number): ActiveFollowUp | null {
  const steps = plan.sequences[f.sequence]?.steps ?? [];
  const step = steps[f.step + 1];
  if (!step) return null;
  return { ...f, step: f.step + 1, dueAt: now + step.delayMinutes * 60_000 };
}

/** Decides a due step, re-checking everything that may have changed since it was planned. */
export function decideStep(
  plan: FollowUpPlan,
  f: ActiveFollowUp,
  lead: FollowUpFacts,
  now: number,
): StepDecision {
  if (STOP_STATUSES.has(lead.status)) return { kind: "stop", reason: `lead is ${lead.status}` };
  if (lead.lastInboundAt !== null && lead.lastInboundAt > f.startedAt) {
    return { kind: "stop", reason: "lead replied" };
  }
  // Someone reached the lead before the first nudge: the "uncontacted" sequence is moot.
  if (f.sequence === "uncontacted" && f.step === 0 && lead.status !== "new") {
    return { kind: "stop", reason: "lead was contacted" };
  }
  const step = plan.sequences[f.sequence]?.steps[f.step];
  if (!step) return { kind: "stop", reason: "the plan no longer has this step" };
  const address = recipient(step.channel, lead);
  if ("skip" in address) {
    return { kind: "skip", reason: address.skip, next: nextStep(plan, f, now) };
  }
  const { to } = address;
  const zone = lead.timeZone ?? plan.defaultTimeZone;
  const open = nextSendTime(now, zone, plan.window);
  if (open > now) {
    return {
      kind: "defer",
      until: open,
      reason: `outside ${plan.window.start}-${plan.window.end} in ${zone}`,
    };
  }
  const body = renderTemplate(step.template, templateValues(lead));
  return {
    kind: "send",
    channel: step.channel,
    to,
    ...(step.subject ? { subject: step.subject } : {}),
    body,
    // One key per step of one run of a sequence: a re-fired step is one message.
    key: `${lead.leadId}:followup:${f.sequence}:${f.startedAt}:${f.step}`,
    next: nextStep(plan, f, now),
  };
}

/**
 * Where a message on `channel` may go, or why it may not: SMS needs consent
 * given, email may go unless consent was withdrawn.
 */
export function recipient(
  channel: MessageChannel,
  lead: Pick<FollowUpFacts, "phone" | "email" | "smsConsent" | "emailConsent">,
): { to: string } | { skip: string } {
  if (channel === "sms") {
    if (lead.smsConsent === true && lead.phone) return { to: lead.phone };
    return { skip: lead.phone ? "no SMS consent" : "no phone number" };
  }
  if (lead.emailConsent !== false && lead.email) return { to: lead.email };
  return { skip: lead.email ? "email consent withdrawn" : "no email address" };
}

/** A lead's values for the template variables; missing ones are left to the renderer. */
export function templateValues(
  lead: Pick<FollowUpFacts, "name" | "company" | "businessType">,
): Partial<Record<TemplateVariable, string>> {
  const firstName = lead.name?.split(/\s+/)[0];
  return {
    ...(lead.name ? { name: lead.name } : {}),
    ...(firstName ? { firstName } : {}),
    ...(lead.company ? { company: lead.company } : {}),
    ...(lead.businessType ? { businessType: lead.businessType } : {}),
  };
}
