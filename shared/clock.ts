/**
 * Time as a port: reminders, backoff and idle timeouts read the clock through
 * this interface so tests move time instead of sleeping.
 *
 * @module
 */

/** Source of the current time in epoch milliseconds. */
export interface Clock {
  /** The current time, epoch ms. */
  now(): number;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to. */
export class ManualClock implements Clock {
  #now: number;
  /** Starts at `start` (epoch ms or a Date; default 2026-01-01T00:00Z) so tests see fixed dates. */
  constructor(start: number | Date = Date.UTC(2026, 0, 1)) {
    this.#now = typeof start === "number" ? start : start.getTime();
  }
  /** The time it was last set or advanced to, epoch ms. */
  now(): number {
    return this.#now;
  }
  /** Moves time forward by `ms`. */
  advance(ms: number): void {
    this.#now += ms;
  }
  /** Sets the time. */
  set(at: number | Date): void {
    this.#now = typeof at === "number" ? at : at.getTime();
  }
}
