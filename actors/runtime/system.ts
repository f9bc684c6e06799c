/**
 * The actor system: routes messages to activations (activating on first
 * message), runs turns through the group committer, publishes committed
 * events, passivates idle actors and shuts down gracefully.
 *
 * @module
 */
import { type Clock, systemClock } from "../../shared/clock.ts";
import {
  CoveError,
  fieldIssues,
  NotFoundError,
  TimeoutError,
  UnavailableError,
  ValidationError,
} from "../../shared/errors.ts";
import { type ActorAddress, actorKey, isKeyPart, newId } from "../../shared/ids.ts";
import { Activation, applyStored, type Envelope, type Reply, upcast } from "./_activation.ts";
import type { Runtime } from "./_runtime.ts";
import { Deadlines, type Expirable } from "./_deadlines.ts";
import { ACTOR_CHANNEL } from "./actor_dispatcher.ts";
import type { Bus, BusMessage } from "./bus.ts";
import { tenantTopic } from "./bus.ts";
import type { Database } from "./database.ts";
import type {
  AnyActorType,
  CommandInput,
  CommandName,
  CommandReply,
  FiredReminder,
  OutboxResult,
  QueryName,
  QueryResult,
} from "./define.ts";
import {
  type CancelReminderEffect,
  effectBuilders,
  type RemindEffect,
  type SendEffect,
  type TurnContext,
} from "./effects.ts";
import { type GroupCommitOptions, GroupCommitter } from "./group_commit.ts";
import {
  type ClaimedMessage,
  type ClaimedReminder,
  type CommitOutcome,
  type CommitRequest,
  Journal,
  type StoredEvent,
} from "./journal.ts";
import { ActorRef, type AskOptions } from "./ref.ts";

/** What a turn context reaches in its system; shared by every turn. */
interface TurnPorts {
  ask(
    ref: ActorRef<AnyActorType>,
    command: string,
    input: unknown,
    opts: AskOptions | undefined,
    chain: string,
  ): Promise<unknown>;
  ref(type: AnyActorType, tenant: string, id: string): ActorRef<AnyActorType>;
  query(ref: ActorRef<AnyActorType>, name: string): Promise<unknown>;
  newChain(): string;
  readonly clock: Clock;
}

/** The context of one turn: a few fields, no closures, since one is made per message. */
class Turn implements TurnContext {
  constructor(
    readonly ports: TurnPorts,
    readonly activation: Activation,
    public chain: string | undefined,
  ) {}

  #now: number | undefined;

  /** Read once per turn, on first use: most turns never look. */
  get now(): number {
    return this.#now ??= this.ports.clock.now();
  }

  get self(): ActorAddress {
    return this.activation.address;
  }

  ask<T extends AnyActorType, K extends CommandName<T>>(
    ref: ActorRef<T>,
    command: K,
    input: CommandInput<T, K>,
    opts?: AskOptions,
  ): Promise<CommandReply<T, K>> {
    // The chain id is made on first use, so turns that call nobody never pay for one.
    if (this.chain === undefined) this.chain = this.activation.chain = this.ports.newChain();
    return this.ports.ask(ref, command, input, opts, this.chain) as Promise<CommandReply<T, K>>;
  }

  ref<T extends AnyActorType>(type: T, id: string, tenant?: string): ActorRef<T> {
    return this.ports.ref(type, tenant ?? this.activation.address.tenant, id) as ActorRef<T>;
  }

  query<T extends AnyActorType, K extends QueryName<T>>(
    ref: ActorRef<T>,
    name: K,
  ): Promise<QueryResult<T, K>> {
    return this.ports.query(ref, name) as Promise<QueryResult<T, K>>;
  }

  tellDurably<T extends AnyActorType, K extends CommandName<T>>(
    ref: ActorRef<T>,
    command: K,
    input: CommandInput<T, K>,
    opts: { key: string },
  ): SendEffect {
    const { type, tenant, id } = ref.address;
    return effectBuilders.send(ACTOR_CHANNEL, { type, tenant, id, command, input }, opts);
  }

  remind(name: string, at: number, opts?: { every?: number; payload?: unknown }): RemindEffect {
    return effectBuilders.remind(name, at, opts);
  }

  cancelReminder(name: string): CancelReminderEffect {
    return effectBuilders.cancelReminder(name);
  }

  send(
    channel: string,
    payload: unknown,
    opts: { key: string; at?: number; maxAttempts?: number },
  ): SendEffect {
    return effectBuilders.send(channel, payload, opts);
  }
}

/** The reply channel of one ask, with its timeout. */
class PendingAsk implements Reply, Expirable {
  settled = false;
  #bucket: number | undefined;

  constructor(
    readonly onResolve: (v: unknown) => void,
    readonly onReject: (e: unknown) => void,
    readonly deadlines: Deadlines,
    readonly actor: string,
    readonly command: string,
    readonly ms: number,
  ) {}

  arm(at: number): void {
    this.#bucket = this.deadlines.add(at, this);
  }

  resolve(value: unknown): void {
    if (this.#settle()) this.onResolve(value);
  }

  reject(error: unknown): void {
    if (this.#settle()) this.onReject(error);
  }

  expire(): void {
    this.#bucket = undefined; // its bucket is being swept
    this.reject(new TimeoutError(`${this.actor} ${this.command}`, this.ms));
  }

  #settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    if (this.#bucket !== undefined) this.deadlines.remove(this.#bucket, this);
    return true;
  }
}

/** Options of {@link ActorSystem}. */
export interface SystemOptions {
  /** Where the journal lives; the system never closes it. */
  database: Database;
  /** Every actor type this node hosts. */
  types: AnyActorType[];
  /** Where committed events are published. */
  bus?: Bus;
  /** Time for turns, reminders and idle checks (default the wall clock); tests pass a fake. */
  clock?: Clock;
  /** Names this node in reminder claims and call-chain ids (default `node-` + 6 random chars). */
  nodeId?: string;
  /** Default ask timeout, ms (default 5,000). */
  askTimeout?: number;
  /** Most messages waiting per actor (default 1,000). */
  mailboxLimit?: number;
  /** Snapshot after this many events since the last one (default 100). */
  snapshotEvery?: number;
  /** Passivate actors idle this long, ms (default 300,000). */
  idleTimeout?: number;
  /** How commits are batched; an `onCommitted` given here runs after the bus publish is started. */
  groupCommit?: GroupCommitOptions;
}

/** Hosts actors on one node. */
export class ActorSystem implements Runtime {
  /** The clock turns, pollers and passivation read. */
  readonly clock: Clock;
  /** Every activation's reads and writes; the reminder poller and outbox worker claim from it. */
  readonly journal: Journal;
  /** Batches the commits of every activation on this node. */
  readonly committer: GroupCommitter;
  /** Messages an actor may have waiting before further ones fail with `OverloadedError`. */
  readonly mailboxLimit: number;
  /** Events after which an actor's state is snapshotted again. */
  readonly snapshotEvery: number;
  /** This node's name in reminder claims and call-chain ids. */
  readonly nodeId: string;
  /** Where committed events are published; undefined means they are not. */
  readonly bus: Bus | undefined;
  readonly #types = new Map<string, AnyActorType>();
  readonly #activations = new Map<string, Activation>();
  readonly #askTimeout: number;
  readonly #idleTimeout: number;
  readonly #turnPorts: TurnPorts;
  readonly #deadlines = new Deadlines();
  #accepting = true;
  #chains = 0;
  readonly #gateway = {
    ask: (ref: ActorRef<AnyActorType>, c: string, i: unknown, o?: AskOptions) =>
      this.#ask(ref, c, i, o, undefined),
    tell: (ref: ActorRef<AnyActorType>, c: string, i: unknown) => this.tell(ref, c as never, i),
    query: (ref: ActorRef<AnyActorType>, q: string) => this.query(ref, q as never),
  };

  /** Reads nothing yet: each actor is loaded from the journal on its first message. */
  constructor(readonly options: SystemOptions) {
    for (const t of options.types) this.#types.set(t.type, t);
    this.clock = options.clock ?? systemClock;
    this.nodeId = options.nodeId ?? `node-${newId().slice(0, 6)}`;
    this.bus = options.bus;
    this.journal = new Journal(options.database.sql);
    this.mailboxLimit = options.mailboxLimit ?? 1_000;
    this.snapshotEvery = options.snapshotEvery ?? 100;
    this.#askTimeout = options.askTimeout ?? 5_000;
    this.#idleTimeout = options.idleTimeout ?? 300_000;
    this.#turnPorts = {
      ask: (ref, command, input, opts, chain) => this.#ask(ref, command, input, opts, chain),
      ref: (type, tenant, id) => this.ref(type, tenant, id),
      query: (ref, name) => this.query(ref, name as never),
      newChain: () => this.newChain(),
      clock: this.clock,
    };
    this.committer = new GroupCommitter(this.journal, {
      ...options.groupCommit,
      onCommitted: (batch, outcomes) => {
        this.#publish(batch, outcomes);
        options.groupCommit?.onCommitted?.(batch, outcomes);
      },
    });
  }

  /** A typed reference to one actor; validates the tenant and id. */
  ref<T extends AnyActorType>(type: T, tenant: string, id: string): ActorRef<T> {
    const bad = [["tenant", tenant], ["id", id]].filter(([, v]) => !isKeyPart(v!));
    if (bad.length > 0) {
      throw new ValidationError(
        "actor address",
        bad.map(([path]) => ({ path: path!, message: "1-128 of letters, digits, _ . : @ + -" })),
      );
    }
    const address = { type: type.type, tenant, id };
    return new ActorRef(type, address, actorKey(address), this.#gateway as never);
  }

  /** Sends a command and resolves with its reply once the turn's events are committed. */
  ask<T extends AnyActorType, K extends CommandName<T>>(
    ref: ActorRef<T>,
    command: K,
    input: CommandInput<T, K>,
    opts?: AskOptions,
  ): Promise<CommandReply<T, K>> {
    return this.#ask(ref, command, input, opts, undefined) as Promise<CommandReply<T, K>>;
  }

  /** Sends a command without waiting for it; a failure is logged. */
  tell<T extends AnyActorType, K extends CommandName<T>>(
    ref: ActorRef<T>,
    command: K,
    input: CommandInput<T, K>,
  ): void {
    try {
      const decide = this.#decider(ref, command, input);
      this.#route(ref.actorType, ref.address, ref.key, {
        decide,
        chain: undefined,
        reply: undefined,
      });
    } catch (e) {
      this.logDropped(ref.key, e);
    }
  }

  /** Reads committed state; runs beside a turn without waiting for it. */
  query<T extends AnyActorType, K extends QueryName<T>>(
    ref: ActorRef<T>,
    name: K,
  ): Promise<QueryResult<T, K>> {
    const read = ref.actorType.queries.get(name);
    if (!read) return Promise.reject(new NotFoundError(`query ${ref.address.type}.${name}`));
    const a = this.#activations.get(ref.key);
    if (a?.status === "ready") return Promise.resolve(read(a.state) as QueryResult<T, K>);
    return new Promise((resolve, reject) => {
      this.#route(ref.actorType, ref.address, ref.key, {
        decide: (state) => ({ reply: read(state) }),
        chain: undefined,
        reply: { resolve: resolve as (v: unknown) => void, reject },
      });
    });
  }

  /** Delivers a claimed reminder; it takes effect at most once (its row is consumed with the turn). */
  fireReminder(r: ClaimedReminder): Promise<unknown> {
    const type = this.#types.get(r.type);
    if (!type) return Promise.reject(new NotFoundError(`actor type ${r.type}`));
    const address = {
      type: r.type,
      tenant: r.tenant,
      id: r.key.slice(r.type.length + r.tenant.length + 2),
    };
    const now = this.clock.now();
    const fired: FiredReminder = { name: r.name, dueAt: r.dueAt, payload: r.payload };
    const handler = type.reminderHandler;
    const nextDue = r.every
      ? r.dueAt + r.every * (Math.floor((now - r.dueAt) / r.every) + 1)
      : undefined;
    return new Promise((resolve, reject) => {
      this.#route(type, address, r.key, {
        decide: (state, ctx) => handler ? handler(state, fired, ctx) : {},
        consume: {
          kind: "reminder",
          name: r.name,
          generation: r.generation,
          ...(nextDue !== undefined ? { nextDue } : {}),
        },
        chain: undefined,
        reply: { resolve, reject },
      });
    });
  }

  /** Reports an outbox message's outcome to its actor; the row is completed with that turn. */
  deliverOutboxResult(
    m: ClaimedMessage,
    outcome: { ok: true; response?: unknown } | { ok: false; error: string },
  ): Promise<unknown> {
    const type = this.#types.get(m.type);
    if (!type) return Promise.reject(new NotFoundError(`actor type ${m.type}`));
    const address = {
      type: m.type,
      tenant: m.tenant,
      id: m.actor.slice(m.type.length + m.tenant.length + 2),
    };
    const dead = !outcome.ok;
    const result: OutboxResult = {
      id: m.id,
      channel: m.channel,
      key: m.key,
      ok: outcome.ok,
      dead,
      attempts: m.attempts,
      ...(outcome.ok ? { response: outcome.response } : { error: outcome.error }),
    };
    const handler = type.outboxHandler;
    return new Promise((resolve, reject) => {
      this.#route(type, address, m.actor, {
        decide: (state, ctx) => handler ? handler(state, result, ctx) : {},
        consume: {
          kind: "outbox",
          id: m.id,
          token: m.token,
          status: dead ? "dead" : "done",
          ...(outcome.ok ? { result: outcome.response ?? null } : { error: outcome.error }),
        },
        chain: undefined,
        reply: { resolve, reject },
      });
    });
  }

  /**
   * The actor's state as of `at` (epoch ms): the fold of its events committed
   * by then. Reads the journal only; the live activation is not touched.
   */
  async stateAt<T extends AnyActorType>(
    ref: ActorRef<T>,
    at: number,
  ): Promise<{ state: T["_types"]["state"]; seq: number }> {
    const events = await this.journal.readEventsUntil(ref.key, at);
    let state: unknown = ref.actorType.options.initial();
    for (const e of events) state = applyStored(ref.actorType, ref.key, state, e);
    return { state: state as T["_types"]["state"], seq: events.at(-1)?.seq ?? 0 };
  }

  /**
   * The actor's journaled events in order, their data upgraded to the current
   * versions: the raw material of timelines and audit trails.
   */
  async history(
    ref: ActorRef<AnyActorType>,
    opts: { after?: number; limit?: number } = {},
  ): Promise<StoredEvent[]> {
    const after = opts.after ?? 0;
    const events = await this.journal.readEvents(
      ref.key,
      after,
      opts.limit ? after + opts.limit : undefined,
    );
    return events.map((e) => {
      const spec = ref.actorType.events.get(e.type);
      if (!spec) throw new CoveError("event_unknown", `${ref.key} has unknown event ${e.type}`);
      return { ...e, data: upcast(e.type, spec, e.version, e.data), version: spec.version };
    });
  }

  /** The hosted actor type called `name`, if any. */
  typeNamed(name: string): AnyActorType | undefined {
    return this.#types.get(name);
  }

  /** Number of live activations. */
  get activeCount(): number {
    return this.#activations.size;
  }

  /** Whether the actor is active on this node (for tests and metrics). */
  isActive(ref: ActorRef<AnyActorType>): boolean {
    return this.#activations.has(ref.key);
  }

  /** Snapshots and releases actors idle for the idle timeout; returns how many. */
  async passivateIdle(now = this.clock.now()): Promise<number> {
    const victims = [...this.#activations.values()].filter((a) =>
      a.idle && now - a.lastActive >= this.#idleTimeout
    );
    await Promise.all(victims.map((a) => this.#passivate(a)));
    return victims.length;
  }

  /** Stops taking work, finishes running turns, snapshots every actor and waits for commits. */
  async shutdown(timeout = 10_000): Promise<void> {
    this.#accepting = false;
    const deadline = Date.now() + timeout;
    while ([...this.#activations.values()].some((a) => a.status !== "stopped" && !a.idle)) {
      if (Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    await Promise.all([...this.#activations.values()].map((a) => this.#passivate(a)));
    await this.committer.idle();
  }

  // --- Runtime (used by activations) ---

  newChain(): string {
    return `${this.nodeId}:${++this.#chains}`;
  }

  context(a: Activation, chain: string | undefined): TurnContext {
    return new Turn(this.#turnPorts, a, chain);
  }

  logDropped(actor: string, error: unknown): void {
    console.error(`message to ${actor} failed:`, error instanceof Error ? error.message : error);
  }

  fenced(a: Activation, error: unknown): void {
    if (this.#activations.get(a.key) === a) this.#activations.delete(a.key);
    a.stop(error);
  }

  // --- internals ---

  #decider(ref: ActorRef<AnyActorType>, command: string, input: unknown): Envelope["decide"] {
    if (!this.#accepting) throw new UnavailableError("the actor system is shutting down");
    const spec = ref.actorType.commands.get(command);
    if (!spec) throw new NotFoundError(`command ${ref.address.type}.${command}`);
    const parsed = spec.input.safeParse(input);
    if (!parsed.success) {
      throw new ValidationError(
        `${ref.address.type}.${command} input`,
        fieldIssues(parsed.error.issues),
      );
    }
    const data = parsed.data;
    return (state, ctx) => spec.handle(state, data, ctx);
  }

  #ask(
    ref: ActorRef<AnyActorType>,
    command: string,
    input: unknown,
    opts: AskOptions | undefined,
    chain: string | undefined,
  ): Promise<unknown> {
    let decide: Envelope["decide"];
    try {
      decide = this.#decider(ref, command, input);
    } catch (e) {
      return Promise.reject(e);
    }
    const ms = opts?.timeout ?? this.#askTimeout;
    const { promise, resolve, reject } = Promise.withResolvers<unknown>();
    const pending = new PendingAsk(resolve, reject, this.#deadlines, ref.key, command, ms);
    this.#route(ref.actorType, ref.address, ref.key, { decide, chain, reply: pending });
    // A turn that answered synchronously needs no deadline at all.
    if (!pending.settled && Number.isFinite(ms) && ms > 0) pending.arm(Date.now() + ms);
    return promise;
  }

  #route(type: AnyActorType, address: ActorAddress, key: string, env: Envelope): void {
    let a = this.#activations.get(key);
    if (a?.status === "closing") {
      a.closed!.then(() => this.#route(type, address, key, env));
      return;
    }
    if (a === undefined || a.status === "stopped") a = this.#activate(type, address, key);
    a.deliver(env);
  }

  #activate(type: AnyActorType, address: ActorAddress, key: string): Activation {
    const a = new Activation(this, type, address, key);
    this.#activations.set(key, a);
    this.#load(a).then(
      () => a.start(),
      (e) => {
        if (this.#activations.get(key) === a) this.#activations.delete(key);
        a.stop(e);
      },
    );
    return a;
  }

  async #load(a: Activation): Promise<void> {
    const t = a.actorType;
    const r = await this.journal.activate(a.key, t.type, a.address.tenant, t.options.stateVersion);
    try {
      a.recover(r);
    } catch (e) {
      // A snapshot the code cannot read is rebuilt from the events, which are the truth.
      if (!(e instanceof CoveError && e.code === "snapshot_invalid")) throw e;
      a.recover({
        epoch: r.epoch,
        seq: r.seq,
        events: await this.journal.readEvents(a.key, 0, r.seq),
      });
    }
  }

  async #passivate(a: Activation): Promise<void> {
    if (a.status !== "ready") return;
    a.status = "closing";
    let done!: () => void;
    a.closed = new Promise<void>((r) => done = r);
    try {
      if (a.seq > a.snapshotSeq) {
        const req: CommitRequest = {
          key: a.key,
          type: a.address.type,
          tenant: a.address.tenant,
          epoch: a.epoch,
          expectedSeq: a.seq,
          events: [],
          effects: [],
          now: this.clock.now(),
          snapshot: { state: a.state, version: a.actorType.options.stateVersion },
        };
        const outcome: CommitOutcome = await this.committer.commit(req);
        if (outcome.status === "ok") a.snapshotSeq = a.seq;
      }
    } catch (e) {
      console.error(`snapshot of ${a.key} on passivation failed:`, e);
    } finally {
      if (this.#activations.get(a.key) === a) this.#activations.delete(a.key);
      const queued = a.takeQueue();
      a.status = "stopped";
      done();
      // Messages that raced the passivation go to a fresh activation.
      for (const env of queued) this.#route(a.actorType, a.address, a.key, env);
    }
  }

  #publish(batch: CommitRequest[], outcomes: CommitOutcome[]): void {
    if (!this.bus) return;
    const byTenant = new Map<string, BusMessage[]>();
    batch.forEach((r, i) => {
      const o = outcomes[i]!;
      if (o.status !== "ok" || r.events.length === 0) return;
      const list = byTenant.get(r.tenant) ?? [];
      r.events.forEach((e, k) =>
        list.push({
          tenant: r.tenant,
          position: o.positions[k]!,
          actor: r.key,
          seq: r.expectedSeq + k + 1,
          type: e.type,
          version: e.version,
          data: e.data,
          at: e.at,
        })
      );
      byTenant.set(r.tenant, list);
    });
    for (const [tenant, messages] of byTenant) {
      messages.sort((x, y) => x.position - y.position);
      this.bus.publish(tenantTopic(tenant), messages).catch((e) =>
        console.error(`publish to ${tenant} failed:`, e)
      );
    }
  }
}
