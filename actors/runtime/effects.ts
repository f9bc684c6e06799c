/**
 * Side-effect requests a handler returns and the context a turn sees. The
 * runtime writes effects in the same commit as the turn's events, so a crash
 * never keeps one without the other.
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
import type { ActorRef, AskOptions } from "./ref.ts";

/** Sets (or replaces) a durable reminder on this actor. */
export interface RemindEffect {
  /** Discriminant of {@link Effect}. */
  kind: "remind";
  /** One reminder per name per actor: setting a name again replaces the earlier one. */
  name: string;
  /** Due time, epoch ms. */
  at: number;
  /** Repeat interval in ms; missed repeats after downtime fire once. */
  every?: number;
  /** Handed back to `onReminder` when it fires; stored as JSON. */
  payload?: unknown;
}

/** Cancels a reminder of this actor; cancelling a missing one is a no-op. */
export interface CancelReminderEffect {
  /** Discriminant of {@link Effect}. */
  kind: "cancelReminder";
  /** The name the reminder was set under. */
  name: string;
}

/** Queues an outbound message (SMS, email, AI call, render) in the outbox. */
export interface SendEffect {
  /** Discriminant of {@link Effect}. */
  kind: "send";
  /** Picks the dispatcher (`sms`, `email`, ...); rows of a channel no worker serves stay queued. */
  channel: string;
  /** Idempotency key, unique per tenant: the same key twice is one message. */
  key: string;
  /** What the channel's dispatcher receives; stored as JSON. */
  payload: unknown;
  /** Not before this time, epoch ms. */
  at?: number;
  /** Attempts before the message is dead-lettered and the actor told (default 8). */
  maxAttempts?: number;
}

/** Anything a handler may ask the runtime to do after its turn commits. */
export type Effect = RemindEffect | CancelReminderEffect | SendEffect;

/** What a handler sees besides state and input. */
export interface TurnContext {
  /** The address of the actor whose turn this is. */
  readonly self: ActorAddress;
  /** The clock's time at the start of the turn, epoch ms. */
  readonly now: number;
  /** Asks another actor within this call chain (A → B → A re-enters instead of deadlocking). */
  ask<T extends AnyActorType, K extends CommandName<T>>(
    ref: ActorRef<T>,
    command: K,
    input: CommandInput<T, K>,
    opts?: AskOptions,
  ): Promise<CommandReply<T, K>>;
  /**
   * Reads another actor's committed state without a turn of its own, so many
   * actors can read one (a campaign's definition, say) at once. Never read
   * this actor itself: the read would wait behind the turn asking for it.
   */
  query<T extends AnyActorType, K extends QueryName<T>>(
    ref: ActorRef<T>,
    name: K,
  ): Promise<QueryResult<T, K>>;
  /** A reference to another actor, in this actor's tenant unless another is named. */
  ref<T extends AnyActorType>(type: T, id: string, tenant?: string): ActorRef<T>;
  /** A reminder effect due at `at` (epoch ms). */
  remind(name: string, at: number, opts?: { every?: number; payload?: unknown }): RemindEffect;
  /** A cancel-reminder effect. */
  cancelReminder(name: string): CancelReminderEffect;
  /**
   * Tells another actor a command once this turn has committed, durably (an
   * outbox row on the `actor` channel, delivered at least once): the
   * receiving command must be idempotent.
   */
  tellDurably<T extends AnyActorType, K extends CommandName<T>>(
    ref: ActorRef<T>,
    command: K,
    input: CommandInput<T, K>,
    opts: { key: string },
  ): SendEffect;
  /** An outbox send effect. */
  send(
    channel: string,
    payload: unknown,
    opts: { key: string; at?: number; maxAttempts?: number },
  ): SendEffect;
}

/** Effect constructors shared by every turn context. */
export const effectBuilders: Pick<TurnContext, "remind" | "cancelReminder" | "send"> = {
  remind: (name, at, opts = {}) => ({ kind: "remind", name, at, ...opts }),
  cancelReminder: (name) => ({ kind: "cancelReminder", name }),
  send: (channel, payload, opts) => ({ kind: "send", channel, payload, ...opts }),
};
