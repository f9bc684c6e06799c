/**
 * The hourly pipeline health check: reads the tenant's pipeline figures,
 * applies the recommendation rules and records both with the advisor, which
 * journals one `pipeline.health_checked` event per occurrence and a
 * `recommendation.made` event per rule that fired.
 *
 * @module
 */
import { advisorRef, readPipelineFigures, recommend } from "../advisor/mod.ts";
import type { JobContext } from "../scheduler/mod.ts";
import type { JobDeps } from "./job_deps.ts";
import { retryFenced } from "./_fenced_retry.ts";

/** The job's name (its claims in `scheduled_occurrences` carry it). */
export const HEALTH_CHECK_JOB = "pipeline_health_check";

/** Runs one occurrence of the health check for `ctx.tenant`. */
export async function runHealthCheck(deps: JobDeps, ctx: JobContext): Promise<void> {
  const { system } = deps;
  const figures = await readPipelineFigures(system.journal.sql, ctx.tenant, system.clock.now());
  const recommendations = recommend(figures);
  await retryFenced(() =>
    advisorRef(system, ctx.tenant).ask("record", {
      occurrence: ctx.occurrence,
      figures,
      recommendations,
    })
  );
  deps.log?.(
    `jobs: ${HEALTH_CHECK_JOB} ${ctx.tenant} @${new Date(ctx.occurrence).toISOString()}: ` +
      `${recommendations.length} recommendation(s)` +
      (recommendations.length ? ` (${recommendations.map((r) => r.kind).join(", ")})` : ""),
  );
}
