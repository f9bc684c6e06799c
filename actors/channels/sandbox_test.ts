import assert from "node:assert/strict";
import { ConfigError, ManualClock } from "../../shared/mod.ts";
import { startFakeTwilio } from "./fake_twilio.ts";
import type { OutboundMessage } from "./provider.ts";
import { providerFromEnv, SandboxProvider } from "./sandbox.ts";

const sms: OutboundMessage = {
  channel: "sms",
  idempotencyKey: "tenant-1/k1",
  to: "+15551234567",
  body: "Hi Rosa",
};
const email: OutboundMessage = {
  channel: "email",
  idempotencyKey: "tenant-1/k2",
  to: "rosa@bakery.example",
  subject: "Your website",
  body: "Hi Rosa",
};

Deno.test("the sandbox records what would have been sent and says it is a sandbox", async () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const sandbox = new SandboxProvider({ clock });
  assert.equal(sandbox.mode, "sandbox");
  assert.equal(sandbox.name, "sandbox");
  assert.deepEqual(await sandbox.send(sms), {
    ok: true,
    providerId: "sandbox-tenant-1/k1",
    segments: 1,
    sandbox: true,
  });
  clock.advance(1_000);
  assert.deepEqual(await sandbox.send(email), {
    ok: true,
    providerId: "sandbox-tenant-1/k2",
    sandbox: true,
  });
  assert.deepEqual(sandbox.sent(), [
    { ...sms, at: Date.UTC(2026, 0, 1), providerId: "sandbox-tenant-1/k1" },
    { ...email, at: Date.UTC(2026, 0, 1, 0, 0, 1), providerId: "sandbox-tenant-1/k2" },
  ]);
  sandbox.clear();
  assert.deepEqual(sandbox.sent(), []);
});

Deno.test("a retried key is one record with the same provider id", async () => {
  const sandbox = new SandboxProvider();
  const first = await sandbox.send(sms);
  const again = await sandbox.send({ ...sms, body: "changed on retry" });
  assert.deepEqual(again, first);
  assert.deepEqual(sandbox.sent().map((r) => r.body), ["Hi Rosa"]);
});

Deno.test("the record list is bounded, dropping the oldest", async () => {
  const sandbox = new SandboxProvider({ limit: 2 });
  for (const k of ["a", "b", "c"]) await sandbox.send({ ...sms, idempotencyKey: k });
  assert.deepEqual(sandbox.sent().map((r) => r.idempotencyKey), ["b", "c"]);
});

Deno.test("a channel's sandbox rejects the other channel, as a live provider would", async () => {
  const sandbox = new SandboxProvider({ channel: "sms" });
  assert.deepEqual(await sandbox.send(email), {
    ok: false,
    kind: "rejected",
    detail: "this sandbox takes sms, not email",
  });
  assert.deepEqual(sandbox.sent(), []);
});

Deno.test("with no credentials both channels are sandboxes", async () => {
  const { sms: s, email: e } = providerFromEnv({ TWILIO_ACCOUNT_SID: "", SENDGRID_API_KEY: "" });
  assert.ok(s instanceof SandboxProvider && e instanceof SandboxProvider);
  assert.equal(s.mode, "sandbox");
  assert.equal(e.mode, "sandbox");
  assert.equal((await s.send(sms)).ok, true);
  assert.equal((await e.send(sms)).ok, false, "the email sandbox takes email only");
});

Deno.test("each provider is live when its variables are set, independently", () => {
  const twilioOnly = providerFromEnv({
    TWILIO_ACCOUNT_SID: `AC${"0".repeat(32)}`,
    TWILIO_AUTH_TOKEN: "token",
    TWILIO_FROM: "+15005550006",
  });
  assert.deepEqual([twilioOnly.sms.name, twilioOnly.sms.mode], ["twilio", "live"]);
  assert.deepEqual([twilioOnly.email.name, twilioOnly.email.mode], ["sandbox", "sandbox"]);
  const sendGridOnly = providerFromEnv({
    SENDGRID_API_KEY: "SG.key",
    SENDGRID_FROM: "hi@cove.example",
  });
  assert.deepEqual([sendGridOnly.sms.name, sendGridOnly.sms.mode], ["sandbox", "sandbox"]);
  assert.deepEqual([sendGridOnly.email.name, sendGridOnly.email.mode], ["sendgrid", "live"]);
});

Deno.test("a provider half configured is a ConfigError naming the missing variables", () => {
  assert.throws(
    () =>
      providerFromEnv({
        TWILIO_ACCOUNT_SID: `AC${"0".repeat(32)}`,
        SENDGRID_FROM: "hi@cove.example",
      }),
    (e) =>
      e instanceof ConfigError &&
      /TWILIO_AUTH_TOKEN: required when TWILIO_ACCOUNT_SID is set/.test(e.message) &&
      /TWILIO_FROM: required/.test(e.message) &&
      /SENDGRID_API_KEY: required when SENDGRID_FROM is set/.test(e.message),
  );
});

Deno.test("a bad value is a ConfigError naming the variable", () => {
  assert.throws(
    () =>
      providerFromEnv({
        TWILIO_ACCOUNT_SID: "SK1",
        TWILIO_AUTH_TOKEN: "t",
        TWILIO_FROM: "+15005550006",
      }),
    (e) => e instanceof ConfigError && /TWILIO_ACCOUNT_SID: a Twilio account SID/.test(e.message),
  );
  assert.throws(
    () => providerFromEnv({ SENDGRID_API_KEY: "SG.key", SENDGRID_FROM: "nobody" }),
    (e) => e instanceof ConfigError && /SENDGRID_FROM: expected an email address/.test(e.message),
  );
  assert.throws(
    () =>
      providerFromEnv({
        SENDGRID_API_KEY: "SG.key",
        SENDGRID_FROM: "hi@cove.example",
        SENDGRID_BASE_URL: "api.sendgrid.com",
      }),
    (e) =>
      e instanceof ConfigError && /SENDGRID_BASE_URL: expected an http\(s\) URL/.test(e.message),
  );
});

Deno.test("TWILIO_BASE_URL points the live provider at another endpoint", async () => {
  await using fake = startFakeTwilio({ authToken: "token" });
  const { sms: live } = providerFromEnv({
    TWILIO_ACCOUNT_SID: `AC${"0".repeat(32)}`,
    TWILIO_AUTH_TOKEN: "token",
    TWILIO_FROM: "+15005550006",
    TWILIO_BASE_URL: fake.baseUrl,
  }, { timeoutMs: 2_000 });
  const result = await live.send(sms);
  assert.ok(result.ok);
  assert.equal(result.sandbox, undefined);
  assert.equal(fake.requests[0]?.params.Body, "Hi Rosa");
});
