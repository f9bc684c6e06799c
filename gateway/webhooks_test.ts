import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { createHmac, generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { channelMigrations } from "../actors/channels/mod.ts";
import {
  captureLead,
  HELP_REPLY,
  isOptedOut,
  lead,
  leadMigrations,
  settings,
} from "../actors/lead/mod.ts";
import { ActorSystem, type Database, openDatabase } from "../actors/runtime/mod.ts";
import { createApp, type GatewayApp } from "./app.ts";
import { inboundParseToken, webhookRoutes } from "./webhooks.ts";

const PUBLIC_URL = "https://cove.example.com";
const TWILIO_TOKEN = "twilio-auth-token";
const SECRET = "webhook-secret";
const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
const SENDGRID_PEM = publicKey.export({ type: "spki", format: "pem" }).toString();

interface Ctx {
  app: GatewayApp;
  system: ActorSystem;
  db: Database;
  logged: string[];
}

/** A gateway with the webhook routes over an embedded database; closes both after `fn`. */
function test(
  name: string,
  fn: (ctx: Ctx) => Promise<void>,
  configured: { twilio?: boolean; sendgrid?: boolean; inbound?: boolean } = {},
) {
  Deno.test(`webhooks: ${name}`, async () => {
    const db = await openDatabase({
      migrations: [...await leadMigrations(), ...await channelMigrations()],
    });
    const system = new ActorSystem({ database: db, types: [lead, settings] });
    const logged: string[] = [];
    const on = { twilio: true, sendgrid: true, inbound: true, ...configured };
    const app = createApp({
      health: { ping: () => db.ping(), isShuttingDown: () => false },
      logInternalError: (e) => logged.push(String(e)),
      routes: (a) =>
        a.route(
          "/webhooks",
          webhookRoutes({
            system,
            publicUrl: PUBLIC_URL,
            ...(on.twilio ? { twilioAuthToken: TWILIO_TOKEN } : {}),
            ...(on.sendgrid ? { sendgridPublicKey: SENDGRID_PEM } : {}),
            ...(on.inbound ? { inboundSecret: SECRET } : {}),
            log: (line) => logged.push(line),
          }),
        ),
    });
    try {
      await fn({ app, system, db, logged });
    } finally {
      await system.shutdown();
      await db.close();
    }
  });
}

/** Twilio's algorithm: HMAC-SHA1 of the URL followed by each sorted param's name and value. */
function twilioSignature(url: string, params: Record<string, string>): string {
  const data = Object.keys(params).sort().reduce((acc, k) => acc + k + params[k], url);
  return createHmac("sha1", TWILIO_TOKEN).update(data).digest("base64");
}

function twilioPost(
  app: GatewayApp,
  path: string,
  params: Record<string, string>,
  signature: string | null = twilioSignature(`${PUBLIC_URL}${path}`, params),
) {
  return app.request(path, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      ...(signature === null ? {} : { "X-Twilio-Signature": signature }),
    },
    body: new URLSearchParams(params).toString(),
  });
}

function sendgridPost(app: GatewayApp, body: string, key: KeyObject = privateKey) {
  const timestamp = "1767225600";
  const signature = sign("sha256", Buffer.from(timestamp + body), key).toString("base64");
  return app.request("/webhooks/sendgrid/t1/events", {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "X-Twilio-Email-Event-Webhook-Signature": signature,
      "X-Twilio-Email-Event-Webhook-Timestamp": timestamp,
    },
    body,
  });
}

async function eventCount(db: Database): Promise<number> {
  const [row] = await db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM events`;
  return row!.n;
}

async function leadOf(db: Database, key: string): Promise<string | undefined> {
  const [row] = await db.sql<{ lead_id: string }[]>`
    SELECT lead_id FROM lead_identities WHERE tenant = 't1' AND key = ${key}`;
  return row?.lead_id;
}

const SMS_PATH = "/webhooks/twilio/t1/sms";
const sms = { From: "+14155552671", To: "+14155550000", Body: "Is Friday OK?", MessageSid: "SM1" };

test("a signed inbound SMS is captured on the sender's lead and answered with TwiML", async ({ app, system, db }) => {
  const res = await twilioPost(app, SMS_PATH, sms);
  assert.equal(res.status, 200);
  assert.match(res.headers.get("Content-Type")!, /^text\/xml/);
  assert.match(await res.text(), /<Response\/>$/);
  const leadId = await leadOf(db, "phone:+14155552671");
  assert.ok(leadId, "the sender has a lead");
  const view = await system.ref(lead, "t1", leadId).query("view");
  assert.equal(view.messages.at(-1)?.content, "Is Friday OK?");
});

test("STOP opts the number out", async ({ app, db }) => {
  const res = await twilioPost(app, SMS_PATH, { ...sms, Body: "STOP", MessageSid: "SM2" });
  assert.equal(res.status, 200);
  await res.body?.cancel();
  assert.equal(await isOptedOut(db.sql, "t1", "sms", "+14155552671"), true);
});

test("HELP is answered in the TwiML, escaped", async ({ app }) => {
  const res = await twilioPost(app, SMS_PATH, { ...sms, Body: "help", MessageSid: "SM3" });
  assert.equal(res.status, 200);
  const body = await res.text();
  assert.ok(body.includes(`<Response><Message>${HELP_REPLY.replaceAll("&", "&#38;")}</Message>`));
});

test("a missing signature is 401 and writes nothing", async ({ app, db }) => {
  const res = await twilioPost(app, SMS_PATH, sms, null);
  assert.equal(res.status, 401);
  assert.equal((await res.json()).error.code, "unauthorized");
  assert.equal(await eventCount(db), 0);
  assert.equal(await leadOf(db, "phone:+14155552671"), undefined);
});

test("a wrong signature is 403 and writes nothing", async ({ app, db }) => {
  const forged = twilioSignature(`${PUBLIC_URL}${SMS_PATH}`, { ...sms, Body: "other" });
  const res = await twilioPost(app, SMS_PATH, sms, forged);
  assert.equal(res.status, 403);
  assert.equal((await res.json()).error.code, "forbidden");
  assert.equal(await eventCount(db), 0);
});

test("a missing Body is 400 naming Body", async ({ app }) => {
  const { Body: _, ...rest } = sms;
  const res = await twilioPost(app, SMS_PATH, rest);
  assert.equal(res.status, 400);
  const body = await res.json();
  assert.deepEqual(body.error.details.issues.map((i: { path: string }) => i.path), ["Body"]);
});

test("a bad tenant id is 400", async ({ app }) => {
  const res = await twilioPost(app, "/webhooks/twilio/a%20b/sms", sms);
  assert.equal(res.status, 400);
  await res.body?.cancel();
});

test("without TWILIO_AUTH_TOKEN or the SendGrid key the routes answer 503", async ({ app }) => {
  const res = await twilioPost(app, SMS_PATH, sms, null);
  assert.equal(res.status, 503);
  assert.equal((await res.json()).error.code, "not_configured");
  const sg = await sendgridPost(app, "[]");
  assert.equal(sg.status, 503);
  await sg.body?.cancel();
}, { twilio: false, sendgrid: false });

/** A lead with one outbound message sent under outbox key `key`, recorded in message_sends. */
async function sentMessage(
  system: ActorSystem,
  db: Database,
  channel: "sms" | "email",
  key: string,
  providerId: string,
) {
  const { leadId } = await captureLead(system, "t1", {
    idempotencyKey: `setup-${key}`,
    source: "widget",
    contact: { name: "Dana Reyes", email: "dana@example.com", phone: "+14155552671" },
  });
  const ref = system.ref(lead, "t1", leadId);
  await ref.ask("recordMessage", {
    channel,
    direction: "outbound",
    content: "Hi",
    status: "sent",
    externalId: key,
  });
  const to = channel === "sms" ? "+14155552671" : "dana@example.com";
  await db.sql`
    INSERT INTO message_sends (tenant, key, lead_id, channel, recipient, state, provider,
                               provider_id, started_at, sent_at)
    VALUES ('t1', ${key}, ${leadId}, ${channel}, ${to}, 'sent', 'test', ${providerId}, 0, 0)`;
  return ref;
}

test("a Twilio status callback updates the message; an unknown sid is 200 and logged", async ({ app, system, db, logged }) => {
  const ref = await sentMessage(system, db, "sms", "k-sms", "SMabc");
  const path = "/webhooks/twilio/t1/status";
  const res = await twilioPost(app, path, {
    MessageSid: "SMabc",
    MessageStatus: "delivered",
    To: "+14155552671",
  });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { status: "applied" });
  assert.equal((await ref.query("view")).messages.at(-1)!.status, "delivered");
  const unknown = await twilioPost(app, path, { MessageSid: "SMzzz", MessageStatus: "failed" });
  assert.equal(unknown.status, 200);
  assert.deepEqual(await unknown.json(), { status: "unknown_message" });
  assert.ok(logged.some((l) => l.includes("SMzzz")));
});

test("signed SendGrid events are applied: delivered, then a bounce opts out", async ({ app, system, db }) => {
  const ref = await sentMessage(system, db, "email", "k-mail", "sg-1");
  const events = [
    { email: "dana@example.com", event: "delivered", cove_key: "t1/k-mail", timestamp: 1 },
    { email: "dana@example.com", event: "processed", cove_key: "t1/k-mail", timestamp: 1 },
    { email: "x@example.com", event: "delivered", cove_key: "t1/nope", timestamp: 1 },
  ];
  const res = await sendgridPost(app, JSON.stringify(events));
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { applied: 1, ignored: 1, unknown: 1, failed: 0 });
  assert.equal((await ref.query("view")).messages.at(-1)!.status, "delivered");

  const bounce = [{
    email: "dana@example.com",
    event: "bounce",
    cove_key: "t1/k-mail",
    reason: "550 no such user",
    timestamp: 2,
  }];
  const res2 = await sendgridPost(app, JSON.stringify(bounce));
  assert.equal(res2.status, 200);
  await res2.body?.cancel();
  assert.equal(await isOptedOut(db.sql, "t1", "email", "dana@example.com"), true);
  assert.equal((await ref.query("view")).consent.email?.granted, false);
});

test("SendGrid: a bad signature is 403, a missing one 401, a malformed body 400", async ({ app }) => {
  const other = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey;
  const forged = await sendgridPost(app, "[]", other);
  assert.equal(forged.status, 403);
  await forged.body?.cancel();
  const unsigned = await app.request("/webhooks/sendgrid/t1/events", {
    method: "POST",
    body: "[]",
  });
  assert.equal(unsigned.status, 401);
  await unsigned.body?.cancel();
  const notJson = await sendgridPost(app, "{oops");
  assert.equal(notJson.status, 400);
  await notJson.body?.cancel();
  const missing = await sendgridPost(app, JSON.stringify([{ email: "a@b.c", event: "open" }, {}]));
  assert.equal(missing.status, 400);
  const body = await missing.json();
  assert.deepEqual(body.error.details.issues.map((i: { path: string }) => i.path), [
    "1.email",
    "1.event",
  ]);
});

function inboundForm(): FormData {
  const form = new FormData();
  form.set("from", "Dana Reyes <Dana@Example.com>");
  form.set("to", "reply@cove.example.com");
  form.set("text", "Friday works for me.");
  form.set("headers", "Subject: Re: hello\r\nMessage-ID: <abc@mail.example.com>\r\n");
  return form;
}

test("inbound parse with the right token captures the reply; a wrong token is 403", async ({ app, system, db }) => {
  const bad = await app.request("/webhooks/sendgrid/t1/inbound/0123456789abcdef0123456789abcdef", {
    method: "POST",
    body: inboundForm(),
  });
  assert.equal(bad.status, 403);
  await bad.body?.cancel();
  assert.equal(await eventCount(db), 0);

  const path = `/webhooks/sendgrid/t1/inbound/${inboundParseToken(SECRET, "t1")}`;
  const res = await app.request(path, { method: "POST", body: inboundForm() });
  assert.equal(res.status, 200);
  const { leadId, outcome } = await res.json();
  assert.equal(outcome, "created");
  const view = await system.ref(lead, "t1", leadId).query("view");
  assert.equal(view.messages.at(-1)?.content, "Friday works for me.");
  assert.equal(view.contact.name, "Dana Reyes");
  const again = await app.request(path, { method: "POST", body: inboundForm() });
  assert.equal((await again.json()).outcome, "repeated", "a resent webhook is one message");
});
