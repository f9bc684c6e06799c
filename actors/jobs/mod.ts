/**
 * The scheduled jobs of the original design, run by the scheduler in each
 * tenant's time zone: daily validation of new leads, the weekly report, the
 * hourly pipeline health check (recommendations) and the follow-up reminder
 * sweeps. What each did is journaled on the tenant's stream by the job log
 * actor (`jobs/<tenant>/main`) or the advisor.
 *
 * ```ts
 * const scheduler = new Scheduler({
 *   sql: db.sql, clock: system.clock, nodeId: system.nodeId,
 *   jobs: scheduledJobs({ system, ai }, { crons: { healthCheck: "*\/5 * * * * *" } }),
 * });
 * scheduler.start(15_000);
 * ```
 *
 * @module
 */
export * from "./job_deps.ts";
export * from "./job_log.ts";
export * from "./tenants.ts";
export * from "./daily_validation.ts";
export * from "./weekly_report_job.ts";
export * from "./health_check.ts";
export * from "./follow_up_sweep.ts";
export * from "./scheduled_jobs.ts";
