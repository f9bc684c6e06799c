/**
 * What the tasks board knows about tasks without the DOM: the shapes it
 * reads from `/v1/tasks` and `/v1/team`, its columns (one per status), the
 * moves each status allows (as the task actor allows them), the list query
 * of a column and filter, and how the gateway's field issues split between
 * a form's fields.
 *
 * @module
 */

/** Where a task stands (the task actor's statuses). */
export type TaskStatus = "open" | "assigned" | "done" | "cancelled";
/** The kinds of work a task can be. */
export const TASK_TYPES = ["sales", "support", "technical"] as const;
/** A kind of work. */
export type TaskType = (typeof TASK_TYPES)[number];
/** A lead's priority band. */
export const PRIORITIES = ["high", "medium", "low"] as const;

/** A task as `GET /v1/tasks` lists it (times epoch ms). */
export interface TaskRow {
  taskId: string;
  leadId: string;
  type: TaskType;
  title: string;
  status: TaskStatus;
  assignee: string | null;
  priority: (typeof PRIORITIES)[number];
  overdue: boolean;
  dueAt: number;
  createdAt: number;
  doneAt: number | null;
}

/** A team member as `GET /v1/team` lists them (the fields the dashboard reads). */
export interface Member {
  id: string;
  name: string;
  types: TaskType[];
  available: boolean;
  timeZone?: string;
}

/** The board's columns, in order: status and heading. */
export const COLUMNS: readonly (readonly [TaskStatus, string])[] = [
  ["open", "Open"],
  ["assigned", "In progress"],
  ["done", "Done"],
  ["cancelled", "Cancelled"],
];

/** A move a task can make from a status, named as its REST route (`POST /v1/tasks/{id}/<move>`). */
export type TaskMove = "complete" | "cancel" | "reopen";

/** The moves a task in `status` can make (assigning is offered apart, while it is not finished). */
export function movesFrom(status: TaskStatus): TaskMove[] {
  switch (status) {
    case "open":
      // Completing wants an assignee first: the actor refuses it with "assign it first".
      return ["cancel"];
    case "assigned":
      return ["complete", "cancel"];
    case "done":
    case "cancelled":
      return ["reopen"];
  }
}

/** Whether a task in `status` can be handed to a member. */
export function assignable(status: TaskStatus): boolean {
  return status === "open" || status === "assigned";
}

/** The status a move leads to (reopen goes back to open or assigned, by whether it has an assignee). */
export function statusAfter(move: TaskMove, task: Pick<TaskRow, "assignee">): TaskStatus {
  if (move === "complete") return "done";
  if (move === "cancel") return "cancelled";
  return task.assignee === null ? "open" : "assigned";
}

/** The board's filters; empty strings mean "any". */
export interface TaskFilters {
  assignee: string;
  type: "" | TaskType;
  overdueOnly: boolean;
}

/** No filter. */
export const NO_FILTERS: TaskFilters = { assignee: "", type: "", overdueOnly: false };

function filterQuery(filters: TaskFilters, limit: number): URLSearchParams {
  const q = new URLSearchParams({ limit: String(limit) });
  if (filters.assignee) q.set("assignee", filters.assignee);
  if (filters.type) q.set("type", filters.type);
  if (filters.overdueOnly) q.set("overdue", "true");
  return q;
}

/** The `GET /v1/tasks/board` path: every column's first page under `filters`, in one read. */
export function boardPath(filters: TaskFilters, limit: number): string {
  return `/v1/tasks/board?${filterQuery(filters, limit)}`;
}

/** The `GET /v1/tasks` path of one column's next page under `filters`. */
export function tasksPath(
  status: TaskStatus,
  filters: TaskFilters,
  limit: number,
  cursor: string,
): string {
  const q = filterQuery(filters, limit);
  q.set("status", status);
  q.set("cursor", cursor);
  return `/v1/tasks?${q}`;
}

/**
 * Whether a task counts as overdue now: flagged by its due reminder, or past
 * due and still to do (the flag follows the reminder a moment later).
 */
export function isOverdue(
  task: Pick<TaskRow, "status" | "overdue" | "dueAt">,
  now: number,
): boolean {
  if (task.status === "done" || task.status === "cancelled") return false;
  return task.overdue || task.dueAt <= now;
}

/** A due time in the viewer's zone with the zone named, e.g. `Fri 4 Dec, 10:00 CET`. */
export function dueLabel(ms: number, locale?: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(locale, {
    ...(timeZone ? { timeZone } : {}),
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
    timeZoneName: "short",
  }).format(ms);
}
