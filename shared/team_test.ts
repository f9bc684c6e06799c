import assert from "node:assert/strict";
import type { z } from "zod";
import { fieldIssues } from "./errors.ts";
import {
  AiClassification,
  Classification,
  CreateTask,
  PickMember,
  RouteMessage,
  SetAvailability,
  TaskStatus,
  TaskType,
  TeamMember,
} from "./team.ts";

/** The dotted paths of every failing field, as the runtime's ValidationError reports them. */
function failingPaths(result: z.ZodSafeParseResult<unknown>): string[] {
  assert.ok(!result.success, "expected the input to be refused");
  return fieldIssues(result.error.issues).map((i) => i.path).sort();
}

const task = {
  leadId: "lead-1",
  type: "sales",
  title: "Quote for a bakery site",
  dueAt: Date.UTC(2026, 5, 2),
  priority: "high",
  idempotencyKey: "msg-1",
};

Deno.test("a member gets weight 1 and is available unless told otherwise; repeated types are dropped", () => {
  const m = TeamMember.parse({
    id: "sam",
    name: " Sam Lee ",
    types: ["sales", "support", "sales"],
    timeZone: "america/new_york",
  });
  assert.deepEqual(m, {
    id: "sam",
    name: "Sam Lee",
    types: ["sales", "support"],
    weight: 1,
    available: true,
    timeZone: "America/New_York",
  });
});

Deno.test("a bad member names every failing field", () => {
  assert.deepEqual(
    failingPaths(TeamMember.safeParse({
      id: "sam/lee",
      name: "",
      email: "nope",
      phone: "555-0100",
      types: [],
      weight: 11,
      available: "yes",
      timeZone: "Mars/Olympus",
    })),
    ["available", "email", "id", "name", "phone", "timeZone", "types", "weight"],
  );
  assert.deepEqual(failingPaths(TeamMember.safeParse({ id: "a", name: "A", types: ["billing"] })), [
    "types.0",
  ]);
  assert.deepEqual(
    failingPaths(TeamMember.safeParse({ id: "a", name: "A", types: ["sales"], weight: 1.5 })),
    ["weight"],
  );
  assert.deepEqual(
    failingPaths(TeamMember.safeParse({ id: "a", name: "A", types: ["sales"], weight: 0 })),
    ["weight"],
  );
});

Deno.test("the kinds of task and their statuses", () => {
  assert.deepEqual(TaskType.options, ["sales", "support", "technical"]);
  assert.deepEqual(TaskStatus.options, ["open", "assigned", "done", "cancelled"]);
});

Deno.test("a due date is epoch ms or an ISO instant, parsed to epoch ms", () => {
  assert.equal(CreateTask.parse(task).dueAt, Date.UTC(2026, 5, 2));
  assert.equal(
    CreateTask.parse({ ...task, dueAt: "2026-06-02T09:00:00-04:00" }).dueAt,
    Date.UTC(2026, 5, 2, 13),
  );
  for (const dueAt of ["tomorrow", "2026-06-02T09:00:00", -1, 1.5, null]) {
    assert.deepEqual(failingPaths(CreateTask.safeParse({ ...task, dueAt })), ["dueAt"], `${dueAt}`);
  }
});

Deno.test("a bad task names every failing field", () => {
  assert.deepEqual(
    failingPaths(CreateTask.safeParse({
      taskId: "a b",
      leadId: "",
      type: "billing",
      title: "x".repeat(201),
      detail: "x".repeat(5001),
      dueAt: "soon",
      priority: "urgent",
      idempotencyKey: "",
    })),
    ["detail", "dueAt", "idempotencyKey", "leadId", "priority", "taskId", "title", "type"],
  );
  assert.deepEqual(failingPaths(CreateTask.safeParse({ ...task, title: "   " })), ["title"]);
});

Deno.test("team commands name their failing fields", () => {
  assert.deepEqual(failingPaths(PickMember.safeParse({ type: "sale", key: "" })), ["key", "type"]);
  assert.deepEqual(
    failingPaths(SetAvailability.safeParse({ memberId: "", available: 1 })),
    ["available", "memberId"],
  );
});

Deno.test("a classification holds its confidence to 0..1 and says where it came from", () => {
  const ok = { type: "technical", confidence: 0.8, source: "ai", reason: "site is down" };
  assert.deepEqual(Classification.parse(ok), ok);
  assert.deepEqual(
    failingPaths(Classification.safeParse({ ...ok, confidence: 1.2, source: "guess" })),
    ["confidence", "source"],
  );
  assert.deepEqual(
    failingPaths(Classification.safeParse({ ...ok, source: "rules", fallbackReason: "bored" })),
    ["fallbackReason"],
  );
  assert.deepEqual(failingPaths(AiClassification.safeParse({ type: "sales", confidence: -1 })), [
    "confidence",
    "reason",
  ]);
});

Deno.test("an inbound message to route needs text, a priority, a key and the time", () => {
  const msg = {
    leadId: "l1",
    text: " My site is down ",
    priority: "low",
    idempotencyKey: "k",
    now: 0,
  };
  assert.equal(RouteMessage.parse(msg).text, "My site is down");
  assert.deepEqual(
    failingPaths(RouteMessage.safeParse({ ...msg, text: " ", priority: "p1", now: "now" })),
    ["now", "priority", "text"],
  );
});
