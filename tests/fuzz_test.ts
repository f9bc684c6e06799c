/**
 * Fuzz: thousands of malformed requests and WebSocket frames against one
 * node (in-process, embedded database) from a seeded PRNG. Bad JSON, wrong
 * types, bodies over the limit, huge headers, unknown fields, bad and
 * forged tokens (`alg: none`, other secrets, expired, refresh tokens,
 * other tenants'), wrong methods, odd paths and query strings, over every
 * route in `/openapi.json` plus the streams and the widget route. The node
 * must answer every one with a 4xx (a 2xx only where the input happens to
 * be valid), never a 5xx, and still be healthy afterwards.
 *
 * Set FUZZ_SEED to replay a run; each failure is printed with the request.
 *
 * @module
 */
import assert from "node:assert/strict";
import { SignJWT } from "jose";
import { startCove } from "../node.ts";
import { createTokenService, MAX_BODY_BYTES, tokenSecret } from "../gateway/mod.ts";
import { loadConfig, type Role } from "../shared/mod.ts";
import { RawWebSocket, within } from "./_cluster.ts";

const SEED = Number(Deno.env.get("FUZZ_SEED") ?? 0x5eed_c0de);
const HTTP_REQUESTS = 5_000;
const trace = Deno.env.get("FUZZ_TRACE")
  ? (line: string) => console.log(`  [fuzz] ${line}`)
  : () => {};
const WS_SESSIONS = 240;
const PARALLEL = Number(Deno.env.get("FUZZ_PARALLEL") ?? 8);
/** A request still unanswered after this long counts as a failure (a hang is not a 4xx). */
const REQUEST_TIMEOUT_MS = 15_000;

/** mulberry32: small, fast and good enough to pick test inputs reproducibly. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return {
    next,
    int,
    chance: (p: number) => next() < p,
    pick: <T>(xs: readonly T[]): T => xs[int(xs.length)]!,
  };
}
type Rng = ReturnType<typeof prng>;

const JUNK_STRINGS = [
  "",
  " ",
  "null",
  "undefined",
  "0",
  "-1",
  "1e309",
  "NaN",
  "%",
  "%00",
  "%E0%A4%A",
  "%%%",
  "..",
  "../../etc/passwd",
  "a/b",
  "\u0000",
  "😀",
  "' OR 1=1 --",
  "<script>alert(1)</script>",
  "${jndi:ldap://x}",
  "lead:",
  "[]",
  "{}",
  "true",
];

function junkString(rng: Rng): string {
  switch (rng.int(4)) {
    case 0:
      return rng.pick(JUNK_STRINGS);
    case 1:
      return "x".repeat(rng.pick([129, 1_000, 5_001, 20_000]));
    case 2:
      return String.fromCharCode(...Array.from({ length: 1 + rng.int(40) }, () => rng.int(0xd7ff)));
    default:
      return rng.int(1e9).toString(36);
  }
}

/** A JSON value of any type, with junk keys and some deep nesting. */
function junkValue(rng: Rng, depth = 0): unknown {
  switch (rng.int(depth > 3 ? 5 : 8)) {
    case 0:
      return null;
    case 1:
      return rng.pick([0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1]);
    case 2:
      return rng.chance(0.5);
    case 3:
    case 4:
      return junkString(rng);
    case 5:
      return Array.from({ length: rng.int(5) }, () => junkValue(rng, depth + 1));
    default: {
      const keys = [
        "idempotencyKey",
        "contact",
        "email",
        "phone",
        "name",
        "status",
        "topics",
        "from",
        "role",
        "tenant",
        "__proto__",
        "constructor",
        junkString(rng),
      ];
      return Object.fromEntries(
        Array.from({ length: rng.int(6) }, () => [rng.pick(keys), junkValue(rng, depth + 1)]),
      );
    }
  }
}

/** A body that is not a JSON object at all: every route with a JSON object body must refuse it. */
function notAnObject(rng: Rng): string {
  switch (rng.int(6)) {
    case 0:
      return '{"idempotencyKey": "k", "contact": {"email": "a@b.c"'; // truncated
    case 1:
      return rng.pick(["", "{", "}", "{'a': 1}", "{a:1}", "nul", "[1,2,", '"\\u12"', "\u0000"]);
    case 2:
      return JSON.stringify(rng.pick([null, 0, -1, true, "text", [], [{}], [1, 2, 3]]));
    case 3:
      return "[".repeat(50_000) + "]".repeat(50_000);
    case 4:
      return '{"a":'.repeat(5_000) + "1" + "}".repeat(4_999); // unbalanced deep object
    default:
      return new TextDecoder().decode(crypto.getRandomValues(new Uint8Array(1 + rng.int(300))));
  }
}

interface Param {
  name: string;
  in: string;
  required?: boolean;
  schema?: { type?: string };
}

interface Operation {
  method: string;
  path: string;
  params: Param[];
  /** Whether the route needs credentials (and which kind). */
  security: "none" | "bearer" | "siteKey";
  bodyRequired: boolean;
}

/** Every operation of the OpenAPI document. */
function operations(doc: { paths: Record<string, Record<string, unknown>> }): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, raw] of Object.entries(item)) {
      const op = raw as {
        parameters?: Param[];
        security?: Record<string, string[]>[];
        requestBody?: { required?: boolean };
        responses?: unknown;
      };
      if (!op || typeof op !== "object" || !op.responses) continue;
      const schemes = (op.security ?? []).flatMap((s) => Object.keys(s));
      ops.push({
        method: method.toUpperCase(),
        path,
        params: op.parameters ?? [],
        security: schemes.includes("siteKey") ? "siteKey" : schemes.length > 0 ? "bearer" : "none",
        bodyRequired: op.requestBody?.required === true,
      });
    }
  }
  return ops;
}

/** A set of headers that authenticates (or fails to), and whether it is a valid credential. */
interface Credential {
  name: string;
  headers: Record<string, string>;
  valid: boolean;
}

function b64url(value: unknown): string {
  return btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
}

async function credentials(secret: string): Promise<{ bad: Credential[]; good: Credential[] }> {
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    tenant: "fuzz-a",
    role: "admin",
    typ: "access",
    sub: "u",
    iat: now,
    exp: now + 600,
  };
  const key = new TextEncoder().encode(secret);
  const sign = (alg: string, payload: Record<string, unknown>, k: Uint8Array = key) =>
    new SignJWT(payload).setProtectedHeader({ alg, typ: "JWT" }).sign(k);
  const service = createTokenService({ secret });
  const expired = createTokenService({
    secret,
    accessTtlSec: 1,
    clock: { now: () => Date.now() - 3_600_000 },
  });
  const pair = await service.issue({ sub: "u", tenant: "fuzz-a", role: "admin" });
  const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
  const bad: Credential[] = [
    { name: "none", headers: {}, valid: false },
    { name: "garbage bearer", headers: bearer("not.a.token"), valid: false },
    { name: "empty bearer", headers: { authorization: "Bearer " }, valid: false },
    { name: "basic", headers: { authorization: "Basic dXNlcjpwYXNz" }, valid: false },
    {
      name: "alg none",
      headers: bearer(`${b64url({ alg: "none", typ: "JWT" })}.${b64url(claims)}.`),
      valid: false,
    },
    {
      name: "alg None, forged signature",
      headers: bearer(`${b64url({ alg: "None" })}.${b64url(claims)}.${b64url("sig")}`),
      valid: false,
    },
    { name: "HS512", headers: bearer(await sign("HS512", claims)), valid: false },
    {
      name: "other secret",
      headers: bearer(await sign("HS256", claims, new TextEncoder().encode("o".repeat(32)))),
      valid: false,
    },
    {
      name: "expired",
      headers: bearer(
        (await expired.issue({ sub: "u", tenant: "fuzz-a", role: "admin" })).accessToken,
      ),
      valid: false,
    },
    { name: "refresh as access", headers: bearer(pair.refreshToken), valid: false },
    {
      name: "no tenant claim",
      headers: bearer(await sign("HS256", { ...claims, tenant: undefined })),
      valid: false,
    },
    {
      name: "bad role claim",
      headers: bearer(await sign("HS256", { ...claims, role: "root" })),
      valid: false,
    },
    {
      name: "tampered payload",
      headers: bearer(
        pair.accessToken.replace(/\.([^.]+)\./, `.${b64url({ ...claims, tenant: "fuzz-b" })}.`),
      ),
      valid: false,
    },
    { name: "unknown api key", headers: { "x-api-key": "cove_nope_nope" }, valid: false },
    { name: "empty api key", headers: { "x-api-key": "" }, valid: false },
    { name: "huge bearer", headers: bearer("a".repeat(16_000)), valid: false },
  ];
  const good: Credential[] = [];
  for (
    const [tenant, role] of [["fuzz-a", "admin"], ["fuzz-b", "admin"], ["fuzz-b", "agent"], [
      "fuzz-c",
      "ai",
    ], ["fuzz-a", "widget"]] as [string, Role][]
  ) {
    // A subject per token keeps most requests clear of the per-caller rate limit.
    for (let i = 0; i < 20; i++) {
      const t = await service.issue({ sub: `fuzzer-${role}-${i}`, tenant, role });
      good.push({ name: `${role} of ${tenant}`, headers: bearer(t.accessToken), valid: true });
    }
  }
  return { bad, good };
}

/** One generated request, and whether it is certainly invalid (so must get a 4xx). */
interface Case {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** Why it must fail, when it must. */
  defect: string | null;
  /** A huge header may be refused by the HTTP layer before any route sees it. */
  transportErrorOk: boolean;
}

const READS = new Set(["GET", "HEAD", "OPTIONS"]);
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "PROPFIND"];

function fillPath(rng: Rng, template: string, ids: string[]): string {
  return template.replace(/\{[^}]+\}/g, () => {
    const r = rng.int(10);
    if (r < 3) return rng.pick(ids);
    return encodeURIComponent(junkString(rng)) || "x";
  });
}

function junkQuery(rng: Rng, op: Operation | undefined): { query: string; defect: string | null } {
  const parts: string[] = [];
  let defect: string | null = null;
  for (const p of op?.params.filter((p) => p.in === "query") ?? []) {
    if (!rng.chance(0.4)) continue;
    const type = p.schema?.type;
    if ((type === "integer" || type === "number") && rng.chance(0.6)) {
      parts.push(`${p.name}=${rng.pick(["abc", "1x", "--1", "1.2.3", "%3F"])}`);
      defect = `query ${p.name} is not a number`;
    } else {
      parts.push(`${p.name}=${encodeURIComponent(junkString(rng))}`);
    }
  }
  for (let i = rng.int(3); i > 0; i--) {
    parts.push(`${encodeURIComponent(junkString(rng))}=${rng.pick(JUNK_STRINGS)}`);
  }
  if (rng.chance(0.05)) parts.push(`q=${"z".repeat(rng.pick([2_000, 30_000]))}`);
  if (rng.chance(0.05)) parts.push("%%%=%E0%A4%A&&&=&");
  return { query: parts.length ? `?${parts.join("&")}` : "", defect };
}

/** Strings Postgres cannot store (NUL, unpaired surrogates): valid JSON, never valid input. */
const UNSTORABLE = ["\u0000", "a\u0000b", "\ud800", "x\udfffy", "\ud83d"];

/**
 * A well-formed body for a route that writes, with one string that cannot be stored (it passes
 * every schema, so only the gateway's own check stands between it and a failed write) or a time
 * no Date holds.
 */
function poisoned(rng: Rng, creds: { good: Credential[] }, ids: string[]): Case {
  const bad = rng.pick(UNSTORABLE);
  // The ai role's writes are kept as suggestions before any route sees them: the same holds there.
  let admin = rng.pick(
    creds.good.filter((c) => c.name === "admin of fuzz-a" || c.name === "ai of fuzz-c"),
  );
  const bodies: [string, unknown][] = [
    ["/v1/leads", {
      idempotencyKey: `p${rng.int(1e9)}`,
      contact: { email: `p${rng.int(1e9)}@example.com`, name: `N${bad}` },
    }],
    ["/v1/leads", {
      idempotencyKey: `p${rng.int(1e9)}`,
      contact: { email: `q${rng.int(1e9)}@example.com` },
      message: bad,
    }],
    ["/v1/leads", {
      idempotencyKey: `p${rng.int(1e9)}`,
      contact: { email: `r${rng.int(1e9)}@example.com` },
      customFields: { [rng.chance(0.5) ? "note" : `k${bad}`]: bad },
    }],
    ["/v1/team/members", { id: `m${rng.int(1e9)}`, name: bad, types: ["sales"] }],
    [`/v1/leads/${ids[0]}/messages`, {
      channel: "note",
      direction: "inbound",
      content: bad,
      status: "received",
    }],
  ];
  if (rng.chance(0.3)) {
    // Well-formed but out of any real range: a due date past what a Date holds stopped the node.
    // (An ai caller's would be kept as a suggestion, checked when approved.)
    admin = creds.good.find((c) => c.name === "admin of fuzz-a")!;
    bodies.length = 0;
    bodies.push(["/v1/tasks", {
      leadId: ids[0],
      type: "sales",
      title: "t",
      dueAt: rng.pick([2 ** 53 - 1, 8.64e15 + 1, 1e300, "+275760-09-13T00:00:00.001Z"]),
      priority: "low",
      idempotencyKey: `t${rng.int(1e9)}`,
    }]);
  }
  if (rng.chance(0.3)) {
    // Instants that parse but no calendar or database takes (years past 9999 or before 1).
    const far = encodeURIComponent(
      rng.pick(["+275760-09-12T23:30:00Z", "-271821-04-20T00:00:00Z"]),
    );
    return {
      method: "GET",
      path: rng.pick([
        `/v1/availability?member=m1&from=${far}&to=${far}`,
        `/v1/analytics/summary?from=${far}`,
        `/v1/bookings?from=${far}&to=${far}`,
      ]),
      headers: creds.good.find((c) => c.name === "admin of fuzz-a")!.headers,
      defect: "an instant out of range",
      transportErrorOk: false,
    };
  }
  const [path, body] = rng.pick(bodies);
  return {
    method: "POST",
    path,
    headers: { ...admin.headers, "content-type": "application/json" },
    body: JSON.stringify(body),
    defect: "a string that cannot be stored, or a time out of range",
    transportErrorOk: false,
  };
}

function generate(
  rng: Rng,
  ops: Operation[],
  creds: { bad: Credential[]; good: Credential[] },
  ids: string[],
): Case {
  if (rng.chance(0.04)) return poisoned(rng, creds, ids);
  const headers: Record<string, string> = {};
  let defect: string | null = null;
  let transportErrorOk = false;
  let method: string;
  let path: string;
  let op: Operation | undefined;

  const roll = rng.int(100);
  if (roll < 78) {
    op = rng.pick(ops);
    path = fillPath(rng, op.path, ids);
    method = op.method;
    if (rng.chance(0.12)) {
      method = rng.pick(METHODS);
      const served = ops.some((o) => o.path === op!.path && o.method === method);
      if (!served && method !== "OPTIONS" && method !== "HEAD") defect = `${method} not served`;
    }
  } else if (roll < 86) {
    // The streams: no upgrade, or SSE with bad credentials or bad parameters.
    method = "GET";
    if (rng.chance(0.3)) {
      path = "/v1/stream";
      defect = "a plain GET of the WebSocket route";
    } else {
      const topics = rng.pick([
        "",
        "bogus",
        "lead:",
        "type:Bad",
        "tenant,nope",
        "lead:%00",
        "x".repeat(300),
      ]);
      const from = rng.pick(["-1", "abc", "1.5", "", "1e999"]);
      path = `/v1/stream/sse?topics=${encodeURIComponent(topics)}&from=${encodeURIComponent(from)}`;
      defect = "bad SSE topics";
    }
  } else if (roll < 92) {
    method = rng.pick(["POST", "OPTIONS", "POST", "PUT"]);
    path = "/v1/widget/leads";
    headers["origin"] = rng.pick(["https://evil.example", "null", "http://localhost"]);
    if (rng.chance(0.7)) {
      headers["x-site-key"] = junkString(rng).replace(/[^\x20-\x7e]/g, "") || "k";
    }
    if (method !== "OPTIONS") defect = "no valid site key";
  } else {
    method = rng.pick(METHODS.filter((m) => m !== "HEAD" && m !== "OPTIONS"));
    path = rng.pick([
      `/zz${rng.int(1e6)}`,
      `/v1/zz-${junkString(rng).length}`,
      `/v1/leads/${rng.pick(ids)}/zz-nothing`,
      `//v1//leads//zz`,
      `/v1/stream/zz`,
      `/u/fuzz-a/${encodeURIComponent(junkString(rng)) || "x"}/zz-bad-token`,
      `/v1/${"a/".repeat(200)}zz`,
    ]);
    defect = "no such route";
  }

  // Credentials: mostly bad ones; valid ones of some tenant and role otherwise.
  const cred = rng.chance(0.65) ? rng.pick(creds.bad) : rng.pick(creds.good);
  Object.assign(headers, cred.headers);
  if (op?.security === "bearer" && !cred.valid && method !== "OPTIONS") {
    defect ??= `credential: ${cred.name}`;
  }
  if (op?.security === "siteKey" && method !== "OPTIONS") defect ??= "no valid site key";

  // A documented parameter's or body's rules hold only for the method it is documented on. The
  // ai role's writes become suggestions (202), checked only when an admin approves one.
  const suggested = cred.valid && cred.name.startsWith("ai ") && !READS.has(method);
  const asDocumented = op !== undefined && method === op.method && !suggested;
  const q = junkQuery(rng, asDocumented ? op : undefined);
  path += q.query;
  if (q.defect) defect ??= q.defect;

  // Bodies, where fetch allows one.
  let body: string | undefined;
  if (method !== "GET" && method !== "HEAD" && rng.chance(0.85)) {
    const kind = rng.int(30);
    headers["content-type"] = rng.chance(0.9)
      ? "application/json"
      : rng.pick(["text/plain", "application/x-www-form-urlencoded", "multipart/form-data", "x/y"]);
    if (kind < 14) {
      body = notAnObject(rng);
      if (asDocumented && op?.bodyRequired && headers["content-type"] === "application/json") {
        defect ??= "body is not a JSON object";
      }
    } else if (kind < 29) {
      body = JSON.stringify(junkValue(rng));
    } else {
      const size = MAX_BODY_BYTES + 1 + rng.int(MAX_BODY_BYTES);
      body = '{"message":"' + "b".repeat(size) + '"}';
      if (!path.startsWith("/v1/imports")) defect ??= "body over the limit";
    }
  }

  // The client may refuse a URL this long before sending it.
  if (path.length > 8_000) transportErrorOk = true;

  // Huge and odd headers.
  if (rng.chance(0.04)) {
    headers["x-junk"] = "h".repeat(rng.pick([10_000, 100_000, 600_000]));
    transportErrorOk = true;
  }
  if (rng.chance(0.03)) {
    for (let i = 0; i < 200; i++) headers[`x-many-${i}`] = String(i);
    transportErrorOk = true;
  }
  if (rng.chance(0.05)) headers["last-event-id"] = junkString(rng).replace(/[^\x20-\x7e]/g, "");
  if (rng.chance(0.03)) headers["x-forwarded-for"] = junkString(rng).replace(/[^\x20-\x7e]/g, "");
  return { method, path, headers, body, defect, transportErrorOk };
}

/** Status counts and failures of the HTTP run. */
interface Tally {
  statuses: Map<number, number>;
  transportErrors: number;
  failures: string[];
}

async function send(base: string, c: Case, tally: Tally): Promise<void> {
  const describe = (what: string) =>
    `${what}: ${c.method} ${c.path.slice(0, 300)} (${c.defect ?? "maybe valid"}) headers=${
      JSON.stringify(Object.keys(c.headers))
    } body=${JSON.stringify(c.body?.slice(0, 200) ?? null)}`;
  let res: Response;
  try {
    res = await fetch(base + c.path, {
      method: c.method,
      headers: c.headers,
      ...(c.body !== undefined ? { body: c.body } : {}),
      redirect: "manual",
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === "TimeoutError") {
      tally.failures.push(describe(`no answer within ${REQUEST_TIMEOUT_MS} ms`));
      return;
    }
    tally.transportErrors++;
    if (!c.transportErrorOk) tally.failures.push(describe(`transport error ${e}`));
    return;
  }
  tally.statuses.set(res.status, (tally.statuses.get(res.status) ?? 0) + 1);
  const json = /json/.test(res.headers.get("content-type") ?? "");
  let text = "";
  try {
    text = json ? await res.text() : (await res.body?.cancel(), "");
  } catch {
    tally.failures.push(describe(`${res.status}, then the body did not arrive`));
    return;
  }
  if (res.status >= 500) tally.failures.push(describe(`${res.status} ${text.slice(0, 300)}`));
  else if (c.defect && (res.status < 400 || res.status >= 500)) {
    tally.failures.push(describe(`${res.status} for an invalid request ${text.slice(0, 200)}`));
  } else if (res.status >= 400 && json && c.method !== "HEAD") {
    // Every refusal takes the one error shape.
    let parsed: { error?: { code?: unknown; message?: unknown } } | undefined;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Reported below.
    }
    if (typeof parsed?.error?.code !== "string" || typeof parsed?.error?.message !== "string") {
      tally.failures.push(describe(`${res.status} without the error shape ${text.slice(0, 200)}`));
    }
  }
}

/** What one WebSocket session saw. */
interface WsOutcome {
  frames: number;
  errors: { status?: number; code: string }[];
  /** The close code the server sent; -1 when the connection ended without a close frame. */
  close: { code: number; reason: string };
}

/**
 * Runs one fuzz WebSocket session on a raw connection (so what the server
 * sends is seen exactly, whatever the client library would make of it):
 * sends `frames`, then reads until the server closes, closing from this
 * side (1000) after `waitMs` if it does not.
 */
async function wsSession(
  base: string,
  frames: (string | Uint8Array)[],
  waitMs: number,
): Promise<WsOutcome> {
  const raw = await RawWebSocket.connect(base);
  const errors: WsOutcome["errors"] = [];
  let close: WsOutcome["close"] | undefined;
  const decoder = new TextDecoder();
  const reading = (async () => {
    for (;;) {
      const f = await raw.readFrame();
      if (!f) return;
      if (f.opcode === 0x8) {
        const code = f.payload.length >= 2 ? (f.payload[0]! << 8) | f.payload[1]! : 1005;
        close = { code, reason: decoder.decode(f.payload.subarray(2)) };
        return;
      }
      if (f.opcode !== 0x1) continue;
      const frame = JSON.parse(decoder.decode(f.payload));
      if (frame.type === "error") errors.push({ status: frame.status, code: frame.code });
    }
  })();
  try {
    let sent = 0;
    for (const frame of frames) {
      if (close) break;
      try {
        if (typeof frame === "string") await raw.sendText(frame);
        else await raw.sendFrame(0x2, frame);
      } catch {
        break; // the server closed the connection first
      }
      sent++;
      await new Promise((r) => setTimeout(r, 2));
    }
    const done = await Promise.race([
      reading.then(() => true),
      new Promise<false>((r) => setTimeout(() => r(false), waitMs)),
    ]);
    if (!done) {
      await raw.sendFrame(0x8, new Uint8Array([0x03, 0xe8])).catch(() => {});
      await within(reading, 10_000, "close echo");
    }
    return { frames: sent, errors, close: close ?? { code: -1, reason: "no close frame" } };
  } finally {
    raw.close();
  }
}

function wsFrames(rng: Rng, goodToken: string, badTokens: string[], ids: string[]) {
  const garbage = (): string | Uint8Array => {
    switch (rng.int(9)) {
      case 0:
        return notAnObject(rng);
      case 1:
        return crypto.getRandomValues(new Uint8Array(1 + rng.int(500)));
      case 2:
        return JSON.stringify(junkValue(rng));
      case 3:
        return JSON.stringify({ type: rng.pick(["subscribe", "ping", "auth", "nope", 1, null]) });
      case 4:
        return JSON.stringify({
          type: "subscribe",
          topics: rng.pick([[], ["bogus"], ["lead:"], Array(33).fill("tenant"), "tenant", [1]]),
          from: rng.pick([null, 0]),
        });
      case 5:
        return JSON.stringify({
          type: "subscribe",
          topics: ["tenant"],
          from: rng.pick([-1, 1.5, "0", "abc", 1e400, {}]),
        });
      case 6:
        return "x".repeat(rng.pick([70_000, 2 * 1024 * 1024])); // oversized, not JSON
      case 7:
        return JSON.stringify({ type: "auth", token: "t".repeat(rng.pick([5_000, 500_000])) });
      default:
        return JSON.stringify({
          type: "subscribe",
          topics: [`lead:${rng.pick(ids)}`],
          from: null,
          extra: junkValue(rng),
        });
    }
  };
  const kind = rng.int(10);
  if (kind < 3) {
    // Before auth: garbage, subscribe or ping first.
    return {
      frames: [
        rng.chance(0.5)
          ? garbage()
          : JSON.stringify({ type: "subscribe", topics: ["tenant"], from: null }),
        garbage(),
      ],
      expect: [4401],
    };
  }
  if (kind < 5) {
    return {
      frames: [JSON.stringify({ type: "auth", token: rng.pick(badTokens) })],
      expect: [4401],
    };
  }
  // Authenticated, then bad frames until the server gives up on it (or an auth again: 409).
  const frames: (string | Uint8Array)[] = [JSON.stringify({ type: "auth", token: goodToken })];
  for (let i = 0; i < 2 + rng.int(6); i++) {
    frames.push(rng.chance(0.1) ? JSON.stringify({ type: "auth", token: goodToken }) : garbage());
  }
  return { frames, expect: [4400, 1000] };
}

Deno.test("fuzz: 5,000+ malformed requests and WebSocket frames get 4xx, never 5xx; the node stays healthy", async () => {
  const started = Date.now();
  const dataDir = await Deno.makeTempDir({ prefix: "cove_fuzz_" });
  const node = await startCove(
    loadConfig({ DATA_DIR: dataDir, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "warn" }),
    { log: () => {} },
  );
  try {
    const secret = await tokenSecret(dataDir);
    const tokens = createTokenService({ secret });
    const docRes = await fetch(`${node.url}/openapi.json`);
    assert.equal(docRes.status, 200);
    const ops = operations(await docRes.json());
    assert.ok(ops.length >= 4, `only ${ops.length} documented operations`);

    // One real lead, so some paths name an id that exists (in tenant fuzz-a).
    const owner =
      (await tokens.issue({ sub: "owner", tenant: "fuzz-a", role: "admin" })).accessToken;
    const created = await fetch(`${node.url}/v1/leads`, {
      method: "POST",
      headers: { authorization: `Bearer ${owner}`, "content-type": "application/json" },
      body: JSON.stringify({ idempotencyKey: "seed", contact: { email: "seed@example.com" } }),
    });
    assert.equal(created.status, 201);
    const ids = [(await created.json()).leadId, "nobody", "1"];
    const creds = await credentials(secret);
    const rng = prng(SEED);

    // HTTP.
    const tally: Tally = { statuses: new Map(), transportErrors: 0, failures: [] };
    const cases = Array.from({ length: HTTP_REQUESTS }, () => generate(rng, ops, creds, ids));
    let next = 0;
    await Promise.all(Array.from({ length: PARALLEL }, async () => {
      while (next < cases.length) {
        const c = cases[next++]!;
        trace(
          `${next} ${c.method} ${c.path.slice(0, 120)} ${JSON.stringify(c.headers).slice(0, 300)} ${
            c.body?.slice(0, 300)
          }`,
        );
        await send(node.url, c, tally);
      }
    }));
    const definite = cases.filter((c) => c.defect).length;
    trace(`HTTP done: ${JSON.stringify([...tally.statuses])}`);

    // WebSocket frames.
    const badTokens = creds.bad.map((c) => c.headers.authorization?.slice(7) ?? "x").filter(
      Boolean,
    );
    let wsFramesSent = 0;
    const wsFailures: string[] = [];
    const sessions = Array.from(
      { length: WS_SESSIONS },
      () => wsFrames(rng, owner, badTokens, ids),
    );
    let nextSession = 0;
    await Promise.all(Array.from({ length: PARALLEL }, async () => {
      while (nextSession < sessions.length) {
        const s = sessions[nextSession++]!;
        trace(`ws session ${nextSession}`);
        const out = await wsSession(node.url, s.frames, 1_500);
        wsFramesSent += out.frames;
        const bad = out.errors.filter((e) =>
          e.status === undefined || e.status < 400 || e.status >= 500
        );
        // Frames sent after the server closed make its TCP stack reset the connection, which can
        // drop the close frame in flight: then the error frames must show why it closed.
        const reset = out.close.code === -1 && (
          (s.expect.includes(4401) && out.errors.some((e) => e.status === 401)) ||
          (s.expect.includes(4400) && out.errors.filter((e) => e.status === 400).length >= 3)
        );
        if (bad.length > 0 || !(s.expect.includes(out.close.code) || reset)) {
          wsFailures.push(
            `close ${out.close.code} ${out.close.reason} (expected ${s.expect}); errors ${
              JSON.stringify(out.errors)
            }; frames ${
              JSON.stringify(s.frames.map((f) =>
                typeof f === "string" ? f.slice(0, 80) : `<${f.length} bytes>`
              ))
            }`,
          );
        }
      }
    }));
    // No auth at all: closed for the deadline.
    const silent = await wsSession(node.url, [], 8_000);
    assert.equal(silent.close.code, 4408, JSON.stringify(silent));

    // Malformed WebSocket protocol frames on a raw connection: the server drops the connection.
    for (let i = 0; i < 20; i++) {
      const raw = await RawWebSocket.connect(node.url);
      try {
        const bytes = crypto.getRandomValues(new Uint8Array(2 + rng.int(64)));
        if (i % 2 === 0) bytes[0] = 0x80 | rng.pick([0x3, 0x4, 0x5, 0xb, 0xf]); // reserved opcode
        else bytes[1] = bytes[1]! & 0x7f; // unmasked client frame
        await raw.sendBytes(bytes);
        wsFramesSent++;
        for (;;) {
          const f = await within(raw.readFrame(), 10_000, "server reaction to a malformed frame");
          if (!f || f.opcode === 0x8) break;
        }
      } finally {
        raw.close();
      }
    }

    // The body limit, exactly: just under it is served, one byte over is refused, chunked too.
    const capture = (body: BodyInit, extra: Record<string, string> = {}) =>
      fetch(`${node.url}/v1/leads`, {
        method: "POST",
        headers: { authorization: `Bearer ${owner}`, "content-type": "application/json", ...extra },
        body,
      });
    const valid = JSON.stringify({ idempotencyKey: "big", contact: { email: "big@example.com" } });
    const under = await capture(valid + " ".repeat(MAX_BODY_BYTES - valid.length));
    assert.equal(under.status, 201, await under.text());
    const over = await capture(valid + " ".repeat(MAX_BODY_BYTES - valid.length + 1));
    assert.equal(over.status, 413);
    assert.deepEqual(await over.json(), {
      error: {
        code: "payload_too_large",
        message: `the body is over ${MAX_BODY_BYTES} bytes`,
        details: { limit: MAX_BODY_BYTES },
      },
    });
    const chunks = new Blob([valid, " ".repeat(MAX_BODY_BYTES)]).stream();
    const chunked = await capture(chunks);
    assert.equal(chunked.status, 413, "a chunked body without Content-Length passed the limit");
    await chunked.body?.cancel();

    // Still alive and ready.
    const health = await fetch(`${node.url}/healthz`);
    assert.deepEqual([health.status, await health.json()], [200, { status: "ok" }]);
    const ready = await fetch(`${node.url}/readyz`);
    assert.equal(ready.status, 200, await ready.text());

    const counts = [...tally.statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`);
    console.log(
      `  seed ${SEED}: ${HTTP_REQUESTS} requests (${definite} certainly invalid; ${tally.transportErrors} ` +
        `refused by the HTTP layer) → ${counts.join(" ")}; ${wsFramesSent} WebSocket frames over ` +
        `${WS_SESSIONS + 21} sessions; ${Math.round((Date.now() - started) / 1000)} s`,
    );
    const failures = [...tally.failures, ...wsFailures];
    if (failures.length > 0) {
      console.error(failures.slice(0, 40).join("\n"));
    }
    assert.equal(HTTP_REQUESTS + wsFramesSent >= 5_000, true);
    assert.equal(
      failures.length,
      0,
      `${failures.length} failures with seed ${SEED} (printed above)`,
    );
  } finally {
    await node.stop();
    await Deno.remove(dataDir, { recursive: true });
  }
});
