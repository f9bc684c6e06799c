/**
 * What the job tests share: a fresh migrated database per test (embedded
 * PGlite always, Postgres when TEST_DATABASE_URL is set), an actor system on
 * a manual clock hosting the actors the jobs touch, a scheduler running the
 * four jobs for tenant `t1`, and small helpers to make leads.
 *
 * @module
 */
import { type AiClient, disabledAi } from "../ai/mod.ts";
import { channelMigrations } from "../channels/mod.ts";
import { captureLead, lead, leadMigrations, settings } from "../lead/mod.ts";
import {
  ActorSystem,
  type Database,
  openTestDatabase,
  testBackends,
  testName,
} from "../runtime/mod.ts";
import { type JobContext, Scheduler, schedulerMigrations } from "../scheduler/mod.ts";
import { task, team, teamMigrations } from "../team/mod.ts";
import { ManualClock } from "../../shared/clock.ts";
import { JOB_ACTOR_TYPES, type JobCrons, scheduledJobs } from "./scheduled_jobs.ts";

/** The tenant every job test uses. */
export const TENANT = "t1";

/** Monday 2026-06-01 12:00 UTC (08:00 in New York, the default zone). */
export const T0: number = Date.UTC(2026, 5, 1, 12);

/** What a job test gets. */
export interface JobTestContext {
  system: ActorSystem;
  db: Database;
  clock: ManualClock;
  /** The scheduler over the four jobs for {@link TENANT}. */
  scheduler: Scheduler;
  /** Progress lines the jobs logged. */
  logs: string[];
}

/** Registers `fn` on every backend, with the jobs' crons overridable and the AI client chosen. */
export function jobTest(
  name: string,
  fn: (t: JobTestContext) => Promise<void>,
  opts: { ai?: AiClient; crons?: Partial<JobCrons> } = {},
): void {
  for (const backend of testBackends()) {
    Deno.test({
      name: testName("jobs", backend, name),
      ignore: backend.skip !== undefined,
      async fn() {
        const db = await openTestDatabase(backend, [
          ...await leadMigrations(),
          ...await teamMigrations(),
          ...await schedulerMigrations(),
          ...await channelMigrations(),
        ]);
        const clock = new ManualClock(T0);
        const system = new ActorSystem({
          database: db,
          types: [lead, settings, team, task, ...JOB_ACTOR_TYPES],
          clock,
        });
        const logs: string[] = [];
        const scheduler = new Scheduler({
          sql: db.sql,
          clock,
          nodeId: "n1",
          jobs: scheduledJobs(
            { system, ai: opts.ai ?? disabledAi, log: (l) => logs.push(l) },
            {
              tenants: () => Promise.resolve([TENANT]),
              ...(opts.crons ? { crons: opts.crons } : {}),
            },
          ),
        });
        try {
          await fn({ system, db, clock, scheduler, logs });
        } finally {
          await system.shutdown();
          await db.close();
        }
      },
    });
  }
}

/** Captures a lead for {@link TENANT}; returns its id. */
export async function makeLead(
  system: ActorSystem,
  key: string,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const r = await captureLead(system, TENANT, {
    idempotencyKey: key,
    source: "rest",
    contact: { name: `Lead ${key}`, email: `${key}@example.com` },
    ...extra,
  });
  return r.leadId;
}

/** The job runs the scheduler reported as `ran`, as `job@ISO occurrence`. */
export function ran(results: Awaited<ReturnType<Scheduler["tick"]>>): string[] {
  return results.flatMap((r) =>
    r.state === "ran" ? [`${r.job}@${new Date(r.occurrence).toISOString()}`] : []
  );
}

/** A job context for calling a job's run function directly. */
export function jobContext(
  job: string,
  occurrence: number,
  timeZone = "America/New_York",
): JobContext {
  return { job, tenant: TENANT, occurrence, timeZone, nodeId: "n1" };
}

/** The data of every event of `type` in {@link TENANT}'s stream, in order. */
export async function eventsOf<T = Record<string, unknown>>(
  db: Database,
  type: string,
): Promise<T[]> {
  const rows = await db.sql<{ data: T }[]>`
    SELECT data FROM events WHERE tenant = ${TENANT} AND type = ${type} ORDER BY position`;
  return rows.map((r) => r.data);
}
