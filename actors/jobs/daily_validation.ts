/**
 * The daily validation of new leads (09:00 tenant time): every lead captured
 * since the previous run that has no qualification yet is qualified, by the
 * AI when it answers and by the tenant's rules otherwise (each lead records
 * which, and why). A few at a time, progress logged, counts journaled on the
 * tenant's job log.
 *
 * @module
 */
import { requalifyLead } from "../lead/mod.ts";
import type { Sql } from "../runtime/mod.ts";
import type { JobContext } from "../scheduler/mod.ts";
import type { JobDeps } from "./job_deps.ts";
import { jobLogRef } from "./job_log.ts";
import { retryFenced } from "./_fenced_retry.ts";

/** The job's name. */
export const DAILY_VALIDATION_JOB = "daily_lead_validation";

/** Leads qualified at once (each may wait on the AI). */
const CONCURRENCY = 4;
/** A progress line every this many leads. */
const PROGRESS_EVERY = 25;
const DAY = 24 * 3_600_000;
/** How far back a window reaches after a long outage. */
const MAX_WINDOW = 7 * DAY;

/**
 * The start of the window: the latest earlier occurrence of this job for the
 * tenant that finished ok, else a day before (at most a week back). Windows
 * of consecutive runs meet exactly, so no lead is skipped; a run collapsed
 * after downtime starts where the last one ended, and one whose node died
 * mid-run (claimed, never finished) is covered again by the next.
 */
export async function validationSince(sql: Sql, ctx: JobContext): Promise<number> {
  const [row] = await sql<{ at: Date | null }[]>`
    SELECT max(occurrence) AS at FROM scheduled_occurrences
    WHERE job = ${ctx.job} AND tenant = ${ctx.tenant} AND outcome = 'ok'
      AND occurrence < ${new Date(ctx.occurrence)}`;
  const last = row?.at ? new Date(row.at).getTime() : ctx.occurrence - DAY;
  return Math.max(last, ctx.occurrence - MAX_WINDOW);
}

/** Lead ids captured in [since, until) with no `lead.qualified` event, oldest first. */
export async function unqualifiedLeads(
  sql: Sql,
  tenant: string,
  since: number,
  until: number,
): Promise<string[]> {
  const rows = await sql<{ lead_id: string }[]>`
    SELECT l.lead_id FROM leads l
    WHERE l.tenant = ${tenant} AND l.merged_into IS NULL
      AND l.created_at >= ${new Date(since)} AND l.created_at < ${new Date(until)}
      AND NOT EXISTS (
        SELECT 1 FROM events e WHERE e.actor = l.actor AND e.type = 'lead.qualified')
    ORDER BY l.created_at, l.lead_id`;
  return rows.map((r) => r.lead_id);
}

/** Runs one occurrence of the daily validation for `ctx.tenant`. */
export async function runDailyValidation(deps: JobDeps, ctx: JobContext): Promise<void> {
  const { system, ai } = deps;
  const log = deps.log ?? (() => {});
  const sql = system.journal.sql;
  const since = await validationSince(sql, ctx);
  const ids = await unqualifiedLeads(sql, ctx.tenant, since, ctx.occurrence);
  const counts = { byAi: 0, byRules: 0, failed: 0, failures: [] as string[] };
  log(`jobs: ${DAILY_VALIDATION_JOB} ${ctx.tenant}: ${ids.length} unqualified lead(s) to qualify`);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++]!;
      try {
        const q = await retryFenced(() => requalifyLead(system, ai, ctx.tenant, id));
        if (q.source === "ai") counts.byAi++;
        else counts.byRules++;
      } catch (err) {
        counts.failed++;
        if (counts.failures.length < 10) {
          counts.failures.push(`${id}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      if (++done % PROGRESS_EVERY === 0) {
        log(`jobs: ${DAILY_VALIDATION_JOB} ${ctx.tenant}: ${done}/${ids.length}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, ids.length) }, worker));
  await retryFenced(() =>
    jobLogRef(system, ctx.tenant).ask("recordValidation", {
      occurrence: ctx.occurrence,
      since,
      found: ids.length,
      ...counts,
    })
  );
  log(
    `jobs: ${DAILY_VALIDATION_JOB} ${ctx.tenant}: done, ${counts.byAi} by AI, ` +
      `${counts.byRules} by rules, ${counts.failed} failed`,
  );
}
