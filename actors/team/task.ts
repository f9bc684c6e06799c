/**
 * The task actor: one piece of work for the team about a lead,
 * `task/<tenant>/<taskId>`. It moves open → assigned → done (or cancelled),
 * asks the team actor whom to give itself to when created, tells that member
 * at once when the lead is high priority, and flags itself overdue from a
 * durable reminder at its due date. The `tasks` read model follows every
 * change in the same commit.
 *
 * @module
 */
/**
 * zod's types are documented by zod. Without this tag deno doc flags each one
 * in a public signature here as a private type (denoland/deno#27364).
 *
 * @internal
 */
import { z } from "zod";
import {
  AssignTask,
  CancelTask,
  CompleteTask,
  CreateTask,
  type CreateTaskReply,
  ReopenTask,
  Task,
  TaskAssigned,
  TaskCancelled,
  TaskCompleted,
  TaskCreated,
  type TaskNotice,
  TaskOverdue,
  type TaskRefusal,
  type TaskRefusalReason,
  TaskReopened,
  type TaskReply,
  type TaskStatus,
  type TeamMember,
  ValidationError,
} from "../../shared/mod.ts";
import {
  type ActorRef,
  type ActorSystem,
  defineActor,
  type Effect,
  type SendEffect,
  type TurnContext,
} from "../runtime/mod.ts";
import { team, TEAM_ID } from "./team.ts";

/** The name of a task's due-date reminder; one per task, replaced when the due date moves. */
export const DUE_REMINDER = "due";

/** The task's in-memory state; private to this actor, hence not in `shared/`. */
const TaskState = z.object({
  /** Null until `create`. */
  task: Task.nullable(),
  /** The key `create` was called with: the same key again is a retry, another one a clash. */
  idempotencyKey: z.string().nullable(),
  /** Assignments so far; numbers the notices, so a reassignment notifies its new member too. */
  assignments: z.number().int(),
});

/** The task actor's state. */
export type TaskState = z.infer<typeof TaskState>;

// The appliers are also used by the handlers to build their replies, so a
// reply always shows exactly the task the journal will replay to.
function created(e: TaskCreated, at: number): Task {
  return {
    taskId: e.taskId,
    leadId: e.leadId,
    type: e.type,
    title: e.title,
    ...(e.detail === undefined ? {} : { detail: e.detail }),
    priority: e.priority,
    status: "open",
    assignee: null,
    unassignedReason: e.unassignedReason,
    dueAt: e.dueAt,
    overdue: false,
    createdAt: at,
    doneAt: null,
    ...(e.classification === undefined ? {} : { classification: e.classification }),
  };
}

function assigned(t: Task, e: TaskAssigned): Task {
  return { ...t, status: "assigned", assignee: e.memberId, unassignedReason: null };
}

function reopened(t: Task, e: TaskReopened): Task {
  return {
    ...t,
    status: e.to,
    doneAt: null,
    ...(e.dueAt === undefined ? {} : { dueAt: e.dueAt, overdue: false }),
  };
}

const ok = (task: Task): TaskReply => ({ status: "ok", task });

function refused(reason: TaskRefusalReason, message: string): TaskRefusal {
  return { status: "refused", reason, message };
}

const noTask = (id: string) => refused("no_such_task", `there is no task ${id}`);

function badMove(from: TaskStatus, what: string, hint = ""): TaskReply {
  return refused("invalid_transition", `cannot ${what} a task that is ${from}${hint}`);
}

/**
 * The outbox message telling `member` a task for a high-priority lead is
 * theirs: by email when they have an address, else by SMS, else none. Sent
 * at once, outside quiet hours too: a hot lead goes cold in hours, and this
 * goes to our own staff, not to the lead.
 */
function notice(ctx: TurnContext, task: Task, member: TeamMember, n: number): SendEffect[] {
  if (task.priority !== "high") return [];
  const to = member.email ?? member.phone;
  if (to === undefined) return [];
  const timeZone = member.timeZone ?? "UTC";
  const due = Temporal.Instant.fromEpochMilliseconds(task.dueAt).toZonedDateTimeISO(timeZone);
  const dueText = `${due.toPlainDate().toString()} ${
    due.toPlainTime().toString({ smallestUnit: "minute" })
  } (${timeZone})`;
  const payload: TaskNotice = {
    kind: "task.assigned",
    to,
    memberId: member.id,
    memberName: member.name,
    task,
    localDue: due.toString(),
    subject: `High-priority task: ${task.title}`,
    body: `${member.name}, a high-priority task is yours: ${task.title}` +
      `${task.detail ? ` (${task.detail})` : ""}. Due ${dueText}. Lead ${task.leadId}.`,
  };
  // Keys are unique per tenant across channels; a reassignment is a new message.
  const key = n <= 1 ? `${task.taskId}:notify` : `${task.taskId}:notify:${n}`;
  return [ctx.send(member.email ? "email" : "sms", payload, { key })];
}

/** The task actor type. Replies are unions: a refused transition is an outcome, not an error. */
export const task = defineActor("task", {
  state: TaskState,
  initial: (): TaskState => ({ task: null, idempotencyKey: null, assignments: 0 }),
})
  .event("task.created", {
    schema: TaskCreated,
    version: 1,
    apply: (s, e, meta) => ({ ...s, task: created(e, meta.at), idempotencyKey: e.idempotencyKey }),
  })
  .event("task.assigned", {
    schema: TaskAssigned,
    version: 1,
    apply: (s, e) =>
      s.task ? { ...s, task: assigned(s.task, e), assignments: s.assignments + 1 } : s,
  })
  .event("task.completed", {
    schema: TaskCompleted,
    version: 1,
    apply: (s, _e, meta) =>
      s.task ? { ...s, task: { ...s.task, status: "done", doneAt: meta.at } } : s,
  })
  .event("task.cancelled", {
    schema: TaskCancelled,
    version: 1,
    apply: (s) => s.task ? { ...s, task: { ...s.task, status: "cancelled" } } : s,
  })
  .event("task.reopened", {
    schema: TaskReopened,
    version: 1,
    apply: (s, e) => s.task ? { ...s, task: reopened(s.task, e) } : s,
  })
  .event("task.overdue", {
    schema: TaskOverdue,
    version: 1,
    apply: (s) => s.task ? { ...s, task: { ...s.task, overdue: true } } : s,
  })
  .command("create", {
    input: CreateTask,
    handle: async (s, cmd, ctx) => {
      const id = ctx.self.id;
      if (cmd.taskId !== undefined && cmd.taskId !== id) {
        throw new ValidationError("task.create input", [
          { path: "taskId", message: `must be the id of the task asked, ${id}` },
        ]);
      }
      if (s.task) {
        if (s.idempotencyKey === cmd.idempotencyKey) {
          return { reply: { status: "exists", task: s.task } as CreateTaskReply };
        }
        return { reply: refused("id_taken", `task ${id} exists, made by another request`) };
      }
      // Keyed by the task id, so a retried create (its first try's commit lost) gets the same
      // member. If the team does not answer, the ask throws and this create writes nothing:
      // the caller's retry is safe, where a task created unassigned would wait for a human.
      const pick = await ctx.ask(ctx.ref(team, TEAM_ID), "pick", { type: cmd.type, key: id });
      const data: TaskCreated = {
        taskId: id,
        leadId: cmd.leadId,
        type: cmd.type,
        title: cmd.title,
        ...(cmd.detail === undefined ? {} : { detail: cmd.detail }),
        priority: cmd.priority,
        dueAt: cmd.dueAt,
        idempotencyKey: cmd.idempotencyKey,
        unassignedReason: pick.status === "unassigned" ? pick.reason : null,
        ...(cmd.classification === undefined ? {} : { classification: cmd.classification }),
      };
      const effects: Effect[] = [ctx.remind(DUE_REMINDER, cmd.dueAt)];
      let result = created(data, ctx.now);
      if (pick.status === "unassigned") {
        return {
          events: [{ type: "task.created", data }],
          effects,
          reply: { status: "created", task: result } as CreateTaskReply,
        };
      }
      const assignment: TaskAssigned = {
        memberId: pick.member.id,
        previous: null,
        by: "round_robin",
      };
      result = assigned(result, assignment);
      return {
        events: [
          { type: "task.created", data },
          { type: "task.assigned", data: assignment },
        ],
        effects: [...effects, ...notice(ctx, result, pick.member, s.assignments + 1)],
        reply: { status: "created", task: result } as CreateTaskReply,
      };
    },
  })
  .command("assign", {
    input: AssignTask,
    handle: async (s, { memberId }, ctx) => {
      const t = s.task;
      if (!t) return { reply: noTask(ctx.self.id) };
      if (t.status === "done" || t.status === "cancelled") {
        return { reply: badMove(t.status, "assign", "; reopen it first") };
      }
      if (t.assignee === memberId) return { reply: ok(t) };
      // By hand, a task may go to any member, available or not, whatever types they take.
      const found = await ctx.ask(ctx.ref(team, TEAM_ID), "findMember", { memberId });
      if (found.status !== "ok") {
        return { reply: refused("unknown_member", `${memberId} is not on the team`) };
      }
      const data: TaskAssigned = { memberId, previous: t.assignee, by: "manual" };
      const next = assigned(t, data);
      return {
        events: [{ type: "task.assigned", data }],
        effects: notice(ctx, next, found.member, s.assignments + 1),
        reply: ok(next),
      };
    },
  })
  .command("complete", {
    input: CompleteTask,
    handle: (s, { note }, ctx) => {
      const t = s.task;
      if (!t) return { reply: noTask(ctx.self.id) };
      if (t.status === "done") return { reply: ok(t) };
      if (t.status !== "assigned") {
        const hint = t.status === "open" ? "; assign it first" : "";
        return { reply: badMove(t.status, "complete", hint) };
      }
      return {
        events: [{ type: "task.completed", data: note === undefined ? {} : { note } }],
        effects: [ctx.cancelReminder(DUE_REMINDER)],
        reply: ok({ ...t, status: "done", doneAt: ctx.now }),
      };
    },
  })
  .command("cancel", {
    input: CancelTask,
    handle: (s, { reason }, ctx) => {
      const t = s.task;
      if (!t) return { reply: noTask(ctx.self.id) };
      if (t.status === "cancelled") return { reply: ok(t) };
      if (t.status === "done") return { reply: badMove(t.status, "cancel") };
      return {
        events: [{
          type: "task.cancelled",
          data: { from: t.status, ...(reason === undefined ? {} : { reason }) },
        }],
        effects: [ctx.cancelReminder(DUE_REMINDER)],
        reply: ok({ ...t, status: "cancelled" }),
      };
    },
  })
  .command("reopen", {
    input: ReopenTask,
    handle: (s, { dueAt }, ctx) => {
      const t = s.task;
      if (!t) return { reply: noTask(ctx.self.id) };
      if (t.status !== "done" && t.status !== "cancelled") {
        return { reply: badMove(t.status, "reopen", "; only done or cancelled tasks reopen") };
      }
      const data = {
        from: t.status,
        // Back to whoever had it: the work is theirs to pick up again.
        to: t.assignee === null ? "open" as const : "assigned" as const,
        ...(dueAt === undefined ? {} : { dueAt }),
      };
      const next = reopened(t, data);
      return {
        events: [{ type: "task.reopened", data }],
        // An overdue task stays flagged until given a new date; a past due date fires at once.
        effects: next.overdue ? [] : [ctx.remind(DUE_REMINDER, next.dueAt)],
        reply: ok(next),
      };
    },
  })
  .query("view", (s) => s.task)
  .onReminder((s, r, ctx) => {
    const t = s.task;
    if (r.name !== DUE_REMINDER || !t || t.overdue) return {};
    if (t.status === "done" || t.status === "cancelled" || t.dueAt > ctx.now) return {};
    return { events: [{ type: "task.overdue", data: { dueAt: t.dueAt } }] };
  })
  .projectTo("tasks", (s, a) => {
    // Rows are written only with events, and every task event follows `task.created`.
    const t = s.task!;
    return {
      tenant: a.tenant,
      task_id: a.id,
      lead_id: t.leadId,
      type: t.type,
      title: t.title,
      status: t.status,
      assignee: t.assignee,
      priority: t.priority,
      overdue: t.overdue,
      due_at: new Date(t.dueAt).toISOString(),
      created_at: new Date(t.createdAt).toISOString(),
      done_at: t.doneAt === null ? null : new Date(t.doneAt).toISOString(),
    };
  });

/** The task actor's type, for refs. */
export type TaskActor = typeof task;

/** A task of the tenant by id. */
export function taskRef(system: ActorSystem, tenant: string, taskId: string): ActorRef<TaskActor> {
  return system.ref(task, tenant, taskId);
}
