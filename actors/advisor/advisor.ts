/**
 * The advisor actor (`advisor/<tenant>/main`): records each pipeline health
 * check as a `pipeline.health_checked` event with its figures, followed by
 * one `recommendation.made` event per rule that fired. Being events on the
 * tenant's stream, Minerva and the dashboard get them live and can resume
 * from a position. Recording is idempotent on the check's occurrence.
 *
 * @module
 */
import { z } from "zod";
import { Recommendation } from "../../shared/analytics.ts";
import { type ActorRef, type ActorSystem, defineActor } from "../runtime/mod.ts";
import { PipelineFigures } from "./figures.ts";

/** The id of the one advisor actor of a tenant. */
export const ADVISOR_ID = "main";

/** Occurrences remembered for the idempotency check; checks are hourly, so days of them. */
const KEEP_OCCURRENCES = 200;

/** A `recommendation.made` event: the recommendation and the health check it came from. */
export const RecommendationMade = Recommendation.extend({ occurrence: z.number() });
/** A `recommendation.made` event's data. */
export type RecommendationMade = z.infer<typeof RecommendationMade>;

/** A `pipeline.health_checked` event: the check's occurrence and the figures it read. */
export const PipelineHealthChecked = z.object({
  occurrence: z.number(),
  figures: PipelineFigures,
  /** How many `recommendation.made` events follow it. */
  recommendations: z.number().int(),
});
/** A `pipeline.health_checked` event's data. */
export type PipelineHealthChecked = z.infer<typeof PipelineHealthChecked>;

const AdvisorState = z.object({
  /** Occurrences already recorded, newest last. */
  checked: z.array(z.number()),
  latest: z.object({
    occurrence: z.number(),
    recommendations: z.array(Recommendation),
  }).nullable(),
});

/** The advisor actor type. */
export const advisor = defineActor("advisor", {
  state: AdvisorState,
  initial: () => ({ checked: [], latest: null }),
})
  .event("pipeline.health_checked", {
    schema: PipelineHealthChecked,
    apply: (s, e) => ({
      checked: [...s.checked, e.occurrence].slice(-KEEP_OCCURRENCES),
      latest: { occurrence: e.occurrence, recommendations: [] },
    }),
  })
  .event("recommendation.made", {
    schema: RecommendationMade,
    apply: (s, e) => {
      const { occurrence, ...rec } = e;
      if (s.latest?.occurrence !== occurrence) return s;
      return { ...s, latest: { occurrence, recommendations: [...s.latest.recommendations, rec] } };
    },
  })
  .command("record", {
    input: z.object({
      occurrence: z.number(),
      figures: PipelineFigures,
      recommendations: z.array(Recommendation),
    }),
    handle: (s, c) => {
      // A retried or repeated occurrence records nothing twice.
      if (s.checked.includes(c.occurrence)) return { reply: { recorded: false } };
      return {
        events: [
          {
            type: "pipeline.health_checked" as const,
            data: {
              occurrence: c.occurrence,
              figures: c.figures,
              recommendations: c.recommendations.length,
            },
          },
          ...c.recommendations.map((r) => ({
            type: "recommendation.made" as const,
            data: { ...r, occurrence: c.occurrence },
          })),
        ],
        reply: { recorded: true },
      };
    },
  })
  .query("latest", (s) => s.latest);

/** The advisor actor type. */
export type AdvisorActor = typeof advisor;

/** The advisor of `tenant`. */
export function advisorRef(system: ActorSystem, tenant: string): ActorRef<AdvisorActor> {
  return system.ref(advisor, tenant, ADVISOR_ID);
}
