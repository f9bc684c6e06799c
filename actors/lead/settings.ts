/**
 * A tenant's lead settings: scoring rules, the follow-up plan and the
 * country phone numbers default to. One actor per tenant
 * (`settings/<tenant>/main`); leads ask it when they need a rule, so a change
 * applies to the next decision of every lead without touching them.
 *
 * @module
 */
import { z } from "zod";
import { DEFAULT_FOLLOW_UP_PLAN, FollowUpPlan } from "../../shared/followup.ts";
import { DEFAULT_SCORING_RULES, ScoringRules } from "../../shared/scoring.ts";
import { AiMode, DEFAULT_AI_MODE } from "../../shared/suggestion.ts";
import { defineActor } from "../runtime/mod.ts";

/** The id of the one settings actor of a tenant. */
export const SETTINGS_ID = "main";

/** An ISO 3166 alpha-2 country code as a caller writes it (either case); stored upper case. */
export const CountryCode = z.string().regex(/^[A-Za-z]{2}$/, "ISO 3166 alpha-2, e.g. US");

/** A tenant's lead settings. */
export const LeadSettings = z.object({
  scoring: ScoringRules,
  followUps: FollowUpPlan,
  /** ISO 3166 alpha-2 country for phone numbers written without a country code. */
  defaultCountry: z.string().length(2),
  /** Whether follow-ups are drafted by the AI (with the template as fallback). */
  personalize: z.boolean(),
  /**
   * How the `ai` role's changes run (see `shared/suggestion.ts`). Optional so
   * snapshots written before it existed still load; read it through
   * {@link aiModeOf}, which fills in the default.
   */
  aiMode: AiMode.optional(),
});
/** A tenant's lead settings. */
export type LeadSettings = z.infer<typeof LeadSettings>;

/** The settings actor type. */
export const settings = defineActor("settings", {
  state: LeadSettings,
  initial: (): LeadSettings => ({
    scoring: DEFAULT_SCORING_RULES,
    followUps: DEFAULT_FOLLOW_UP_PLAN,
    defaultCountry: "US",
    personalize: false,
    aiMode: DEFAULT_AI_MODE,
  }),
})
  .event("settings.scoring_set", {
    schema: z.object({ scoring: ScoringRules }),
    apply: (s, e) => ({ ...s, scoring: e.scoring }),
  })
  .event("settings.follow_ups_set", {
    schema: z.object({ followUps: FollowUpPlan }),
    apply: (s, e) => ({ ...s, followUps: e.followUps }),
  })
  .event("settings.default_country_set", {
    schema: z.object({ country: z.string().length(2) }),
    apply: (s, e) => ({ ...s, defaultCountry: e.country }),
  })
  .event("settings.personalize_set", {
    schema: z.object({ personalize: z.boolean() }),
    apply: (s, e) => ({ ...s, personalize: e.personalize }),
  })
  .event("settings.ai_mode_set", {
    schema: z.object({ mode: AiMode }),
    apply: (s, e) => ({ ...s, aiMode: e.mode }),
  })
  .command("setAiMode", {
    input: z.object({ mode: AiMode }),
    handle: (_s, c) => ({ events: [{ type: "settings.ai_mode_set", data: c }] }),
  })
  .command("setPersonalize", {
    input: z.object({ personalize: z.boolean() }),
    handle: (_s, c) => ({ events: [{ type: "settings.personalize_set", data: c }] }),
  })
  .command("setScoringRules", {
    // Validated on save: a bad rule names its field and nothing is written.
    input: ScoringRules,
    handle: (_s, scoring) => ({ events: [{ type: "settings.scoring_set", data: { scoring } }] }),
  })
  .command("setFollowUpPlan", {
    input: FollowUpPlan,
    handle: (_s, followUps) => ({
      events: [{ type: "settings.follow_ups_set", data: { followUps } }],
    }),
  })
  .command("setDefaultCountry", {
    input: z.object({ country: CountryCode }),
    handle: (_s, c) => ({
      events: [{
        type: "settings.default_country_set",
        data: { country: c.country.toUpperCase() },
      }],
    }),
  })
  /** Read through a command so other actors can ask for it within their turn. */
  .command("get", { input: z.object({}), handle: (s) => ({ reply: s }) })
  .query("current", (s) => s);

/** The tenant's {@link AiMode}, the default when its settings predate the field. */
export function aiModeOf(s: LeadSettings): AiMode {
  return s.aiMode ?? DEFAULT_AI_MODE;
}
