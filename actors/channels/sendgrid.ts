/**
 * The SendGrid adapter of the message provider port: email through the real
 * `@sendgrid/mail` SDK, and the signature check of SendGrid's signed event
 * webhook (`@sendgrid/eventwebhook`, ECDSA P-256). The only file that imports
 * the SendGrid SDKs.
 *
 * SendGrid's mail send has no idempotency key. The outbox key travels as the
 * custom arg `cove_key` (so events and logs name the message), and the
 * dispatcher's record of keys already sent is what keeps a retry from sending
 * twice.
 *
 * @module
 */
import { Client } from "@sendgrid/client";
import { EventWebhook } from "@sendgrid/eventwebhook";
import { MailService } from "@sendgrid/mail";
import { type Clock, ConfigError, systemClock } from "../../shared/mod.ts";
import {
  checkBaseUrl,
  failureKindOf,
  type MessageProvider,
  type OutboundMessage,
  parseRetryAfter,
  type ProviderResult,
} from "./provider.ts";

/** How to reach SendGrid (or anything that speaks its v3 mail send API). */
export interface SendGridOptions {
  /** The API key, `SG.…`. */
  apiKey: string;
  /** Default sender address; must be a verified sender in SendGrid. */
  from: string;
  /** Another endpoint speaking the same API (a local test server); default `https://api.sendgrid.com`. */
  baseUrl?: string;
  /** Gives up on one send after this long and answers `timeout`. */
  timeoutMs: number;
  /** Reads `Retry-After` dates against this; default the wall clock. */
  clock?: Clock;
}

/** The custom arg carrying the outbox key; SendGrid echoes it in every event of the message. */
export const SENDGRID_KEY_ARG = "cove_key";

/** A {@link MessageProvider} sending email through SendGrid; failures come back as `ok: false`. */
export function createSendGridProvider(opts: SendGridOptions): MessageProvider {
  if (!/^[^\s@]+@[^\s@]+$/.test(opts.from)) {
    throw new ConfigError([{
      path: "from",
      message: `expected an email address, got ${JSON.stringify(opts.from)}`,
    }]);
  }
  checkBaseUrl(opts.baseUrl);
  const clock = opts.clock ?? systemClock;
  // Our own client and mail service, not the SDK's module-wide singletons,
  // so two providers (or a test's fake) never share a key or base URL.
  const client = new Client();
  client.setApiKey(opts.apiKey); // resets the base URL to SendGrid's, so it goes first
  if (opts.baseUrl !== undefined) client.setDefaultRequest("baseUrl", opts.baseUrl);
  const mail = new MailService();
  mail.setClient(client);
  mail.setTimeout(opts.timeoutMs); // after setClient: it sets the client's request default
  return {
    name: "sendgrid",
    mode: "live",
    async send(req: OutboundMessage): Promise<ProviderResult> {
      if (req.channel !== "email") {
        return { ok: false, kind: "rejected", detail: `sendgrid sends email, not ${req.channel}` };
      }
      try {
        const [res] = await mail.send({
          to: req.to,
          from: req.from ?? opts.from,
          // Without one SendGrid answers 400 (permanent), unless a template supplies it.
          ...(req.subject ? { subject: req.subject } : {}),
          text: req.body,
          ...(req.html ? { html: req.html } : {}),
          ...(req.headers ? { headers: req.headers } : {}),
          customArgs: { [SENDGRID_KEY_ARG]: req.idempotencyKey },
        });
        const id = header(res.headers, "x-message-id");
        // A 202 is the acceptance; without the id, events still carry cove_key.
        return { ok: true, providerId: id ?? `${SENDGRID_KEY_ARG}:${req.idempotencyKey}` };
      } catch (err) {
        return failure(err, opts.timeoutMs, clock.now());
      }
    },
  };
}

/** What `@sendgrid/client` throws for an HTTP error (`ResponseError`). */
interface SendGridResponseError {
  code: number;
  message: string;
  response: { headers?: unknown; body?: unknown };
}

function isResponseError(err: unknown): err is SendGridResponseError {
  const e = err as Partial<SendGridResponseError> | null;
  return typeof e?.code === "number" && typeof e.response === "object" && e.response !== null;
}

function failure(err: unknown, timeoutMs: number, now: number): ProviderResult {
  if (isResponseError(err)) {
    const status = err.code;
    const kind = failureKindOf(status) ?? "unavailable";
    const detail = `${status}: ${errorMessages(err.response.body) ?? err.message}`;
    if (kind !== "rate_limited") return { ok: false, kind, detail, status };
    const retryAfterMs = parseRetryAfter(header(err.response.headers, "retry-after"), now);
    return {
      ok: false,
      kind,
      detail,
      status,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    };
  }
  const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
  const text = typeof message === "string" ? message : String(err);
  if (code === "ETIMEDOUT" || (code === "ECONNABORTED" && /timeout/i.test(text))) {
    return { ok: false, kind: "timeout", detail: `no answer from sendgrid within ${timeoutMs} ms` };
  }
  if (typeof code === "string" || (err as { isAxiosError?: unknown })?.isAxiosError === true) {
    return { ok: false, kind: "unavailable", detail: `connection: ${code ?? ""} ${text}`.trim() };
  }
  // The SDK refused to build the request (no recipient, bad header): the same message fails again.
  return { ok: false, kind: "rejected", detail: `sendgrid sdk: ${text}` };
}

// SendGrid explains a 4xx as `{ errors: [{ message, field, help }] }`.
function errorMessages(body: unknown): string | undefined {
  const errors = (body as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors) || errors.length === 0) return undefined;
  return errors.map((e: { message?: unknown; field?: unknown }) =>
    typeof e.field === "string" && e.field ? `${e.message} (${e.field})` : String(e.message)
  ).join("; ");
}

// Axios hands back an AxiosHeaders object (lowercased keys) or a plain record.
function header(headers: unknown, name: string): string | undefined {
  if (!headers || typeof headers !== "object") return undefined;
  const value = (headers as Record<string, unknown>)[name];
  return typeof value === "string" && value !== "" ? value : undefined;
}

const eventWebhook = new EventWebhook();
const publicKeys = new Map<string, ReturnType<EventWebhook["convertPublicKeyToECDSA"]>>();

/**
 * Whether `signature` (the `X-Twilio-Email-Event-Webhook-Signature` header)
 * is SendGrid's ECDSA signature of `timestamp` (the
 * `X-Twilio-Email-Event-Webhook-Timestamp` header) followed by the raw
 * request body `payload`, under the verification key from SendGrid's mail
 * settings (PEM, or the bare base64 SendGrid shows). A missing or malformed
 * signature is invalid; a key that does not parse is a {@link ConfigError}.
 */
export function verifySendGridSignature(
  publicKeyPem: string,
  payload: string,
  signature: string | null | undefined,
  timestamp: string | null | undefined,
): boolean {
  if (!signature || !timestamp) return false;
  const key = publicKeyOf(publicKeyPem);
  try {
    return eventWebhook.verifySignature(key, payload, signature, timestamp);
  } catch {
    // Not base64 or not a DER signature: nobody signed this.
    return false;
  }
}

function publicKeyOf(pem: string) {
  let key = publicKeys.get(pem);
  if (!key) {
    try {
      key = eventWebhook.convertPublicKeyToECDSA(pem);
    } catch (e) {
      throw new ConfigError([{
        path: "publicKeyPem",
        message: `not an ECDSA public key: ${e instanceof Error ? e.message : String(e)}`,
      }]);
    }
    // Webhook keys are few (one per SendGrid account); parse each once.
    publicKeys.set(pem, key);
  }
  return key;
}
