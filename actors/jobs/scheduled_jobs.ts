/**
 * The node's scheduled jobs and their default cron expressions, read in each
 * tenant's zone: daily lead validation (09:00), the weekly report (Monday
 * 08:00), the pipeline health check (hourly) and the follow-up reminder
 * sweeps (09:00 and 14:00). Every expression can be overridden (tests run a
 * job every few seconds).
 *
 * @module
 */
import { advisor } from "../advisor/mod.ts";
import type { AnyActorType } from "../runtime/mod.ts";
import type { JobContext, ScheduledJob } from "../scheduler/mod.ts";
import { DAILY_VALIDATION_JOB, runDailyValidation } from "./daily_validation.ts";
import { FOLLOW_UP_SWEEP_JOB, runFollowUpSweep } from "./follow_up_sweep.ts";
import { HEALTH_CHECK_JOB, runHealthCheck } from "./health_check.ts";
import type { JobDeps } from "./job_deps.ts";
import { jobLog } from "./job_log.ts";
import { cachedFor, listTenants, tenantTimeZone } from "./tenants.ts";
import { runWeeklyReport, WEEKLY_REPORT_JOB } from "./weekly_report_job.ts";

/** The cron expression of each job (croner syntax: 5 fields, or 6 with seconds first). */
export interface JobCrons {
  dailyValidation: string;
  weeklyReport: string;
  healthCheck: string;
  followUpSweep: string;
}

/** The schedules of the original design. */
export const DEFAULT_CRONS: JobCrons = {
  dailyValidation: "0 9 * * *",
  weeklyReport: "0 8 * * 1",
  healthCheck: "0 * * * *",
  followUpSweep: "0 9,14 * * *",
};

/** The actor types the jobs write through; a node running the jobs hosts them. */
export const JOB_ACTOR_TYPES: AnyActorType[] = [advisor, jobLog];

/** Options of {@link scheduledJobs}. */
export interface ScheduledJobsOptions {
  /** Overrides of {@link DEFAULT_CRONS}. */
  crons?: Partial<JobCrons>;
  /** The tenants to run for; default every tenant of the database. */
  tenants?: () => Promise<string[]>;
  /** How long a tenant's zone is remembered (default 60 s). */
  zoneTtlMs?: number;
}

/** The four jobs, ready for a {@link Scheduler}. */
export function scheduledJobs(deps: JobDeps, opts: ScheduledJobsOptions = {}): ScheduledJob[] {
  const crons = { ...DEFAULT_CRONS, ...opts.crons };
  const { system } = deps;
  const tenants = opts.tenants ?? (() => listTenants(system.journal.sql));
  const timeZone = cachedFor(
    opts.zoneTtlMs ?? 60_000,
    () => system.clock.now(),
    (tenant) => tenantTimeZone(system, tenant),
  );
  const job = (
    name: string,
    cron: string,
    run: (d: JobDeps, ctx: JobContext) => Promise<void>,
  ): ScheduledJob => ({ name, cron, timeZone, tenants, run: (ctx) => run(deps, ctx) });
  return [
    job(DAILY_VALIDATION_JOB, crons.dailyValidation, runDailyValidation),
    job(WEEKLY_REPORT_JOB, crons.weeklyReport, runWeeklyReport),
    job(HEALTH_CHECK_JOB, crons.healthCheck, runHealthCheck),
    job(FOLLOW_UP_SWEEP_JOB, crons.followUpSweep, runFollowUpSweep),
  ];
}
