/**
 * The task REST routes under `/v1/tasks`: the tenant's tasks from the `tasks`
 * read model (filters and a cursor), one task from its actor, create (it
 * assigns itself round-robin), and the task actor's transitions (assign,
 * complete, cancel, reopen). The tenant always comes from the caller's
 * credentials: another tenant's task answers 404.
 *
 * @module
 */
import { decodeCursor, encodeCursor } from "./_cursor.ts";
import type { ActorRef } from "../actors/runtime/mod.ts";
import { createTask, type TaskActor, taskRef } from "../actors/team/mod.ts";
import {
  AssignTask,
  CancelTask,
  CompleteTask,
  CreateTask,
  NotFoundError,
  ReopenTask,
  Task,
  type TaskReply,
  TaskStatus,
  TaskType,
} from "../shared/mod.ts";
import { conflict, refusal } from "./_refusal.ts";
import type { AuthEnv } from "./auth.ts";
import { type ApiDeps, guard, STAFF_ROLES } from "./guard.ts";
import {
  apiRouter,
  authErrors,
  bearerOrApiKey,
  createRoute,
  json,
  jsonBody,
  notFound,
  type OpenAPIHono,
  z,
} from "./openapi.ts";

/** A task id in a path. */
export const TaskIdParam = z.object({ id: CreateTask.shape.leadId });

/** 404 for a task the caller's tenant does not have. */
export class TaskNotFound extends NotFoundError {
  /** `id` as the caller gave it. */
  constructor(id: string) {
    super(`task ${id}`);
  }
}

const taskTags = ["tasks"];

/** A task as the list shows it: the `tasks` read model's columns, named as on {@link Task}. */
export const TaskRow = Task.pick({
  taskId: true,
  leadId: true,
  type: true,
  title: true,
  status: true,
  assignee: true,
  priority: true,
  overdue: true,
  dueAt: true,
  createdAt: true,
  doneAt: true,
}).openapi("TaskRow");

const TaskListQuery = z.object({
  status: TaskStatus.optional(),
  type: TaskType.optional(),
  assignee: AssignTask.shape.memberId.optional().openapi({ description: "A member id" }),
  leadId: CreateTask.shape.leadId.optional(),
  overdue: z.enum(["true", "false"]).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional().openapi({
    description: "Opaque: the `next` of the previous page",
  }),
});

/** A page of the list: `next` is the cursor of the following page, or null. */
type TaskPage = { items: z.infer<typeof TaskRow>[]; next: string | null };

const BoardQuery = TaskListQuery.omit({ status: true, cursor: true });
const taskPage = z.object({ items: z.array(TaskRow), next: z.string().nullable() });
const boardColumns = Object.fromEntries(TaskStatus.options.map((s) => [s, taskPage])) as Record<
  TaskStatus,
  typeof taskPage
>;

const CreateTaskBody = CreateTask.omit({ classification: true }).openapi("CreateTask", {
  description: "`dueAt` is epoch ms or an ISO instant. The same `idempotencyKey` again is the " +
    "same task (200); a new task is assigned round-robin at once",
});

const taskReply = z.object({ task: Task.extend({}).openapi("Task") });

/** A task command's reply as an HTTP answer: the task, 404 when there is none, else 409. */
function taskOf(id: string, reply: TaskReply): Task {
  if (reply.status === "ok") return reply.task;
  if (reply.reason === "no_such_task") throw new TaskNotFound(id);
  throw refusal(reply.reason, reply.message);
}

/** One page of the tenant's tasks: soonest due first, filtered, after the cursor. */
async function listTasks(
  deps: ApiDeps,
  tenant: string,
  q: z.infer<typeof TaskListQuery>,
): Promise<TaskPage> {
  const after = q.cursor
    ? decodeCursor(q.cursor, (due) => Number.isSafeInteger(Number(due)))
    : undefined;
  const sql = deps.system.journal.sql;
  const rows = await sql<
    {
      task_id: string;
      lead_id: string;
      type: Task["type"];
      title: string;
      status: Task["status"];
      assignee: string | null;
      priority: Task["priority"];
      overdue: boolean;
      due_at: Date;
      created_at: Date;
      done_at: Date | null;
    }[]
  >`
    SELECT task_id, lead_id, type, title, status, assignee, priority, overdue, due_at,
           created_at, done_at
    FROM tasks
    WHERE tenant = ${tenant}
      ${q.status ? sql`AND status = ${q.status}` : sql``}
      ${q.type ? sql`AND type = ${q.type}` : sql``}
      ${q.assignee ? sql`AND assignee = ${q.assignee}` : sql``}
      ${q.leadId ? sql`AND lead_id = ${q.leadId}` : sql``}
      ${q.overdue ? sql`AND overdue = ${q.overdue === "true"}` : sql``}
      ${after ? sql`AND (due_at, task_id) > (${new Date(Number(after[0]))}, ${after[1]})` : sql``}
    ORDER BY due_at, task_id
    LIMIT ${q.limit + 1}`;
  const items = rows.slice(0, q.limit).map((r) => ({
    taskId: r.task_id,
    leadId: r.lead_id,
    type: r.type,
    title: r.title,
    status: r.status,
    assignee: r.assignee,
    priority: r.priority,
    overdue: r.overdue,
    dueAt: r.due_at.getTime(),
    createdAt: r.created_at.getTime(),
    doneAt: r.done_at?.getTime() ?? null,
  }));
  const last = items.at(-1);
  const next = rows.length > q.limit && last ? encodeCursor(last.dueAt, last.taskId) : null;
  return { items, next };
}

/** The `/v1/tasks` sub-app: list, get, create, and the task actor's transitions. */
export function taskRoutes(deps: ApiDeps): OpenAPIHono<AuthEnv> {
  const app = apiRouter<AuthEnv>();
  app.use("*", guard(deps, STAFF_ROLES));

  app.openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: taskTags,
      summary: "List tasks, soonest due first, with filters and a cursor",
      security: bearerOrApiKey,
      request: { query: TaskListQuery },
      responses: {
        200: {
          description: "One page; `next` is the cursor of the next page or null",
          content: json(z.object({ items: z.array(TaskRow), next: z.string().nullable() })),
        },
        ...authErrors,
      },
    }),
    async (c) => c.json(await listTasks(deps, c.var.auth.tenant, c.req.valid("query")), 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/board",
      tags: taskTags,
      summary: "The first page of each status at once, soonest due first, with the list's filters",
      description: "One read for a board of columns; each column's `next` pages on with " +
        "`GET /v1/tasks?status=<status>&cursor=<next>` and the same filters.",
      security: bearerOrApiKey,
      request: { query: BoardQuery },
      responses: {
        200: {
          description: "One page per status",
          content: json(z.object({ columns: z.object(boardColumns) })),
        },
        ...authErrors,
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const pages = await Promise.all(
        TaskStatus.options.map((status) => listTasks(deps, c.var.auth.tenant, { ...q, status })),
      );
      const columns = Object.fromEntries(TaskStatus.options.map((s, i) => [s, pages[i]!]));
      return c.json({ columns: columns as Record<TaskStatus, TaskPage> }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/",
      tags: taskTags,
      summary: "Create a task about a lead; it assigns itself round-robin",
      security: bearerOrApiKey,
      request: { body: jsonBody(CreateTaskBody) },
      responses: {
        201: { description: "Created", content: json(taskReply) },
        200: {
          description: "Created before by the same idempotency key",
          content: json(taskReply),
        },
        ...authErrors,
        ...conflict,
      },
    }),
    async (c) => {
      const { reply } = await createTask(deps.system, c.var.auth.tenant, c.req.valid("json"));
      if (reply.status === "refused") throw refusal(reply.reason, reply.message);
      return reply.status === "created"
        ? c.json({ task: reply.task }, 201)
        : c.json({ task: reply.task }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/{id}",
      tags: taskTags,
      summary: "One task",
      security: bearerOrApiKey,
      request: { params: TaskIdParam },
      responses: {
        200: { description: "The task", content: json(taskReply) },
        ...authErrors,
        ...notFound,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const task = await taskRef(deps.system, c.var.auth.tenant, id).query("view");
      if (!task) throw new TaskNotFound(id);
      return c.json({ task }, 200);
    },
  );

  /** One task command as a route; the body is validated by the command's own input schema. */
  function transition(
    command: "assign" | "complete" | "cancel" | "reopen",
    body: z.ZodType,
    summary: string,
    run: (ref: ActorRef<TaskActor>, input: unknown) => Promise<TaskReply>,
  ): void {
    app.openapi(
      createRoute({
        method: "post",
        path: `/{id}/${command}`,
        tags: taskTags,
        summary,
        description: "Asking for the state the task is already in answers 200; a move the " +
          "task cannot make answers 409 `invalid_transition`.",
        security: bearerOrApiKey,
        request: { params: TaskIdParam, body: jsonBody(body) },
        responses: {
          200: { description: "The task as it now is", content: json(taskReply) },
          ...authErrors,
          ...notFound,
          ...conflict,
        },
      }),
      async (c) => {
        const { id } = c.req.valid("param");
        const reply = await run(
          taskRef(deps.system, c.var.auth.tenant, id),
          c.req.valid("json"),
        );
        return c.json({ task: taskOf(id, reply) }, 200);
      },
    );
  }
  transition(
    "assign",
    AssignTask,
    "Hand the task to a member by hand (reassign); 409 `unknown_member` if not on the team",
    (ref, input) => ref.ask("assign", input as AssignTask),
  );
  transition(
    "complete",
    CompleteTask,
    "Mark an assigned task done",
    (ref, input) => ref.ask("complete", input as CompleteTask),
  );
  transition(
    "cancel",
    CancelTask,
    "Cancel an open or assigned task",
    (ref, input) => ref.ask("cancel", input as CancelTask),
  );
  transition(
    "reopen",
    ReopenTask,
    "Reopen a done or cancelled task, optionally with a new due date",
    (ref, input) => ref.ask("reopen", input as ReopenTask),
  );

  return app;
}
