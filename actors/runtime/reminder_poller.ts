/**
 * Fires durable reminders. Due rows are claimed with a lease (racing pollers
 * claim disjoint rows) and delivered to their actors; the row is consumed in
 * the same commit as the reminder's turn, so a reminder takes effect once
 * even when a lease lapses and it is delivered again.
 *
 * @module
 */
import type { ActorSystem } from "./system.ts";

/** Options of {@link ReminderPoller}. */
export interface ReminderPollerOptions {
  /** Poll interval for `start()`, ms (default 1,000). */
  intervalMs?: number;
  /** Rows claimed per tick (default 500). */
  batch?: number;
  /** How long a claim holds before another poller may take the row, ms (default 30,000). */
  leaseMs?: number;
}

/** Polls the reminders table for one actor system. */
export class ReminderPoller {
  #timer: ReturnType<typeof setInterval> | undefined;
  #ticking: Promise<number> | undefined;

  /** Idle until `start()` or `tick()`. */
  constructor(readonly system: ActorSystem, readonly options: ReminderPollerOptions = {}) {}

  /** Claims and fires due reminders once; resolves with how many fired. */
  tick(): Promise<number> {
    // One tick at a time: an overlapping timer tick joins the running one.
    return this.#ticking ??= this.#tick().finally(() => this.#ticking = undefined);
  }

  async #tick(): Promise<number> {
    const { system } = this;
    const due = await system.journal.claimReminders(
      system.clock.now(),
      this.options.batch ?? 500,
      this.options.leaseMs ?? 30_000,
      system.nodeId,
    );
    const results = await Promise.allSettled(due.map((r) => system.fireReminder(r)));
    for (const [i, r] of results.entries()) {
      if (r.status === "rejected") {
        console.error(
          `reminder ${due[i]!.key}#${due[i]!.name} failed; retried after its lease:`,
          r.reason,
        );
      }
    }
    return due.length;
  }

  /** Polls on an interval until `stop()`. */
  start(): void {
    this.#timer ??= setInterval(() => {
      this.tick().catch((e) => console.error("reminder poll failed:", e));
    }, this.options.intervalMs ?? 1_000);
  }

  /** Stops polling and waits for a running tick. */
  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#ticking?.catch(() => {});
  }
}
