/**
 * Ask timeouts without a timer per ask: pending asks sit in buckets by
 * deadline, and one interval, running only while something waits, expires
 * whole buckets. A timer per message cost more than the message itself.
 *
 * @module
 */

/** Something that can time out. */
export interface Expirable {
  expire(): void;
}

const GRANULARITY_MS = 10;

/** Buckets of pending items by deadline (wall-clock ms, rounded up to 10 ms). */
export class Deadlines {
  readonly #buckets = new Map<number, Set<Expirable>>();
  #timer: ReturnType<typeof setInterval> | undefined;

  /** Registers `item` to expire at `at`; returns the bucket key for {@link remove}. */
  add(at: number, item: Expirable): number {
    const key = Math.ceil(at / GRANULARITY_MS);
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      bucket = new Set();
      this.#buckets.set(key, bucket);
    }
    bucket.add(item);
    this.#timer ??= setInterval(() => this.#sweep(), GRANULARITY_MS);
    return key;
  }

  /** Forgets an item that settled in time. */
  remove(key: number, item: Expirable): void {
    const bucket = this.#buckets.get(key);
    if (bucket === undefined || !bucket.delete(item) || bucket.size > 0) return;
    this.#buckets.delete(key);
    if (this.#buckets.size === 0) this.#stop();
  }

  /** Number of items waiting (for tests and metrics). */
  get size(): number {
    let n = 0;
    for (const b of this.#buckets.values()) n += b.size;
    return n;
  }

  #sweep(): void {
    const now = Date.now() / GRANULARITY_MS;
    for (const [key, bucket] of this.#buckets) {
      if (key > now) continue;
      this.#buckets.delete(key);
      for (const item of bucket) item.expire();
    }
    if (this.#buckets.size === 0) this.#stop();
  }

  #stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
