/**
 * Upstash over its REST API (npm:@upstash/redis), for deployments that reach
 * Redis over HTTPS only: the shared rate limits (`EVAL` works over REST) and
 * publishing committed events. The only module that imports
 * `@upstash/redis`.
 *
 * REST cannot hold a subscription open the way a TCP connection does, so
 * {@link UpstashBus} publishes over REST and takes its deliveries from
 * another bus: a `RedisBus` on Upstash's TCP endpoint (`REDIS_URL`) when the
 * node has one, so that every gateway node receives every node's events; or
 * else this process alone (its own events only, like `MemoryBus`). A
 * deployment whose gateway nodes must see each other's events therefore still
 * needs `REDIS_URL` on those nodes.
 *
 * @module
 */
import { Redis } from "@upstash/redis";
import { UnavailableError } from "../../shared/errors.ts";
import type { Bus, BusHandler, BusMessage } from "./bus.ts";
import { MemoryBus } from "./bus_memory.ts";
import { DEFAULT_BUS_PREFIX } from "./bus_redis.ts";
import { encodeEnvelope } from "./_bus_wire.ts";

/** Where an Upstash database's REST API is: its URL and token (`UPSTASH_REDIS_REST_*`). */
export interface UpstashOptions {
  /** The REST URL, e.g. `https://eu1-x.upstash.io`. */
  url: string;
  /** The REST token, sent as `Authorization: Bearer <token>`. */
  token: string;
}

/** The Upstash commands Cove uses: `EVAL` (rate limits) and pipelined `PUBLISH`. */
export interface UpstashCommands {
  /** `EVAL script numkeys keys... args...`; a Redis error rejects with its message. */
  eval(script: string, keys: string[], args: string[]): Promise<unknown>;
  /** Publishes each `[channel, message]` in order, in one HTTP request. */
  publishAll(messages: Array<[channel: string, message: string]>): Promise<void>;
  /** Nothing to release (HTTP), kept for symmetry with the TCP clients. */
  close(): Promise<void>;
}

/**
 * An Upstash REST client, checked with one `PING`: a wrong URL or token
 * rejects with {@link UnavailableError} at start-up, not at the first request.
 */
export async function connectUpstash(opts: UpstashOptions): Promise<UpstashCommands> {
  const redis = new Redis({
    url: opts.url,
    token: opts.token,
    // Replies are used as Redis sent them: the client would otherwise JSON-parse strings.
    automaticDeserialization: false,
    enableTelemetry: false,
    // The client's default (5 retries, ~4 s) would hold a rate-limited request or the
    // publish queue that long while Upstash is down; fail after ~150 ms instead.
    retry: { retries: 2, backoff: (n) => 50 * 2 ** n },
  });
  try {
    await redis.ping();
  } catch (error) {
    // The token is left out of the message.
    throw new UnavailableError(`upstash cannot be reached: ${describe(error)}`);
  }
  return {
    eval: (script, keys, args) => redis.eval(script, keys, args),
    publishAll: async (messages) => {
      const pipeline = redis.pipeline();
      for (const [channel, message] of messages) pipeline.publish(channel, message);
      await pipeline.exec();
    },
    close: () => Promise.resolve(),
  };
}

/** A publish waiting for its HTTP request. */
interface Pending {
  channel: string;
  raw: string;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Options of {@link UpstashBus}. */
export interface UpstashBusOptions {
  /** Channel prefix, the same as the subscribing `RedisBus`'s (default {@link DEFAULT_BUS_PREFIX}). */
  prefix?: string;
  /**
   * The bus deliveries come from, owned (closed) by this one: a `RedisBus` on
   * the same database's TCP endpoint. Without it, this process's own
   * publishes are delivered to its own subscribers, and nothing else is.
   */
  subscriber?: Bus;
}

/**
 * A {@link Bus} that publishes over Upstash REST, in the `RedisBus` wire
 * format and channels, so `RedisBus` subscribers anywhere receive it.
 * Publishes are sent one HTTP request at a time, each carrying every publish
 * queued meanwhile as one pipeline: order holds across batches (two requests
 * in flight could overtake each other) and a burst costs few requests.
 */
export class UpstashBus implements Bus {
  readonly #rest: UpstashCommands;
  readonly #prefix: string;
  readonly #subscriber: Bus;
  readonly #local: MemoryBus | undefined;
  #pending: Pending[] = [];
  #sending: Promise<void> | undefined;
  #closed = false;

  /** See {@link UpstashBusOptions}. */
  constructor(rest: UpstashCommands, opts: UpstashBusOptions = {}) {
    this.#rest = rest;
    this.#prefix = opts.prefix ?? DEFAULT_BUS_PREFIX;
    this.#local = opts.subscriber ? undefined : new MemoryBus();
    this.#subscriber = opts.subscriber ?? this.#local!;
  }

  /** Resolves once Upstash has accepted the batch. */
  async publish(topic: string, messages: BusMessage[]): Promise<void> {
    if (this.#closed) throw new UnavailableError("bus is closed");
    if (messages.length === 0) return;
    // Local subscribers do not wait on (or depend on) the round trip to Upstash.
    await this.#local?.publish(topic, messages);
    const raw = encodeEnvelope(messages);
    await new Promise<void>((resolve, reject) => {
      this.#pending.push({ channel: this.#prefix + topic, raw, resolve, reject });
      this.#sending ??= this.#send();
    });
  }

  /** Subscribes on the delivering bus (see {@link UpstashBusOptions.subscriber}). */
  subscribe(topic: string, handler: BusHandler): Promise<() => Promise<void>> {
    if (this.#closed) return Promise.reject(new UnavailableError("bus is closed"));
    return this.#subscriber.subscribe(topic, handler);
  }

  /** Waits for publishes already accepted, then closes the delivering bus. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#sending;
    await this.#subscriber.close();
    await this.#rest.close();
  }

  async #send(): Promise<void> {
    while (this.#pending.length > 0) {
      const batch = this.#pending;
      this.#pending = [];
      try {
        await this.#rest.publishAll(batch.map((p) => [p.channel, p.raw]));
        for (const p of batch) p.resolve();
      } catch (error) {
        const failure = new UnavailableError(`upstash publish failed: ${describe(error)}`);
        for (const p of batch) p.reject(failure);
      }
    }
    this.#sending = undefined;
  }
}

// @upstash/redis appends the whole command to its messages; a publish's would be the event.
function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/, command was: [\s\S]*$/, "");
}
