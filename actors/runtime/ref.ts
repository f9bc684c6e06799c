/**
 * Typed references to actors. A ref is cheap: it names an actor and the
 * system that reaches it; the actor activates on its first message.
 *
 * @module
 */
import type { ActorAddress } from "../../shared/ids.ts";
import type {
  AnyActorType,
  CommandInput,
  CommandName,
  CommandReply,
  QueryName,
  QueryResult,
} from "./define.ts";

/** Options of an ask. */
export interface AskOptions {
  /** Milliseconds before the caller gets a timeout error; the command may still take effect. */
  timeout?: number;
}

/** What a ref needs from the system behind it. */
export interface ActorGateway {
  /** Delivers a command and resolves with its reply once the turn's events are committed. */
  ask<T extends AnyActorType, K extends CommandName<T>>(
    ref: ActorRef<T>,
    command: K,
    input: CommandInput<T, K>,
    opts?: AskOptions,
  ): Promise<CommandReply<T, K>>;
  /** Delivers a command without a reply channel; failures are logged, not thrown. */
  tell<T extends AnyActorType, K extends CommandName<T>>(
    ref: ActorRef<T>,
    command: K,
    input: CommandInput<T, K>,
  ): void;
  /** Reads committed state; does not queue behind a running turn. */
  query<T extends AnyActorType, K extends QueryName<T>>(
    ref: ActorRef<T>,
    name: K,
  ): Promise<QueryResult<T, K>>;
}

/** A typed handle on one actor. */
export class ActorRef<T extends AnyActorType> {
  /** Made by `ActorSystem.ref` or `ctx.ref`, which validate the address and build the key. */
  constructor(
    readonly actorType: T,
    readonly address: ActorAddress,
    readonly key: string,
    readonly gateway: ActorGateway,
  ) {}

  /** Sends a command and waits for its reply (after its events are committed). */
  ask<K extends CommandName<T>>(
    command: K,
    input: CommandInput<T, K>,
    opts?: AskOptions,
  ): Promise<CommandReply<T, K>> {
    return this.gateway.ask(this, command, input, opts);
  }

  /** Sends a command without waiting; failures are logged. */
  tell<K extends CommandName<T>>(command: K, input: CommandInput<T, K>): void {
    this.gateway.tell(this, command, input);
  }

  /** Reads committed state through a query. */
  query<K extends QueryName<T>>(name: K): Promise<QueryResult<T, K>> {
    return this.gateway.query(this, name);
  }
}
