/**
 * Test support for multi-process gateway tests: real `main.ts` node
 * processes on one Postgres schema and one Redis, and stream clients that
 * record every frame they receive (WebSocket, SSE, and a raw WebSocket that
 * stops reading, to play a slow consumer).
 *
 * @module
 */
import postgres from "postgres";
import { newId } from "../shared/ids.ts";
import { ConfigSchema, type ServerFrame } from "../shared/mod.ts";

const ROOT = new URL("..", import.meta.url);
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

/** The URLs of the real services, or why the test cannot run. */
export function serviceUrls(): { db: string; redis: string } | { skip: string } {
  const db = Deno.env.get("TEST_DATABASE_URL");
  const redis = Deno.env.get("TEST_REDIS_URL");
  const missing = [db ? "" : "TEST_DATABASE_URL", redis ? "" : "TEST_REDIS_URL"].filter(Boolean);
  if (missing.length > 0) return { skip: `${missing.join(" and ")} not set` };
  return { db: db!, redis: redis! };
}

/** Resolves with `promise`, or rejects naming `what` after `ms`. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `check` every 20 ms until it is true; throws naming `what` after `ms`. */
export async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// ---------------------------------------------------------------- node processes

/** One `deno run main.ts` process. */
export interface NodeProcess {
  readonly nodeId: string;
  /** Base URL from its start-up line. */
  readonly url: string;
  readonly output: { stdout: string; stderr: string };
  /** SIGTERM, then SIGKILL if it has not exited in time. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Spawns `deno run -A main.ts` with `env` over a blank Cove environment (so
 * the developer's own variables cannot leak in) and waits for its start-up
 * line. The process is killed if it does not start.
 */
export async function spawnNode(env: Record<string, string>): Promise<NodeProcess> {
  const blank = Object.fromEntries(Object.keys(ConfigSchema.shape).map((k) => [k, ""]));
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts"],
    cwd: ROOT,
    env: { ...blank, NO_COLOR: "1", LOG_LEVEL: "info", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = { stdout: "", stderr: "" };
  const collect = async (stream: ReadableStream<Uint8Array>, key: "stdout" | "stderr") => {
    for await (const text of stream.pipeThrough(new TextDecoderStream())) output[key] += text;
  };
  const drained = Promise.all([collect(child.stdout, "stdout"), collect(child.stderr, "stderr")]);
  let exited = false;
  const status = child.status.finally(() => exited = true);
  let stopping: Promise<void> | undefined;
  const stop = () =>
    stopping ??= (async () => {
      if (!exited) child.kill("SIGTERM");
      try {
        await within(status, STOP_TIMEOUT_MS, `node ${env.NODE_ID} stopping`);
      } catch {
        if (!exited) child.kill("SIGKILL");
        await status;
      }
      await drained;
    })();
  try {
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      const m = output.stdout.match(/node (\S+) listening on (http:\/\/\S+)/);
      if (m) return { nodeId: m[1]!, url: m[2]!, output, stop };
      if (exited || Date.now() > deadline) {
        throw new Error(
          `node ${env.NODE_ID} did not start (exited: ${exited})\n` +
            `stdout:\n${output.stdout}\nstderr:\n${output.stderr}`,
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  } catch (e) {
    await stop();
    throw e;
  }
}

/** A shared signing secret for every node of a test cluster and the test's own tokens. */
export const CLUSTER_JWT_SECRET = "cluster-test-secret-".padEnd(48, "x");

/** Several node processes over one fresh Postgres schema and one Redis. */
export interface Cluster {
  readonly nodes: NodeProcess[];
  /** A client of the cluster's schema, for reading the journal directly. */
  readonly sql: postgres.Sql;
  /** Stops every node and drops the schema. */
  stop(): Promise<void>;
}

/**
 * Starts `count` nodes with distinct NODE_IDs on a schema of their own in
 * the test database (`?search_path=`), sharing Redis and `JWT_SECRET`.
 * `env` adds variables to every node.
 */
export async function startCluster(
  urls: { db: string; redis: string },
  count: number,
  env: Record<string, string> = {},
): Promise<Cluster> {
  const schema = `gw_${newId()}`.toLowerCase().replace(/[^a-z0-9_]/g, "_");
  const admin = postgres(urls.db, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE SCHEMA "${schema}"`);
  const dbUrl = new URL(urls.db);
  dbUrl.searchParams.set("search_path", schema);
  const nodes: NodeProcess[] = [];
  const sql = postgres(dbUrl.href, { max: 2, onnotice: () => {} });
  const dataDir = await Deno.makeTempDir({ prefix: "cove_cluster_" });
  const stop = async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await sql.end();
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    try {
      await admin.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    } finally {
      await admin.end();
    }
  };
  try {
    const started = await Promise.allSettled(
      Array.from({ length: count }, (_, i) =>
        spawnNode({
          DATABASE_URL: dbUrl.href,
          REDIS_URL: urls.redis,
          PORT: "0",
          HOST: "127.0.0.1",
          NODE_ID: `${schema}-${String.fromCharCode(97 + i)}`,
          DATA_DIR: `${dataDir}/${i}`,
          JWT_SECRET: CLUSTER_JWT_SECRET,
          WEBHOOK_SECRET: CLUSTER_JWT_SECRET,
          ...env,
        })),
    );
    for (const s of started) if (s.status === "fulfilled") nodes.push(s.value);
    const failed = started.find((s) => s.status === "rejected");
    if (failed) throw (failed as PromiseRejectedResult).reason;
    return { nodes, sql, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

// ---------------------------------------------------------------- stream clients

/** A stream client that records every frame it receives, in order. */
export interface FrameLog {
  readonly frames: ServerFrame[];
  /** The `event` frames received so far. */
  events(): Extract<ServerFrame, { type: "event" }>[];
  /** Waits until a frame satisfies `match`; returns it. */
  waitFor(match: (f: ServerFrame) => boolean, ms: number, what: string): Promise<ServerFrame>;
}

function frameLog(): FrameLog & { push(f: ServerFrame): void; fail(e: Error): void } {
  const frames: ServerFrame[] = [];
  let failure: Error | undefined;
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const w of [...waiters]) w();
  };
  return {
    frames,
    push(f) {
      frames.push(f);
      wake();
    },
    fail(e) {
      failure ??= e;
      wake();
    },
    events: () => frames.filter((f) => f.type === "event") as ReturnType<FrameLog["events"]>,
    waitFor(match, ms, what) {
      let seen = 0;
      return within(
        new Promise<ServerFrame>((resolve, reject) => {
          const check = () => {
            for (; seen < frames.length; seen++) {
              if (match(frames[seen]!)) {
                waiters.delete(check);
                return resolve(frames[seen]!);
              }
            }
            if (failure) {
              waiters.delete(check);
              reject(failure);
            }
          };
          waiters.add(check);
          check();
        }),
        ms,
        what,
      );
    },
  };
}

/** A WebSocket stream subscriber. */
export interface WsClient extends FrameLog {
  readonly socket: WebSocket;
  /** Resolves with the close code and reason once the socket is closed. */
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Sends a subscribe frame. */
  subscribe(topics: string[], from: number | null): void;
  close(): Promise<void>;
}

/** Opens `/v1/stream` on `baseUrl`, authenticates with `token` and waits for `ready`. */
export async function connectWs(baseUrl: string, token: string): Promise<WsClient> {
  const socket = new WebSocket(`${baseUrl.replace(/^http/, "ws")}/v1/stream`);
  const log = frameLog();
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.onclose = (e) => {
      resolve({ code: e.code, reason: e.reason });
      log.fail(new Error(`socket closed ${e.code} ${e.reason}`));
    };
  });
  socket.onmessage = (e) => log.push(JSON.parse(String(e.data)));
  socket.onerror = () => {};
  await within(
    new Promise((resolve, reject) => {
      socket.onopen = resolve;
      closed.then(({ code }) => reject(new Error(`socket closed (${code}) before opening`)));
    }),
    10_000,
    "WebSocket open",
  );
  socket.send(JSON.stringify({ type: "auth", token }));
  await log.waitFor((f) => f.type === "ready", 10_000, "ready frame");
  return {
    ...log,
    socket,
    closed,
    subscribe: (topics, from) => socket.send(JSON.stringify({ type: "subscribe", topics, from })),
    close: async () => {
      if (socket.readyState !== WebSocket.CLOSED) socket.close(1000);
      await within(closed, 5_000, "WebSocket close");
    },
  };
}

/** An SSE subscriber. */
export interface SseClient extends FrameLog {
  readonly status: number;
  close(): Promise<void>;
}

/** Opens `/v1/stream/sse?<query>` with a Bearer token and parses its frames as they come. */
export async function connectSse(baseUrl: string, token: string, query = ""): Promise<SseClient> {
  const abort = new AbortController();
  const res = await fetch(`${baseUrl}/v1/stream/sse${query ? `?${query}` : ""}`, {
    headers: { authorization: `Bearer ${token}` },
    signal: abort.signal,
  });
  const log = frameLog();
  const reading = (async () => {
    if (!res.body) return;
    let buffered = "";
    try {
      for await (const text of res.body.pipeThrough(new TextDecoderStream())) {
        buffered += text;
        const blocks = buffered.split("\n\n");
        buffered = blocks.pop()!;
        for (const block of blocks) {
          const data = block.split("\n").filter((l) => l.startsWith("data: "))
            .map((l) => l.slice(6)).join("\n");
          if (data) log.push(JSON.parse(data));
        }
      }
      log.fail(new Error("SSE stream ended"));
    } catch (e) {
      log.fail(e instanceof Error ? e : new Error(String(e)));
    }
  })();
  return {
    ...log,
    status: res.status,
    close: async () => {
      abort.abort();
      await reading;
    },
  };
}

// ---------------------------------------------------------------- raw WebSocket

/** One frame read off a raw WebSocket connection. */
export interface RawFrame {
  opcode: number;
  payload: Uint8Array;
}

/** Encodes one masked client frame (RFC 6455 §5.2). */
export function encodeClientFrame(opcode: number, payload: Uint8Array): Uint8Array {
  const len = payload.length;
  const head = len < 126 ? 2 : len < 65536 ? 4 : 10;
  const out = new Uint8Array(head + 4 + len);
  out[0] = 0x80 | opcode;
  if (len < 126) out[1] = 0x80 | len;
  else if (len < 65536) {
    out[1] = 0x80 | 126;
    new DataView(out.buffer).setUint16(2, len);
  } else {
    out[1] = 0x80 | 127;
    new DataView(out.buffer).setBigUint64(2, BigInt(len));
  }
  const mask = crypto.getRandomValues(new Uint8Array(4));
  out.set(mask, head);
  for (let i = 0; i < len; i++) out[head + 4 + i] = payload[i]! ^ mask[i % 4]!;
  return out;
}

/**
 * A WebSocket client on a plain TCP connection, so the test decides when
 * (and whether) bytes are read: it plays a consumer that stops reading.
 */
export class RawWebSocket {
  #conn: Deno.TcpConn;
  #pending: Uint8Array = new Uint8Array(0);

  private constructor(conn: Deno.TcpConn, rest: Uint8Array) {
    this.#conn = conn;
    this.#pending = rest;
  }

  /** Connects and performs the upgrade handshake; throws unless the answer is 101. */
  static async connect(baseUrl: string, path = "/v1/stream"): Promise<RawWebSocket> {
    const url = new URL(baseUrl);
    const conn = await Deno.connect({ hostname: url.hostname, port: Number(url.port) });
    const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
    const request = `GET ${path} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\n` +
      `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`;
    await writeAll(conn, new TextEncoder().encode(request));
    let buf: Uint8Array = new Uint8Array(0);
    for (;;) {
      const chunk = new Uint8Array(4096);
      const n = await conn.read(chunk);
      if (n === null) throw new Error("connection closed during the upgrade");
      buf = concat(buf, chunk.subarray(0, n));
      const end = indexOfHeaderEnd(buf);
      if (end >= 0) {
        const head = new TextDecoder().decode(buf.subarray(0, end));
        if (!/^HTTP\/1\.1 101/.test(head)) {
          conn.close();
          throw new Error(`upgrade refused: ${head.split("\r\n")[0]}`);
        }
        return new RawWebSocket(conn, buf.subarray(end + 4));
      }
    }
  }

  /** Sends one text frame. */
  async sendText(text: string): Promise<void> {
    await writeAll(this.#conn, encodeClientFrame(0x1, new TextEncoder().encode(text)));
  }

  /** Sends one frame of `opcode` (1 text, 2 binary, 8 close, ...). */
  async sendFrame(opcode: number, payload: Uint8Array): Promise<void> {
    await writeAll(this.#conn, encodeClientFrame(opcode, payload));
  }

  /** Sends raw bytes as they are (for malformed frames). */
  async sendBytes(bytes: Uint8Array): Promise<void> {
    await writeAll(this.#conn, bytes);
  }

  /** Reads the next frame; null at end of stream. */
  async readFrame(): Promise<RawFrame | null> {
    for (;;) {
      const frame = this.#parse();
      if (frame) return frame;
      const chunk = new Uint8Array(256 * 1024);
      let n: number | null;
      try {
        n = await this.#conn.read(chunk);
      } catch {
        n = null;
      }
      if (n === null) return null;
      this.#pending = concat(this.#pending, chunk.subarray(0, n));
    }
  }

  /** Closes the TCP connection without a close handshake. */
  close(): void {
    try {
      this.#conn.close();
    } catch {
      // Already closed.
    }
  }

  #parse(): RawFrame | null {
    const b = this.#pending;
    if (b.length < 2) return null;
    let len = b[1]! & 0x7f;
    let at = 2;
    if (len === 126) {
      if (b.length < 4) return null;
      len = new DataView(b.buffer, b.byteOffset).getUint16(2);
      at = 4;
    } else if (len === 127) {
      if (b.length < 10) return null;
      len = Number(new DataView(b.buffer, b.byteOffset).getBigUint64(2));
      at = 10;
    }
    if (b.length < at + len) return null;
    const frame = { opcode: b[0]! & 0x0f, payload: b.slice(at, at + len) };
    this.#pending = b.subarray(at + len);
    return frame;
  }
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let off = 0; off < bytes.length;) off += await conn.write(bytes.subarray(off));
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function indexOfHeaderEnd(b: Uint8Array): number {
  for (let i = 0; i + 3 < b.length; i++) {
    if (b[i] === 13 && b[i + 1] === 10 && b[i + 2] === 13 && b[i + 3] === 10) return i;
  }
  return -1;
}
