/**
 * Compliance at dispatch time: checked again just before a message goes out,
 * whatever planned it and however long ago. An opted-out address is never
 * messaged; outside the recipient's send window, or past the per-lead daily
 * cap, the message waits (deferred, not failed).
 *
 * @module
 */
import { isOptedOut } from "../lead/mod.ts";
import type { MessageChannel } from "../../shared/lead.ts";
import { DEFAULT_SEND_WINDOW, nextSendTime, type SendWindow } from "../../shared/quiet_hours.ts";
import type { Sql } from "../runtime/mod.ts";

/** A tenant's sending rules. */
export interface CompliancePolicy {
  /** Messages go out only inside this window of the recipient's local time. */
  window: SendWindow;
  /** Used when the recipient's time zone is unknown. */
  defaultTimeZone: string;
  /** Most messages to one lead in any 24 hours, all channels together. */
  maxPerLeadPerDay: number;
}

/** The rules every tenant starts with. */
export const DEFAULT_COMPLIANCE: CompliancePolicy = {
  window: DEFAULT_SEND_WINDOW,
  defaultTimeZone: "America/New_York",
  maxPerLeadPerDay: 3,
};

/** Whether a message may go now. */
export type ComplianceVerdict =
  | { ok: true }
  | { ok: false; kind: "blocked"; reason: string }
  | { ok: false; kind: "defer"; until: number; reason: string };

const DAY = 24 * 3_600_000;

/** Checks one message against opt-outs, the send window and the frequency cap. */
export async function checkCompliance(
  sql: Sql,
  tenant: string,
  msg: { channel: MessageChannel; to: string; leadId?: string },
  policy: CompliancePolicy,
  now: number,
): Promise<ComplianceVerdict> {
  if (await isOptedOut(sql, tenant, msg.channel, msg.to)) {
    return { ok: false, kind: "blocked", reason: `${msg.to} opted out of ${msg.channel}` };
  }
  let zone = policy.defaultTimeZone;
  if (msg.leadId) {
    const [lead] = await sql<{ time_zone: string | null }[]>`
      SELECT time_zone FROM leads WHERE tenant = ${tenant} AND lead_id = ${msg.leadId}`;
    zone = lead?.time_zone ?? zone;
    const sent = await sql<{ sent_at: number }[]>`
      SELECT sent_at FROM message_sends
      WHERE tenant = ${tenant} AND lead_id = ${msg.leadId} AND state = 'sent'
        AND sent_at > ${now - DAY}
      ORDER BY sent_at`;
    if (sent.length >= policy.maxPerLeadPerDay) {
      const until = sent[sent.length - policy.maxPerLeadPerDay]!.sent_at + DAY;
      return {
        ok: false,
        kind: "defer",
        until,
        reason: `${policy.maxPerLeadPerDay} messages to this lead in 24 hours`,
      };
    }
  }
  const open = nextSendTime(now, zone, policy.window);
  if (open > now) {
    return { ok: false, kind: "defer", until: open, reason: `quiet hours in ${zone}` };
  }
  return { ok: true };
}
