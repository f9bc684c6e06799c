import assert from "node:assert/strict";
import { ValidationError } from "../../shared/errors.ts";
import type { CreateTask, TaskNotice, TeamMemberInput } from "../../shared/team.ts";
import { MessagePayload } from "../channels/dispatcher.ts";
import { ReminderPoller } from "../runtime/mod.ts";
import { createTask, taskIdFor } from "./routing.ts";
import { DUE_REMINDER, taskRef } from "./task.ts";
import { teamRef } from "./team.ts";
import { eventCount, suite, T0, type TestContext } from "./_test_support.ts";

const test = suite("task");

const HOUR = 3_600_000;
const ana: TeamMemberInput = {
  id: "ana",
  name: "Ana Silva",
  email: "ana@agency.test",
  phone: "+14155550101",
  types: ["sales"],
  timeZone: "America/Los_Angeles",
};
const ben: TeamMemberInput = { id: "ben", name: "Ben", phone: "+14155550102", types: ["support"] };

const input = (over: Partial<CreateTask> = {}): CreateTask => ({
  taskId: "task-1",
  leadId: "lead-1",
  type: "sales",
  title: "Quote for a bakery website",
  detail: "Rosa wants a site before the holidays.",
  dueAt: T0 + 4 * HOUR,
  priority: "medium",
  idempotencyKey: "msg-1",
  ...over,
});

async function withTeam({ system }: TestContext, ...members: TeamMemberInput[]) {
  for (const m of members) await teamRef(system, "t1").ask("upsertMember", m);
}

async function outbox({ db }: TestContext) {
  const rows = await db.sql<{ channel: string; key: string; payload: TaskNotice; actor: string }[]>`
    SELECT channel, key, payload, actor FROM outbox ORDER BY id`;
  return [...rows];
}

test("create asks the team and is assigned in the same turn, with a tasks row", async (t) => {
  await withTeam(t, ana);
  const ref = taskRef(t.system, "t1", "task-1");
  const reply = await ref.ask("create", input());
  assert.equal(reply.status, "created");
  assert.ok(reply.status === "created");
  assert.equal(reply.task.status, "assigned");
  assert.equal(reply.task.assignee, "ana");
  assert.deepEqual(await ref.query("view"), reply.task);
  const history = await t.system.history(ref);
  assert.deepEqual(history.map((e) => [e.type, e.seq]), [["task.created", 1], [
    "task.assigned",
    2,
  ]]);
  assert.equal(history[0]!.at, history[1]!.at, "one turn, one commit");
  const [row] = await t.db.sql`SELECT * FROM tasks WHERE actor = 'task/t1/task-1'`;
  assert.equal(row!.tenant, "t1");
  assert.equal(row!.task_id, "task-1");
  assert.equal(row!.lead_id, "lead-1");
  assert.equal(row!.type, "sales");
  assert.equal(row!.status, "assigned");
  assert.equal(row!.assignee, "ana");
  assert.equal(row!.priority, "medium");
  assert.equal(row!.overdue, false);
  assert.equal(new Date(row!.due_at).getTime(), T0 + 4 * HOUR);
  assert.equal(new Date(row!.created_at).getTime(), T0);
  assert.equal(row!.done_at, null);
  assert.deepEqual(await outbox(t), [], "medium priority notifies nobody");
  const [reminder] = await t.db.sql`SELECT name, due_at FROM reminders`;
  assert.deepEqual({ ...reminder }, { name: DUE_REMINDER, due_at: T0 + 4 * HOUR });
});

test("a high-priority lead emails the assignee through the outbox, once", async (t) => {
  await withTeam(t, ana);
  const ref = taskRef(t.system, "t1", "task-1");
  await ref.ask("create", input({ priority: "high" }));
  await ref.ask("create", input({ priority: "high" }));
  const sent = await outbox(t);
  assert.equal(sent.length, 1);
  const [mail] = sent;
  assert.equal(mail!.channel, "email");
  assert.equal(mail!.key, "task-1:notify");
  assert.equal(mail!.actor, "task/t1/task-1");
  assert.equal(mail!.payload.to, "ana@agency.test");
  assert.equal(mail!.payload.memberId, "ana");
  assert.equal(mail!.payload.kind, "task.assigned");
  assert.equal(mail!.payload.task.taskId, "task-1");
  assert.equal(mail!.payload.localDue, "2026-06-01T12:00:00-07:00[America/Los_Angeles]");
  // The email dispatcher sends what it can parse; a notice it cannot would be a dead letter.
  const parsed = MessagePayload.safeParse(mail!.payload);
  assert.ok(parsed.success, parsed.error?.message);
  assert.match(parsed.data.body, /2026-06-01 12:00 \(America\/Los_Angeles\)/);
});

test("a member with only a phone is told by SMS; reassigning tells the new member", async (t) => {
  await withTeam(t, ana, ben);
  const ref = taskRef(t.system, "t1", "task-1");
  await ref.ask("create", input({ type: "support", priority: "high" }));
  const reply = await ref.ask("assign", { memberId: "ana" });
  assert.equal(reply.status, "ok");
  assert.deepEqual(
    (await outbox(t)).map((m) => [m.channel, m.key, m.payload.to]),
    [["sms", "task-1:notify", "+14155550102"], ["email", "task-1:notify:2", "ana@agency.test"]],
  );
  const assigned = (await t.system.history(ref)).filter((e) => e.type === "task.assigned");
  assert.deepEqual(assigned.map((e) => e.data), [
    { memberId: "ben", previous: null, by: "round_robin" },
    { memberId: "ana", previous: "ben", by: "manual" },
  ]);
});

test("with nobody for the type the task stays open, saying why", async (t) => {
  await withTeam(t, ben);
  const ref = taskRef(t.system, "t1", "task-1");
  const reply = await ref.ask("create", input({ priority: "high" }));
  assert.ok(reply.status === "created");
  assert.equal(reply.task.status, "open");
  assert.equal(reply.task.assignee, null);
  assert.equal(reply.task.unassignedReason, "no_member_for_type");
  assert.deepEqual(await outbox(t), []);
  const [row] = await t.db.sql`SELECT status, assignee FROM tasks`;
  assert.deepEqual({ ...row }, { status: "open", assignee: null });
  // Assigning by hand later clears the reason.
  const later = await ref.ask("assign", { memberId: "ben" });
  assert.ok(later.status === "ok");
  assert.equal(later.task.unassignedReason, null);
  assert.equal(later.task.status, "assigned");
});

test("create is idempotent on its key; another key for the same id is refused", async (t) => {
  await withTeam(t, ana);
  const ref = taskRef(t.system, "t1", "task-1");
  const first = await ref.ask("create", input());
  const again = await ref.ask("create", input({ title: "changed" }));
  assert.ok(first.status === "created" && again.status === "exists");
  assert.deepEqual(again.task, first.task);
  const clash = await ref.ask("create", input({ idempotencyKey: "msg-2" }));
  assert.equal(clash.status, "refused");
  assert.equal(clash.status === "refused" && clash.reason, "id_taken");
  assert.equal(await eventCount(t.db), 4, "member added, member picked, task created, assigned");
});

test("createTask derives the id from the key, so a retry lands on the same task", async (t) => {
  await withTeam(t, ana);
  const { taskId: _taskId, ...rest } = input();
  const a = await createTask(t.system, "t1", rest);
  const b = await createTask(t.system, "t1", rest);
  assert.equal(a.taskId, await taskIdFor("msg-1"));
  assert.equal(b.taskId, a.taskId);
  assert.deepEqual([a.reply.status, b.reply.status], ["created", "exists"]);
  const err = await createTask(t.system, "t1", { ...rest, title: "" }).catch((e) => e);
  assert.ok(err instanceof ValidationError);
  assert.deepEqual(err.issues.map((i) => i.path), ["title"]);
});

test("transitions: open → assigned → done, cancel from open or assigned, reopen", async (t) => {
  await withTeam(t, ana);
  const ref = taskRef(t.system, "t1", "task-1");
  const refusal = (r: { status: string; reason?: string; message?: string }) =>
    r.status === "refused" ? `${r.reason}: ${r.message}` : r.status;

  // Nothing to act on yet.
  assert.equal(
    refusal(await ref.ask("complete", {})),
    "no_such_task: there is no task task-1",
  );

  // Open (the only sales member is away): cannot complete.
  await teamRef(t.system, "t1").ask("setAvailability", { memberId: "ana", available: false });
  await ref.ask("create", input());
  assert.equal(
    refusal(await ref.ask("complete", {})),
    "invalid_transition: cannot complete a task that is open; assign it first",
  );
  assert.equal(
    refusal(await ref.ask("reopen", {})),
    "invalid_transition: cannot reopen a task that is open; only done or cancelled tasks reopen",
  );
  assert.equal(
    refusal(await ref.ask("assign", { memberId: "zed" })),
    "unknown_member: zed is not on the team",
  );

  // Assigned → done.
  assert.equal((await ref.ask("assign", { memberId: "ana" })).status, "ok");
  t.clock.advance(HOUR);
  const done = await ref.ask("complete", { note: "sent the quote" });
  assert.ok(done.status === "ok");
  assert.equal(done.task.status, "done");
  assert.equal(done.task.doneAt, T0 + HOUR);
  assert.equal((await ref.ask("complete", {})).status, "ok", "completing again changes nothing");
  assert.equal(
    refusal(await ref.ask("cancel", {})),
    "invalid_transition: cannot cancel a task that is done",
  );
  assert.equal(
    refusal(await ref.ask("assign", { memberId: "ana" })),
    "invalid_transition: cannot assign a task that is done; reopen it first",
  );
  const [row] = await t.db.sql`SELECT status, done_at FROM tasks`;
  assert.equal(row!.status, "done");
  assert.equal(new Date(row!.done_at).getTime(), T0 + HOUR);
  assert.equal((await t.db.sql`SELECT 1 FROM reminders`).length, 0, "done cancels the reminder");

  // Done → reopened (back to its assignee) → cancelled → reopened.
  const reopened = await ref.ask("reopen", { dueAt: "2026-06-03T17:00:00Z" });
  assert.ok(reopened.status === "ok");
  assert.equal(reopened.task.status, "assigned");
  assert.equal(reopened.task.doneAt, null);
  assert.equal(reopened.task.dueAt, Date.UTC(2026, 5, 3, 17));
  const cancelled = await ref.ask("cancel", { reason: "duplicate" });
  assert.ok(cancelled.status === "ok");
  assert.equal(cancelled.task.status, "cancelled");
  assert.equal((await ref.ask("cancel", {})).status, "ok", "cancelling again changes nothing");
  assert.equal(
    refusal(await ref.ask("complete", {})),
    "invalid_transition: cannot complete a task that is cancelled",
  );
  assert.equal((await ref.ask("reopen", {})).status, "ok");
  assert.deepEqual((await t.system.history(ref)).map((e) => e.type), [
    "task.created",
    "task.assigned",
    "task.completed",
    "task.reopened",
    "task.cancelled",
    "task.reopened",
  ]);
  // A task nobody could take is cancelled straight from open.
  const orphan = taskRef(t.system, "t1", "task-2");
  await orphan.ask("create", input({ taskId: "task-2", type: "technical", idempotencyKey: "x" }));
  const dropped = await orphan.ask("cancel", {});
  assert.ok(dropped.status === "ok");
  assert.equal(dropped.task.status, "cancelled");
  assert.equal((await orphan.ask("reopen", {})).status, "ok");
  assert.equal((await orphan.query("view"))!.status, "open", "nobody had it: open again");

  // What replay rebuilds is what the live actor held.
  const live = await ref.query("view");
  const replayed = await taskRef(await t.restart(), "t1", "task-1").query("view");
  assert.deepEqual(replayed, live);
});

test("the due reminder marks an unfinished task overdue", async (t) => {
  await withTeam(t, ana);
  const late = taskRef(t.system, "t1", "late");
  const prompt = taskRef(t.system, "t1", "prompt");
  await late.ask("create", input({ taskId: "late", idempotencyKey: "a" }));
  await prompt.ask("create", input({ taskId: "prompt", idempotencyKey: "b" }));
  const poller = new ReminderPoller(t.system);
  t.clock.advance(HOUR);
  await prompt.ask("complete", {});
  assert.equal(await poller.tick(), 0, "not due yet");
  t.clock.advance(3 * HOUR + 1);
  assert.equal(await poller.tick(), 1, "only the unfinished task's reminder is left");
  assert.equal((await late.query("view"))!.overdue, true);
  assert.equal((await prompt.query("view"))!.overdue, false);
  const history = await t.system.history(late);
  assert.deepEqual(history.at(-1)!.type, "task.overdue");
  assert.deepEqual(history.at(-1)!.data, { dueAt: T0 + 4 * HOUR });
  const rows = await t.db.sql`SELECT task_id, overdue, status FROM tasks ORDER BY task_id`;
  assert.deepEqual(rows.map((r) => ({ ...r })), [
    { task_id: "late", overdue: true, status: "assigned" },
    { task_id: "prompt", overdue: false, status: "done" },
  ]);
  // A new due date clears the flag and sets a new reminder.
  await late.ask("complete", {});
  const again = await late.ask("reopen", { dueAt: t.clock.now() + HOUR });
  assert.ok(again.status === "ok");
  assert.equal(again.task.overdue, false);
  t.clock.advance(HOUR);
  assert.equal(await poller.tick(), 1);
  assert.equal((await late.query("view"))!.overdue, true);
});

test("every command's invalid input names the field and writes nothing", async (t) => {
  const ref = taskRef(t.system, "t1", "task-1");
  const cases: Array<[string, unknown, string[]]> = [
    ["create", input({ leadId: "a b" }), ["leadId"]],
    ["create", input({ type: "billing" as never }), ["type"]],
    ["create", input({ title: "x".repeat(201) }), ["title"]],
    ["create", input({ detail: "x".repeat(5001) }), ["detail"]],
    ["create", input({ dueAt: "next week" }), ["dueAt"]],
    ["create", input({ priority: "urgent" as never }), ["priority"]],
    ["create", input({ idempotencyKey: "" }), ["idempotencyKey"]],
    ["create", input({ taskId: "another-task" }), ["taskId"]],
    ["assign", { memberId: "" }, ["memberId"]],
    ["complete", { note: 42 }, ["note"]],
    ["cancel", { reason: "x".repeat(501) }, ["reason"]],
    ["reopen", { dueAt: "whenever" }, ["dueAt"]],
  ];
  for (const [command, payload, fields] of cases) {
    const err = await ref.ask(command as "cancel", payload as never).catch((e) => e);
    assert.ok(err instanceof ValidationError, `${command} ${JSON.stringify(payload)}: ${err}`);
    assert.deepEqual(err.issues.map((i) => i.path), fields, err.message);
  }
  assert.equal(await eventCount(t.db), 0);
  assert.equal((await t.db.sql`SELECT 1 FROM tasks`).length, 0);
});
