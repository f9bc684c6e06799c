/**
 * The Twilio adapter of the message provider port: SMS through the real
 * `twilio` SDK's `messages.create`, and the signature check of Twilio's
 * inbound webhooks. The only file that imports the `twilio` SDK.
 *
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";
import twilio from "twilio";
import { type Clock, ConfigError, systemClock } from "../../shared/mod.ts";
import {
  checkBaseUrl,
  failureKindOf,
  type MessageProvider,
  type OutboundMessage,
  parseRetryAfter,
  type ProviderResult,
  smsSegments,
} from "./provider.ts";

/** How to reach Twilio (or anything that speaks its Messages API). */
export interface TwilioOptions {
  /** Account SID, `AC…`. */
  accountSid: string;
  /** The account's auth token (also the key of inbound webhook signatures). */
  authToken: string;
  /** Sender: an E.164 number, or a Messaging Service SID (`MG…`) to let Twilio pick one. */
  from: string;
  /** Another endpoint speaking the same API (a local test server); default `https://api.twilio.com`. */
  baseUrl?: string;
  /** Gives up on one send after this long and answers `timeout`. */
  timeoutMs: number;
  /** Reads `Retry-After` dates against this; default the wall clock. */
  clock?: Clock;
}

/** The request header Twilio reads an idempotency token from. */
export const TWILIO_IDEMPOTENCY_HEADER = "I-Twilio-Idempotency-Token";

type BaseRequestClient = InstanceType<typeof twilio.RequestClient>;
type RequestOptions = Parameters<BaseRequestClient["request"]>[0];

/** One send as seen by the HTTP layer: what to add going out, what came back. */
interface Exchange {
  key: string;
  responseHeaders?: Record<string, unknown>;
}

// `messages.create` takes no headers, and its errors keep no response
// headers; the SDK's pluggable HTTP client sees both. Each send runs in its
// own async context, so concurrent sends through one client (one connection
// pool) never see each other's token or `Retry-After`.
const exchanges = new AsyncLocalStorage<Exchange>();

/** The SDK's HTTP client, pointed at `baseUrl` and carrying the send's idempotency token. */
class CoveRequestClient extends twilio.RequestClient {
  readonly #base: URL | undefined;

  constructor(baseUrl: string | undefined, timeoutMs: number) {
    // No SDK retries: the outbox retries with backoff, a breaker and a DLQ.
    super({ timeout: timeoutMs, autoRetry: false });
    this.#base = baseUrl === undefined ? undefined : new URL(baseUrl);
  }

  override async request<TData>(opts: RequestOptions & { data?: TData }) {
    const exchange = exchanges.getStore();
    const headers = { ...opts.headers };
    if (exchange) headers[TWILIO_IDEMPOTENCY_HEADER] = exchange.key;
    const res = await super.request<TData>({ ...opts, uri: this.#rebase(opts.uri), headers });
    if (exchange) exchange.responseHeaders = res.headers as Record<string, unknown>;
    return res;
  }

  #rebase(uri: string): string {
    if (!this.#base) return uri;
    const url = new URL(uri);
    const prefix = this.#base.pathname.replace(/\/$/, "");
    return new URL(prefix + url.pathname + url.search, this.#base).href;
  }
}

/** A {@link MessageProvider} sending SMS through Twilio; failures come back as `ok: false`. */
export function createTwilioProvider(opts: TwilioOptions): MessageProvider {
  if (!opts.accountSid.startsWith("AC")) {
    throw new ConfigError([{ path: "accountSid", message: "a Twilio account SID starts with AC" }]);
  }
  if (!/^(\+[1-9]\d{6,14}|MG[0-9a-fA-F]{32})$/.test(opts.from)) {
    throw new ConfigError([{
      path: "from",
      message: `expected an E.164 number or a Messaging Service SID (MG…), got ${
        JSON.stringify(opts.from)
      }`,
    }]);
  }
  checkBaseUrl(opts.baseUrl);
  const clock = opts.clock ?? systemClock;
  const client = twilio(opts.accountSid, opts.authToken, {
    httpClient: new CoveRequestClient(opts.baseUrl, opts.timeoutMs),
  });
  return {
    name: "twilio",
    mode: "live",
    async send(req: OutboundMessage): Promise<ProviderResult> {
      if (req.channel !== "sms") {
        return { ok: false, kind: "rejected", detail: `twilio sends sms, not ${req.channel}` };
      }
      const from = req.from ?? opts.from;
      const exchange: Exchange = { key: req.idempotencyKey };
      try {
        const message = await exchanges.run(exchange, () =>
          client.messages.create({
            to: req.to,
            body: req.body,
            ...(from.startsWith("MG") ? { messagingServiceSid: from } : { from }),
            ...(req.statusCallback ? { statusCallback: req.statusCallback } : {}),
          }));
        // Twilio reports 0 until a Messaging Service picks a sender; count ourselves then.
        const reported = Number(message.numSegments);
        const segments = reported > 0 ? reported : smsSegments(req.body);
        return { ok: true, providerId: message.sid, segments };
      } catch (err) {
        return failure(err, exchange, opts.timeoutMs, clock.now());
      }
    },
  };
}

/** What the SDK throws for an API error: `RestException` or, in the newer format, `TwilioServiceException`. */
interface TwilioApiError {
  status: number;
  code?: number;
  message: string;
}

function isApiError(err: unknown): err is TwilioApiError {
  return err instanceof Error && typeof (err as { status?: unknown }).status === "number";
}

function failure(err: unknown, exchange: Exchange, timeoutMs: number, now: number): ProviderResult {
  if (isApiError(err)) {
    const kind = failureKindOf(err.status) ?? "unavailable";
    const code = err.code === undefined ? "" : ` ${err.code}`;
    const detail = `${err.status}${code}: ${err.message}`;
    if (kind !== "rate_limited") return { ok: false, kind, detail, status: err.status };
    const header = exchange.responseHeaders?.["retry-after"];
    const retryAfterMs = parseRetryAfter(typeof header === "string" ? header : undefined, now);
    return {
      ok: false,
      kind,
      detail,
      status: err.status,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    };
  }
  const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
  const text = typeof message === "string" ? message : String(err);
  if (code === "ETIMEDOUT" || (code === "ECONNABORTED" && /timeout/i.test(text))) {
    return { ok: false, kind: "timeout", detail: `no answer from twilio within ${timeoutMs} ms` };
  }
  if (typeof code === "string" || (err as { isAxiosError?: unknown })?.isAxiosError === true) {
    return { ok: false, kind: "unavailable", detail: `connection: ${code ?? ""} ${text}`.trim() };
  }
  // The SDK refused to build the request (a missing `to`): the same message fails again.
  return { ok: false, kind: "rejected", detail: `twilio sdk: ${text}` };
}

/**
 * Whether `signature` (the `X-Twilio-Signature` header) signs a webhook
 * request to `url` (the full URL Twilio was configured with, query string
 * included) with form `params`, under the account's `authToken`. A missing
 * signature is invalid.
 */
export function validateTwilioSignature(
  authToken: string,
  url: string,
  params: Record<string, string>,
  signature: string | null | undefined,
): boolean {
  if (!signature) return false;
  try {
    return twilio.validateRequest(authToken, signature, url, params);
  } catch {
    // An unparseable URL cannot be one Twilio signed.
    return false;
  }
}
