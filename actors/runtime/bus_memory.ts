/**
 * In-process bus: fan-out within one Deno process, for tests, single-node
 * deployments and as the local fan-out layer of the Redis bus.
 *
 * @module
 */

import { UnavailableError } from "../../shared/errors.ts";
import type { Bus, BusHandler, BusMessage } from "./bus.ts";

/**
 * A {@link Bus} that delivers inside the process. Delivery is synchronous:
 * every handler of the topic has seen every message of a batch, in publish
 * order, before `publish` resolves. Handlers receive the published objects
 * themselves (not copies), so they must not mutate them.
 */
export class MemoryBus implements Bus {
  readonly #handlers = new Map<string, Set<BusHandler>>();
  // Publishes made by a handler during delivery wait here, so every handler
  // sees messages in one global publish order instead of nested interleavings.
  readonly #queue: Array<{ topic: string; message: BusMessage }> = [];
  #draining = false;
  #closed = false;

  /** Delivers `messages` to the current handlers of `topic`, in order. */
  publish(topic: string, messages: BusMessage[]): Promise<void> {
    if (this.#closed) return Promise.reject(new UnavailableError("bus is closed"));
    for (const message of messages) this.#queue.push({ topic, message });
    this.#drain();
    return Promise.resolve();
  }

  /** Adds `handler` to `topic`; live as soon as this resolves. */
  subscribe(topic: string, handler: BusHandler): Promise<() => Promise<void>> {
    if (this.#closed) return Promise.reject(new UnavailableError("bus is closed"));
    // Wrap so the same function subscribed twice counts as two subscriptions.
    const entry: BusHandler = (message) => handler(message);
    let set = this.#handlers.get(topic);
    if (!set) this.#handlers.set(topic, set = new Set());
    set.add(entry);
    const unsubscribe = () => {
      const current = this.#handlers.get(topic);
      if (current?.delete(entry) && current.size === 0) this.#handlers.delete(topic);
      return Promise.resolve();
    };
    return Promise.resolve(unsubscribe);
  }

  /** Drops every subscription; later publishes and subscribes reject. Idempotent. */
  close(): Promise<void> {
    this.#closed = true;
    this.#handlers.clear();
    this.#queue.length = 0;
    return Promise.resolve();
  }

  #drain(): void {
    if (this.#draining) return;
    this.#draining = true;
    try {
      for (let next = this.#queue.shift(); next; next = this.#queue.shift()) {
        const set = this.#handlers.get(next.topic);
        // Copy: a handler may unsubscribe itself or others mid-delivery.
        if (set) { for (const handler of [...set]) deliver(handler, next.topic, next.message); }
      }
    } finally {
      this.#draining = false;
    }
  }
}

/** Calls one handler so that its failure stays its own: logged, never rethrown. */
function deliver(handler: BusHandler, topic: string, message: BusMessage): void {
  const report = (error: unknown) =>
    console.error(`bus handler for ${topic} failed at position ${message.position}:`, error);
  try {
    // BusHandler returns void, but an async function fits that type; catch its rejection too.
    const result: unknown = handler(message);
    if (result instanceof Promise) result.catch(report);
  } catch (error) {
    report(error);
  }
}
