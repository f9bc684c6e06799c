/**
 * The message provider port: one outbound SMS or email, answered as a
 * discriminated union. Provider failures (a bad number, a rate limit, an
 * outage, a slow answer) are expected outcomes here, never exceptions, so the
 * outbox dispatcher decides retry or dead-letter from the `kind` alone.
 *
 * @module
 */
import { ConfigError } from "../../shared/mod.ts";

/** One message to hand to a provider. */
export interface OutboundMessage {
  /** Which kind of provider this is for; an SMS provider rejects an email and vice versa. */
  channel: "sms" | "email";
  /**
   * Stable across retries of the same message, so a provider that dedupes
   * sends it once. Outbox keys are unique per tenant only: the caller scopes
   * them (e.g. `tenant/key`) before they reach a provider shared by tenants.
   */
  idempotencyKey: string;
  /** E.164 phone number for SMS, email address for email. */
  to: string;
  /** Overrides the provider's configured sender. */
  from?: string;
  /** Email subject; ignored for SMS. */
  subject?: string;
  /** Plain-text body (the SMS text, or the email's text part). */
  body: string;
  /** Email HTML part; ignored for SMS. */
  html?: string;
  /** Email headers (e.g. `List-Unsubscribe`); ignored for SMS. */
  headers?: Record<string, string>;
  /** Where the provider posts delivery status updates, when it supports that. */
  statusCallback?: string;
}

/** Why a provider did not take a message. */
export type ProviderFailureKind =
  /** A 4xx other than 429: the same request will fail again (bad number, unverified sender). */
  | "rejected"
  /** 429: try again later, after `retryAfterMs` when the provider said. */
  | "rate_limited"
  /** A 5xx, a refused or dropped connection: the provider is out of reach for now. */
  | "unavailable"
  /** No answer within the timeout. The provider may still have taken the message. */
  | "timeout";

/** What a provider answered for one message. */
export type ProviderResult =
  | {
    ok: true;
    /** The provider's id of the message (Twilio `SM…` sid, SendGrid `x-message-id`). */
    providerId: string;
    /** SMS segments billed, when known. */
    segments?: number;
    /** Present when nothing was delivered: a sandbox recorded the message instead. */
    sandbox?: true;
  }
  | {
    ok: false;
    kind: ProviderFailureKind;
    /** What went wrong, for the dead-letter list and logs. */
    detail: string;
    /** The provider's HTTP status, when it answered at all. */
    status?: number;
    /** For `rate_limited`: how long the provider asked us to wait, when it said. */
    retryAfterMs?: number;
  };

/** Sends SMS or email through one provider. Never throws for provider failures. */
export interface MessageProvider {
  /** Provider name for logs and breakers, e.g. `twilio`, `sendgrid`, `sandbox`. */
  readonly name: string;
  /** `sandbox` providers record instead of delivering; results then carry `sandbox: true`. */
  readonly mode: "live" | "sandbox";
  /** Sends once; retrying is the outbox's job. */
  send(req: OutboundMessage): Promise<ProviderResult>;
}

/** The failure kind an HTTP status means; `undefined` for a success status. */
export function failureKindOf(status: number): ProviderFailureKind | undefined {
  if (status >= 200 && status < 300) return undefined;
  if (status === 429) return "rate_limited";
  // 408 is the server giving up on a slow request before taking it: worth another try.
  if (status === 408) return "unavailable";
  if (status >= 400 && status < 500) return "rejected";
  return "unavailable";
}

/**
 * Parses a `Retry-After` header (delay in seconds, or an HTTP date read
 * against `now`, epoch ms) into milliseconds; `undefined` when absent or
 * unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds >= 0 ? Math.round(seconds * 1000) : undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

// The GSM 03.38 basic set costs one septet a character, its extension set two
// (escape + character); anything else forces the whole message to UCS-2.
const GSM_BASIC = new Set(
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà",
);
const GSM_EXTENDED = new Set("^{}\\[~]|€\f");

/**
 * How many SMS segments `body` costs: GSM-7 fits 160 septets in one segment
 * and 153 a segment once split; UCS-2 fits 70 and 67. A character is never
 * split across segments (an escape pair, a surrogate pair), as phones do.
 */
export function smsSegments(body: string): number {
  const chars = [...body];
  const gsm = chars.every((c) => GSM_BASIC.has(c) || GSM_EXTENDED.has(c));
  // UTF-16 code units are what UCS-2 counts; an astral character takes two.
  const costs = gsm ? chars.map((c) => GSM_EXTENDED.has(c) ? 2 : 1) : chars.map((c) => c.length);
  const total = costs.reduce((a, b) => a + b, 0);
  const [single, part] = gsm ? [160, 153] : [70, 67];
  if (total <= single) return 1;
  let segments = 1;
  let used = 0;
  for (const cost of costs) {
    if (used + cost > part) {
      segments++;
      used = 0;
    }
    used += cost;
  }
  return segments;
}

/**
 * Checks a provider's `baseUrl` option when given: an http(s) URL, or a
 * {@link ConfigError} naming `baseUrl`, so a typo fails at start-up rather
 * than on every send.
 */
export function checkBaseUrl(baseUrl: string | undefined): void {
  if (baseUrl === undefined) return;
  if (!URL.canParse(baseUrl) || !/^https?:$/.test(new URL(baseUrl).protocol)) {
    throw new ConfigError([{
      path: "baseUrl",
      message: `expected an http(s) URL, got ${JSON.stringify(baseUrl)}`,
    }]);
  }
}
