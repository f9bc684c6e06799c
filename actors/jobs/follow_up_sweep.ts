/**
 * The follow-up reminder sweep (09:00 and 14:00 tenant time): finds open
 * tasks due by the end of the tenant's day (or overdue) and open leads gone
 * silent with no follow-up sequence running, and tells each owner once per
 * sweep through the `notify` outbox channel.
 *
 * @module
 */
import type { Sql } from "../runtime/mod.ts";
import { type JobContext, parseCron } from "../scheduler/mod.ts";
import type { JobDeps } from "./job_deps.ts";
import { jobLogRef, type OwnerNotice } from "./job_log.ts";
import { retryFenced } from "./_fenced_retry.ts";

/** The job's name. */
export const FOLLOW_UP_SWEEP_JOB = "follow_up_sweep";

/** An open lead not heard from for this long, with nothing scheduled, needs its owner. */
export const SWEEP_SILENT_HOURS = 48;

/** Items per owner in one notice; the rest are counted, not listed. */
const LIST_LIMIT = 50;

const midnight = parseCron("0 0 * * *", "end of day");

/** The due work of `tenant` at `at` (epoch ms) in `timeZone`, grouped by owner. */
export async function dueWork(
  sql: Sql,
  tenant: string,
  at: number,
  timeZone: string,
): Promise<{ notices: OwnerNotice[]; unassignedTasks: number }> {
  const endOfDay = midnight.nextAfter(at, timeZone) ?? at;
  const [tasks, leads] = await Promise.all([
    sql<{ task_id: string; title: string; assignee: string | null; due_at: Date }[]>`
      SELECT task_id, title, assignee, due_at FROM tasks
      WHERE tenant = ${tenant} AND status IN ('open', 'assigned')
        AND due_at < ${new Date(endOfDay)}
      ORDER BY due_at, task_id`,
    // Active follow-up: a `followup_scheduled` later than the last `followups_stopped`.
    sql<
      { lead_id: string; name: string; owner: string; score: number; silent_since: Date }[]
    >`
      SELECT l.lead_id, l.name, l.owner, l.score,
             coalesce(l.last_inbound, l.created_at) AS silent_since
      FROM leads l
      WHERE l.tenant = ${tenant} AND l.merged_into IS NULL AND l.owner IS NOT NULL
        AND l.status IN ('new', 'contacted', 'responded', 'qualified')
        AND coalesce(l.last_inbound, l.created_at) < ${new Date(
      at - SWEEP_SILENT_HOURS * 3_600_000,
    )}
        AND NOT EXISTS (
          SELECT 1 FROM events s WHERE s.actor = l.actor AND s.type = 'lead.followup_scheduled'
            AND s.seq > coalesce((SELECT max(x.seq) FROM events x
              WHERE x.actor = l.actor AND x.type = 'lead.followups_stopped'), 0))
      ORDER BY l.score DESC, l.lead_id`,
  ]);
  const byOwner = new Map<string, OwnerNotice>();
  const of = (memberId: string) => {
    let n = byOwner.get(memberId);
    if (!n) byOwner.set(memberId, n = { memberId, tasks: [], leads: [] });
    return n;
  };
  let unassignedTasks = 0;
  for (const t of tasks) {
    if (!t.assignee) {
      unassignedTasks++;
      continue;
    }
    const n = of(t.assignee);
    if (n.tasks.length >= LIST_LIMIT) continue;
    const dueAt = new Date(t.due_at).getTime();
    n.tasks.push({ taskId: t.task_id, title: t.title, dueAt, overdue: dueAt < at });
  }
  for (const l of leads) {
    const n = of(l.owner);
    if (n.leads.length >= LIST_LIMIT) continue;
    n.leads.push({
      leadId: l.lead_id,
      name: l.name,
      score: l.score,
      silentSince: new Date(l.silent_since).getTime(),
    });
  }
  const notices = [...byOwner.values()].sort((a, b) => a.memberId.localeCompare(b.memberId));
  return { notices, unassignedTasks };
}

/** Runs one sweep for `ctx.tenant`: one notice per owner with due work. */
export async function runFollowUpSweep(deps: JobDeps, ctx: JobContext): Promise<void> {
  const { system } = deps;
  const work = await dueWork(system.journal.sql, ctx.tenant, ctx.occurrence, ctx.timeZone);
  const reply = await retryFenced(() =>
    jobLogRef(system, ctx.tenant).ask("sendFollowUpReminders", {
      occurrence: ctx.occurrence,
      ...work,
    })
  );
  deps.log?.(
    `jobs: ${FOLLOW_UP_SWEEP_JOB} ${ctx.tenant}: ${reply.sent} owner(s) notified, ` +
      `${work.unassignedTasks} due task(s) unassigned`,
  );
}
