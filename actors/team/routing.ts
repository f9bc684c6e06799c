/**
 * Routing an inbound message to the team: classify it, give it a due date,
 * create its task (which assigns itself round-robin in the same turn) and
 * say who got it. Also the task helpers callers need around that: stable
 * task ids from idempotency keys and business-hours arithmetic.
 *
 * @module
 */
import {
  canonicalTimeZone,
  type Classification,
  CoveError,
  CreateTask,
  type CreateTaskReply,
  fieldIssues,
  type Priority,
  RouteMessage,
  ValidationError,
} from "../../shared/mod.ts";
import type { AiClient } from "../ai/mod.ts";
import type { ActorSystem } from "../runtime/mod.ts";
import { classifyMessage } from "./classify.ts";
import { taskRef } from "./task.ts";

const HOUR = 3_600_000;

/**
 * Business hours: 09:00 to 17:00, Monday to Friday, in the tenant's time
 * zone. Public holidays are not known here and count as working days.
 */
export const BUSINESS_HOURS = { open: "09:00", close: "17:00", days: [1, 2, 3, 4, 5] } as const;

/**
 * How long the team has to answer: a high-priority lead within 4 business
 * hours (it goes cold fast, but nobody is asked to answer at 3 a.m.), any
 * other lead within 24 hours of the message, business hours or not.
 */
export const RESPONSE_TIME = { highBusinessHours: 4, otherMs: 24 * HOUR } as const;

/** `from` plus `hours` of business time ({@link BUSINESS_HOURS}) in `timeZone`, epoch ms. */
export function addBusinessHours(from: number, hours: number, timeZone = "UTC"): number {
  let remaining = hours * HOUR;
  let t = Temporal.Instant.fromEpochMilliseconds(from).toZonedDateTimeISO(timeZone);
  const at = (date: Temporal.PlainDate, time: string) =>
    date.toZonedDateTime({ timeZone, plainTime: Temporal.PlainTime.from(time) });
  const working = (date: Temporal.PlainDate) =>
    (BUSINESS_HOURS.days as readonly number[]).includes(date.dayOfWeek);
  for (;;) {
    const date = t.toPlainDate();
    const open = at(date, BUSINESS_HOURS.open);
    const close = at(date, BUSINESS_HOURS.close);
    if (working(date) && Temporal.ZonedDateTime.compare(t, close) < 0) {
      if (Temporal.ZonedDateTime.compare(t, open) < 0) t = open;
      const left = close.epochMilliseconds - t.epochMilliseconds;
      if (remaining <= left) return t.epochMilliseconds + remaining;
      remaining -= left;
    }
    t = at(date.add({ days: 1 }), BUSINESS_HOURS.open);
  }
}

/** When a task about a lead of `priority` is due, given the message arrived at `now`. */
export function dueAtFor(priority: Priority, now: number, timeZone = "UTC"): number {
  return priority === "high"
    ? addBusinessHours(now, RESPONSE_TIME.highBusinessHours, timeZone)
    : now + RESPONSE_TIME.otherMs;
}

/**
 * The task id for an idempotency key: the same key always names the same
 * task actor, so a retried create lands where the first one did, whatever
 * characters the key holds.
 */
export async function taskIdFor(idempotencyKey: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(idempotencyKey));
  const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `task_${hex.slice(0, 24)}`;
}

/**
 * Creates a task (its id from `input.taskId`, else from the idempotency key)
 * and resolves with its id and the actor's reply. Throws `ValidationError`
 * naming the bad field; writes nothing then.
 */
export async function createTask(
  system: ActorSystem,
  tenant: string,
  input: CreateTask,
): Promise<{ taskId: string; reply: CreateTaskReply }> {
  const parsed = CreateTask.safeParse(input);
  if (!parsed.success) {
    throw new ValidationError("task.create input", fieldIssues(parsed.error.issues));
  }
  const taskId = parsed.data.taskId ?? await taskIdFor(parsed.data.idempotencyKey);
  const reply = await taskRef(system, tenant, taskId).ask("create", { ...input, taskId });
  return { taskId, reply };
}

/** What routing a message did. */
export interface RoutedMessage {
  /** The task made for the message (or made for it before, on a repeat). */
  taskId: string;
  /** How its type was decided. */
  classification: Classification;
  /** Who has it; null when nobody takes that type or everybody who does is away. */
  assignee: string | null;
  /** `exists` when the same idempotency key was routed before: nothing new was done. */
  status: "created" | "exists";
}

/** Options of {@link routeInboundMessage}. */
export interface RouteOptions {
  /** The tenant's zone for business hours (default UTC). */
  timeZone?: string;
  /** How long to wait for the AI before the keyword rules decide (default 10 s). */
  aiTimeoutMs?: number;
}

const TITLE_CHARS = 120;

/** A one-line title: the type and the message's opening words. */
function titleFor(classification: Classification, text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  const head = line.length > TITLE_CHARS ? `${line.slice(0, TITLE_CHARS - 1)}…` : line;
  const type = classification.type;
  return `${type[0]!.toUpperCase()}${type.slice(1)}: ${head}`;
}

/**
 * Routes an inbound message: classifies it ({@link classifyMessage}), gives
 * it a due date ({@link dueAtFor}) and creates its task, which asks the team
 * for a member round-robin and, for a high-priority lead, notifies them, all
 * in the task's first turn. A repeat of the same idempotency key returns the
 * first routing without asking the AI again. Throws `ValidationError` naming
 * the bad field of `message` (or `timeZone` of `opts`).
 */
export async function routeInboundMessage(
  system: ActorSystem,
  tenant: string,
  message: RouteMessage,
  ai: AiClient,
  opts: RouteOptions = {},
): Promise<RoutedMessage> {
  const parsed = RouteMessage.safeParse(message);
  if (!parsed.success) {
    throw new ValidationError("inbound message", fieldIssues(parsed.error.issues));
  }
  const msg = parsed.data;
  const timeZone = canonicalTimeZone(opts.timeZone ?? "UTC");
  if (timeZone === undefined) {
    throw new ValidationError("routing options", [
      { path: "timeZone", message: `${JSON.stringify(opts.timeZone)} is not an IANA time zone` },
    ]);
  }
  const taskId = await taskIdFor(msg.idempotencyKey);
  const ref = taskRef(system, tenant, taskId);
  const before = await ref.query("view");
  if (before?.classification) return routed(taskId, before, before.classification, "exists");
  const classification = await classifyMessage(
    ai,
    msg.text,
    opts.aiTimeoutMs === undefined ? {} : { timeoutMs: opts.aiTimeoutMs },
  );
  const reply = await ref.ask("create", {
    taskId,
    leadId: msg.leadId,
    type: classification.type,
    title: titleFor(classification, msg.text),
    detail: msg.text.slice(0, 5000),
    dueAt: dueAtFor(msg.priority, msg.now, timeZone),
    priority: msg.priority,
    idempotencyKey: msg.idempotencyKey,
    classification,
  });
  if (reply.status === "refused") {
    // Ids are hashes of the key, so only a hand-made task with this id can get here.
    throw new CoveError("task_id_taken", `task ${taskId}: ${reply.message}`);
  }
  // A concurrent repeat may have won the race: its classification is the one on record.
  return routed(taskId, reply.task, reply.task.classification ?? classification, reply.status);
}

function routed(
  taskId: string,
  task: { assignee: string | null },
  classification: Classification,
  status: RoutedMessage["status"],
): RoutedMessage {
  return { taskId, classification, assignee: task.assignee, status };
}
