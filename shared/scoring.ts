/**
 * Lead scoring and qualification shapes: a tenant's scoring rules as data,
 * the facts a score is computed from, the score itself and the AI's
 * qualification. Rules are JSON a tenant edits, so they are validated on save
 * and every bad field is named (`rules.0.when.op`).
 *
 * @module
 */
/**
 * zod's types are documented by zod. Without this tag deno doc flags each one
 * in a public signature here as a private type (denoland/deno#27364).
 *
 * @internal
 */
import { z } from "zod";
import { fieldIssues, ValidationError } from "./errors.ts";

const points = z.number().int().min(-100).max(100);

// Presence tests default to "is present"; `value: false` asks for absence.
const exists = z.boolean().default(true);

const compareOps = z.enum(["gte", "gt", "lte", "lt", "eq", "neq"]);
const numberField = z.enum(["rating", "reviewCount", "emailConfidence"]);
const booleanField = z.enum(["hasWebsite", "phoneValid"]);
const textField = z.enum(["businessType", "source"]);
const text = z.string().trim().min(1).max(100);
const textList = z.array(text).min(1).max(50);

// The message names the op, the field and the ops that field does take, so a
// tenant fixing their rules need not look anything up.
const opMismatch = (kind: string, ops: string) => ({
  error: (issue: { input?: unknown }) => {
    const { field, op } = (issue.input ?? {}) as { field?: unknown; op?: unknown };
    const [o, f] = [JSON.stringify(op), JSON.stringify(field)];
    return `op ${o} does not fit ${kind} field ${f}; use ${ops}`;
  },
});

// Nested discriminated unions (field, then op) make zod report a wrong op at
// `…when.op` and a wrong value at `…when.value`, instead of one vague union error.
const numberCondition = z.discriminatedUnion("op", [
  z.strictObject({ field: numberField, op: compareOps, value: z.number() }),
  z.strictObject({ field: numberField, op: z.literal("exists"), value: exists }),
], opMismatch("number", "gte, gt, lte, lt, eq, neq or exists"));

const booleanCondition = z.discriminatedUnion("op", [
  z.strictObject({ field: booleanField, op: z.enum(["eq", "neq"]), value: z.boolean() }),
], opMismatch("yes/no", "eq or neq"));

const textCondition = z.discriminatedUnion("op", [
  z.strictObject({ field: textField, op: z.enum(["eq", "neq"]), value: text }),
  z.strictObject({ field: textField, op: z.literal("in"), value: textList }),
  z.strictObject({ field: textField, op: z.literal("exists"), value: exists }),
], opMismatch("text", "eq, neq, in or exists"));

// `eq` means "has this tag", `neq` "lacks it", `in` "has any of", `exists` "has any tag".
const tagCondition = z.discriminatedUnion("op", [
  z.strictObject({ field: z.literal("tag"), op: z.enum(["eq", "neq"]), value: text }),
  z.strictObject({ field: z.literal("tag"), op: z.literal("in"), value: textList }),
  z.strictObject({ field: z.literal("tag"), op: z.literal("exists"), value: exists }),
], opMismatch("tag", "eq, neq, in or exists"));

/** A test on one lead fact; each op is checked against the field's type. */
export const Condition = z.discriminatedUnion("field", [
  numberCondition,
  booleanCondition,
  textCondition,
  tagCondition,
]);
/** A test on one lead fact. */
export type Condition = z.infer<typeof Condition>;

/** One scoring rule: when its condition holds, it adds `points` for `reason`. */
export const ScoringRule = z.strictObject({
  // No dots: `engagement.*` and `ai.*` reason ids are the engine's own.
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "lowercase letters, digits, _ or - (1-64)"),
  when: Condition,
  points,
  reason: z.string().trim().min(1).max(200),
});
/** One scoring rule. */
export type ScoringRule = z.infer<typeof ScoringRule>;

/** Kinds of engagement a lead shows with our messages. */
export const EngagementKind = z.enum(["replied", "opened", "clicked", "booked"]);
/** A kind of engagement. */
export type EngagementKind = z.infer<typeof EngagementKind>;

/** Points the AI's judgement of fit may add; bounded so rules stay in charge. */
export const AiScoring = z.strictObject({
  goodFit: z.number().int().min(0).max(25),
  poorFit: z.number().int().min(-25).max(0),
  /** Below this confidence the AI's fit adds nothing. */
  minConfidence: z.number().min(0).max(1),
});

/** A tenant's scoring rules, as stored and edited. */
export const ScoringRules = z.strictObject({
  version: z.literal(1),
  rules: z.array(ScoringRule).max(100).superRefine((rules, ctx) => {
    const seen = new Set<string>();
    rules.forEach((r, i) => {
      if (seen.has(r.id)) {
        ctx.addIssue({ code: "custom", path: [i, "id"], message: `duplicate rule id "${r.id}"` });
      }
      seen.add(r.id);
    });
  }),
  engagement: z.strictObject({
    replied: points,
    opened: points,
    clicked: points,
    booked: points,
    halfLifeDays: z.number().positive().max(365),
  }),
  priority: z.strictObject({
    high: z.number().int().min(0).max(100),
    medium: z.number().int().min(0).max(100),
  }).refine((p) => p.medium <= p.high, {
    path: ["medium"],
    message: "medium must not be above high",
  }),
  ai: AiScoring.default({ goodFit: 10, poorFit: -10, minConfidence: 0.6 }),
});
/** A tenant's scoring rules. */
export type ScoringRules = z.infer<typeof ScoringRules>;

/** Validates scoring rules on save; throws {@link ValidationError} naming each bad field. */
export function parseScoringRules(input: unknown): ScoringRules {
  const parsed = ScoringRules.safeParse(input);
  if (!parsed.success) throw new ValidationError("scoring rules", fieldIssues(parsed.error.issues));
  return parsed.data;
}

/** The rules a tenant starts with, from the original design. */
export const DEFAULT_SCORING_RULES: ScoringRules = {
  version: 1,
  rules: [
    {
      id: "highly-rated",
      when: { field: "rating", op: "gte", value: 4.5 },
      points: 30,
      reason: "highly rated",
    },
    {
      id: "no-website",
      when: { field: "hasWebsite", op: "eq", value: false },
      points: 40,
      reason: "no website: needs one",
    },
    {
      id: "valid-phone",
      when: { field: "phoneValid", op: "eq", value: true },
      points: 20,
      reason: "valid phone",
    },
    {
      id: "confident-email",
      when: { field: "emailConfidence", op: "gt", value: 0.8 },
      points: 10,
      reason: "email confidence above 0.8",
    },
  ],
  engagement: { replied: 15, opened: 2, clicked: 5, booked: 25, halfLifeDays: 14 },
  priority: { high: 70, medium: 40 },
  ai: { goodFit: 10, poorFit: -10, minConfidence: 0.6 },
};

/** What a score is computed from: the lead's known facts and its engagement. */
export const ScoringFacts = z.object({
  rating: z.number().min(0).max(5).optional(),
  reviewCount: z.number().int().min(0).optional(),
  emailConfidence: z.number().min(0).max(1).optional(),
  hasWebsite: z.boolean(),
  phoneValid: z.boolean(),
  businessType: z.string().optional(),
  source: z.string().optional(),
  tags: z.array(z.string()).default([]),
  engagement: z.array(z.object({ kind: EngagementKind, at: z.number().int() })).default([]),
});
/** What a score is computed from. */
export type ScoringFacts = z.infer<typeof ScoringFacts>;

/** A lead's priority band. */
export const Priority = z.enum(["high", "medium", "low"]);
/** A lead's priority band. */
export type Priority = z.infer<typeof Priority>;

/** Why a score moved: a rule, an engagement kind (`engagement.replied`) or the AI (`ai.fit`). */
export const ScoreReason = z.object({
  ruleId: z.string(),
  points: z.number(),
  reason: z.string(),
});
/** Why a score moved. */
export type ScoreReason = z.infer<typeof ScoreReason>;

/** A lead's score with the reasons behind it. */
export const ScoreResult = z.object({
  score: z.number().int().min(0).max(100),
  priority: Priority,
  reasons: z.array(ScoreReason),
});
/** A lead's score with the reasons behind it. */
export type ScoreResult = z.infer<typeof ScoreResult>;

/** The AI's qualification of a lead, as the model must answer it. */
export const AiQualification = z.object({
  intent: z.enum(["buy", "browse", "support", "spam", "unknown"]),
  budget: z.string().max(200).nullable(),
  timeline: z.string().max(200).nullable(),
  fit: z.enum(["good", "fair", "poor"]),
  summary: z.string().max(500),
  recommendedAction: z.string().max(200),
  confidence: z.number().min(0).max(1),
});
/** The AI's qualification of a lead. */
export type AiQualification = z.infer<typeof AiQualification>;

/** Why an AI call gave no answer. */
export const AiFailureReason = z.enum([
  "timeout",
  "rate_limited",
  "refused",
  "malformed",
  "unavailable",
]);
/** Why an AI call gave no answer. */
export type AiFailureReason = z.infer<typeof AiFailureReason>;

/** A lead's qualification: by the AI, or by the rules alone when the AI gave no answer. */
export const Qualification = z.discriminatedUnion("source", [
  z.object({ source: z.literal("ai"), ai: AiQualification, score: ScoreResult }),
  z.object({
    source: z.literal("rules"),
    fallbackReason: AiFailureReason,
    detail: z.string(),
    score: ScoreResult,
  }),
]);
/** A lead's qualification. */
export type Qualification = z.infer<typeof Qualification>;
