/**
 * A load process of the fan-out benchmark: holds many stream WebSockets to
 * one node, all authenticated and subscribed to the tenant feed, and counts
 * what arrives. Run by `bench/ws_fanout_bench.ts`, one per node, so that
 * receiving never shares an event loop with the nodes or the orchestrator.
 *
 * Usage: `deno run -A bench/_ws_clients.ts <ws url> <token> <connections>`.
 * Prints JSON lines on stdout: `{"t":"open",...}` once every connection is
 * caught up (or failed); then answers stdin commands, one per line:
 *
 * - `mark`: starts a new phase (counts and latencies from zero);
 * - `report`: `{"t":"report", received, first, last, hist, closes}` for the
 *   phase, where `hist` maps whole milliseconds of latency (receipt minus
 *   the event's `at`) to counts, and `first`/`last` are receipt times;
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

const sockets: WebSocket[] = [];
let received = 0;
let first = 0;
let last = 0;
let hist = new Map<number, number>();
const closes = new Map<string, number>();
const EVENT_PREFIX = '{"type":"event"';

function onFrame(data: unknown): void {
  if (typeof data !== "string" || !data.startsWith(EVENT_PREFIX)) return;
  const now = Date.now();
  received++;
  if (first === 0) first = now;
  last = now;
  // The hub writes the event's `at` last: `..."at":<ms>}}`. Cheaper than parsing every frame.
  const at = Number(data.slice(data.lastIndexOf('"at":') + 5, -2));
  const ms = Math.max(0, now - at);
  hist.set(ms, (hist.get(ms) ?? 0) + 1);
}

/** Opens one subscribed connection; resolves true once `caught_up` arrives, false on failure. */
function open(): Promise<boolean> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url!);
    let settled = false;
    const settle = (ok: boolean) => {
      if (settled) return;
      settled = true;
      resolve(ok);
    };
    ws.onopen = () => ws.send(JSON.stringify({ type: "auth", token }));
    ws.onmessage = (m) => {
      if (settled) return onFrame(m.data);
      const frame = JSON.parse(String(m.data));
      if (frame.type === "ready") {
        ws.send(JSON.stringify({ type: "subscribe", topics: ["tenant"], from: null }));
      } else if (frame.type === "caught_up") {
        ws.onmessage = (m) => onFrame(m.data);
        settle(true);
      } else if (frame.type === "event") {
        onFrame(m.data);
      } else if (frame.type === "error") {
        settle(false);
      }
    };
    ws.onclose = (e) => {
      const key = String(e.code);
      closes.set(key, (closes.get(key) ?? 0) + 1);
      settle(false);
    };
    ws.onerror = () => settle(false);
    sockets.push(ws);
  });
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
        open: sockets.filter((s) => s.readyState === WebSocket.OPEN).length,
      }));
    } else if (command === "close") {
      for (const s of sockets) s.close(1000, "bench done");
      Deno.exit(0);
    }
  }
}
