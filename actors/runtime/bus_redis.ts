/**
 * Redis bus: fan-out across processes over Redis pub/sub, and the command
 * connection for shared rate limits. The only module that imports a Redis
 * TCP client.
 *
 * @module
 */

import { createClient } from "redis";
import { UnavailableError } from "../../shared/errors.ts";
import type { Bus, BusHandler, BusMessage } from "./bus.ts";
import { MemoryBus } from "./bus_memory.ts";
import { decodeEnvelope, encodeEnvelope } from "./_bus_wire.ts";

/** What the bus does with its publishing connection. */
interface PublishConnection {
  publish(channel: string, message: string): Promise<unknown>;
  close(): Promise<void>;
}

/** What the bus does with its subscribed connection (node-redis has this very shape). */
interface SubscribeConnection {
  subscribe(channel: string, listener: (message: string) => void): Promise<void>;
  unsubscribe(channel: string, listener: (message: string) => void): Promise<void>;
  close(): Promise<void>;
}

/** Channel names start with this unless `connect` is given another prefix. */
export const DEFAULT_BUS_PREFIX = "cove:bus:";

/** One Redis subscription shared by every local handler of a topic. */
interface Channel {
  refs: number;
  ready: Promise<void>;
  listener: (raw: string) => void;
}

/**
 * A {@link Bus} over Redis pub/sub. One connection publishes, a duplicate
 * subscribes (a subscribed connection cannot run PUBLISH). Each topic is one
 * Redis channel `prefix + topic`, subscribed once however many local handlers
 * it has; a local {@link MemoryBus} fans each message out to them.
 *
 * Wire format: one Redis message per `publish` call, the JSON envelope
 * `{"v":1,"messages":[BusMessage, ...]}`. One message per batch makes a batch
 * all-or-nothing for a subscriber and costs one round trip; order across
 * batches holds because both publishes and deliveries travel one connection
 * each, in command order. Redis pub/sub is at-most-once: messages sent while a
 * subscriber is disconnected are lost, and the subscriber catches up from the
 * journal by stream position. `data` survives only as far as JSON does.
 */
export class RedisBus implements Bus {
  readonly #publisher: PublishConnection;
  readonly #subscriber: SubscribeConnection;
  readonly #prefix: string;
  readonly #local = new MemoryBus();
  readonly #channels = new Map<string, Channel>();
  #closed = false;

  private constructor(
    publisher: PublishConnection,
    subscriber: SubscribeConnection,
    prefix: string,
  ) {
    this.#publisher = publisher;
    this.#subscriber = subscriber;
    this.#prefix = prefix;
  }

  /**
   * Opens the publisher and subscriber connections to `url`. Rejects with
   * {@link UnavailableError} if Redis cannot be reached now; once connected,
   * dropped connections are retried with backoff (and resubscribed).
   * `prefix` (default {@link DEFAULT_BUS_PREFIX}) keeps apps and parallel tests apart.
   */
  static async connect(url: string, opts: { prefix?: string } = {}): Promise<RedisBus> {
    const [publisher, subscriber] = await connectClients(url, ["publisher", "subscriber"]);
    return new RedisBus(publisher, subscriber, opts.prefix ?? DEFAULT_BUS_PREFIX);
  }

  /** Publishes the batch as one Redis message on channel `prefix + topic`. */
  async publish(topic: string, messages: BusMessage[]): Promise<void> {
    if (this.#closed) throw new UnavailableError("bus is closed");
    if (messages.length === 0) return;
    await this.#publisher.publish(this.#prefix + topic, encodeEnvelope(messages));
  }

  /** Subscribes; resolves after Redis has confirmed the channel subscription. */
  async subscribe(topic: string, handler: BusHandler): Promise<() => Promise<void>> {
    if (this.#closed) throw new UnavailableError("bus is closed");
    const unsubscribeLocal = await this.#local.subscribe(topic, handler);
    let channel = this.#channels.get(topic);
    if (!channel) {
      const listener = (raw: string) => this.#receive(topic, raw);
      const ready = this.#subscriber.subscribe(this.#prefix + topic, listener);
      channel = { refs: 0, ready, listener };
      this.#channels.set(topic, channel);
    }
    channel.refs++;
    const held = channel;
    let active = true;
    const unsubscribe = async () => {
      if (!active) return;
      active = false;
      await unsubscribeLocal();
      await this.#release(topic, held);
    };
    try {
      await held.ready;
    } catch (error) {
      await unsubscribe();
      throw error;
    }
    return unsubscribe;
  }

  /** Quits both connections, waiting for commands in flight. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#channels.clear();
    await this.#local.close();
    await Promise.all([this.#subscriber.close(), this.#publisher.close()]);
  }

  #release(topic: string, channel: Channel): Promise<void> {
    channel.refs--;
    if (channel.refs > 0 || this.#channels.get(topic) !== channel) return Promise.resolve();
    this.#channels.delete(topic);
    // A later subscribe to the same topic queues its SUBSCRIBE after this
    // UNSUBSCRIBE on the same connection, so it cannot be undone by it.
    return this.#subscriber.unsubscribe(this.#prefix + topic, channel.listener);
  }

  #receive(topic: string, raw: string): void {
    if (this.#closed) return;
    const messages = decodeEnvelope(raw);
    if (!messages) {
      console.error(`redis bus: dropped malformed message on ${this.#prefix + topic}:`, raw);
      return;
    }
    // MemoryBus delivers synchronously and isolates failing handlers; the
    // catch only guards against a close racing this delivery.
    this.#local.publish(topic, messages).catch(() => {});
  }
}

/**
 * The Redis commands Cove uses outside the bus (shared rate limits): one
 * connection, `EVAL`, and `close`. The shape is neutral so callers never
 * import a Redis client themselves.
 */
export interface RedisCommands {
  /** `EVAL script numkeys keys... args...`, resolving to the script's reply. */
  eval(script: string, keys: string[], args: string[]): Promise<unknown>;
  /**
   * Any other command, e.g. `call("PUBLISH", [channel, message])`: bulk
   * replies as UTF-8 strings, integers as numbers, arrays, null; a Redis
   * error reply rejects with its message.
   */
  call(command: string, args: (string | number)[]): Promise<unknown>;
  /** Quits the connection, waiting for commands in flight. Idempotent. */
  close(): Promise<void>;
}

/**
 * Opens one command connection to `url`, failing fast like
 * {@link RedisBus.connect} (with {@link UnavailableError}) and reconnecting
 * with backoff once connected.
 */
export async function connectRedisCommands(url: string): Promise<RedisCommands> {
  const [client] = await connectClients(url, ["commands"]);
  return {
    eval: (script, keys, args) => client.eval(script, { keys, arguments: args }),
    call: (command, args) => client.sendCommand([command, ...args.map(String)]),
    close: async () => {
      // close() on a closed client rejects; closing twice is harmless here.
      if (client.isOpen) await client.close();
    },
  };
}

type RedisClient = ReturnType<typeof createClient>;

/**
 * One connected node-redis client per name, the first's options shared by
 * its duplicates. node-redis rather than ioredis: measured side by side
 * (`bench/redis_clients_bench.ts`, BENCHMARKS.md) they published equally fast,
 * and node-redis delivered with the lower tail latency on a machine not
 * saturated by other work. Once connected, a dropped connection is retried
 * with backoff and its subscriptions restored.
 */
async function connectClients<const N extends readonly string[]>(
  url: string,
  names: N,
): Promise<{ [K in keyof N]: RedisClient }> {
  const state = { connected: false };
  const first = createClient({
    url,
    socket: {
      // Fail fast at start-up so a wrong URL is reported, not retried forever.
      reconnectStrategy: (retries: number, cause: Error) =>
        state.connected ? Math.min(50 * 2 ** retries, 2_000) : cause,
    },
  });
  const clients = names.map((_, i) => i === 0 ? first : first.duplicate());
  // Without an "error" listener the client's EventEmitter would throw and crash the process.
  // Before the first connect the rejection below reports the cause, so only log afterwards.
  clients.forEach((client, i) =>
    client.on("error", (error: unknown) => {
      if (state.connected) console.error(`redis ${names[i]}:`, error);
    })
  );
  try {
    await Promise.all(clients.map((c) => c.connect()));
  } catch (error) {
    for (const c of clients) c.destroy();
    // The URL is left out: it may carry a password.
    throw new UnavailableError(`redis cannot connect: ${describe(error)}`);
  }
  state.connected = true;
  return clients as { [K in keyof N]: RedisClient };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
