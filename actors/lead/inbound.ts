/**
 * Inbound messages from the providers' webhooks, after their signatures were
 * checked: SMS keywords (STOP, START, HELP) change consent for the number
 * everywhere; any other SMS or email is a capture with a message, so it
 * lands on the sender's lead (dedupe), stops its follow-ups and records the
 * reply. Delivery events update the conversation, a bounce marks the address
 * unusable and a spam report opts it out.
 *
 * @module
 */
import { normalizeEmail, normalizePhone } from "../../shared/contact.ts";
import { ValidationError } from "../../shared/errors.ts";
import type { ActorSystem } from "../runtime/mod.ts";
import { captureLead } from "./capture.ts";
import { lead } from "./lead.ts";
import { recordOptOut, smsKeyword } from "./opt_outs.ts";

/** The reply a HELP message gets (sent back in the webhook's answer). */
export const HELP_REPLY =
  "Reply STOP to stop messages, START to receive them again. Msg & data rates may apply.";

/** What an inbound SMS did. */
export type InboundSmsOutcome =
  | { action: "opted_out" | "opted_in"; leadId: string | null }
  | { action: "help"; reply: string }
  | { action: "captured"; leadId: string; outcome: "created" | "merged" | "repeated" };

/** The lead that owns an identity key, if any. */
async function leadOf(system: ActorSystem, tenant: string, key: string): Promise<string | null> {
  const [row] = await system.journal.sql<{ lead_id: string }[]>`
    SELECT lead_id FROM lead_identities WHERE tenant = ${tenant} AND key = ${key}`;
  return row?.lead_id ?? null;
}

/** Handles one inbound SMS: `messageId` is the provider's id (a repeated webhook is one message). */
export async function handleInboundSms(
  system: ActorSystem,
  tenant: string,
  sms: { from: string; body: string; messageId: string },
): Promise<InboundSmsOutcome> {
  const phone = normalizePhone(sms.from, "US");
  if (!phone.ok) {
    throw new ValidationError("inbound sms", [{ path: "from", message: phone.reason }]);
  }
  const keyword = smsKeyword(sms.body);
  const sql = system.journal.sql;
  if (keyword === "help") return { action: "help", reply: HELP_REPLY };
  if (keyword === "stop" || keyword === "start") {
    const optedOut = keyword === "stop";
    const source = `sms ${sms.body.trim().toUpperCase()}`;
    // The list first: it guards every send from any path, even before the lead hears of it.
    await recordOptOut(sql, tenant, "sms", phone.e164, optedOut, source);
    const leadId = await leadOf(system, tenant, `phone:${phone.e164}`);
    if (leadId) {
      await system.ref(lead, tenant, leadId).ask("recordConsent", {
        channel: "sms",
        granted: !optedOut,
        source,
      });
    }
    return { action: optedOut ? "opted_out" : "opted_in", leadId };
  }
  const r = await captureLead(system, tenant, {
    idempotencyKey: `sms:${sms.messageId}`,
    source: "inbound_sms",
    contact: { phone: phone.e164 },
    message: sms.body,
  });
  return { action: "captured", leadId: r.leadId, outcome: r.outcome };
}

/** Handles one inbound email reply (from the inbound-parse webhook). */
export async function handleInboundEmail(
  system: ActorSystem,
  tenant: string,
  email: { from: string; name?: string; text: string; messageId: string },
): Promise<{ leadId: string; outcome: "created" | "merged" | "repeated" }> {
  const r = await captureLead(system, tenant, {
    idempotencyKey: `email:${email.messageId}`,
    source: "inbound_email",
    contact: { email: email.from, ...(email.name ? { name: email.name } : {}) },
    message: email.text.slice(0, 5000),
  });
  return { leadId: r.leadId, outcome: r.outcome };
}

/** One delivery event from a provider, already verified. */
export interface DeliveryEvent {
  channel: "sms" | "email";
  /** The outbox key the message was sent with. */
  key: string;
  /** The recipient (for bounces and spam reports). */
  to: string;
  kind: "delivered" | "failed" | "bounced" | "opened" | "clicked" | "spam_report";
  reason?: string;
}

/** Applies a delivery event to the lead the message went to. */
export async function handleDeliveryEvent(
  system: ActorSystem,
  tenant: string,
  leadId: string,
  e: DeliveryEvent,
): Promise<void> {
  const ref = system.ref(lead, tenant, leadId);
  if (e.kind === "delivered" || e.kind === "failed" || e.kind === "bounced") {
    await ref.ask("updateMessageStatus", {
      externalId: e.key,
      status: e.kind === "delivered" ? "delivered" : "failed",
    });
  }
  if (e.kind === "opened" || e.kind === "clicked") {
    await ref.ask("recordEngagement", { kind: e.kind });
  }
  if (e.kind === "bounced" || e.kind === "spam_report") {
    // A bounced or complaining address gets nothing more, from any path.
    const address = e.channel === "email" ? normalizeEmail(e.to) : e.to;
    const source = e.kind === "bounced" ? `bounce: ${e.reason ?? "hard bounce"}` : "spam report";
    await recordOptOut(system.journal.sql, tenant, e.channel, address, true, source);
    await ref.ask("recordConsent", { channel: e.channel, granted: false, source });
  }
}
