/**
 * Follow-up plans: which sequence of messages starts when a lead enters a
 * condition, with templates whose variables are checked when the plan is
 * saved (an unknown variable is an error then, not at send time).
 *
 * @module
 */
import { z } from "zod";
import { TimeZone } from "./booking.ts";
import { MessageChannel } from "./lead.ts";
import { DEFAULT_SEND_WINDOW, SendWindow } from "./quiet_hours.ts";

/** Variables a follow-up template may use. */
export const TEMPLATE_VARIABLES = ["name", "firstName", "company", "businessType"] as const;
/** A template variable. */
export type TemplateVariable = typeof TEMPLATE_VARIABLES[number];

// Any name-like placeholder counts, so `{{first_name}}` is refused as unknown instead of being
// sent to a lead as written.
const VARIABLE = /\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}/g;

/** The variables a template uses, in order of appearance. */
export function templateVariables(template: string): string[] {
  return [...template.matchAll(VARIABLE)].map((m) => m[1]!);
}

/** Fills a template's variables; a missing value renders as the fallback word ("there" for names). */
export function renderTemplate(
  template: string,
  values: Partial<Record<TemplateVariable, string>>,
): string {
  return template.replace(
    VARIABLE,
    (_, name: TemplateVariable) =>
      values[name] ?? (name === "name" || name === "firstName" ? "there" : ""),
  );
}

/** The variables of a template that are not {@link TEMPLATE_VARIABLES}, each once. */
export function unknownVariables(template: string): string[] {
  const known: readonly string[] = TEMPLATE_VARIABLES;
  return [...new Set(templateVariables(template).filter((v) => !known.includes(v)))];
}

/** zod check for any template text (a body, a subject): one issue per unknown variable. */
export function checkTemplateVariables(t: string, ctx: z.RefinementCtx): void {
  for (const v of unknownVariables(t)) {
    ctx.addIssue({
      code: "custom",
      message: `unknown variable {{${v}}}; use one of ${TEMPLATE_VARIABLES.join(", ")}`,
    });
  }
}

/** A message template with only known variables. */
export const Template = z.string().trim().min(1).max(1600).superRefine(checkTemplateVariables);

/** One step: a message on a channel, some minutes after the previous step. */
export const FollowUpStep = z.object({
  channel: MessageChannel,
  delayMinutes: z.number().int().min(0).max(60 * 24 * 60),
  template: Template,
  subject: z.string().trim().max(200).optional(),
});
/** A follow-up step. */
export type FollowUpStep = z.infer<typeof FollowUpStep>;

/** A sequence: starts `afterMinutes` after its condition began. */
export const FollowUpSequence = z.object({
  afterMinutes: z.number().int().min(0).max(60 * 24 * 60),
  steps: z.array(FollowUpStep).min(1).max(10),
});
/** A follow-up sequence. */
export type FollowUpSequence = z.infer<typeof FollowUpSequence>;

/** The conditions a sequence can start on. */
export const FollowUpCondition = z.enum(["uncontacted", "no_reply", "silent"]);
/** A follow-up condition. */
export type FollowUpCondition = z.infer<typeof FollowUpCondition>;

/** A tenant's follow-up plan. */
export const FollowUpPlan = z.object({
  /** Messages go out only inside this window of the lead's local time. */
  window: SendWindow.default(DEFAULT_SEND_WINDOW),
  /** Used when a lead's time zone is unknown. */
  defaultTimeZone: TimeZone.default("America/New_York"),
  sequences: z.object({
    /** New and not contacted after `afterMinutes` of capture. */
    uncontacted: FollowUpSequence.optional(),
    /** Contacted by a person, no reply after `afterMinutes`. */
    no_reply: FollowUpSequence.optional(),
    /**
     * A lead that had replied goes quiet for `afterMinutes` after our last message; `recover`
     * starts it at once.
     */
    silent: FollowUpSequence.optional(),
  }),
});
/** A follow-up plan. */
export type FollowUpPlan = z.infer<typeof FollowUpPlan>;

/** The plan every tenant starts with. */
export const DEFAULT_FOLLOW_UP_PLAN: FollowUpPlan = FollowUpPlan.parse({
  sequences: {
    uncontacted: {
      afterMinutes: 5,
      steps: [
        {
          channel: "sms",
          delayMinutes: 0,
          template:
            "Hi {{firstName}}, thanks for reaching out! When is a good time for a quick call?",
        },
        {
          channel: "email",
          delayMinutes: 24 * 60,
          subject: "Following up",
          template:
            "Hi {{firstName}},\n\nJust checking in on your request. Reply here or book a time.",
        },
      ],
    },
    no_reply: {
      afterMinutes: 2 * 24 * 60,
      steps: [{
        channel: "email",
        delayMinutes: 0,
        subject: "Still interested?",
        template: "Hi {{firstName}}, did you have a chance to look at our last message?",
      }],
    },
    silent: {
      afterMinutes: 24 * 60,
      steps: [
        {
          channel: "email",
          delayMinutes: 0,
          subject: "Picking things back up",
          template:
            "Hi {{firstName}}, we'd still love to help {{company}}. Shall we talk this week?",
        },
        {
          channel: "sms",
          delayMinutes: 2 * 24 * 60,
          template: "Hi {{firstName}}, one last nudge: reply YES and we'll call you.",
        },
      ],
    },
  },
});
