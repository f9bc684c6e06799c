/**
 * The scheduler: on each tick, for every job and tenant, finds the occurrence
 * now due, claims it in Postgres so exactly one node of the cluster runs it,
 * runs it and records the outcome.
 *
 * @module
 */
import type { Clock } from "../../shared/clock.ts";
import { ValidationError } from "../../shared/errors.ts";
import type { Sql } from "../runtime/mod.ts";
import { type CronSchedule, isTimeZone, latestOccurrence, parseCron } from "./cron_schedule.ts";
import { claimOccurrence, finishOccurrence, lastClaimedOccurrence } from "./occurrence_claims.ts";

/** What a job's `run` is told about the occurrence it runs. */
export interface JobContext {
  /** The job's name. */
  job: string;
  /** The tenant the occurrence belongs to. */
  tenant: string;
  /** The occurrence instant, epoch ms (the latest one when missed ones were collapsed). */
  occurrence: number;
  /** The IANA zone the occurrence was computed in. */
  timeZone: string;
  /** The node running it. */
  nodeId: string;
}

/** A job run on a cron schedule for each tenant. */
export interface ScheduledJob {
  /** Unique name; part of the claim key, so renaming a job starts its history afresh. */
  name: string;
  /** Cron expression in croner syntax (5 fields, or 6 with seconds). */
  cron: string;
  /** The zone the expression is read in: one for all tenants, or each tenant's own. */
  timeZone: string | ((tenant: string) => string | Promise<string>);
  /** Tenants the job runs for, read on every tick so new tenants join without a restart. */
  tenants: string[] | (() => string[] | Promise<string[]>);
  /** The work; a throw is recorded as the occurrence's failure and does not stop the tick. */
  run(ctx: JobContext): Promise<void> | void;
}

/** Options for {@link Scheduler}. */
export interface SchedulerOptions {
  /** Database holding `scheduled_occurrences` (see {@link schedulerMigrations}). */
  sql: Sql;
  /** Decides what is due; tests pass a ManualClock. */
  clock: Clock;
  /** This node's id, recorded as `claimed_by`. */
  nodeId: string;
  /** The jobs; names must be unique. */
  jobs: ScheduledJob[];
  /** How far back a job with a claim history catches up after downtime; default 7 days. */
  catchUpWindowMs?: number;
}

/**
 * What one tick did for one job and tenant. Ticks where nothing was due leave
 * no result; `bad_time_zone` and `tenants_failed` say why a job could not even
 * look for its occurrences, so one tenant's bad setting is visible, not fatal.
 */
export type TickResult =
  | { state: "ran"; job: string; tenant: string; occurrence: number }
  | { state: "failed"; job: string; tenant: string; occurrence: number; error: string }
  | { state: "claimed_elsewhere"; job: string; tenant: string; occurrence: number }
  | { state: "bad_time_zone"; job: string; tenant: string; error: string }
  | { state: "tenants_failed"; job: string; error: string };

const DAY = 24 * 60 * 60 * 1000;

/**
 * Runs scheduled jobs, each occurrence on exactly one node.
 *
 * Missed occurrences (the cluster was down) are collapsed: the job runs once,
 * for the latest missed occurrence, not once per miss. Scheduled jobs here
 * are digests and sweeps that read current state, so running one three times
 * in a row after three days of downtime only repeats the same work.
 *
 * A job with no claim history starts at this scheduler's construction time,
 * so deploying a new daily job at 10:00 does not fire the 09:00 that
 * predates it. Claiming before running makes a run at-most-once if its node
 * dies mid-run (the claim stays, without an outcome). Nodes' clocks should
 * agree to well under the job's period: during catch-up a node whose clock
 * lags could pick an earlier missed occurrence than its peers and run it too.
 */
export class Scheduler {
  readonly #opts: SchedulerOptions;
  readonly #schedules = new Map<string, CronSchedule>();
  readonly #registeredAt: number;
  readonly #catchUp: number;
  #timer: ReturnType<typeof setInterval> | undefined;
  #running: Promise<TickResult[]> | undefined;

  /** Validates every job's cron and fixed zone up front, so a typo fails start-up, not 09:00. */
  constructor(opts: SchedulerOptions) {
    this.#opts = opts;
    this.#registeredAt = opts.clock.now();
    this.#catchUp = opts.catchUpWindowMs ?? 7 * DAY;
    for (const job of opts.jobs) {
      const what = `scheduled job ${job.name}`;
      if (this.#schedules.has(job.name)) {
        throw new ValidationError(what, [{ path: "name", message: "used by two jobs" }]);
      }
      if (typeof job.timeZone === "string" && !isTimeZone(job.timeZone)) {
        throw new ValidationError(what, [{ path: "timeZone", message: `unknown ${job.timeZone}` }]);
      }
      this.#schedules.set(job.name, parseCron(job.cron, what));
    }
  }

  /** Claims and runs whatever is due now; never throws for a job's failure. */
  async tick(): Promise<TickResult[]> {
    const results: TickResult[] = [];
    for (const job of this.#opts.jobs) {
      let tenants: string[];
      try {
        tenants = typeof job.tenants === "function" ? await job.tenants() : job.tenants;
      } catch (err) {
        results.push({ state: "tenants_failed", job: job.name, error: messageOf(err) });
        continue;
      }
      for (const tenant of tenants) {
        const result = await this.#tickOne(job, tenant);
        if (result) results.push(result);
      }
    }
    return results;
  }

  async #tickOne(job: ScheduledJob, tenant: string): Promise<TickResult | undefined> {
    const { sql, clock, nodeId } = this.#opts;
    const now = clock.now();
    const schedule = this.#schedules.get(job.name)!;
    let timeZone: string;
    try {
      timeZone = typeof job.timeZone === "function" ? await job.timeZone(tenant) : job.timeZone;
      if (!isTimeZone(timeZone)) throw new Error(`unknown time zone ${timeZone}`);
    } catch (err) {
      // A tenant with a bad zone has no occurrence to claim; say so rather than guess UTC.
      return { state: "bad_time_zone", job: job.name, tenant, error: messageOf(err) };
    }
    const last = await lastClaimedOccurrence(sql, job.name, tenant);
    const after = last === undefined ? this.#registeredAt : Math.max(last, now - this.#catchUp);
    const occurrence = latestOccurrence(schedule, timeZone, after, now);
    if (occurrence === undefined) return undefined;
    const key = { job: job.name, tenant, occurrence };
    if (!await claimOccurrence(sql, { ...key, nodeId, now })) {
      return { ...key, state: "claimed_elsewhere" };
    }
    try {
      await job.run({ ...key, timeZone, nodeId });
    } catch (err) {
      const error = messageOf(err);
      await finishOccurrence(sql, {
        ...key,
        now: clock.now(),
        outcome: { state: "failed", error },
      });
      return { ...key, state: "failed", error };
    }
    await finishOccurrence(sql, { ...key, now: clock.now(), outcome: { state: "ok" } });
    return { ...key, state: "ran" };
  }

  /** Ticks every `intervalMs` (default 15 s); a tick still running makes the next one wait its turn. */
  start(intervalMs = 15_000): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      if (this.#running) return;
      this.#running = this.tick()
        .catch((err) => {
          // A database outage must not kill the timer; the next tick retries.
          console.error("scheduler tick failed", err);
          return [];
        })
        .finally(() => this.#running = undefined);
    }, intervalMs);
  }

  /** Stops ticking and waits for the tick in flight, so shutdown does not cut a run short. */
  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
