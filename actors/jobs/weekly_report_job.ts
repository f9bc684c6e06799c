/**
 * The weekly report (Monday 08:00 tenant time): the previous week's figures,
 * rendered with charts and emailed through the outbox to the tenant's team
 * members that have an email address, once per tenant and week.
 *
 * @module
 */
import { previousWeek, readWeeklyFigures, renderWeeklyReport } from "../reports/mod.ts";
import type { JobContext } from "../scheduler/mod.ts";
import { teamRef } from "../team/mod.ts";
import type { JobDeps } from "./job_deps.ts";
import { jobLogRef } from "./job_log.ts";
import { retryFenced } from "./_fenced_retry.ts";

/** The job's name. */
export const WEEKLY_REPORT_JOB = "weekly_report";

/**
 * Who gets the report. Staff sign in by token and have no address on file,
 * so the report goes to the team members with an email address.
 */
export async function reportRecipients(deps: JobDeps, tenant: string): Promise<string[]> {
  const members = await teamRef(deps.system, tenant).query("members");
  return [...new Set(members.flatMap((m) => m.email ? [m.email] : []))].sort();
}

/** Runs one occurrence of the weekly report for `ctx.tenant`. */
export async function runWeeklyReport(deps: JobDeps, ctx: JobContext): Promise<void> {
  const { system } = deps;
  const week = previousWeek(ctx.occurrence, ctx.timeZone);
  const figures = await readWeeklyFigures(system.journal.sql, ctx.tenant, week);
  const rendered = renderWeeklyReport(figures);
  const recipients = await reportRecipients(deps, ctx.tenant);
  const reply = await retryFenced(() =>
    jobLogRef(system, ctx.tenant).ask("sendWeeklyReport", {
      occurrence: ctx.occurrence,
      week: week.week,
      recipients,
      subject: rendered.subject,
      text: rendered.text,
      html: rendered.html,
      summary: rendered.summary,
    })
  );
  deps.log?.(
    `jobs: ${WEEKLY_REPORT_JOB} ${ctx.tenant} ${week.week}: sent to ${reply.sent} recipient(s)`,
  );
}
