/**
 * The tasks board's pure rules: the moves each column offers match what the
 * task actor allows, a column's list query carries the filters and cursor,
 * overdue counts only unfinished work, and the gateway's field issues land
 * next to the field they name.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  assignable,
  boardPath,
  COLUMNS,
  isOverdue,
  movesFrom,
  NO_FILTERS,
  statusAfter,
  tasksPath,
} from "../ui/dashboard/views/_tasks_model.ts";
import { TaskStatus } from "../shared/team.ts";
import { splitIssues } from "../ui/dashboard/api.ts";

Deno.test("the board has one column per task status, in the order work moves", () => {
  assert.deepEqual(COLUMNS.map(([s]) => s), TaskStatus.options);
});

Deno.test("each status offers the moves the task actor accepts", () => {
  assert.deepEqual(movesFrom("open"), ["cancel"]); // done wants an assignee first
  assert.deepEqual(movesFrom("assigned"), ["complete", "cancel"]);
  assert.deepEqual(movesFrom("done"), ["reopen"]);
  assert.deepEqual(movesFrom("cancelled"), ["reopen"]);
  assert.ok(assignable("open") && assignable("assigned"));
  assert.ok(!assignable("done") && !assignable("cancelled"));
  assert.equal(statusAfter("complete", { assignee: "sam" }), "done");
  assert.equal(statusAfter("reopen", { assignee: null }), "open");
  assert.equal(statusAfter("reopen", { assignee: "sam" }), "assigned");
});

Deno.test("the board's read and a column's next page carry the filters", () => {
  assert.equal(boardPath(NO_FILTERS, 50), "/v1/tasks/board?limit=50");
  const filters = { assignee: "sam@x", type: "support", overdueOnly: true } as const;
  const board = new URL(boardPath(filters, 80), "http://x").searchParams;
  assert.deepEqual([...board], [
    ["limit", "80"],
    ["assignee", "sam@x"],
    ["type", "support"],
    ["overdue", "true"],
  ]);
  const q = new URL(tasksPath("assigned", filters, 20, "c/1+"), "http://x").searchParams;
  assert.equal(q.get("status"), "assigned");
  assert.equal(q.get("assignee"), "sam@x");
  assert.equal(q.get("type"), "support");
  assert.equal(q.get("overdue"), "true");
  assert.equal(q.get("limit"), "20");
  assert.equal(q.get("cursor"), "c/1+");
});

Deno.test("overdue: flagged or past due, and only while still to do", () => {
  const now = 1_000_000;
  assert.ok(isOverdue({ status: "assigned", overdue: false, dueAt: now - 1 }, now));
  assert.ok(isOverdue({ status: "open", overdue: true, dueAt: now + 10 }, now));
  assert.ok(!isOverdue({ status: "open", overdue: false, dueAt: now + 10 }, now));
  assert.ok(!isOverdue({ status: "done", overdue: true, dueAt: now - 1 }, now));
  assert.ok(!isOverdue({ status: "cancelled", overdue: false, dueAt: now - 1 }, now));
});

Deno.test("field issues go next to the field named; the rest stay the form's", () => {
  const { byField, rest } = splitIssues([
    { path: "title", message: "too short" },
    { path: "attendee.email", message: "not an email" },
    { path: "title", message: "has no letters" },
    { path: "idempotencyKey", message: "missing" },
    { path: "", message: "body is not JSON" },
  ], ["title", "attendee"]);
  assert.deepEqual(byField, { title: "too short; has no letters", attendee: "not an email" });
  assert.deepEqual(rest, ["idempotencyKey: missing", "body is not JSON"]);
  // A prefix of a name is not the field: `leadIdx` is not `leadId`.
  assert.deepEqual(splitIssues([{ path: "leadIdx", message: "m" }], ["leadId"]).byField, {});
});
