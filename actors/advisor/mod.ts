/**
 * Recommendations for Minerva and the dashboard: the pipeline figures, the
 * decision rules over them (pipeline running low, low response rate, silent
 * high-score leads) and the advisor actor (`advisor/<tenant>/main`) that
 * journals each health check and its recommendations on the tenant's stream.
 *
 * ```ts
 * const figures = await readPipelineFigures(db.sql, tenant, clock.now());
 * await advisorRef(system, tenant).ask("record", { occurrence, figures, recommendations: recommend(figures) });
 * ```
 *
 * @module
 */
export * from "./figures.ts";
export * from "./rules.ts";
export * from "./pipeline_query.ts";
export * from "./advisor.ts";
export * from "./latest.ts";
