/**
 * Actor definitions. A definition names the actor type, its state, the events
 * that fold into that state, the commands that decide which events to emit,
 * and the queries that read it. Handlers are pure deciders: the runtime does
 * the I/O (journal, outbox, reminders, publishing) after the turn, in one
 * commit.
 *
 * ```ts
 * const counter = defineActor("counter", { state: CounterState, initial: () => ({ count: 0 }) })
 *   .event("counter.added", { schema: Added, apply: (s, e) => ({ count: s.count + e.by }) })
 *   .command("add", {
 *     input: z.object({ by: z.number().int() }),
 *     handle: (s, cmd) => ({ events: [{ type: "counter.added", data: cmd }], reply: s.count + cmd.by }),
 *   })
 *   .query("value", (s) => s.count);
 * ```
 *
 * @module
 */
/**
 * zod's types are documented by zod. Without this tag deno doc flags each one
 * in a public signature here as a private type (denoland/deno#27364), and an
 * exported alias does not help for generic ones like `z.ZodType<S>`.
 *
 * @internal
 */
import type { z } from "zod";
import type { ActorAddress } from "../../shared/ids.ts";
import type { Effect, TurnContext } from "./effects.ts";

/** An event as a handler emits it. */
export interface EmittedEvent<K extends string = string, D = unknown> {
  /** One of the event types the actor declared with `event()`. */
  type: K;
  /** Checked against the event's schema before it is applied or journaled. */
  data: D;
}

/** The union of a definition's events, keyed by type. */
export type EventUnion<Ev> = {
  [K in keyof Ev & string]: EmittedEvent<K, Ev[K]>;
}[keyof Ev & string];

/** What a handler decides: events to journal, effects to run after commit, a reply. */
export interface Decision<E, R> {
  /** Applied in order and journaled in one commit; omitted means none. */
  events?: E[];
  /** Written in the same commit as the events, run after it; omitted means none. */
  effects?: Effect[];
  /** What the caller's `ask` resolves with, once the commit is done. */
  reply?: R;
}

/** Facts about an event beside its data, given to appliers. */
export interface EventMeta {
  /** Per-actor sequence of the event, 1-based, gap-free. */
  seq: number;
  /** Clock time of the turn that emitted the event, epoch ms; replay sees the same value. */
  at: number;
}

/** Runtime form of an event definition. */
export interface EventSpec {
  /** Checks emitted data before it is applied and journaled; replayed events are not re-checked. */
  schema: z.ZodType;
  /** Version written with new events; stored events of older versions are upcast on read. */
  version: number;
  /** `upcast[v]` turns data of version v into version v + 1; one entry per older version. */
  upcast: Record<number, (data: unknown) => unknown>;
  /** Folds the event into state; pure, since replay runs it again. */
  apply: (state: unknown, data: unknown, meta: EventMeta) => unknown;
}

/** Runtime form of a command definition. */
export interface CommandSpec {
  /** Checked before the handler runs; a failure rejects the call with a `ValidationError`. */
  input: z.ZodType;
  /** Decides from state and the parsed input; see {@link Decision}. */
  handle: (
    state: unknown,
    input: unknown,
    ctx: TurnContext,
  ) => Decision<EmittedEvent, unknown> | Promise<Decision<EmittedEvent, unknown>>;
}

/** A reminder as delivered to `onReminder`. */
export interface FiredReminder {
  /** The name it was set under; an actor has at most one reminder per name. */
  name: string;
  /** When it was due, epoch ms; it fires later than this after downtime or a lapsed claim. */
  dueAt: number;
  /** The payload given when it was set; `null` when none was. */
  payload: unknown;
}

/** The outcome of an outbox message, as delivered to `onOutboxResult`. */
export interface OutboxResult {
  /** Outbox row id. */
  id: number;
  /** The channel the message was sent on. */
  channel: string;
  /** The idempotency key the handler gave to `send`; use it to tell messages apart. */
  key: string;
  /** Whether the dispatcher delivered it. */
  ok: boolean;
  /** The provider's answer when ok. */
  response?: unknown;
  /** Why it failed, when not ok. */
  error?: string;
  /** True when it failed for the last time and was dead-lettered. */
  dead: boolean;
  /** Delivery attempts made, the last one included. */
  attempts: number;
}

/**
 * Handles a message from the runtime (a fired reminder, an outbox result)
 * rather than from a caller: it decides like a command handler, and its reply,
 * if any, is ignored.
 */
export type SystemHandler<S, Ev, In> = (
  state: S,
  input: In,
  ctx: TurnContext,
) => Decision<EventUnion<Ev>, unknown> | Promise<Decision<EventUnion<Ev>, unknown>>;

/** The reply type of a handler's decision: the union of every `reply` it can return. */
export type ReplyOf<D> = Awaited<D> extends infer X ? X extends { reply: infer R } ? R : undefined
  : never;

/** Type-level record of one command: its input and reply. */
export interface CommandTypes<I = unknown, R = unknown> {
  /** What callers pass: the schema's input type, before defaults and transforms. */
  input: I;
  /** What `ask` resolves with. */
  reply: R;
}

/** Options of {@link defineActor}. */
export interface ActorOptions<S> {
  /** zod schema of the in-memory state; snapshots that fail it are rebuilt from events. */
  state: z.ZodType<S>;
  /** The state of an actor that has no events yet. */
  initial: () => S;
  /** Bump when the state's shape changes: older snapshots are ignored and rebuilt from events. */
  stateVersion?: number;
}

/** A read model row kept in step with the actor's state, in the same commit as its events. */
export interface ProjectionSpec {
  /** Table name; its primary key is `actor` (the actor key), the runtime fills it in. */
  table: string;
  /** The row's other columns, from the state after a turn's events. */
  row: (state: unknown, address: ActorAddress) => Record<string, unknown>;
}

/** Everything an actor type declares, as the runtime reads it. */
export interface ActorParts {
  /** Event specs by event type. */
  events: ReadonlyMap<string, EventSpec>;
  /** Command specs by command name. */
  commands: ReadonlyMap<string, CommandSpec>;
  /** Query functions by name. */
  queries: ReadonlyMap<string, (state: unknown) => unknown>;
  /** Handler of fired reminders, if any. */
  reminderHandler?: SystemHandler<unknown, unknown, FiredReminder>;
  /** Handler of outbox results, if any. */
  outboxHandler?: SystemHandler<unknown, unknown, OutboxResult>;
  /** Read model kept with each commit, if any. */
  projection?: ProjectionSpec;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * An actor type: its name and handlers. Built step by step so that each
 * handler is typed from what was declared before it.
 */
export class ActorType<
  S,
  // deno-lint-ignore ban-types
  Ev = {},
  // deno-lint-ignore ban-types
  Cmd extends Record<string, CommandTypes> = {},
  // deno-lint-ignore ban-types
  Q extends Record<string, unknown> = {},
> {
  /** Carries the type parameters; never read at run time. */
  declare readonly _types: { state: S; events: Ev; commands: Cmd; queries: Q };

  /** Use {@link defineActor}; each builder method returns a new `ActorType`, this one unchanged. */
  constructor(
    readonly type: string,
    readonly options: Required<ActorOptions<S>>,
    readonly parts: ActorParts = { events: new Map(), commands: new Map(), queries: new Map() },
  ) {}

  /** Event specs by event type. */
  get events(): ReadonlyMap<string, EventSpec> {
    return this.parts.events;
  }
  /** Command specs by command name. */
  get commands(): ReadonlyMap<string, CommandSpec> {
    return this.parts.commands;
  }
  /** Query functions by name. */
  get queries(): ReadonlyMap<string, (state: unknown) => unknown> {
    return this.parts.queries;
  }
  /** Handler of fired reminders, if any. */
  get reminderHandler(): SystemHandler<S, Ev, FiredReminder> | undefined {
    return this.parts.reminderHandler as SystemHandler<S, Ev, FiredReminder> | undefined;
  }
  /** Handler of outbox results, if any. */
  get outboxHandler(): SystemHandler<S, Ev, OutboxResult> | undefined {
    return this.parts.outboxHandler as SystemHandler<S, Ev, OutboxResult> | undefined;
  }
  #with<T>(parts: Partial<ActorParts>): T {
    return new ActorType(this.type, this.options, { ...this.parts, ...parts }) as T;
  }

  /** Declares an event type: its data schema, version, upcasters and how it folds into state. */
  event<K extends string, Z extends z.ZodType>(
    type: K,
    def: {
      /** zod schema of the data; what a handler emits is parsed with it before commit. */
      schema: Z;
      /** Schema version written with new events (default 1). */
      version?: number;
      /** `upcast[v]` turns data of version v into version v + 1. */
      upcast?: Record<number, (data: never) => unknown>;
      /** Folds the event into state; must not mutate `state`. */
      apply: (state: S, data: z.output<Z>, meta: EventMeta) => S;
    },
  ): ActorType<S, Ev & { [P in K]: z.output<Z> }, Cmd, Q> {
    if (this.events.has(type)) throw new Error(`event ${type} declared twice on ${this.type}`);
    const version = def.version ?? 1;
    const upcast = (def.upcast ?? {}) as Record<number, (data: unknown) => unknown>;
    for (let v = 1; v < version; v++) {
      if (!upcast[v]) throw new Error(`event ${type} v${version} has no upcaster from v${v}`);
    }
    const spec: EventSpec = {
      schema: def.schema,
      version,
      upcast,
      apply: def.apply as EventSpec["apply"],
    };
    return this.#with({ events: new Map([...this.events, [type, spec]]) });
  }

  /** Declares a command: its validated input and the handler that decides. */
  command<
    K extends string,
    Z extends z.ZodType,
    D extends Decision<EventUnion<Ev>, unknown> | Promise<Decision<EventUnion<Ev>, unknown>>,
  >(
    name: K,
    def: {
      /** zod schema of the input; a failing input is refused before the turn starts. */
      input: Z;
      /** Decides: returns events, effects and the reply; may await (e.g. `ctx.ask`). */
      handle: (state: S, input: z.output<Z>, ctx: TurnContext) => D;
    },
  ): ActorType<S, Ev, Cmd & { [P in K]: CommandTypes<z.input<Z>, ReplyOf<D>> }, Q> {
    if (this.commands.has(name)) throw new Error(`command ${name} declared twice on ${this.type}`);
    return this.#with({
      commands: new Map([...this.commands, [name, def as unknown as CommandSpec]]),
    });
  }

  /** Declares a read-only query; it may run beside a turn and sees committed state. */
  query<K extends string, R>(
    name: K,
    read: (state: S) => R,
  ): ActorType<S, Ev, Cmd, Q & { [P in K]: R }> {
    return this.#with({
      queries: new Map([...this.queries, [name, read as (state: unknown) => unknown]]),
    });
  }

  /** Handles this actor's durable reminders when they fall due. */
  onReminder(handle: SystemHandler<S, Ev, FiredReminder>): ActorType<S, Ev, Cmd, Q> {
    return this.#with({ reminderHandler: handle as ActorParts["reminderHandler"] });
  }

  /** Handles the outcome of this actor's outbox messages. */
  onOutboxResult(handle: SystemHandler<S, Ev, OutboxResult>): ActorType<S, Ev, Cmd, Q> {
    return this.#with({ outboxHandler: handle as ActorParts["outboxHandler"] });
  }

  /**
   * Keeps a read model row per actor in `table` (primary key `actor`), written
   * in the same commit as the events that changed it, so lists and filters
   * over many actors are plain SQL and never disagree with the journal.
   */
  projectTo(
    table: string,
    row: (state: S, address: ActorAddress) => Record<string, unknown>,
  ): ActorType<S, Ev, Cmd, Q> {
    if (!IDENTIFIER.test(table)) throw new Error(`projection table ${table} is not a plain name`);
    return this.#with({ projection: { table, row: row as ProjectionSpec["row"] } });
  }
}

/** Starts the definition of an actor type. */
export function defineActor<S>(type: string, options: ActorOptions<S>): ActorType<S> {
  if (!/^[a-z][a-z0-9_-]*$/.test(type)) {
    throw new Error(`actor type ${JSON.stringify(type)} must be a lowercase word`);
  }
  return new ActorType(type, { stateVersion: 1, ...options });
}

/** Any actor type, for runtime code that does not care about its types. */
// deno-lint-ignore no-explicit-any
export type AnyActorType = ActorType<any, any, any, any>;

/** Command names of an actor type. */
export type CommandName<T extends AnyActorType> = keyof T["_types"]["commands"] & string;
/** Input of a command. */
export type CommandInput<T extends AnyActorType, K extends CommandName<T>> =
  T["_types"]["commands"][K]["input"];
/** Reply of a command. */
export type CommandReply<T extends AnyActorType, K extends CommandName<T>> =
  T["_types"]["commands"][K]["reply"];
/** Query names of an actor type. */
export type QueryName<T extends AnyActorType> = keyof T["_types"]["queries"] & string;
/** Result of a query. */
export type QueryResult<T extends AnyActorType, K extends QueryName<T>> = T["_types"]["queries"][K];
