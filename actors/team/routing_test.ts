import assert from "node:assert/strict";
import { ValidationError } from "../../shared/errors.ts";
import type { AiClassification, TaskNotice } from "../../shared/team.ts";
import { type AiClient, type AiResult, disabledAi } from "../ai/mod.ts";
import { addBusinessHours, dueAtFor, routeInboundMessage, taskIdFor } from "./routing.ts";
import { taskRef } from "./task.ts";
import { teamRef } from "./team.ts";
import { eventCount, suite, T0 } from "./_test_support.ts";

const HOUR = 3_600_000;
const utc = (iso: string) => Temporal.Instant.from(iso).epochMilliseconds;

Deno.test("business hours: 09:00-17:00 on weekdays, carried over nights and weekends", () => {
  const cases: Array<[string, number, string]> = [
    ["2026-06-01T10:00:00Z", 4, "2026-06-01T14:00:00Z"], // Monday morning
    ["2026-06-01T15:00:00Z", 4, "2026-06-02T11:00:00Z"], // 2 h today, 2 h tomorrow
    ["2026-06-01T07:30:00Z", 4, "2026-06-01T13:00:00Z"], // before opening
    ["2026-06-01T17:00:00Z", 4, "2026-06-02T13:00:00Z"], // at closing
    ["2026-06-01T13:00:00Z", 4, "2026-06-01T17:00:00Z"], // exactly to closing
    ["2026-06-05T16:00:00Z", 4, "2026-06-08T12:00:00Z"], // Friday → Monday
    ["2026-06-06T12:00:00Z", 4, "2026-06-08T13:00:00Z"], // Saturday
    ["2026-06-01T10:00:00Z", 20, "2026-06-03T14:00:00Z"], // several days
  ];
  for (const [from, hours, due] of cases) {
    assert.equal(
      new Date(addBusinessHours(utc(from), hours)).toISOString(),
      new Date(utc(due)).toISOString(),
      from,
    );
  }
});

Deno.test("business hours are the tenant's, across a daylight-saving change", () => {
  // Monday 11:00 in New York (EDT, UTC-4).
  assert.equal(
    addBusinessHours(utc("2026-06-01T15:00:00Z"), 4, "America/New_York"),
    utc("2026-06-01T15:00:00-04:00"),
  );
  // Friday 15:00 before the clocks go back on Sunday 2026-11-01: 2 h Friday, 2 h Monday (EST).
  assert.equal(
    addBusinessHours(utc("2026-10-30T15:00:00-04:00"), 4, "America/New_York"),
    utc("2026-11-02T11:00:00-05:00"),
  );
});

Deno.test("due dates: 4 business hours for a high-priority lead, 24 hours otherwise", () => {
  const friday = utc("2026-06-05T16:00:00Z");
  assert.equal(dueAtFor("high", friday), utc("2026-06-08T12:00:00Z"));
  assert.equal(dueAtFor("medium", friday), friday + 24 * HOUR);
  assert.equal(dueAtFor("low", friday), friday + 24 * HOUR);
});

/** An AI that answers what it is told and counts its calls. */
function scriptedAi(answer: AiResult<AiClassification>): AiClient & { calls: number } {
  const ai = {
    calls: 0,
    complete<T>(): Promise<AiResult<T>> {
      ai.calls++;
      return Promise.resolve(answer as AiResult<T>);
    },
  };
  return ai;
}

const test = suite("routing");

const message = {
  leadId: "lead-1",
  text: "Our website is down since this morning, customers get an error!",
  priority: "high" as const,
  idempotencyKey: "sms-SM123",
  now: T0,
};

async function staff(system: Parameters<typeof teamRef>[0]) {
  const ref = teamRef(system, "t1");
  await ref.ask("upsertMember", { id: "sam", name: "Sam", types: ["sales"], email: "sam@a.test" });
  await ref.ask("upsertMember", {
    id: "tia",
    name: "Tia",
    types: ["technical"],
    email: "tia@a.test",
  });
}

test("a message is classified, made a task, assigned and its assignee told", async ({ system, db }) => {
  await staff(system);
  const routed = await routeInboundMessage(system, "t1", message, disabledAi);
  assert.equal(routed.taskId, await taskIdFor("sms-SM123"));
  assert.equal(routed.assignee, "tia");
  assert.equal(routed.status, "created");
  assert.equal(routed.classification.type, "technical");
  assert.equal(routed.classification.source, "rules");
  assert.equal(routed.classification.fallbackReason, "unavailable");
  const task = (await taskRef(system, "t1", routed.taskId).query("view"))!;
  assert.equal(task.title, `Technical: ${message.text}`);
  assert.equal(task.detail, message.text);
  assert.equal(task.leadId, "lead-1");
  assert.equal(task.dueAt, utc("2026-06-02T11:00:00Z"), "Monday 15:00 + 4 business hours");
  assert.deepEqual(task.classification, routed.classification);
  const [mail] = await db.sql<{ channel: string; key: string; payload: TaskNotice }[]>`
    SELECT channel, key, payload FROM outbox`;
  assert.equal(mail!.channel, "email");
  assert.equal(mail!.key, `${routed.taskId}:notify`);
  assert.equal(mail!.payload.to, "tia@a.test");
});

test("the AI's classification decides when it answers", async ({ system }) => {
  await staff(system);
  const ai = scriptedAi({
    ok: true,
    value: { type: "sales", confidence: 0.8, reason: "wants a rebuild after the outage" },
    model: "test",
  });
  const routed = await routeInboundMessage(system, "t1", { ...message, priority: "low" }, ai);
  assert.equal(routed.assignee, "sam");
  assert.deepEqual(routed.classification, {
    type: "sales",
    confidence: 0.8,
    reason: "wants a rebuild after the outage",
    source: "ai",
  });
  const task = (await taskRef(system, "t1", routed.taskId).query("view"))!;
  assert.equal(task.dueAt, T0 + 24 * HOUR);
});

test("the same message again is the same task, without asking the AI again", async ({ system, db }) => {
  await staff(system);
  const ai = scriptedAi({ ok: false, reason: "timeout", detail: "no answer within 10000 ms" });
  const first = await routeInboundMessage(system, "t1", message, ai);
  const events = await eventCount(db);
  const again = await routeInboundMessage(system, "t1", message, ai);
  assert.deepEqual(again, { ...first, status: "exists" });
  assert.equal(ai.calls, 1);
  assert.equal(await eventCount(db), events);
  const [n] = await db.sql`SELECT count(*)::int AS n FROM outbox`;
  assert.equal(n!.n, 1);
});

test("nobody for the type: the task waits unassigned", async ({ system }) => {
  const routed = await routeInboundMessage(system, "t1", message, disabledAi);
  assert.equal(routed.assignee, null);
  const task = (await taskRef(system, "t1", routed.taskId).query("view"))!;
  assert.equal(task.status, "open");
  assert.equal(task.unassignedReason, "no_member_for_type");
});

test("a bad message or zone names the field and writes nothing", async ({ system, db }) => {
  const bad = await routeInboundMessage(
    system,
    "t1",
    { ...message, text: " ", now: -1 },
    disabledAi,
  )
    .catch((e) => e);
  assert.ok(bad instanceof ValidationError);
  assert.deepEqual(bad.issues.map((i) => i.path), ["text", "now"]);
  const zone = await routeInboundMessage(system, "t1", message, disabledAi, {
    timeZone: "Mars/Base",
  })
    .catch((e) => e);
  assert.ok(zone instanceof ValidationError);
  assert.deepEqual(zone.issues.map((i) => i.path), ["timeZone"]);
  assert.equal(await eventCount(db), 0);
});
