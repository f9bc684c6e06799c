/**
 * The conformance suite every {@link Bus} implementation must pass. Each
 * binding (`bus_memory_test.ts`, `bus_redis_test.ts`) calls
 * {@link busConformance} with a factory; the cases never depend on which
 * implementation they run against.
 *
 * @module
 */

import assert from "node:assert/strict";
import { UnavailableError } from "../../shared/errors.ts";
import type { Bus, BusMessage } from "./bus.ts";

/** Options of {@link busConformance}. */
export interface BusConformanceOptions {
  /** When set, every case is registered as ignored, with this reason in its name. */
  ignore?: string;
}

/**
 * Registers the bus conformance cases as `Deno.test`s named `<name>: <case>`.
 * `make` is called once per case and must return a fresh, isolated bus; the
 * case closes it.
 */
export function busConformance(
  name: string,
  make: () => Promise<Bus>,
  opts: BusConformanceOptions = {},
): void {
  const label = opts.ignore === undefined ? name : `${name} (${opts.ignore})`;
  const test = (what: string, fn: (bus: Bus) => Promise<void>) =>
    Deno.test({
      name: `${label}: ${what}`,
      ignore: opts.ignore !== undefined,
      fn: async () => {
        const bus = await make();
        try {
          await fn(bus);
        } finally {
          await bus.close();
        }
      },
    });

  test("delivers to every subscriber of a topic", async (bus) => {
    const a: BusMessage[] = [];
    const b: BusMessage[] = [];
    await bus.subscribe("leads", (m) => a.push(m));
    await bus.subscribe("leads", (m) => b.push(m));
    const sent = [message(1), message(2)];
    await bus.publish("leads", []); // an empty batch is a no-op
    await bus.publish("leads", sent);
    await waitFor("both subscribers to receive 2 messages", () => a.length >= 2 && b.length >= 2);
    assert.deepEqual(a, sent);
    assert.deepEqual(b, sent);
  });

  test("does not deliver to other topics", async (bus) => {
    const a: BusMessage[] = [];
    const b: BusMessage[] = [];
    await bus.subscribe("topic-a", (m) => a.push(m));
    await bus.subscribe("topic-b", (m) => b.push(m));
    await bus.publish("topic-a", [message(1)]);
    await bus.publish("topic-b", [message(2)]);
    // Published last: once it arrives, anything misrouted before it has arrived too.
    await bus.publish("topic-a", [message(3)]);
    await waitFor("the last message on topic-a", () => a.length >= 2 && b.length >= 1);
    assert.deepEqual(a.map((m) => m.position), [1, 3]);
    assert.deepEqual(b.map((m) => m.position), [2]);
  });

  test("preserves the order of 1,000 messages across publish batches", async (bus) => {
    const a: number[] = [];
    const b: number[] = [];
    await bus.subscribe("ordered", (m) => a.push(m.position));
    await bus.subscribe("ordered", (m) => b.push(m.position));
    let position = 0;
    for (const size of [1, 7, 250, 42, 500, 199, 1]) {
      await bus.publish("ordered", Array.from({ length: size }, () => message(++position)));
    }
    const expected = Array.from({ length: 1_000 }, (_, i) => i + 1);
    await waitFor("1,000 messages", () => a.length >= 1_000 && b.length >= 1_000);
    assert.deepEqual(a, expected);
    assert.deepEqual(b, expected);
  });

  test("unsubscribe stops delivery to that handler only", async (bus) => {
    const a: number[] = [];
    const b: number[] = [];
    const unsubscribeA = await bus.subscribe("leads", (m) => a.push(m.position));
    await bus.subscribe("leads", (m) => b.push(m.position));
    await bus.publish("leads", [message(1)]);
    await waitFor("first message", () => a.length >= 1 && b.length >= 1);
    await unsubscribeA();
    await unsubscribeA(); // idempotent
    await bus.publish("leads", [message(2)]);
    await waitFor("second message at the remaining handler", () => b.length >= 2);
    assert.deepEqual(a, [1]);
    assert.deepEqual(b, [1, 2]);
  });

  test("subscribing again after the last unsubscribe delivers again", async (bus) => {
    const first: number[] = [];
    const second: number[] = [];
    const unsubscribe = await bus.subscribe("leads", (m) => first.push(m.position));
    // Not awaited: the new subscription must survive an unsubscribe still in flight.
    const unsubscribing = unsubscribe();
    await bus.subscribe("leads", (m) => second.push(m.position));
    await unsubscribing;
    await bus.publish("leads", [message(1)]);
    await waitFor("the message at the new handler", () => second.length >= 1);
    assert.deepEqual(first, []);
    assert.deepEqual(second, [1]);
  });

  test("a throwing handler stops neither other handlers nor the publisher", async (bus) => {
    const logged: unknown[][] = [];
    const consoleError = console.error;
    console.error = (...args: unknown[]) => logged.push(args);
    try {
      let thrown = 0;
      let rejected = 0;
      const received: number[] = [];
      await bus.subscribe("leads", () => {
        thrown++;
        throw new Error("handler failed on purpose");
      });
      await bus.subscribe("leads", async () => {
        rejected++;
        await Promise.resolve();
        throw new Error("async handler failed on purpose");
      });
      await bus.subscribe("leads", (m) => received.push(m.position));
      await bus.publish("leads", [message(1), message(2)]);
      await bus.publish("leads", [message(3)]);
      await waitFor("all messages and logs", () => received.length >= 3 && logged.length >= 6);
      assert.deepEqual(received, [1, 2, 3]);
      assert.equal(thrown, 3);
      assert.equal(rejected, 3);
      assert.equal(logged.length, 6);
    } finally {
      console.error = consoleError;
    }
  });

  test("subscribe resolves only once the subscription is live", async (bus) => {
    for (let i = 0; i < 20; i++) {
      const received: number[] = [];
      const topic = `live-${i}`;
      await bus.subscribe(topic, (m) => received.push(m.position));
      await bus.publish(topic, [message(i)]);
      await waitFor(
        `the message published right after subscribing to ${topic}`,
        () => received.length >= 1,
      );
      assert.deepEqual(received, [i]);
    }
  });

  test("close releases resources; later calls reject with UnavailableError", async (bus) => {
    const received: number[] = [];
    const unsubscribe = await bus.subscribe("leads", (m) => received.push(m.position));
    await bus.close();
    await bus.close(); // idempotent
    await assert.rejects(bus.publish("leads", [message(1)]), UnavailableError);
    await assert.rejects(bus.subscribe("leads", () => {}), UnavailableError);
    await unsubscribe(); // harmless after close
    assert.deepEqual(received, []);
  });
}

/** A bus message at `position` of tenant `t1`, shaped as the journal would emit it. */
function message(position: number): BusMessage {
  return {
    tenant: "t1",
    position,
    actor: `lead:${position % 7}`,
    seq: position,
    type: "lead.captured",
    version: 1,
    data: { name: `lead ${position}`, tags: ["web"], score: position / 2 },
    at: 1_700_000_000_000 + position,
  };
}

/** Polls `condition` until it holds; fails after `timeoutMs` naming `what` it waited for. */
async function waitFor(what: string, condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
