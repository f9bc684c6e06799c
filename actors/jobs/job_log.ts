/**
 * The job log actor (`jobs/<tenant>/main`): where scheduled jobs record what
 * they did for a tenant, as events on its stream, and queue the messages
 * they send (weekly report emails, reminder notices to owners) in the same
 * commit. Each command is idempotent on its occurrence (or week), so a job
 * that runs twice for one occurrence records and sends once.
 *
 * @module
 */
import { z } from "zod";
import { type ActorRef, type ActorSystem, defineActor } from "../runtime/mod.ts";

/** The id of the one job log of a tenant. */
export const JOB_LOG_ID = "main";

/** Keys of work already done, remembered for the idempotency check. */
const KEEP_DONE = 500;

/** What one daily validation did. */
export const LeadsValidated = z.object({
  occurrence: z.number(),
  /** Leads captured in [since, occurrence) were looked at. */
  since: z.number(),
  /** Leads captured then that had no qualification. */
  found: z.number().int(),
  /** Qualified by the AI. */
  byAi: z.number().int(),
  /** Qualified by the tenant's rules (AI off or failing); their reasons are on each lead. */
  byRules: z.number().int(),
  failed: z.number().int(),
  /** The first few failures' messages. */
  failures: z.array(z.string()),
});
/** What one daily validation did. */
export type LeadsValidated = z.infer<typeof LeadsValidated>;

/** One owner's share of a follow-up sweep. */
export const OwnerNotice = z.object({
  memberId: z.string(),
  tasks: z.array(z.object({
    taskId: z.string(),
    title: z.string(),
    dueAt: z.number(),
    overdue: z.boolean(),
  })),
  leads: z.array(z.object({
    leadId: z.string(),
    name: z.string(),
    score: z.number(),
    silentSince: z.number(),
  })),
});
/** One owner's share of a follow-up sweep. */
export type OwnerNotice = z.infer<typeof OwnerNotice>;

/** A weekly report to email. */
export const WeeklyReportMail = z.object({
  occurrence: z.number(),
  /** ISO week, e.g. `2026-W23`. */
  week: z.string(),
  recipients: z.array(z.email()),
  subject: z.string(),
  text: z.string(),
  html: z.string(),
  /** Headline figures, journaled with the send (the HTML is only in the outbox). */
  summary: z.record(z.string(), z.number()),
});
/** A weekly report to email. */
export type WeeklyReportMail = z.infer<typeof WeeklyReportMail>;

const JobLogState = z.object({ done: z.array(z.string()) });

const remember = (s: { done: string[] }, key: string) => ({
  done: [...s.done, key].slice(-KEEP_DONE),
});

/** The job log actor type. */
export const jobLog = defineActor("jobs", {
  state: JobLogState,
  initial: () => ({ done: [] as string[] }),
})
  .event("jobs.leads_validated", {
    schema: LeadsValidated,
    apply: (s, e) => remember(s, `validation:${e.occurrence}`),
  })
  .event("jobs.follow_up_reminders_sent", {
    schema: z.object({
      occurrence: z.number(),
      owners: z.array(z.object({
        memberId: z.string(),
        tasks: z.number().int(),
        leads: z.number().int(),
      })),
      /** Due tasks nobody is assigned to: no owner to tell. */
      unassignedTasks: z.number().int(),
    }),
    apply: (s, e) => remember(s, `sweep:${e.occurrence}`),
  })
  .event("jobs.weekly_report_sent", {
    schema: z.object({
      occurrence: z.number(),
      week: z.string(),
      recipients: z.array(z.string()),
      summary: z.record(z.string(), z.number()),
    }),
    apply: (s, e) => remember(s, `report:${e.week}`),
  })
  .command("recordValidation", {
    input: LeadsValidated,
    handle: (s, c) =>
      s.done.includes(`validation:${c.occurrence}`)
        ? { reply: { recorded: false } }
        : { events: [{ type: "jobs.leads_validated", data: c }], reply: { recorded: true } },
  })
  .command("sendFollowUpReminders", {
    input: z.object({
      occurrence: z.number(),
      notices: z.array(OwnerNotice),
      unassignedTasks: z.number().int(),
    }),
    handle: (s, c, ctx) => {
      if (s.done.includes(`sweep:${c.occurrence}`)) return { reply: { sent: 0 } };
      const owners = c.notices.map((n) => ({
        memberId: n.memberId,
        tasks: n.tasks.length,
        leads: n.leads.length,
      }));
      return {
        events: [{
          type: "jobs.follow_up_reminders_sent",
          data: { occurrence: c.occurrence, owners, unassignedTasks: c.unassignedTasks },
        }],
        // One notice per owner per sweep; the key makes a repeat the same outbox row.
        effects: c.notices.map((n) =>
          ctx.send("notify", {
            memberId: n.memberId,
            subject: `Follow-ups: ${n.tasks.length} task(s) due, ${n.leads.length} silent lead(s)`,
            tasks: n.tasks,
            leads: n.leads,
          }, { key: `sweep:${c.occurrence}:${n.memberId}` })
        ),
        reply: { sent: c.notices.length },
      };
    },
  })
  .command("sendWeeklyReport", {
    input: WeeklyReportMail,
    handle: (s, c, ctx) => {
      if (s.done.includes(`report:${c.week}`)) return { reply: { sent: 0 } };
      return {
        events: [{
          type: "jobs.weekly_report_sent",
          data: {
            occurrence: c.occurrence,
            week: c.week,
            recipients: c.recipients,
            summary: c.summary,
          },
        }],
        effects: c.recipients.map((to) =>
          ctx.send("email", { to, subject: c.subject, body: c.text, html: c.html }, {
            key: `weekly-report:${c.week}:${to}`,
          })
        ),
        reply: { sent: c.recipients.length },
      };
    },
  })
  .query("done", (s) => s.done);

/** The job log actor type. */
export type JobLogActor = typeof jobLog;

/** The job log of `tenant`. */
export function jobLogRef(system: ActorSystem, tenant: string): ActorRef<JobLogActor> {
  return system.ref(jobLog, tenant, JOB_LOG_ID);
}
