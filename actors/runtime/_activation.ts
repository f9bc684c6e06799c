/**
 * One live activation of an actor: its committed state, its mailbox and the
 * loop that runs one turn at a time. State changes only after the turn's
 * events are committed; a turn that fails or is fenced changes nothing.
 *
 * @module
 */
import { CoveError, FencedError, OverloadedError, ValidationError } from "../../shared/errors.ts";
import { fieldIssues } from "../../shared/errors.ts";
import type { ActorAddress } from "../../shared/ids.ts";
import type { AnyActorType, Decision, EmittedEvent, EventSpec } from "./define.ts";
import type { Effect, TurnContext } from "./effects.ts";
import type { CommitOutcome, Consume, Recovered, StoredEvent } from "./journal.ts";
import type { Runtime } from "./_runtime.ts";

/** A reply channel; absent for `tell`. */
export interface Reply {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** A message in a mailbox. */
export interface Envelope {
  /** Produces the decision for this message. */
  decide: (state: unknown, ctx: TurnContext) => DecisionLike;
  /** Condition consumed with the commit (reminder firing, outbox result). */
  consume?: Consume;
  chain: string | undefined;
  reply: Reply | undefined;
}

type DecisionLike = Decision<EmittedEvent, unknown> | Promise<Decision<EmittedEvent, unknown>>;

/** Lifecycle of an activation. */
export type ActivationStatus = "loading" | "ready" | "closing" | "stopped";

/** Upgrades stored event data to the version the code declares. */
export function upcast(type: string, spec: EventSpec, version: number, data: unknown): unknown {
  if (version > spec.version) {
    throw new CoveError(
      "event_version_unknown",
      `event ${type} v${version} is newer than this code (v${spec.version})`,
    );
  }
  for (let v = version; v < spec.version; v++) data = spec.upcast[v]!(data);
  return data;
}

/** Folds one stored event into state, upgrading its data to the current version first. */
export function applyStored(
  type: AnyActorType,
  key: string,
  state: unknown,
  e: StoredEvent,
): unknown {
  const spec = type.events.get(e.type);
  if (!spec) throw new CoveError("event_unknown", `${key} has unknown event ${e.type}`);
  return spec.apply(state, upcast(e.type, spec, e.version, e.data), { seq: e.seq, at: e.at });
}

/**
 * A live actor.
 *
 * @internal Made and driven only by the actor system in this folder.
 */
export class Activation {
  status: ActivationStatus = "loading";
  state: unknown;
  seq = 0;
  epoch = 0;
  snapshotSeq = 0;
  lastActive: number;
  /** Chain of the running turn, so calls that come back to this actor re-enter. */
  chain: string | undefined;
  #queue: Envelope[] | undefined;
  #running = false;
  #closed: Promise<void> | undefined;

  constructor(
    readonly rt: Runtime,
    readonly actorType: AnyActorType,
    readonly address: ActorAddress,
    readonly key: string,
  ) {
    this.lastActive = rt.clock.now();
    this.state = actorType.options.initial();
  }

  /** Whether the activation has no work and may be passivated. */
  get idle(): boolean {
    return this.status === "ready" && !this.#running && !this.#queue?.length;
  }

  /** Rebuilds state from a snapshot and later events. */
  recover(r: Recovered): void {
    const type = this.actorType;
    this.epoch = r.epoch;
    let state = r.snapshot ? r.snapshot.state : type.options.initial();
    let events = r.events;
    if (r.snapshot && !type.options.state.safeParse(r.snapshot.state).success) {
      throw new CoveError("snapshot_invalid", `snapshot of ${this.key} fails its schema`);
    }
    this.snapshotSeq = r.snapshot?.seq ?? 0;
    if (r.snapshot === undefined && events.length > 0 && events[0]!.seq !== 1) {
      throw new CoveError("journal_gap", `journal of ${this.key} does not start at 1`);
    }
    let seq = this.snapshotSeq;
    for (const e of events) {
      state = this.#applyStored(state, e, ++seq);
    }
    events = [];
    this.state = state;
    this.seq = seq;
  }

  #applyStored(state: unknown, e: StoredEvent, expected: number): unknown {
    if (e.seq !== expected) {
      throw new CoveError("journal_gap", `journal of ${this.key} skips from ${expected - 1}`);
    }
    return applyStored(this.actorType, this.key, state, e);
  }

  /** Accepts a message: runs it now when it re-enters the running chain, else queues it. */
  deliver(env: Envelope): void {
    if (this.#running && env.chain !== undefined && env.chain === this.chain) {
      void this.#turn(env, this.chain, false);
      return;
    }
    if (!this.#running && this.status === "ready" && !this.#queue?.length) {
      this.#drain(env); // idle actor: run at once, no mailbox needed
      return;
    }
    const q = this.#queue ??= [];
    if (q.length >= this.rt.mailboxLimit) {
      env.reply?.reject(new OverloadedError(this.key, this.rt.mailboxLimit));
      return;
    }
    q.push(env);
    if (!this.#running && this.status === "ready") this.#drain();
  }

  /** Starts processing after recovery. */
  start(): void {
    this.status = "ready";
    if (this.#queue?.length) this.#drain();
  }

  /** Fails every queued message and marks the activation stopped. */
  stop(error: unknown): void {
    this.status = "stopped";
    const q = this.#queue ?? [];
    this.#queue = undefined;
    for (const env of q) env.reply?.reject(error);
  }

  /** Moves queued messages elsewhere (used when the activation closes). */
  takeQueue(): Envelope[] {
    const q = this.#queue ?? [];
    this.#queue = undefined;
    return q;
  }

  /** Resolves once a closing activation has stopped. */
  get closed(): Promise<void> | undefined {
    return this.#closed;
  }
  set closed(p: Promise<void> | undefined) {
    this.#closed = p;
  }

  /** Runs queued turns; synchronous turns run in this loop, an async one resumes it when done. */
  #drain(first?: Envelope): void {
    this.#running = true;
    let env = first;
    while (this.status === "ready") {
      env ??= this.#queue?.shift();
      if (env === undefined) break;
      this.chain = env.chain;
      this.#inLoop = true;
      const pending = this.#turn(env, this.chain, true);
      this.#inLoop = false;
      if (pending !== undefined) return;
      env = undefined;
    }
    this.#settle();
  }

  /** True while a top-level turn runs synchronously inside the drain loop. */
  #inLoop = false;

  #settle(): void {
    this.#running = false;
    this.lastActive = this.rt.clock.now();
    if (this.#queue?.length === 0) this.#queue = undefined;
  }

  /**
   * Sends a turn's outcome. An async top-level turn first hands the actor to
   * its next message (or marks it idle), so a caller that sees the reply sees
   * a settled actor.
   */
  #complete(env: Envelope, top: boolean, ok: boolean, value: unknown): void {
    if (top && !this.#inLoop) {
      if (this.status === "ready" && this.#queue?.length) queueMicrotask(() => this.#drain());
      else this.#settle();
    }
    if (!env.reply) {
      if (!ok) this.rt.logDropped(this.key, value);
    } else if (ok) env.reply.resolve(value);
    else env.reply.reject(value);
  }

  /** Runs one turn; returns a promise only when it has to wait (fast path stays synchronous). */
  #turn(env: Envelope, chain: string | undefined, top: boolean): Promise<void> | undefined {
    const ctx = this.rt.context(this, chain);
    let decided: DecisionLike;
    try {
      decided = env.decide(this.state, ctx);
    } catch (e) {
      this.#complete(env, top, false, e);
      return undefined;
    }
    if (decided instanceof Promise) {
      return decided.then(
        (d) => this.#finish(env, d, ctx, top),
        (e) => this.#complete(env, top, false, e),
      );
    }
    return this.#finish(env, decided, ctx, top);
  }

  #finish(
    env: Envelope,
    d: Decision<EmittedEvent, unknown>,
    ctx: TurnContext,
    top: boolean,
  ): Promise<void> | undefined {
    const events = d.events ?? [];
    const effects: Effect[] = d.effects ?? [];
    if (events.length === 0 && effects.length === 0 && env.consume === undefined) {
      this.#complete(env, top, true, d.reply);
      return undefined;
    }
    // Re-entrant turns of one chain may finish together; their commits go one at a time,
    // each folded onto the state the previous one committed.
    if (this.#committing) return this.#committing.then(() => this.#finish(env, d, ctx, top));
    const now = ctx.now; // the time the handler saw, if it looked
    let state = this.state;
    const stored: Array<{ type: string; version: number; data: unknown; at: number }> = [];
    try {
      events.forEach((e, k) => {
        const spec = this.actorType.events.get(e.type);
        if (!spec) {
          throw new CoveError("event_unknown", `${this.key} emitted unknown event ${e.type}`);
        }
        const parsed = spec.schema.safeParse(e.data);
        if (!parsed.success) {
          throw new ValidationError(`event ${e.type}`, fieldIssues(parsed.error.issues));
        }
        state = spec.apply(state, parsed.data, { seq: this.seq + k + 1, at: now });
        stored.push({ type: e.type, version: spec.version, data: parsed.data, at: now });
      });
    } catch (e) {
      this.#complete(env, top, false, e);
      return undefined;
    }
    const newSeq = this.seq + events.length;
    const projection = this.actorType.parts.projection;
    let row: Record<string, unknown> | undefined;
    try {
      // A read model that cannot be built fails this turn, never the node.
      if (projection && events.length > 0) row = projection.row(state, this.address);
    } catch (e) {
      this.#complete(env, top, false, e);
      return undefined;
    }
    const snapshot = newSeq - this.snapshotSeq >= this.rt.snapshotEvery
      ? { state, version: this.actorType.options.stateVersion }
      : undefined;
    const req = {
      key: this.key,
      type: this.address.type,
      tenant: this.address.tenant,
      epoch: this.epoch,
      expectedSeq: this.seq,
      events: stored,
      effects,
      now,
      ...(env.consume ? { consume: env.consume } : {}),
      ...(snapshot ? { snapshot } : {}),
      ...(projection && events.length > 0
        ? { projection: { table: projection.table, row: row! } }
        : {}),
    };
    const committing = this.rt.committer.commit(req).then(
      (outcome: CommitOutcome) => {
        this.#committing = undefined;
        if (outcome.status === "ok") {
          this.state = state;
          this.seq = newSeq;
          if (snapshot) this.snapshotSeq = newSeq;
          this.#complete(env, top, true, d.reply);
        } else if (outcome.status === "stale") {
          this.#complete(env, top, true, undefined);
        } else {
          const err = new FencedError(this.key, this.epoch);
          this.rt.fenced(this, err);
          this.#complete(env, top, false, err);
        }
      },
      (e) => {
        this.#committing = undefined;
        this.#complete(env, top, false, e);
      },
    );
    this.#committing = committing;
    return committing;
  }

  /** The commit of this activation in flight, if any. */
  #committing: Promise<void> | undefined;
}
