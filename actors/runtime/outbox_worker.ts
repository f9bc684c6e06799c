/**
 * Drains the outbox: claims due messages (racing workers claim disjoint
 * rows), hands each to the dispatcher of its channel, and reports the outcome
 * to the originating actor, whose turn completes the row in its own commit.
 * Failures retry with exponential backoff and jitter; after the last attempt
 * the row is dead-lettered and the actor told.
 *
 * @module
 */
import { newId } from "../../shared/ids.ts";
import type { ClaimedMessage } from "./journal.ts";
import type { ActorSystem } from "./system.ts";

/**
 * What a dispatcher answers for one message: sent, failed (retried with
 * backoff or dead-lettered), or deferred: not sent and not failed (a breaker
 * is open, a rate cap is reached, quiet hours), waiting until `until` without
 * using up an attempt.
 */
export type DispatchResult =
  | { ok: true; response?: unknown }
  | { ok: false; error: string; retryable: boolean }
  | { deferred: true; until: number; reason: string };

/** Sends the messages of one channel (SMS, email, AI, render). */
export interface Dispatcher {
  /** The channel this dispatcher sends; one dispatcher per channel and worker. */
  readonly channel: string;
  /** Sends once; `msg.key` is the idempotency key to give the provider. */
  send(msg: ClaimedMessage): Promise<DispatchResult>;
}

/** Options of {@link OutboxWorker}. */
export interface OutboxWorkerOptions {
  /** Poll interval for `start()`, ms (default 1,000). */
  intervalMs?: number;
  /** Rows claimed per tick (default 100). */
  batch?: number;
  /** How long a claim holds before another worker may retry it, ms (default 60,000). */
  leaseMs?: number;
  /** First retry delay, ms (default 1,000); doubles each attempt, with ±50% jitter. */
  backoffBaseMs?: number;
  /** Longest retry delay, ms (default 1 hour). */
  backoffMaxMs?: number;
  /** Jitter source in [0, 1); injectable for tests. */
  random?: () => number;
}

/** Delay before retry number `attempt` (1-based): exponential, capped, jittered. */
export function backoffDelay(
  attempt: number,
  base: number,
  max: number,
  random: () => number = Math.random,
): number {
  const exp = Math.min(max, base * 2 ** (attempt - 1));
  return Math.round(exp * (0.5 + random()));
}

/** Dispatches outbox rows through the registered dispatchers. */
export class OutboxWorker {
  readonly #dispatchers = new Map<string, Dispatcher>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #ticking: Promise<number> | undefined;

  /**
   * Serves the channels of `dispatchers` (for a channel given twice, the later
   * one wins); nothing is claimed until `start()` or `tick()`.
   */
  constructor(
    readonly system: ActorSystem,
    dispatchers: Dispatcher[],
    readonly options: OutboxWorkerOptions = {},
  ) {
    for (const d of dispatchers) this.#dispatchers.set(d.channel, d);
  }

  /** Claims and dispatches due messages once; resolves with how many were claimed. */
  tick(): Promise<number> {
    return this.#ticking ??= this.#tick().finally(() => this.#ticking = undefined);
  }

  async #tick(): Promise<number> {
    const { system } = this;
    const channels = [...this.#dispatchers.keys()];
    if (channels.length === 0) return 0;
    const claimed = await system.journal.claimOutbox(
      channels,
      system.clock.now(),
      this.options.batch ?? 100,
      this.options.leaseMs ?? 60_000,
      newId(),
    );
    await Promise.all(claimed.map((m) => this.#dispatch(m)));
    return claimed.length;
  }

  async #dispatch(m: ClaimedMessage): Promise<void> {
    const { system } = this;
    let result: DispatchResult;
    try {
      result = await this.#dispatchers.get(m.channel)!.send(m);
    } catch (e) {
      result = { ok: false, error: e instanceof Error ? e.message : String(e), retryable: true };
    }
    try {
      if ("deferred" in result) {
        await system.journal.deferOutbox(m.id, m.token, result.until, result.reason);
      } else if (result.ok) {
        await system.deliverOutboxResult(m, result);
      } else if (result.retryable && m.attempts < m.maxAttempts) {
        const delay = backoffDelay(
          m.attempts,
          this.options.backoffBaseMs ?? 1_000,
          this.options.backoffMaxMs ?? 3_600_000,
          this.options.random,
        );
        await system.journal.retryOutbox(m.id, m.token, system.clock.now() + delay, result.error);
      } else {
        await system.deliverOutboxResult(m, { ok: false, error: result.error });
      }
    } catch (e) {
      // The claim lapses and the row is tried again; the provider dedupes on the key.
      console.error(`outbox ${m.id} outcome not recorded:`, e);
    }
  }

  /** Dispatches on an interval until `stop()`. */
  start(): void {
    this.#timer ??= setInterval(() => {
      this.tick().catch((e) => console.error("outbox poll failed:", e));
    }, this.options.intervalMs ?? 1_000);
  }

  /** Stops and waits for a running tick. */
  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#ticking?.catch(() => {});
  }
}
