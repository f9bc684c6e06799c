/**
 * The dispatcher of one message channel (SMS or email): the outbox hands it
 * a claimed message; it checks compliance again (opt-outs, the recipient's
 * send window, the per-lead cap), makes sure the message was not already
 * handed to the provider, sends it once, and records the send with its cost.
 * Wrap it in a GuardedDispatcher for the breaker and the rate caps.
 *
 * Sent exactly once: a `sending` mark is written before the provider is
 * called and turned into `sent` after it accepted. A retry that finds `sent`
 * does not send again. One that finds `sending` (a crash between the
 * provider's answer and the mark) resends only through a provider that
 * deduplicates on the idempotency key; otherwise the message is reported
 * failed with that reason, visibly, instead of risking a second send.
 *
 * @module
 */
import { z } from "zod";
import type { Clock } from "../../shared/clock.ts";
import type { ClaimedMessage, Dispatcher, DispatchResult, Sql } from "../runtime/mod.ts";
import { checkCompliance, type CompliancePolicy, DEFAULT_COMPLIANCE } from "./compliance.ts";
import type { MessageProvider } from "./provider.ts";

/** What an `sms` or `email` outbox row carries. */
export const MessagePayload = z.object({
  leadId: z.string().optional(),
  to: z.string().min(3),
  subject: z.string().max(300).optional(),
  body: z.string().min(1).max(20_000),
  /** An email's HTML part (the weekly report's charts); the body stays its text part. */
  html: z.string().max(1_000_000).optional(),
});

/** Prices recorded with each send, in millionths of the currency unit. */
export interface MessageCosts {
  /** Per SMS segment (default 7,900: $0.0079). */
  smsSegmentMicros?: number;
  /** Per email (default 1,000: $0.001). */
  emailMicros?: number;
}

/** Options of {@link ChannelDispatcher}. */
export interface ChannelDispatcherOptions {
  channel: "sms" | "email";
  provider: MessageProvider;
  sql: Sql;
  clock: Clock;
  policy?: CompliancePolicy;
  /** Whether the provider drops a repeat of an idempotency key (Twilio's token), so a resend after a crash is safe. */
  providerDedupes?: boolean;
  costs?: MessageCosts;
  /** The one-click unsubscribe URL of an email address; adds the link and `List-Unsubscribe`. */
  unsubscribeUrl?: (tenant: string, address: string) => string;
}

/** Sends one channel's outbox messages through a provider. */
export class ChannelDispatcher implements Dispatcher {
  readonly channel: string;

  constructor(readonly options: ChannelDispatcherOptions) {
    this.channel = options.channel;
  }

  async send(m: ClaimedMessage): Promise<DispatchResult> {
    const o = this.options;
    const parsed = MessagePayload.safeParse(m.payload);
    if (!parsed.success) {
      return { ok: false, error: `bad message payload: ${parsed.error.message}`, retryable: false };
    }
    const p = parsed.data;
    const [prior] = await o.sql<
      { state: string; provider_id: string | null; sandbox: boolean; segments: number | null }[]
    >`SELECT state, provider_id, sandbox, segments FROM message_sends
      WHERE tenant = ${m.tenant} AND key = ${m.key}`;
    if (prior?.state === "sent") {
      return {
        ok: true,
        response: { providerId: prior.provider_id, sandbox: prior.sandbox, repeated: true },
      };
    }
    if (prior?.state === "sending" && !o.providerDedupes) {
      return {
        ok: false,
        error: "an earlier attempt may have reached the provider (no answer was recorded); " +
          "not sending again: check the provider's log, then replay or discard",
        retryable: false,
      };
    }
    const now = o.clock.now();
    const verdict = await checkCompliance(
      o.sql,
      m.tenant,
      { channel: o.channel, to: p.to, ...(p.leadId ? { leadId: p.leadId } : {}) },
      o.policy ?? DEFAULT_COMPLIANCE,
      now,
    );
    if (!verdict.ok) {
      return verdict.kind === "blocked"
        ? { ok: false, error: `blocked: ${verdict.reason}`, retryable: false }
        : { deferred: true, until: verdict.until, reason: verdict.reason };
    }
    await o.sql`
      INSERT INTO message_sends (tenant, key, lead_id, channel, recipient, state, provider,
                                 started_at)
      VALUES (${m.tenant}, ${m.key}, ${p.leadId ?? null}, ${o.channel}, ${p.to}, 'sending',
              ${o.provider.name}, ${now})
      ON CONFLICT (tenant, key) DO UPDATE SET started_at = EXCLUDED.started_at`;
    const unsubscribe = o.channel === "email" && o.unsubscribeUrl
      ? o.unsubscribeUrl(m.tenant, p.to)
      : undefined;
    const r = await o.provider.send({
      channel: o.channel,
      // Keys are unique per tenant; providers are shared by tenants.
      idempotencyKey: `${m.tenant}/${m.key}`,
      to: p.to,
      ...(p.subject ? { subject: p.subject } : {}),
      body: unsubscribe ? `${p.body}\n\nUnsubscribe: ${unsubscribe}` : p.body,
      ...(p.html && o.channel === "email" ? { html: p.html } : {}),
      ...(unsubscribe
        ? {
          headers: {
            "List-Unsubscribe": `<${unsubscribe}>`,
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
          },
        }
        : {}),
    });
    if (r.ok) {
      const segments = r.segments ?? null;
      const cost = o.channel === "sms"
        ? (segments ?? 1) * (o.costs?.smsSegmentMicros ?? 7_900)
        : o.costs?.emailMicros ?? 1_000;
      await o.sql`
        UPDATE message_sends
        SET state = 'sent', provider_id = ${r.providerId}, sandbox = ${r.sandbox === true},
            segments = ${segments}, cost_micros = ${cost}, sent_at = ${o.clock.now()}
        WHERE tenant = ${m.tenant} AND key = ${m.key}`;
      return {
        ok: true,
        response: {
          providerId: r.providerId,
          provider: o.provider.name,
          sandbox: r.sandbox === true,
          segments,
          costMicros: cost,
        },
      };
    }
    // A timeout may have been accepted: keep the mark so the next attempt follows the crash
    // rule. Other failures were answered by the provider: it did not take the message.
    if (r.kind !== "timeout") {
      await o.sql`DELETE FROM message_sends
        WHERE tenant = ${m.tenant} AND key = ${m.key} AND state = 'sending'`;
    }
    return {
      ok: false,
      error: `${o.provider.name} ${r.kind}${r.status ? ` ${r.status}` : ""}: ${r.detail}`,
      retryable: r.kind !== "rejected",
    };
  }
}
