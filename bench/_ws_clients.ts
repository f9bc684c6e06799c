/**
 * A load process of the fan-out benchmark: holds many stream WebSockets to
 * one node, all authenticated and subscribed to the tenant feed, and counts
 * what arrives. Run by `bench/ws_fanout_bench.ts`, one per node, so that
 * receiving never shares an event loop with the nodes or the orchestrator.
 *
 * The sockets speak WebSocket (RFC 6455) over `Deno.connect` directly
 * rather than through the `WebSocket` class: a read takes whatever the
 * kernel holds (many frames at once) and counts frames by their headers,
 * without a JS event and a string per message. With the `WebSocket` class
 * this process cost more CPU per delivery than the node sending it, so the
 * benchmark measured its own client. Pings are answered with pongs, as a
 * browser does.
 *
 * Usage: `deno run -A bench/_ws_clients.ts <ws url> <token> <connections>`.
 * Prints JSON lines on stdout: `{"t":"open",...}` once every connection is
 * caught up (or failed); then answers stdin commands, one per line:
 *
 * - `mark`: starts a new phase (counts and latencies from zero);
 * - `report`: `{"t":"report", received, first, last, hist, closes, open, sample}`
 *   for the phase, where `hist` maps whole milliseconds of latency (receipt
 *   minus the event's `at`) to counts, and `first`/`last` are receipt times;
 * - `close`: closes every socket and exits.
 *
 * @module
 */
const [url, token, countArg] = Deno.args;
if (!url || !token || !countArg) {
  console.error("usage: _ws_clients.ts <ws url> <token> <connections>");
  Deno.exit(2);
}
const COUNT = Number(countArg);
/** Connections being opened at once: enough to be quick, few enough not to time out auth. */
const OPENING = 100;
const target = new URL(url);

let received = 0;
let first = 0;
let last = 0;
let hist = new Map<number, number>();
const closes = new Map<string, number>();
let openCount = 0;
/** One event frame as received, so the orchestrator can tell its size and serialization cost. */
let sample: string | undefined;
const conns: Deno.Conn[] = [];
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A client frame (clients must mask): opcode 1 text, 9 ping, 10 pong, 8 close. */
function frame(opcode: number, payload: Uint8Array): Uint8Array {
  const n = payload.length;
  const head = n < 126 ? 2 : 4;
  const out = new Uint8Array(head + 4 + n);
  out[0] = 0x80 | opcode;
  if (n < 126) out[1] = 0x80 | n;
  else {
    out[1] = 0x80 | 126;
    out[2] = n >> 8;
    out[3] = n & 0xff;
  }
  const mask = crypto.getRandomValues(new Uint8Array(4));
  out.set(mask, head);
  for (let i = 0; i < n; i++) out[head + 4 + i] = payload[i]! ^ mask[i & 3]!;
  return out;
}

const sendText = (conn: Deno.Conn, text: string) => conn.write(frame(1, encoder.encode(text)));

/** Counts one event frame whose payload is `buf[start, end)`; `at` is the last number in it. */
function onEvent(buf: Uint8Array, end: number, now: number): void {
  received++;
  if (first === 0) first = now;
  last = now;
  // The hub writes the event's `at` last: `..."at":<ms>}}`.
  let at = 0;
  let scale = 1;
  for (let i = end - 3; i > end - 20; i--) {
    const d = buf[i]! - 48;
    if (d < 0 || d > 9) break;
    at += d * scale;
    scale *= 10;
  }
  const ms = Math.max(0, now - at);
  hist.set(ms, (hist.get(ms) ?? 0) + 1);
}

/** `{"type":"event"`: bytes 9 and 10 of the payload are `e` and `v`. */
const isEvent = (buf: Uint8Array, start: number) =>
  buf[start + 9] === 0x65 && buf[start + 10] === 0x76;

/**
 * Opens one connection, authenticates and subscribes; resolves true once
 * `caught_up` arrived, false if it failed. Then keeps reading until closed.
 */
function open(): Promise<boolean> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (ok: boolean) => {
      if (!settled) {
        settled = true;
        if (ok) openCount++;
        resolve(ok);
      }
    };
    run(settle).catch(() => {}).finally(() => settle(false));
  });
}

async function run(settle: (ok: boolean) => void): Promise<void> {
  const conn = await Deno.connect({ hostname: target.hostname, port: Number(target.port) });
  conns.push(conn);
  const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
  await conn.write(encoder.encode(
    `GET ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\nUpgrade: websocket\r\n` +
      `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  ));
  let buf = new Uint8Array(32 * 1024);
  let have = 0;
  let upgraded = false;
  let state: "auth" | "subscribe" | "live" = "auth";
  let counting = false;
  for (;;) {
    if (have === buf.length) {
      const bigger = new Uint8Array(buf.length * 2);
      bigger.set(buf);
      buf = bigger;
    }
    const n = await conn.read(buf.subarray(have));
    if (n === null) break;
    have += n;
    let at = 0;
    if (!upgraded) {
      const text = decoder.decode(buf.subarray(0, have));
      const endOfHead = text.indexOf("\r\n\r\n");
      if (endOfHead < 0) continue;
      if (!text.startsWith("HTTP/1.1 101")) break;
      upgraded = true;
      at = endOfHead + 4;
      await sendText(conn, JSON.stringify({ type: "auth", token }));
    }
    const now = Date.now();
    let closed = false;
    while (have - at >= 2) {
      const opcode = buf[at]! & 0x0f;
      let len = buf[at + 1]! & 0x7f;
      let head = 2;
      if (len === 126) {
        if (have - at < 4) break;
        len = (buf[at + 2]! << 8) | buf[at + 3]!;
        head = 4;
      } else if (len === 127) {
        if (have - at < 10) break;
        len = buf[at + 6]! * 2 ** 24 + (buf[at + 7]! << 16) + (buf[at + 8]! << 8) + buf[at + 9]!;
        head = 10;
      }
      if (have - at < head + len) {
        if (head + len > buf.length) {
          const bigger = new Uint8Array(head + len + 1024);
          bigger.set(buf.subarray(at, have));
          buf = bigger;
          have -= at;
          at = 0;
        }
        break;
      }
      const start = at + head;
      const end = start + len;
      if (opcode === 1) {
        if (counting) {
          if (isEvent(buf, start)) {
            onEvent(buf, end, now);
            sample ??= decoder.decode(buf.subarray(start, end));
          }
        } else {
          const f = JSON.parse(decoder.decode(buf.subarray(start, end)));
          if (f.type === "ready" && state === "auth") {
            state = "subscribe";
            await sendText(
              conn,
              JSON.stringify({ type: "subscribe", topics: ["tenant"], from: null }),
            );
          } else if (f.type === "caught_up") {
            state = "live";
            counting = true;
            settle(true);
          } else if (f.type === "event") {
            onEvent(buf, end, now);
          } else if (f.type === "error") {
            settle(false);
          }
        }
      } else if (opcode === 9) {
        await conn.write(frame(10, buf.slice(start, end)));
      } else if (opcode === 8) {
        const code = len >= 2 ? (buf[start]! << 8) | buf[start + 1]! : 1005;
        closes.set(String(code), (closes.get(String(code)) ?? 0) + 1);
        closed = true;
        break;
      }
      at = end;
    }
    if (closed) break;
    // Keep the unread tail at the front of the buffer.
    if (at > 0) {
      buf.copyWithin(0, at, have);
      have -= at;
    }
  }
  if (state === "live") openCount--;
  try {
    conn.close();
  } catch { /* already closed */ }
}

const started = performance.now();
let ok = 0;
let failed = 0;
let next = 0;
await Promise.all(Array.from({ length: Math.min(OPENING, COUNT) }, async () => {
  while (next < COUNT) {
    next++;
    if (await open()) ok++;
    else failed++;
  }
}));
console.log(JSON.stringify({ t: "open", ok, failed, ms: performance.now() - started }));

const lines = Deno.stdin.readable.pipeThrough(new TextDecoderStream());
let pending = "";
for await (const chunk of lines) {
  pending += chunk;
  let nl: number;
  while ((nl = pending.indexOf("\n")) >= 0) {
    const command = pending.slice(0, nl).trim();
    pending = pending.slice(nl + 1);
    if (command === "mark") {
      received = 0;
      first = 0;
      last = 0;
      hist = new Map();
    } else if (command === "report") {
      console.log(JSON.stringify({
        t: "report",
        received,
        first,
        last,
        hist: Object.fromEntries(hist),
        closes: Object.fromEntries(closes),
        open: openCount,
        sample,
      }));
    } else if (command === "close") {
      for (const c of conns) {
        try {
          c.close();
        } catch { /* already closed */ }
      }
      Deno.exit(0);
    }
  }
}
