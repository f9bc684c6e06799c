/**
 * Calls and failures over a sliding time window, kept in a fixed ring of
 * buckets so memory stays constant however many calls a provider takes (a
 * list of timestamps would grow with throughput).
 *
 * @module
 */

/** Totals over the window. */
export interface Counts {
  /** Calls recorded in the window. */
  calls: number;
  /** Of those, the ones that failed. */
  failures: number;
}

interface Bucket {
  slot: number;
  calls: number;
  failures: number;
}

/** Sliding-window counts in `buckets` slices of `windowMs / buckets` each. */
export class RollingCounts {
  readonly #sliceMs: number;
  readonly #ring: Bucket[];

  /** The window is approximate by one slice: 10 slices keep the error within 10%. */
  constructor(readonly windowMs: number, buckets = 10) {
    this.#sliceMs = Math.max(1, Math.ceil(windowMs / buckets));
    this.#ring = Array.from(
      { length: buckets },
      () => ({ slot: -Infinity, calls: 0, failures: 0 }),
    );
  }

  /** Records one call at `now`. */
  add(now: number, failed: boolean): void {
    const slot = Math.floor(now / this.#sliceMs);
    const b = this.#ring[slot % this.#ring.length]!;
    if (b.slot !== slot) Object.assign(b, { slot, calls: 0, failures: 0 });
    b.calls++;
    if (failed) b.failures++;
  }

  /** Calls and failures in the slices still inside the window at `now`. */
  totals(now: number): Counts {
    const current = Math.floor(now / this.#sliceMs);
    let calls = 0;
    let failures = 0;
    for (const b of this.#ring) {
      if (b.slot > current - this.#ring.length && b.slot <= current) {
        calls += b.calls;
        failures += b.failures;
      }
    }
    return { calls, failures };
  }

  /** Forgets everything, e.g. when the breaker closes again. */
  reset(): void {
    for (const b of this.#ring) Object.assign(b, { slot: -Infinity, calls: 0, failures: 0 });
  }
}
