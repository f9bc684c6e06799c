import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { ConfigError, ManualClock } from "../../shared/mod.ts";
import {
  type FakeTwilioReply,
  startFakeTwilio,
  twilioError,
  twilioMessage,
} from "./fake_twilio.ts";
import type { OutboundMessage } from "./provider.ts";
import {
  createTwilioProvider,
  TWILIO_IDEMPOTENCY_HEADER,
  validateTwilioSignature,
} from "./twilio.ts";

const SID = `AC${"a1".repeat(16)}`;
const TOKEN = "test-auth-token";
const FROM = "+15005550006";

const sms: OutboundMessage = {
  channel: "sms",
  idempotencyKey: "tenant-1/lead-7:followup:uncontacted:0",
  to: "+15551234567",
  body: "Hi Rosa, this is Cove Web Studio. Want a quick call about your site?",
  statusCallback: "https://cove.example/webhooks/twilio/status",
};

function provider(baseUrl: string, opts: { timeoutMs?: number; from?: string } = {}) {
  return createTwilioProvider({
    accountSid: SID,
    authToken: TOKEN,
    from: opts.from ?? FROM,
    baseUrl,
    timeoutMs: opts.timeoutMs ?? 2_000,
    clock: new ManualClock(Date.UTC(2026, 0, 1)),
  });
}

async function sendWith(reply: FakeTwilioReply, opts: { timeoutMs?: number } = {}) {
  await using fake = startFakeTwilio({ authToken: TOKEN, reply: () => reply });
  const result = await provider(fake.baseUrl, opts).send(sms);
  return { result, requests: fake.requests };
}

Deno.test("a queued message answers its sid and segments, and sends the outbox key as idempotency token", async () => {
  await using fake = startFakeTwilio({ authToken: TOKEN });
  const result = await provider(fake.baseUrl).send(sms);
  assert.ok(result.ok);
  assert.match(result.providerId, /^SM[0-9a-f]{32}$/);
  assert.equal(result.segments, 1);
  assert.equal(result.sandbox, undefined, "a live send never claims to be a sandbox");
  assert.equal(fake.requests.length, 1);
  const [req] = fake.requests;
  assert.equal(req!.accountSid, SID);
  assert.deepEqual(req!.params, {
    To: sms.to,
    From: FROM,
    Body: sms.body,
    StatusCallback: sms.statusCallback,
  });
  assert.equal(req!.headers[TWILIO_IDEMPOTENCY_HEADER.toLowerCase()], sms.idempotencyKey);
  assert.equal(req!.headers.authorization, `Basic ${btoa(`${SID}:${TOKEN}`)}`);
});

Deno.test("a Messaging Service sender goes as MessagingServiceSid, and segments are counted while Twilio says 0", async () => {
  await using fake = startFakeTwilio({ authToken: TOKEN });
  const service = `MG${"0f".repeat(16)}`;
  const long = "x".repeat(161);
  const result = await provider(fake.baseUrl, { from: service }).send({ ...sms, body: long });
  assert.deepEqual(result.ok && result.segments, 2);
  assert.equal(fake.requests[0]!.params.MessagingServiceSid, service);
  assert.equal(fake.requests[0]!.params.From, undefined);
});

Deno.test("Twilio's own segment count wins when it gives one", async () => {
  await using fake = startFakeTwilio({
    reply: (req) => ({ status: 201, body: twilioMessage(req, { num_segments: "3" }) }),
  });
  const result = await provider(fake.baseUrl).send(sms);
  assert.equal(result.ok && result.segments, 3);
});

Deno.test("concurrent sends each carry their own idempotency token", async () => {
  await using fake = startFakeTwilio({
    authToken: TOKEN,
    reply: (req) => ({ body: twilioMessage(req), delayMs: 20 * Number(req.params.Body) }),
  });
  const p = provider(fake.baseUrl);
  const keys = ["k0", "k1", "k2", "k3", "k4"];
  const results = await Promise.all(
    keys.map((k, i) => p.send({ ...sms, idempotencyKey: k, body: String(4 - i) })),
  );
  assert.ok(results.every((r) => r.ok));
  for (const req of fake.requests) {
    const i = 4 - Number(req.params.Body);
    assert.equal(req.headers["i-twilio-idempotency-token"], keys[i]);
  }
});

Deno.test("400 (invalid number) is rejected, permanent, with Twilio's code and message", async () => {
  const { result } = await sendWith({
    status: 400,
    body: twilioError(400, 21211, "The 'To' number +1555 is not a valid phone number."),
  });
  assert.deepEqual(result, {
    ok: false,
    kind: "rejected",
    detail: "400 21211: The 'To' number +1555 is not a valid phone number.",
    status: 400,
  });
});

Deno.test("a wrong auth token is rejected (401)", async () => {
  await using fake = startFakeTwilio({ authToken: "another-token" });
  const result = await provider(fake.baseUrl).send(sms);
  assert.ok(!result.ok);
  assert.equal(result.kind, "rejected");
  assert.equal(result.status, 401);
  assert.match(result.detail, /20003: Authenticate/);
});

Deno.test("429 is rate_limited with Retry-After, and the SDK does not retry by itself", async () => {
  const { result, requests } = await sendWith({
    status: 429,
    headers: { "retry-after": "7" },
    body: twilioError(429, 20429, "Too Many Requests"),
  });
  assert.equal(requests.length, 1);
  assert.deepEqual(result, {
    ok: false,
    kind: "rate_limited",
    detail: "429 20429: Too Many Requests",
    status: 429,
    retryAfterMs: 7_000,
  });
});

Deno.test("a Retry-After date is read against the injected clock", async () => {
  const { result } = await sendWith({
    status: 429,
    headers: { "retry-after": new Date(Date.UTC(2026, 0, 1, 0, 0, 30)).toUTCString() },
    body: twilioError(429, 20429, "Too Many Requests"),
  });
  assert.equal(!result.ok && result.retryAfterMs, 30_000);
});

Deno.test("500 is unavailable", async () => {
  const { result } = await sendWith({
    status: 500,
    body: twilioError(500, 20500, "Internal Server Error"),
  });
  assert.deepEqual(result, {
    ok: false,
    kind: "unavailable",
    detail: "500 20500: Internal Server Error",
    status: 500,
  });
});

Deno.test("no answer within timeoutMs is a timeout", async () => {
  const { result, requests } = await sendWith(
    { body: {}, delayMs: 5_000 },
    { timeoutMs: 150 },
  );
  assert.equal(requests.length, 1);
  assert.deepEqual(result, {
    ok: false,
    kind: "timeout",
    detail: "no answer from twilio within 150 ms",
  });
});

Deno.test("a refused connection is unavailable", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  const result = await provider(`http://127.0.0.1:${port}`).send(sms);
  assert.ok(!result.ok);
  assert.equal(result.kind, "unavailable");
  assert.match(result.detail, /^connection: ECONNREFUSED/);
});

Deno.test("an email is rejected without a request", async () => {
  await using fake = startFakeTwilio();
  const result = await provider(fake.baseUrl).send({ ...sms, channel: "email" });
  assert.deepEqual(result, { ok: false, kind: "rejected", detail: "twilio sends sms, not email" });
  assert.equal(fake.requests.length, 0);
});

Deno.test("bad credentials or sender are a ConfigError naming the option", () => {
  const base = { accountSid: SID, authToken: TOKEN, from: FROM, timeoutMs: 1_000 };
  assert.throws(
    () => createTwilioProvider({ ...base, accountSid: "SK123" }),
    (e) => e instanceof ConfigError && /accountSid: .*AC/.test(e.message),
  );
  assert.throws(
    () => createTwilioProvider({ ...base, from: "555-1234" }),
    (e) => e instanceof ConfigError && /from: expected an E.164 number/.test(e.message),
  );
});

// Twilio's scheme, computed independently of the SDK: HMAC-SHA1 over the URL
// followed by each form parameter's name and value, sorted by name.
function twilioSignature(token: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params).sort().reduce((acc, k) => acc + k + params[k], url);
  return createHmac("sha1", token).update(data).digest("base64");
}

Deno.test("a correctly signed inbound webhook validates; a wrong or missing signature does not", () => {
  const url = "https://cove.example/webhooks/twilio/sms?tenant=acme";
  const params = {
    From: "+15551234567",
    To: FROM,
    Body: "STOP",
    MessageSid: `SM${"1".repeat(32)}`,
  };
  const signature = twilioSignature(TOKEN, url, params);
  assert.equal(validateTwilioSignature(TOKEN, url, params, signature), true);
  assert.equal(
    validateTwilioSignature(TOKEN, url, { ...params, Body: "START" }, signature),
    false,
    "a changed parameter breaks the signature",
  );
  assert.equal(validateTwilioSignature("other-token", url, params, signature), false);
  assert.equal(
    validateTwilioSignature(TOKEN, url, params, twilioSignature("other-token", url, params)),
    false,
  );
  assert.equal(validateTwilioSignature(TOKEN, url, params, undefined), false);
  assert.equal(validateTwilioSignature(TOKEN, url, params, ""), false);
});
