/**
 * The stream hub of a gateway node: resumable, filtered, bounded event
 * streams for WebSocket and SSE connections, over one bus subscription per
 * tenant (fanned out in memory) and the journal for everything the bus did
 * not or could not deliver.
 *
 * Resume (invariant 8): the bus is subscribed FIRST and live messages are
 * buffered; the journal is paged from `from`; then the buffer is drained,
 * skipping positions already delivered. Live, a message is delivered when it
 * is `last + 1`; a gap (Redis pub/sub dropped one) is filled from the journal
 * before it. Positions are gap-free and in commit order per tenant, so
 * "exactly once, in order" is "deliver `last + 1` next, always".
 *
 * @module
 */
import type { Bus, BusMessage, StreamEvent } from "../actors/runtime/mod.ts";
import { tenantTopic } from "../actors/runtime/mod.ts";
import { type Clock, systemClock } from "../shared/mod.ts";
import type { ServerFrame, StreamTopic } from "../shared/mod.ts";

/**
 * Where a connection's frames go: a port each transport (WebSocket, SSE)
 * implements. `send` must not block: it answers "full" instead of queuing
 * without limit, and the hub then closes the connection.
 */
export interface StreamSink {
  /** Queues one frame; "full" means it was NOT queued (the consumer is too slow). */
  send(frame: ServerFrame): "ok" | "full";
  /** Ends the connection with a close code and a reason the client can act on. */
  close(code: number, reason: string): void;
  /**
   * Optional pacing for replays: resolves once the consumer has taken enough
   * of what is queued (or the sink gave up waiting). Catch-up awaits it
   * before each journal event, so a client that reads is paced through a
   * long gap instead of being closed as slow; live delivery never waits.
   */
  drain?(): Promise<void>;
}

/**
 * Resolves once `ready()` holds, checking every `everyMs` (sockets have no
 * drain event), or after `ms` regardless: the caller's next send then finds
 * the sink still full and the hub closes the consumer as slow.
 */
export function pollUntil(ready: () => boolean, ms: number, everyMs = 10): Promise<void> {
  if (ready()) return Promise.resolve();
  const deadline = Date.now() + ms;
  return new Promise((resolve) => {
    const poll = () => (ready() || Date.now() >= deadline ? resolve() : setTimeout(poll, everyMs));
    setTimeout(poll, everyMs);
  });
}

/** The part of the journal the hub reads. */
export interface StreamSource {
  /** A tenant's events after `after`, in position order, at most `limit`. */
  readStream(tenant: string, after: number, limit: number): Promise<StreamEvent[]>;
}

/** Starts a repeating timer; returns its cancel function. Injectable so tests move time. */
export type StartInterval = (ms: number, fn: () => void) => () => void;

/** What a {@link StreamHub} is built over. */
export interface StreamHubOptions {
  bus: Bus;
  journal: StreamSource;
  /** Stamps heartbeats (default the system clock). */
  clock?: Clock;
  /** Heartbeat period, ms (default 15,000). */
  heartbeatMs?: number;
  /** Timer for heartbeats (default `setInterval`). */
  startInterval?: StartInterval;
  /** Events per journal read while catching up (default 500). */
  pageSize?: number;
  /**
   * Live messages held per connection while it catches up (default 10,000).
   * Past it they are dropped and read from the journal instead, so a long
   * replay never grows memory without bound.
   */
  maxBuffered?: number;
  /**
   * The lowest position a client may resume from (events at or before it
   * may be deleted). Nothing is deleted yet, so the default answers 0.
   */
  oldestPosition?: (tenant: string) => Promise<number>;
}

/** Which events of the tenant a connection wants: any topic matching is enough. */
export type StreamFilter = (message: BusMessage) => boolean;

/** Builds the filter of a subscription's topics (`tenant`, `<actor type>:<id>`, `type:<t>`). */
export function topicFilter(tenant: string, topics: readonly StreamTopic[]): StreamFilter {
  if (topics.includes("tenant")) return () => true;
  const actors = new Set<string>();
  const types = new Set<string>();
  for (const t of topics) {
    const colon = t.indexOf(":");
    const kind = t.slice(0, colon);
    // The tenant is always the caller's, so a topic can never name another tenant's actor.
    if (kind === "type") types.add(t.slice(colon + 1));
    else actors.add(`${kind}/${tenant}/${t.slice(colon + 1)}`);
  }
  return (m) => actors.has(m.actor) || types.has(m.type);
}

/** A live subscription; `close` ends it from the client's side (no frame is sent). */
export interface StreamSubscription {
  /** Last position delivered (or filtered out) to this connection. */
  readonly position: number;
  /** Detaches the connection from the hub. Idempotent. */
  close(): Promise<void>;
}

/** What {@link StreamHub.subscribe} answers. */
export type SubscribeOutcome =
  | { state: "ok"; subscription: StreamSubscription }
  | { state: "beyond_retention"; oldest: number }
  | { state: "closed" };

/** Close code for a consumer that fell behind its buffer. */
export const SLOW_CONSUMER_CODE = 4008;

interface TenantFeed {
  connections: Set<Connection>;
  ready: Promise<() => Promise<void>>;
}

/** One subscriber's cursor through its tenant's stream. */
class Connection implements StreamSubscription {
  position: number;
  mode: "catching_up" | "live" = "catching_up";
  buffer: BusMessage[] = [];
  overflowed = false;
  highestSeen = 0;
  closed = false;
  caughtUpOnce = false;
  constructor(
    readonly tenant: string,
    readonly filter: StreamFilter,
    from: number,
    readonly sink: StreamSink,
    private readonly detach: (c: Connection) => Promise<void>,
  ) {
    this.position = from;
  }
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return this.detach(this);
  }
}

/**
 * Per-node fan-out of tenants' streams to connections. Slow consumers are
 * closed with {@link SLOW_CONSUMER_CODE} and a reason naming the position
 * to resume from; nobody else waits for them, since sinks never block.
 */
export class StreamHub {
  readonly #bus: Bus;
  readonly #journal: StreamSource;
  readonly #clock: Clock;
  readonly #pageSize: number;
  readonly #maxBuffered: number;
  readonly #oldest: (tenant: string) => Promise<number>;
  readonly #feeds = new Map<string, TenantFeed>();
  readonly #running = new Set<Promise<void>>();
  readonly #stopHeartbeat: () => void;
  #closed = false;

  /** Starts the heartbeat timer; {@link close} stops it. */
  constructor(options: StreamHubOptions) {
    this.#bus = options.bus;
    this.#journal = options.journal;
    this.#clock = options.clock ?? systemClock;
    this.#pageSize = options.pageSize ?? 500;
    this.#maxBuffered = options.maxBuffered ?? 10_000;
    this.#oldest = options.oldestPosition ?? (() => Promise.resolve(0));
    const start: StartInterval = options.startInterval ?? ((ms, fn) => {
      const id = setInterval(fn, ms);
      return () => clearInterval(id);
    });
    this.#stopHeartbeat = start(options.heartbeatMs ?? 15_000, () => this.heartbeat());
  }

  /** How many connections are attached, over all tenants. */
  get connectionCount(): number {
    let n = 0;
    for (const feed of this.#feeds.values()) n += feed.connections.size;
    return n;
  }

  /**
   * Attaches `sink` to `tenant`'s stream after `from` (null: the start).
   * Resolves once live messages are being captured; the replay then runs in
   * the background and ends with a `caught_up` frame.
   */
  async subscribe(
    tenant: string,
    filter: StreamFilter,
    from: number | null,
    sink: StreamSink,
  ): Promise<SubscribeOutcome> {
    if (this.#closed) return { state: "closed" };
    const oldest = await this.#oldest(tenant);
    if (from !== null && from < oldest) return { state: "beyond_retention", oldest };
    const conn = new Connection(tenant, filter, from ?? oldest, sink, (c) => this.#detach(c));
    let feed = this.#feeds.get(tenant);
    if (!feed) {
      const created: TenantFeed = {
        connections: new Set(),
        ready: Promise.resolve(async () => {}),
      };
      created.ready = this.#bus.subscribe(tenantTopic(tenant), (m) => this.#onLive(created, m));
      feed = created;
      this.#feeds.set(tenant, feed);
    }
    // Joined before the bus is live: nothing published from now on is missed.
    feed.connections.add(conn);
    try {
      await feed.ready;
    } catch (error) {
      await conn.close();
      throw error;
    }
    if (this.#closed) {
      await conn.close();
      return { state: "closed" };
    }
    this.#catchUp(conn);
    return { state: "ok", subscription: conn };
  }

  /** Sends a heartbeat to every connection now; the timer calls it every period. */
  heartbeat(): void {
    const frame: ServerFrame = { type: "heartbeat", at: this.#clock.now() };
    for (const feed of this.#feeds.values()) {
      for (const conn of [...feed.connections]) this.#send(conn, frame);
    }
  }

  /** Closes every connection (1001, with its resume position) and the bus subscriptions. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopHeartbeat();
    for (const feed of [...this.#feeds.values()]) {
      for (const conn of [...feed.connections]) {
        this.#end(conn, 1001, `server shutting down; resume from ${conn.position}`);
      }
    }
    while (this.#running.size > 0) await Promise.all([...this.#running]);
    await Promise.all([...this.#feeds.keys()].map((t) => this.#release(t)));
  }

  #onLive(feed: TenantFeed, message: BusMessage): void {
    for (const conn of [...feed.connections]) {
      if (conn.closed) continue;
      if (conn.mode === "catching_up") {
        this.#hold(conn, message);
      } else if (message.position === conn.position + 1) {
        this.#deliver(conn, message);
      } else if (message.position > conn.position + 1) {
        // A message went missing on the bus: read the gap from the journal first.
        conn.mode = "catching_up";
        this.#hold(conn, message);
        this.#catchUp(conn);
      }
      // position <= conn.position: already delivered (replay overlap), skip.
    }
  }

  #hold(conn: Connection, message: BusMessage): void {
    conn.highestSeen = Math.max(conn.highestSeen, message.position);
    if (conn.overflowed) return;
    if (conn.buffer.length >= this.#maxBuffered) {
      conn.buffer = [];
      conn.overflowed = true;
      return;
    }
    conn.buffer.push(message);
  }

  #catchUp(conn: Connection): void {
    const run = this.#runCatchUp(conn).catch((error) => {
      console.error(`stream catch-up for ${conn.tenant} failed:`, error);
      this.#end(conn, 1011, `stream unavailable; resume from ${conn.position}`);
    });
    this.#running.add(run);
    run.finally(() => this.#running.delete(run));
  }

  async #runCatchUp(conn: Connection): Promise<void> {
    for (;;) {
      const before = conn.position;
      // Page the journal until it has nothing newer.
      for (;;) {
        const page = await this.#journal.readStream(conn.tenant, conn.position, this.#pageSize);
        if (conn.closed) return;
        for (const e of page) {
          if (e.position <= conn.position) continue;
          if (e.position > conn.position + 1) {
            this.#end(conn, 1011, `stream gap; resume from ${conn.position}`);
            return;
          }
          if (conn.sink.drain) {
            await conn.sink.drain();
            if (conn.closed) return;
          }
          if (!this.#deliver(conn, e)) return;
        }
        if (page.length < this.#pageSize) break;
      }
      if (conn.overflowed) {
        // Dropped live messages are in the journal: read on until past them.
        conn.overflowed = false;
        if (conn.highestSeen > conn.position) continue;
      }
      // Drain what arrived live meanwhile; no await from here to "live".
      const held = conn.buffer;
      conn.buffer = [];
      let gap = false;
      for (const m of held) {
        if (m.position <= conn.position) continue;
        if (m.position > conn.position + 1) {
          gap = true;
          conn.buffer = held.slice(held.indexOf(m));
          break;
        }
        if (!this.#deliver(conn, m)) return;
      }
      if (gap) {
        if (conn.position === before) {
          // The bus is ahead of what the journal shows (a lagging replica?): let the client retry.
          this.#end(conn, 1011, `stream gap; resume from ${conn.position}`);
          return;
        }
        continue;
      }
      conn.mode = "live";
      if (!conn.caughtUpOnce) {
        conn.caughtUpOnce = true;
        this.#send(conn, { type: "caught_up", position: conn.position });
      }
      return;
    }
  }

  /** Advances the cursor past `m`, sending it if the filter wants it; false if the sink closed. */
  #deliver(conn: Connection, m: BusMessage | StreamEvent): boolean {
    if (conn.filter(m as BusMessage)) {
      const frame: ServerFrame = {
        type: "event",
        position: m.position,
        event: {
          actor: m.actor,
          seq: m.seq,
          type: m.type,
          version: m.version,
          data: m.data,
          at: m.at,
        },
      };
      if (!this.#send(conn, frame)) return false;
    }
    conn.position = m.position;
    return true;
  }

  #send(conn: Connection, frame: ServerFrame): boolean {
    if (conn.closed) return false;
    if (conn.sink.send(frame) === "ok") return true;
    this.#end(conn, SLOW_CONSUMER_CODE, `slow consumer; resume from ${conn.position}`);
    return false;
  }

  /** Ends a connection the hub chose to end: tells the sink, then detaches. */
  #end(conn: Connection, code: number, reason: string): void {
    if (conn.closed) return;
    try {
      conn.sink.close(code, reason);
    } catch (error) {
      console.error("stream sink close failed:", error);
    }
    conn.close().catch((error) => console.error("stream detach failed:", error));
  }

  async #detach(conn: Connection): Promise<void> {
    conn.buffer = [];
    const feed = this.#feeds.get(conn.tenant);
    if (!feed || !feed.connections.delete(conn)) return;
    if (feed.connections.size === 0 && !this.#closed) await this.#release(conn.tenant);
  }

  async #release(tenant: string): Promise<void> {
    const feed = this.#feeds.get(tenant);
    if (!feed || (feed.connections.size > 0 && !this.#closed)) return;
    this.#feeds.delete(tenant);
    const unsubscribe = await feed.ready.catch(() => undefined);
    await unsubscribe?.();
  }
}
