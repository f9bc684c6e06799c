/**
 * The team and its tasks: who handles which kind of work (sales, support,
 * technical), how inbound messages are classified, and the commands, events,
 * replies and notices of the `team` and `task` actors. Times inside the
 * actors are epoch milliseconds; callers may give due dates as ISO instants.
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
import { INSTANT_RANGE_MS, IsoInstant, TimeZone } from "./booking.ts";
import { isKeyPart } from "./ids.ts";
import { AiFailureReason, Priority } from "./scoring.ts";

const KEY_PART_MESSAGE = "1-128 of letters, digits, _ . : @ + -";
const KeyPart = z.string().refine(isKeyPart, KEY_PART_MESSAGE);
const IdempotencyKey = z.string().trim().min(1).max(128);

/** The kinds of work a task can be; each member handles one or more. */
export const TaskType = z.enum(["sales", "support", "technical"]);
/** A kind of work. */
export type TaskType = z.infer<typeof TaskType>;

/**
 * Where a task stands: `open` (nobody has it), `assigned`, `done`, `cancelled`.
 * Being overdue is a flag beside the status, not a status: an overdue task is
 * still someone's to finish.
 */
export const TaskStatus = z.enum(["open", "assigned", "done", "cancelled"]);
/** Where a task stands. */
export type TaskStatus = z.infer<typeof TaskStatus>;

/** A team member as the team actor holds them. */
export const TeamMember = z.object({
  /** Becomes part of outbox keys and the `tasks.assignee` column, hence key-safe. */
  id: KeyPart,
  name: z.string().trim().min(1).max(200),
  email: z.email().max(254).optional(),
  phone: z.string().regex(/^\+[1-9]\d{6,14}$/, "expected an E.164 number such as +14155550100")
    .optional(),
  /** The kinds of task this member takes; repeats are dropped. */
  types: z.array(TaskType).min(1, "give at least one of sales, support, technical")
    .transform((types) => [...new Set(types)]),
  /** Share of the round-robin: a member of weight 3 gets three tasks for every one of weight 1. */
  weight: z.number().int().min(1).max(10).default(1),
  /** Unavailable members (away, off sick) are skipped by the round-robin. */
  available: z.boolean().default(true),
  timeZone: TimeZone.optional(),
});
/** A team member, defaults applied. */
export type TeamMember = z.infer<typeof TeamMember>;
/** A team member as a caller writes them: weight and availability may be left out. */
export type TeamMemberInput = z.input<typeof TeamMember>;

/** Input of the team's `removeMember` command. */
export const RemoveMember = z.object({ memberId: KeyPart });
/** Input of the team's `removeMember` command. */
export type RemoveMember = z.input<typeof RemoveMember>;

/** Input of the team's `setAvailability` command. */
export const SetAvailability = z.object({ memberId: KeyPart, available: z.boolean() });
/** Input of the team's `setAvailability` command. */
export type SetAvailability = z.input<typeof SetAvailability>;

/** Input of the team's `findMember` command. */
export const FindMember = z.object({ memberId: KeyPart });
/** Input of the team's `findMember` command. */
export type FindMember = z.input<typeof FindMember>;

/** Input of the team's `pick` command: choose the member who gets the next task of `type`. */
export const PickMember = z.object({
  type: TaskType,
  /** Usually the task id: asking again with the same key answers the same member. */
  key: IdempotencyKey,
});
/** Input of the team's `pick` command. */
export type PickMember = z.input<typeof PickMember>;

/** Why nobody could be picked: nobody handles the type, or everybody who does is unavailable. */
export const UnassignedReason = z.enum(["no_member_for_type", "no_member_available"]);
/** Why nobody could be picked. */
export type UnassignedReason = z.infer<typeof UnassignedReason>;

/** Reply of `pick`; no member is an expected outcome, not an error. */
export const PickReply = z.discriminatedUnion("status", [
  z.object({ status: z.literal("picked"), member: TeamMember }),
  z.object({
    status: z.literal("unassigned"),
    reason: UnassignedReason,
    /** Says it in words, naming the type. */
    message: z.string(),
  }),
]);
/** Reply of `pick`. */
export type PickReply = z.infer<typeof PickReply>;

/** Reply of the team commands that name a member (`upsertMember`, `removeMember`, ...). */
export const MemberReply = z.discriminatedUnion("status", [
  z.object({ status: z.literal("ok"), member: TeamMember }),
  z.object({ status: z.literal("unknown_member"), memberId: z.string() }),
]);
/** Reply of the team commands that name a member. */
export type MemberReply = z.infer<typeof MemberReply>;

/** Event `team.member_upserted` (v1): the member as they now are. */
export const TeamMemberUpserted = z.object({ member: TeamMember });
/** The data of event `team.member_upserted`. */
export type TeamMemberUpserted = z.infer<typeof TeamMemberUpserted>;
/** Event `team.member_removed` (v1). */
export const TeamMemberRemoved = z.object({ memberId: z.string() });
/** The data of event `team.member_removed`. */
export type TeamMemberRemoved = z.infer<typeof TeamMemberRemoved>;
/** Event `team.availability_set` (v1). */
export const TeamAvailabilitySet = z.object({ memberId: z.string(), available: z.boolean() });
/** The data of event `team.availability_set`. */
export type TeamAvailabilitySet = z.infer<typeof TeamAvailabilitySet>;
/**
 * Event `team.member_picked` (v1). It carries the round-robin's weights after
 * the pick, so replay restores the rotation exactly even if the algorithm
 * that chose it changes later.
 */
export const TeamMemberPicked = z.object({
  type: TaskType,
  key: z.string(),
  memberId: z.string(),
  currentWeights: z.record(z.string(), z.number().int()),
});
/** The data of event `team.member_picked`. */
export type TeamMemberPicked = z.infer<typeof TeamMemberPicked>;

/**
 * An epoch-ms time or an ISO instant (`Z` or an offset), parsed to epoch ms.
 * Both are accepted because REST callers write ISO and code passes clock values.
 */
export const EpochOrIso = z.union([
  // Past the end of year 9999, writing the read model threw (and stopped the node) or failed.
  z.number().int().min(0).max(INSTANT_RANGE_MS.max),
  IsoInstant.transform((iso) => Temporal.Instant.from(iso).epochMilliseconds),
], { error: "expected epoch milliseconds or an ISO instant with Z or an offset" });

/** How an inbound message's type was decided. */
export const Classification = z.object({
  type: TaskType,
  confidence: z.number().min(0).max(1),
  /** `ai` when the model answered, `rules` when the keyword rules decided. */
  source: z.enum(["ai", "rules"]),
  /** Why this type, in words: the model's reason or the keywords matched. */
  reason: z.string().max(1000),
  /** With `rules`: why the AI gave no answer. */
  fallbackReason: AiFailureReason.optional(),
});
/** How an inbound message's type was decided. */
export type Classification = z.infer<typeof Classification>;

/** The AI's classification of a message, as the model must answer it (strict JSON). */
export const AiClassification = z.object({
  type: TaskType,
  confidence: z.number().min(0).max(1),
  reason: z.string().max(300),
});
/** The AI's classification of a message. */
export type AiClassification = z.infer<typeof AiClassification>;

/** Input of the task's `create` command. */
export const CreateTask = z.object({
  /** The task actor's id; `createTask` derives one from the idempotency key when absent. */
  taskId: KeyPart.optional(),
  leadId: KeyPart,
  type: TaskType,
  title: z.string().trim().min(1).max(200),
  detail: z.string().max(5000).optional(),
  dueAt: EpochOrIso,
  /** The lead's priority: a high one notifies the assignee at once. */
  priority: Priority,
  /** The same create again (a retry, a redelivered webhook) is one task. */
  idempotencyKey: IdempotencyKey,
  /** How the type was decided, when a classifier decided it. */
  classification: Classification.optional(),
});
/** Input of the task's `create` command. */
export type CreateTask = z.input<typeof CreateTask>;

/** An inbound message to route to the team, as `routeInboundMessage` takes it. */
export const RouteMessage = z.object({
  leadId: KeyPart,
  /** What the lead wrote; it becomes the task's detail. */
  text: z.string().trim().min(1).max(20_000),
  /** The lead's priority: high gets a short due date and notifies the assignee. */
  priority: Priority,
  /** The same message again (a redelivered webhook) is the same task. */
  idempotencyKey: IdempotencyKey,
  /** When the message arrived, epoch ms, from the caller's clock: due dates count from it. */
  now: z.number().int().min(0),
});
/** An inbound message to route to the team. */
export type RouteMessage = z.input<typeof RouteMessage>;

/** A task as the task actor holds it and replies with. */
export const Task = z.object({
  taskId: z.string(),
  leadId: z.string(),
  type: TaskType,
  title: z.string(),
  detail: z.string().optional(),
  priority: Priority,
  status: TaskStatus,
  /** The member it is assigned to; kept when done or cancelled, for the record. */
  assignee: z.string().nullable(),
  /** Why it is open without an assignee, when routing found nobody. */
  unassignedReason: UnassignedReason.nullable(),
  dueAt: z.number(),
  overdue: z.boolean(),
  createdAt: z.number(),
  doneAt: z.number().nullable(),
  classification: Classification.optional(),
});
/** A task. */
export type Task = z.infer<typeof Task>;

/** Input of the task's `assign` command: hand it to a member by hand. */
export const AssignTask = z.object({ memberId: KeyPart });
/** Input of the task's `assign` command. */
export type AssignTask = z.input<typeof AssignTask>;

/** Input of the task's `complete` command. */
export const CompleteTask = z.object({ note: z.string().trim().max(1000).optional() });
/** Input of the task's `complete` command. */
export type CompleteTask = z.input<typeof CompleteTask>;

/** Input of the task's `cancel` command. */
export const CancelTask = z.object({ reason: z.string().trim().max(500).optional() });
/** Input of the task's `cancel` command. */
export type CancelTask = z.input<typeof CancelTask>;

/** Input of the task's `reopen` command; a new due date clears the overdue flag. */
export const ReopenTask = z.object({ dueAt: EpochOrIso.optional() });
/** Input of the task's `reopen` command. */
export type ReopenTask = z.input<typeof ReopenTask>;

/** Why a task command was refused. */
export const TaskRefusalReason = z.enum([
  "no_such_task",
  "invalid_transition",
  "unknown_member",
  "id_taken",
]);
/** Why a task command was refused. */
export type TaskRefusalReason = z.infer<typeof TaskRefusalReason>;

/** A refusal that is an expected outcome (a task already done cannot be cancelled), not an error. */
export const TaskRefusal = z.object({
  status: z.literal("refused"),
  reason: TaskRefusalReason,
  /** Says it in words, naming the statuses involved. */
  message: z.string(),
});
/** A refused task command. */
export type TaskRefusal = z.infer<typeof TaskRefusal>;

/** Reply of `create`: `exists` when the same idempotency key created it before. */
export const CreateTaskReply = z.discriminatedUnion("status", [
  z.object({ status: z.literal("created"), task: Task }),
  z.object({ status: z.literal("exists"), task: Task }),
  TaskRefusal,
]);
/** Reply of `create`. */
export type CreateTaskReply = z.infer<typeof CreateTaskReply>;

/** Reply of `assign`, `complete`, `cancel` and `reopen`; asking for the current state again is `ok`. */
export const TaskReply = z.discriminatedUnion("status", [
  z.object({ status: z.literal("ok"), task: Task }),
  TaskRefusal,
]);
/** Reply of `assign`, `complete`, `cancel` and `reopen`. */
export type TaskReply = z.infer<typeof TaskReply>;

/** Event `task.created` (v1). */
export const TaskCreated = z.object({
  taskId: z.string(),
  leadId: z.string(),
  type: TaskType,
  title: z.string(),
  detail: z.string().optional(),
  priority: Priority,
  dueAt: z.number(),
  idempotencyKey: z.string(),
  unassignedReason: UnassignedReason.nullable(),
  classification: Classification.optional(),
});
/** The data of event `task.created`. */
export type TaskCreated = z.infer<typeof TaskCreated>;
/** Event `task.assigned` (v1): by the round-robin at creation or by hand later. */
export const TaskAssigned = z.object({
  memberId: z.string(),
  previous: z.string().nullable(),
  by: z.enum(["round_robin", "manual"]),
});
/** The data of event `task.assigned`. */
export type TaskAssigned = z.infer<typeof TaskAssigned>;
/** Event `task.completed` (v1). */
export const TaskCompleted = z.object({ note: z.string().optional() });
/** The data of event `task.completed`. */
export type TaskCompleted = z.infer<typeof TaskCompleted>;
/** Event `task.cancelled` (v1). */
export const TaskCancelled = z.object({ from: TaskStatus, reason: z.string().optional() });
/** The data of event `task.cancelled`. */
export type TaskCancelled = z.infer<typeof TaskCancelled>;
/** Event `task.reopened` (v1); `dueAt` when a new due date was set. */
export const TaskReopened = z.object({
  from: TaskStatus,
  to: TaskStatus,
  dueAt: z.number().optional(),
});
/** The data of event `task.reopened`. */
export type TaskReopened = z.infer<typeof TaskReopened>;
/** Event `task.overdue` (v1): the due date passed before the task was done. */
export const TaskOverdue = z.object({ dueAt: z.number() });
/** The data of event `task.overdue`. */
export type TaskOverdue = z.infer<typeof TaskOverdue>;

/**
 * The payload of a task message in the outbox (`email` or `sms`): a task for
 * a high-priority lead was assigned to `memberId`.
 */
export const TaskNotice = z.object({
  kind: z.literal("task.assigned"),
  /** Email address or E.164 phone number, matching the channel. */
  to: z.string(),
  memberId: z.string(),
  memberName: z.string(),
  task: Task,
  /** The due date in the member's zone (UTC when unknown), with offset and zone. */
  localDue: z.string(),
  /** The message as the SMS and email dispatchers send it (they read `subject` and `body`). */
  subject: z.string(),
  body: z.string(),
});
/** The payload of a task message in the outbox. */
export type TaskNotice = z.infer<typeof TaskNotice>;
