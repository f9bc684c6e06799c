/**
 * The campaign wizard's form as plain data: what each input holds (text, as
 * typed), the definition it becomes for `POST /v1/campaigns`, and where an
 * issue the gateway names (`steps.0.variants.0.template`) is shown: which
 * wizard step and which input. Pure, so it is tested without a browser.
 *
 * @module
 */
import { STATUSES } from "./_lead_format.ts";
import type { Audience, CampaignDefinitionInput } from "../../../shared/campaign.ts";
import type { LeadSource, LeadStatus, MessageChannel } from "../../../shared/lead.ts";

/** The wizard's steps, in order. */
export const WIZARD_STEPS = ["channel", "message", "timing", "audience", "launch"] as const;
/** A wizard step. */
export type WizardStep = typeof WIZARD_STEPS[number];

/** Each step's heading. */
export const STEP_TITLES: Record<WizardStep, string> = {
  channel: "Name and channel",
  message: "Message",
  timing: "Timing",
  audience: "Audience",
  launch: "Review and launch",
};

/**
 * Variables a template may use. The gateway checks them (an unknown one is a
 * 400 naming the field); the wizard lists them so nobody has to guess.
 */
export const TEMPLATE_VARIABLES = ["name", "firstName", "company", "businessType"] as const;

/** Lead statuses an audience can pick (unsubscribed leads are never in one). */
export const AUDIENCE_STATUSES: readonly LeadStatus[] = STATUSES.filter((s) =>
  s !== "unsubscribed"
);

/** Lead sources an audience can pick, with their labels. */
export const AUDIENCE_SOURCES: readonly (readonly [LeadSource, string])[] = [
  ["widget", "Website widget"],
  ["rest", "API"],
  ["csv", "CSV import"],
  ["inbound_sms", "Inbound SMS"],
  ["inbound_email", "Inbound email"],
];

/** A delay's unit as the wizard offers it, in minutes. */
export const DELAY_UNITS = { minutes: 1, hours: 60, days: 1440 } as const;
/** A delay unit. */
export type DelayUnit = keyof typeof DELAY_UNITS;

/** One version of a message: its text as typed, and the library template it started from. */
export interface VariantForm {
  /** Id of the saved template copied in, or "" when written here. */
  templateId: string;
  subject: string;
  body: string;
}

/** One step of the sequence: when it goes out and what it says (one entry per A/B version). */
export interface StepForm {
  delay: string;
  delayUnit: DelayUnit;
  /** Version A, and version B when the campaign is an A/B test. */
  variants: VariantForm[];
}

/** Everything the wizard's inputs hold. */
export interface CampaignForm {
  name: string;
  channel: MessageChannel;
  steps: StepForm[];
  /** Whether the first message is tested in two versions. */
  abTest: boolean;
  /** Percent of leads for version A and version B, as typed. */
  splitA: string;
  splitB: string;
  useWindow: boolean;
  windowStart: string;
  windowEnd: string;
  throttlePerMinute: string;
  stopOnReply: boolean;
  statuses: LeadStatus[];
  sources: LeadSource[];
  /** Comma-separated, as typed. */
  tagsAny: string;
  tagsAll: string;
  minScore: string;
  maxScore: string;
  silentForHours: string;
}

/** An empty version of a message. */
export function emptyVariant(): VariantForm {
  return { templateId: "", subject: "", body: "" };
}

/** A new step: the first goes out at once, a follow-up two days after the one before. */
export function newStep(first: boolean, versions: number): StepForm {
  return {
    delay: first ? "0" : "2",
    delayUnit: first ? "minutes" : "days",
    variants: Array.from({ length: versions }, emptyVariant),
  };
}

/** The form a new campaign starts with (the defaults the gateway would fill in). */
export function initialForm(): CampaignForm {
  return {
    name: "",
    channel: "sms",
    steps: [newStep(true, 1)],
    abTest: false,
    splitA: "50",
    splitB: "50",
    useWindow: true,
    windowStart: "09:00",
    windowEnd: "20:00",
    throttlePerMinute: "60",
    stopOnReply: true,
    statuses: [],
    sources: [],
    tagsAny: "",
    tagsAll: "",
    minScore: "",
    maxScore: "",
    silentForHours: "",
  };
}

/** Turns A/B testing on or off: every step gets a version B (a copy of A), or loses it. */
export function withAbTest(form: CampaignForm, on: boolean): CampaignForm {
  return {
    ...form,
    abTest: on,
    steps: form.steps.map((s) => ({
      ...s,
      variants: on ? [s.variants[0]!, { ...s.variants[0]! }] : [s.variants[0]!],
    })),
  };
}

/**
 * Switches the channel. Saved templates belong to one channel, so a change
 * keeps each message's text but forgets its template; the same channel is the
 * same form.
 */
export function withChannel(form: CampaignForm, channel: MessageChannel): CampaignForm {
  if (channel === form.channel) return form;
  return {
    ...form,
    channel,
    steps: form.steps.map((s) => ({
      ...s,
      variants: s.variants.map((v) => ({ ...v, templateId: "" })),
    })),
  };
}

/** The tags of a comma-separated list, trimmed, without empties or repeats. */
export function parseTags(text: string): string[] {
  return [...new Set(text.split(",").map((t) => t.trim()).filter(Boolean))];
}

/**
 * A number as typed: the number, or the text itself when it is not one, so
 * the gateway names the field instead of the wizard silently dropping it.
 */
function numberOr(text: string): number | string {
  const t = text.trim();
  return t !== "" && Number.isFinite(Number(t)) ? Number(t) : t;
}

/** The audience part of the definition: only the criteria given. */
export function toAudience(form: CampaignForm): Record<string, unknown> {
  const a: Record<string, unknown> = {};
  if (form.statuses.length) a.statuses = form.statuses;
  if (form.sources.length) a.sources = form.sources;
  const any = parseTags(form.tagsAny);
  if (any.length) a.tagsAny = any;
  const all = parseTags(form.tagsAll);
  if (all.length) a.tagsAll = all;
  if (form.minScore.trim()) a.minScore = numberOr(form.minScore);
  if (form.maxScore.trim()) a.maxScore = numberOr(form.maxScore);
  if (form.silentForHours.trim()) a.silentForHours = numberOr(form.silentForHours);
  return a;
}

/** The minutes a step waits, or the text as typed when it is not a number. */
export function delayMinutes(step: StepForm): number | string {
  const n = numberOr(step.delay);
  return typeof n === "number" ? Math.round(n * DELAY_UNITS[step.delayUnit]) : n;
}

/** The body of `POST /v1/campaigns` for `form`; the gateway validates it and names what is wrong. */
export function toDefinition(form: CampaignForm): CampaignDefinitionInput {
  const email = form.channel === "email";
  return {
    name: form.name,
    audience: toAudience(form),
    steps: form.steps.map((s) => ({
      channel: form.channel,
      delayMinutes: delayMinutes(s) as number,
      variants: s.variants.map((v) => ({
        template: v.body,
        ...(email ? { subject: v.subject } : {}),
      })),
    })),
    split: form.abTest ? [numberOr(form.splitA) as number, numberOr(form.splitB) as number] : [100],
    ...(form.useWindow ? { window: { start: form.windowStart, end: form.windowEnd } } : {}),
    throttlePerMinute: numberOr(form.throttlePerMinute) as number,
    stopOnReply: form.stopOnReply,
  };
}

/** Where an issue is shown: the wizard step and the id of the input it names ("" for none). */
export interface IssueTarget {
  step: WizardStep;
  field: string;
}

const AUDIENCE_FIELDS = new Set([
  "statuses",
  "sources",
  "tagsAny",
  "tagsAll",
  "minScore",
  "maxScore",
  "silentForHours",
]);

/**
 * The step and input of an issue path the gateway named, relative to the
 * definition (`split`, `steps.1.delayMinutes`, `audience.minScore`). Input
 * ids follow the same names: `body-<step>-<version>`, `delay-<step>`, ...
 */
export function issueTarget(path: string): IssueTarget {
  const p = path.split(".");
  const [head, second, third, fourth, fifth] = p;
  switch (head) {
    case "name":
      return { step: "channel", field: "name" };
    case "split":
      return { step: "message", field: "split-a" };
    case "window":
      return { step: "timing", field: second === "start" ? "window-start" : "window-end" };
    case "throttlePerMinute":
      return { step: "timing", field: "throttle" };
    case "stopOnReply":
      return { step: "timing", field: "stop-on-reply" };
    case "audience":
      return {
        step: "audience",
        field: second && AUDIENCE_FIELDS.has(second) ? `aud-${second}` : "",
      };
    case "steps": {
      if (third === "channel") return { step: "channel", field: "" };
      if (third === "delayMinutes") return { step: "timing", field: `delay-${second}` };
      if (third === "variants" && fourth !== undefined) {
        const field = fifth === "subject" ? "subject" : "body";
        return { step: "message", field: `${field}-${second}-${fourth}` };
      }
      return { step: "message", field: "" };
    }
    default:
      return { step: "launch", field: "" };
  }
}

/** The issues grouped by input id; issues naming no input are under "" (shown on their step). */
export function issuesByField(
  issues: readonly { path: string; message: string }[],
): { byField: Map<string, string[]>; firstStep: WizardStep | null } {
  const byField = new Map<string, string[]>();
  let firstStep: WizardStep | null = null;
  for (const issue of issues) {
    const t = issueTarget(issue.path);
    const key = t.field || `step:${t.step}`;
    byField.set(key, [...byField.get(key) ?? [], issue.message]);
    if (firstStep === null || WIZARD_STEPS.indexOf(t.step) < WIZARD_STEPS.indexOf(firstStep)) {
      firstStep = t.step;
    }
  }
  return { byField, firstStep };
}

/** "2 days", "0 minutes" (at once), "90 minutes": a delay as a person reads it. */
export function describeDelay(minutes: number): string {
  if (minutes === 0) return "at once";
  if (minutes % 1440 === 0) return `${minutes / 1440} ${minutes === 1440 ? "day" : "days"}`;
  if (minutes % 60 === 0) return `${minutes / 60} ${minutes === 60 ? "hour" : "hours"}`;
  return `${minutes} ${minutes === 1 ? "minute" : "minutes"}`;
}

/** The criteria of an audience as sentences, one per criterion; none means every lead. */
export function describeAudience(a: Audience): string[] {
  const out: string[] = [];
  const label = (s: string) => AUDIENCE_SOURCES.find(([v]) => v === s)?.[1] ?? s;
  if (a.statuses?.length) out.push(`Status is ${a.statuses.map(statusLabel).join(" or ")}`);
  if (a.sources?.length) out.push(`Came from ${a.sources.map(label).join(" or ")}`);
  if (a.tagsAny?.length) out.push(`Tagged with any of ${a.tagsAny.join(", ")}`);
  if (a.tagsAll?.length) out.push(`Tagged with all of ${a.tagsAll.join(", ")}`);
  if (a.minScore !== undefined) out.push(`Score at least ${a.minScore}`);
  if (a.maxScore !== undefined) out.push(`Score at most ${a.maxScore}`);
  if (a.silentForHours !== undefined) {
    out.push(`Not heard from for at least ${describeDelay(a.silentForHours * 60)}`);
  }
  return out;
}

/** A lead status as words ("meeting_scheduled" is "meeting scheduled"). */
export function statusLabel(s: string): string {
  return s.replaceAll("_", " ");
}
