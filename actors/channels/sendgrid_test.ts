import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { generateKeyPairSync, sign } from "node:crypto";
import { ConfigError, ManualClock } from "../../shared/mod.ts";
import { type FakeSendGridReply, sendGridErrors, startFakeSendGrid } from "./fake_sendgrid.ts";
import type { OutboundMessage } from "./provider.ts";
import { createSendGridProvider, SENDGRID_KEY_ARG, verifySendGridSignature } from "./sendgrid.ts";

const API_KEY = "SG.test-key";
const FROM = "hello@cove.example";

const email: OutboundMessage = {
  channel: "email",
  idempotencyKey: "tenant-1/lead-7:followup:uncontacted:1",
  to: "rosa@bakery.example",
  subject: "Your website",
  body: "Hi Rosa, want a quick call about your site?",
  html: "<p>Hi Rosa, want a quick call about your site?</p>",
  headers: { "List-Unsubscribe": "<https://cove.example/u/abc>" },
};

function provider(baseUrl: string, opts: { timeoutMs?: number } = {}) {
  return createSendGridProvider({
    apiKey: API_KEY,
    from: FROM,
    baseUrl,
    timeoutMs: opts.timeoutMs ?? 2_000,
    clock: new ManualClock(Date.UTC(2026, 0, 1)),
  });
}

async function sendWith(reply: FakeSendGridReply, opts: { timeoutMs?: number } = {}) {
  await using fake = startFakeSendGrid({ apiKey: API_KEY, reply: () => reply });
  const result = await provider(fake.baseUrl, opts).send(email);
  return { result, requests: fake.requests };
}

Deno.test("an accepted mail answers x-message-id and carries the outbox key as a custom arg", async () => {
  await using fake = startFakeSendGrid({
    apiKey: API_KEY,
    reply: () => ({ status: 202, headers: { "x-message-id": "W3oDmS1eQ4aX0yCkQJ7u1g" } }),
  });
  const result = await provider(fake.baseUrl).send(email);
  assert.deepEqual(result, { ok: true, providerId: "W3oDmS1eQ4aX0yCkQJ7u1g" });
  assert.equal(fake.requests.length, 1);
  const { body, headers } = fake.requests[0]!;
  assert.equal(headers.authorization, `Bearer ${API_KEY}`);
  assert.deepEqual(body.from, { email: FROM });
  assert.deepEqual(body.personalizations, [{ to: [{ email: email.to }] }]);
  assert.equal(body.subject, email.subject);
  assert.deepEqual(body.content, [
    { type: "text/plain", value: email.body },
    { type: "text/html", value: email.html },
  ]);
  assert.deepEqual(body.headers, email.headers);
  assert.deepEqual(body.custom_args, { [SENDGRID_KEY_ARG]: email.idempotencyKey });
});

Deno.test("the default fake answers a fresh message id, and `from` can be overridden per message", async () => {
  await using fake = startFakeSendGrid({ apiKey: API_KEY });
  const result = await provider(fake.baseUrl).send({ ...email, from: "team@cove.example" });
  assert.ok(result.ok);
  assert.match(result.providerId, /^[0-9a-f]{22}$/);
  assert.deepEqual(fake.requests[0]!.body.from, { email: "team@cove.example" });
});

Deno.test("a mail without a subject is rejected (400) and names the field", async () => {
  await using fake = startFakeSendGrid({ apiKey: API_KEY });
  const { subject: _, ...noSubject } = email;
  const result = await provider(fake.baseUrl).send(noSubject);
  assert.ok(!result.ok);
  assert.equal(result.kind, "rejected");
  assert.equal(result.status, 400);
  assert.match(result.detail, /^400: The subject is required.*\(subject\)$/);
});

Deno.test("400 with SendGrid's errors is rejected, permanent, with their messages", async () => {
  const { result } = await sendWith({
    status: 400,
    body: sendGridErrors([{
      message: "Does not contain a valid address.",
      field: "personalizations.0.to.0.email",
    }]),
  });
  assert.deepEqual(result, {
    ok: false,
    kind: "rejected",
    detail: "400: Does not contain a valid address. (personalizations.0.to.0.email)",
    status: 400,
  });
});

Deno.test("a wrong API key is rejected (401)", async () => {
  await using fake = startFakeSendGrid({ apiKey: "SG.another-key" });
  const result = await provider(fake.baseUrl).send(email);
  assert.ok(!result.ok);
  assert.equal(result.kind, "rejected");
  assert.equal(result.status, 401);
  assert.equal(fake.requests.length, 0);
});

Deno.test("429 is rate_limited with Retry-After", async () => {
  const { result, requests } = await sendWith({
    status: 429,
    headers: { "retry-after": "12" },
    body: sendGridErrors([{ message: "too many requests" }]),
  });
  assert.equal(requests.length, 1);
  assert.deepEqual(result, {
    ok: false,
    kind: "rate_limited",
    detail: "429: too many requests",
    status: 429,
    retryAfterMs: 12_000,
  });
});

Deno.test("500 is unavailable", async () => {
  const { result } = await sendWith({
    status: 500,
    body: sendGridErrors([{ message: "internal error" }]),
  });
  assert.deepEqual(result, {
    ok: false,
    kind: "unavailable",
    detail: "500: internal error",
    status: 500,
  });
});

Deno.test("no answer within timeoutMs is a timeout", async () => {
  const { result } = await sendWith({ status: 202, delayMs: 5_000 }, { timeoutMs: 150 });
  assert.deepEqual(result, {
    ok: false,
    kind: "timeout",
    detail: "no answer from sendgrid within 150 ms",
  });
});

Deno.test("a refused connection is unavailable", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  const result = await provider(`http://127.0.0.1:${port}`).send(email);
  assert.ok(!result.ok);
  assert.equal(result.kind, "unavailable");
  assert.match(result.detail, /^connection: ECONNREFUSED/);
});

Deno.test("an SMS is rejected without a request", async () => {
  await using fake = startFakeSendGrid();
  const result = await provider(fake.baseUrl).send({ ...email, channel: "sms" });
  assert.deepEqual(result, {
    ok: false,
    kind: "rejected",
    detail: "sendgrid sends email, not sms",
  });
  assert.equal(fake.requests.length, 0);
});

Deno.test("a sender that is not an address is a ConfigError", () => {
  assert.throws(
    () => createSendGridProvider({ apiKey: API_KEY, from: "Cove", timeoutMs: 1_000 }),
    (e) => e instanceof ConfigError && /from: expected an email address/.test(e.message),
  );
});

// SendGrid signs `timestamp + body` with ECDSA P-256 / SHA-256 and sends the
// DER signature in base64; the verification key is the SPKI public key.
function signedWebhook() {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const pem = publicKey.export({ type: "spki", format: "pem" }).toString();
  const payload = JSON.stringify([{
    email: "rosa@bakery.example",
    event: "delivered",
    timestamp: 1_767_225_600,
    [SENDGRID_KEY_ARG]: email.idempotencyKey,
  }]) + "\r\n";
  const timestamp = "1767225600";
  const signature = sign("sha256", Buffer.from(timestamp + payload), privateKey).toString("base64");
  return { pem, payload, timestamp, signature };
}

Deno.test("a correctly signed event webhook verifies; a wrong or missing signature does not", () => {
  const { pem, payload, timestamp, signature } = signedWebhook();
  assert.equal(verifySendGridSignature(pem, payload, signature, timestamp), true);
  assert.equal(
    verifySendGridSignature(pem, payload.replace("delivered", "bounce"), signature, timestamp),
    false,
  );
  assert.equal(verifySendGridSignature(pem, payload, signature, "1767225601"), false);
  const other = signedWebhook();
  assert.equal(verifySendGridSignature(pem, payload, other.signature, timestamp), false);
  assert.equal(verifySendGridSignature(other.pem, payload, signature, timestamp), false);
  assert.equal(verifySendGridSignature(pem, payload, undefined, timestamp), false);
  assert.equal(verifySendGridSignature(pem, payload, signature, null), false);
  assert.equal(verifySendGridSignature(pem, payload, "not a signature", timestamp), false);
});

Deno.test("the key may be the bare base64 SendGrid shows; a key that does not parse is a ConfigError", () => {
  const { pem, payload, timestamp, signature } = signedWebhook();
  const bare = pem.split("\n").filter((l) => l && !l.startsWith("-----")).join("");
  assert.equal(verifySendGridSignature(bare, payload, signature, timestamp), true);
  assert.throws(
    () => verifySendGridSignature("not a key", payload, signature, timestamp),
    (e) => e instanceof ConfigError && /publicKeyPem: not an ECDSA public key/.test(e.message),
  );
});
