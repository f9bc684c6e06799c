/**
 * The views' one throttle for live re-reads, so a busy tenant's stream costs
 * at most one REST read per interval and cannot spend the person's rate
 * limit. Leading (the default): a request runs at once when the last run is
 * an interval ago, else once at the end of the interval. Trailing: every
 * run waits a whole interval from the first request, gathering the ones
 * after it (views over the analytics projection read after it has folded
 * the events).
 *
 * @module
 */

/** Timers a {@link Throttle} runs on (the defaults are the global ones; tests pass fakes). */
export interface ThrottleTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
  now(): number;
}

const GLOBAL_TIMERS: ThrottleTimers = {
  // Wrapped: a browser's setTimeout refuses to be called as another object's method.
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as number),
  now: () => Date.now(),
};

/** See the module doc. */
export class Throttle {
  #last = -Infinity;
  #handle: unknown = null;

  constructor(
    readonly run: () => void,
    readonly ms: number,
    readonly opts: { trailing?: boolean; timers?: ThrottleTimers } = {},
  ) {}

  /** Asks for a run (now, or at the end of the interval). */
  request(): void {
    if (this.#handle !== null) return;
    const timers = this.opts.timers ?? GLOBAL_TIMERS;
    const wait = this.opts.trailing ? this.ms : this.#last + this.ms - timers.now();
    if (wait <= 0) return this.#fire();
    this.#handle = timers.set(() => {
      this.#handle = null;
      this.#fire();
    }, wait);
  }

  /** Drops a run that is waiting (the view left the page). */
  cancel(): void {
    if (this.#handle !== null) (this.opts.timers ?? GLOBAL_TIMERS).clear(this.#handle);
    this.#handle = null;
  }

  #fire(): void {
    this.#last = (this.opts.timers ?? GLOBAL_TIMERS).now();
    this.run();
  }
}
