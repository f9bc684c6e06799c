/**
 * Provider webhooks: inbound SMS and delivery status from Twilio, delivery
 * events and inbound email from SendGrid. Every route checks that the
 * provider sent it (signature, or a secret path token where SendGrid signs
 * nothing) before anything is written, and refuses with 503 when the check
 * is not configured: an unsigned webhook is never accepted.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { Hono } from "hono";
import type { Context } from "hono";
import {
  SENDGRID_KEY_ARG,
  validateTwilioSignature,
  verifySendGridSignature,
} from "../actors/channels/mod.ts";
import {
  type DeliveryEvent,
  handleDeliveryEvent,
  handleInboundEmail,
  handleInboundSms,
} from "../actors/lead/mod.ts";
import type { ActorSystem } from "../actors/runtime/mod.ts";
import { CoveError, isKeyPart, ValidationError } from "../shared/mod.ts";
import type { GatewayApp } from "./app.ts";
import { escapeHtml } from "./unsubscribe.ts";

/** What {@link webhookRoutes} needs. */
export interface WebhookDeps {
  system: ActorSystem;
  /** Verifies Twilio's `X-Twilio-Signature`; without it the Twilio routes answer 503. */
  twilioAuthToken?: string;
  /** SendGrid's event webhook verification key (PEM or bare base64); without it, 503. */
  sendgridPublicKey?: string;
  /** Derives the inbound-parse path tokens ({@link inboundParseToken}); without it, 503. */
  inboundSecret?: string;
  /** The base URL providers call us at (`https://cove.example.com`); Twilio signs the full URL. */
  publicUrl: string;
  /** Where webhooks that were accepted but matched nothing are noted (default `console.warn`). */
  log?: (line: string) => void;
}

/** SendGrid event names and the delivery event each becomes; the rest are ignored. */
const SENDGRID_KINDS: Record<string, DeliveryEvent["kind"]> = {
  delivered: "delivered",
  open: "opened",
  click: "clicked",
  bounce: "bounced",
  dropped: "bounced",
  spamreport: "spam_report",
};

/** Twilio message statuses that change the conversation; queued, sent and the like do not. */
const TWILIO_KINDS: Record<string, DeliveryEvent["kind"]> = {
  delivered: "delivered",
  undelivered: "failed",
  failed: "failed",
};

/**
 * The secret path token of a tenant's SendGrid Inbound Parse URL
 * (`/webhooks/sendgrid/:tenant/inbound/:token`): the first 32 hex characters
 * of HMAC-SHA-256 of the tenant under `secret`. Inbound Parse has no
 * signature, so knowing the URL is the credential.
 */
export function inboundParseToken(secret: string, tenant: string): string {
  return createHmac("sha256", secret).update(tenant).digest("hex").slice(0, 32);
}

/** The provider webhook routes; mount at `/webhooks`. */
export function webhookRoutes(deps: WebhookDeps): GatewayApp {
  const app = new Hono();
  const log = deps.log ?? ((line: string) => console.warn(line));
  const sql = deps.system.journal.sql;

  app.post("/twilio/:tenant/sms", async (c) => {
    const token = configured(deps.twilioAuthToken, "TWILIO_AUTH_TOKEN");
    const tenant = tenantOf(c);
    const params = await twilioParams(c, token, deps.publicUrl);
    const [from, body, messageId] = required("inbound sms", params, ["From", "Body", "MessageSid"]);
    const r = await handleInboundSms(deps.system, tenant, { from, body, messageId });
    // TwiML: an empty response sends nothing back; HELP answers in the same exchange.
    const twiml = r.action === "help"
      ? `<Response><Message>${escapeHtml(r.reply)}</Message></Response>`
      : "<Response/>";
    return c.body(`<?xml version="1.0" encoding="UTF-8"?>${twiml}`, 200, {
      "Content-Type": "text/xml; charset=utf-8",
    });
  });

  app.post("/twilio/:tenant/status", async (c) => {
    const token = configured(deps.twilioAuthToken, "TWILIO_AUTH_TOKEN");
    const tenant = tenantOf(c);
    const params = await twilioParams(c, token, deps.publicUrl);
    const [sid, status] = required("status callback", params, ["MessageSid", "MessageStatus"]);
    const kind = TWILIO_KINDS[status];
    if (!kind) return c.json({ status: "ignored" });
    const [sent] = await sql<{ key: string; lead_id: string | null; recipient: string }[]>`
      SELECT key, lead_id, recipient FROM message_sends
      WHERE tenant = ${tenant} AND channel = 'sms' AND provider_id = ${sid}`;
    // 200 all the same: Twilio retries anything else, and a retry cannot find it either.
    if (!sent?.lead_id) {
      log(`cove: twilio status ${status} for unknown message ${sid} (tenant ${tenant})`);
      return c.json({ status: "unknown_message" });
    }
    await handleDeliveryEvent(deps.system, tenant, sent.lead_id, {
      channel: "sms",
      key: sent.key,
      to: params.To || sent.recipient,
      kind,
      ...(params.ErrorCode ? { reason: `twilio error ${params.ErrorCode}` } : {}),
    });
    return c.json({ status: "applied" });
  });

  app.post("/sendgrid/:tenant/events", async (c) => {
    const key = configured(deps.sendgridPublicKey, "SENDGRID_WEBHOOK_PUBLIC_KEY");
    const tenant = tenantOf(c);
    const raw = await c.req.text();
    const signature = c.req.header("X-Twilio-Email-Event-Webhook-Signature");
    const timestamp = c.req.header("X-Twilio-Email-Event-Webhook-Timestamp");
    if (!signature || !timestamp) throw unauthorized("sendgrid event webhook signature");
    if (!verifySendGridSignature(key, raw, signature, timestamp)) {
      throw forbidden("sendgrid event webhook signature");
    }
    const events = parseSendGridEvents(raw);
    const counts = { applied: 0, ignored: 0, unknown: 0, failed: 0 };
    // One bad event must not lose the others: SendGrid would resend the whole batch.
    for (const [i, e] of events.entries()) {
      const kind = SENDGRID_KINDS[e.event];
      if (!kind) {
        counts.ignored++;
        continue;
      }
      const outboxKey = outboxKeyOf(tenant, e[SENDGRID_KEY_ARG]);
      const [sent] = outboxKey
        ? await sql<{ lead_id: string | null }[]>`
          SELECT lead_id FROM message_sends
          WHERE tenant = ${tenant} AND channel = 'email' AND key = ${outboxKey}`
        : [];
      if (!outboxKey || !sent?.lead_id) {
        counts.unknown++;
        log(`cove: sendgrid ${e.event} event ${i} for unknown message (tenant ${tenant})`);
        continue;
      }
      try {
        await handleDeliveryEvent(deps.system, tenant, sent.lead_id, {
          channel: "email",
          key: outboxKey,
          to: e.email,
          kind,
          ...(typeof e.reason === "string" ? { reason: e.reason } : {}),
        });
        counts.applied++;
      } catch (err) {
        counts.failed++;
        console.error(`cove: sendgrid ${e.event} event ${i} (tenant ${tenant}) failed:`, err);
      }
    }
    return c.json(counts);
  });

  app.post("/sendgrid/:tenant/inbound/:token", async (c) => {
    const secret = configured(deps.inboundSecret, "WEBHOOK_SECRET");
    const tenant = tenantOf(c);
    const expected = Buffer.from(inboundParseToken(secret, tenant));
    const given = Buffer.from(c.req.param("token"));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw forbidden("inbound parse token");
    }
    const form = await c.req.parseBody();
    const field = (name: string) => typeof form[name] === "string" ? form[name] as string : "";
    const sender = parseFromHeader(field("from"));
    if (!sender) {
      throw new ValidationError("inbound email", [{
        path: "from",
        message: "expected an address such as `Name <name@example.com>`",
      }]);
    }
    const text = field("text") || stripHtml(field("html"));
    if (!text.trim()) {
      throw new ValidationError("inbound email", [{ path: "text", message: "empty message" }]);
    }
    // The Message-ID makes a resent webhook one message; without one, its content does.
    const messageId = messageIdOf(field("headers")) ??
      createHash("sha256").update(`${sender.address}\n${field("headers")}\n${text}`).digest("hex");
    const r = await handleInboundEmail(deps.system, tenant, {
      from: sender.address,
      ...(sender.name ? { name: sender.name } : {}),
      text,
      messageId,
    });
    return c.json(r);
  });

  return app;
}

/** One SendGrid event, as far as we read it. */
interface SendGridEvent {
  email: string;
  event: string;
  reason?: unknown;
  [SENDGRID_KEY_ARG]?: unknown;
}

function parseSendGridEvents(raw: string): SendGridEvent[] {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw new ValidationError("sendgrid events", [{ path: "", message: "not JSON" }]);
  }
  if (!Array.isArray(body)) {
    throw new ValidationError("sendgrid events", [{ path: "", message: "expected an array" }]);
  }
  const issues = body.flatMap((e: unknown, i) => {
    if (!e || typeof e !== "object") return [{ path: `${i}`, message: "expected an object" }];
    return (["email", "event"] as const)
      .filter((f) => typeof (e as Record<string, unknown>)[f] !== "string")
      .map((f) => ({ path: `${i}.${f}`, message: "required string" }));
  });
  if (issues.length > 0) throw new ValidationError("sendgrid events", issues);
  return body as SendGridEvent[];
}

/** The outbox key inside SendGrid's `cove_key`, which carries `${tenant}/${key}`. */
function outboxKeyOf(tenant: string, arg: unknown): string | null {
  if (typeof arg !== "string" || !arg.startsWith(`${tenant}/`)) return null;
  return arg.slice(tenant.length + 1) || null;
}

/** The form params of a Twilio webhook whose signature is right; 401 without one, 403 when wrong. */
async function twilioParams(
  c: Context,
  authToken: string,
  publicUrl: string,
): Promise<Record<string, string>> {
  const signature = c.req.header("X-Twilio-Signature");
  const params = Object.fromEntries(new URLSearchParams(await c.req.text()));
  if (!signature) throw unauthorized("X-Twilio-Signature");
  // Twilio signs the URL it was configured with, which is ours seen from outside.
  const url = `${publicUrl.replace(/\/+$/, "")}${c.req.path}${new URL(c.req.url).search}`;
  if (!validateTwilioSignature(authToken, url, params, signature)) {
    throw forbidden("X-Twilio-Signature");
  }
  return params;
}

function required<const K extends readonly string[]>(
  what: string,
  params: Record<string, string>,
  names: K,
): { [I in keyof K]: string } {
  const missing = names.filter((n) => !params[n]);
  if (missing.length > 0) {
    throw new ValidationError(what, missing.map((path) => ({ path, message: "required" })));
  }
  return names.map((n) => params[n]!) as { [I in keyof K]: string };
}

function tenantOf(c: Context): string {
  const tenant = c.req.param("tenant") ?? "";
  if (!isKeyPart(tenant)) {
    throw new ValidationError("webhook", [{ path: "tenant", message: "not a tenant id" }]);
  }
  return tenant;
}

function configured(value: string | undefined, variable: string): string {
  if (!value) {
    throw new CoveError("not_configured", `this webhook is off: ${variable} is not set`, {
      status: 503,
      public: true,
    });
  }
  return value;
}

function unauthorized(what: string): CoveError {
  return new CoveError("unauthorized", `missing ${what}`, { status: 401, public: true });
}

function forbidden(what: string): CoveError {
  return new CoveError("forbidden", `wrong ${what}`, { status: 403, public: true });
}

/** `Name <addr>`, `"Name" <addr>` or a bare address. */
function parseFromHeader(from: string): { address: string; name?: string } | null {
  const angled = /^\s*"?([^"<]*?)"?\s*<([^<>\s]+@[^<>\s]+)>\s*$/.exec(from);
  if (angled) return { address: angled[2]!, ...(angled[1] ? { name: angled[1].trim() } : {}) };
  const bare = from.trim();
  return /^[^\s@<>]+@[^\s@<>]+$/.test(bare) ? { address: bare } : null;
}

/** The Message-ID of raw headers, folded lines included. */
function messageIdOf(headers: string): string | undefined {
  const m = /^message-id:[ \t]*((?:.|\r?\n[ \t])+)/im.exec(headers);
  const id = m?.[1]?.replace(/\r?\n[ \t]+/g, " ").trim();
  if (!id) return undefined;
  // Capture keys are at most 128 characters; a longer id is kept unique by its hash.
  return id.length <= 100 ? id : createHash("sha256").update(id).digest("hex");
}

function stripHtml(html: string): string {
  return html.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim();
}
