/**
 * A local stand-in for Twilio's Messages API (a test double, exported for
 * tests in other folders), so tests run the real `twilio` SDK over a real
 * socket against answers and failures they choose. It checks Basic auth and
 * answers Twilio's own shapes: a message resource, or an error body with
 * `code`, `message`, `more_info` and `status`.
 *
 * @module
 */
import { smsSegments } from "./provider.ts";

/** One request the fake received. */
export interface FakeTwilioRequest {
  /** The account SID in the path. */
  accountSid: string;
  /** The form fields as sent: `To`, `From` or `MessagingServiceSid`, `Body`, `StatusCallback`. */
  params: Record<string, string>;
  /** Request headers, names lowercased. */
  headers: Record<string, string>;
}

/** What the fake answers one request with. */
export interface FakeTwilioReply {
  /** HTTP status; default 201. */
  status?: number;
  /** Extra response headers, e.g. `retry-after`. */
  headers?: Record<string, string>;
  /** JSON body; build it with {@link twilioMessage} or {@link twilioError}. */
  body: unknown;
  /** Waits this long before answering; closing the fake cuts the wait short. */
  delayMs?: number;
}

/** Options of {@link startFakeTwilio}. */
export interface FakeTwilioOptions {
  /** When set, requests must carry Basic auth `accountSid:authToken` or get a 401 (code 20003). */
  authToken?: string;
  /** Decides each answer; default a queued message resource. */
  reply?: (req: FakeTwilioRequest) => FakeTwilioReply;
}

/** A running fake; `await using` shuts it down. */
export interface FakeTwilio extends AsyncDisposable {
  /** Pass as the provider's `baseUrl`. */
  baseUrl: string;
  /** Authorized requests to the Messages route, in order. */
  requests: FakeTwilioRequest[];
  /** Stops the server and waits for open requests to end. */
  close(): Promise<void>;
}

/** A Messages API resource for `req`, as Twilio answers a create (status `queued`). */
export function twilioMessage(
  req: FakeTwilioRequest,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const sid = `SM${crypto.randomUUID().replaceAll("-", "")}`;
  const body = req.params.Body ?? "";
  return {
    account_sid: req.accountSid,
    api_version: "2010-04-01",
    body,
    date_created: "Thu, 01 Jan 2026 00:00:00 +0000",
    date_sent: null,
    date_updated: "Thu, 01 Jan 2026 00:00:00 +0000",
    direction: "outbound-api",
    error_code: null,
    error_message: null,
    from: req.params.From ?? null,
    messaging_service_sid: req.params.MessagingServiceSid ?? null,
    num_media: "0",
    // A Messaging Service has not picked a sender yet, so Twilio reports 0.
    num_segments: req.params.MessagingServiceSid ? "0" : String(smsSegments(body)),
    price: null,
    price_unit: "USD",
    sid,
    status: "queued",
    subresource_uris: {
      media: `/2010-04-01/Accounts/${req.accountSid}/Messages/${sid}/Media.json`,
    },
    to: req.params.To ?? null,
    uri: `/2010-04-01/Accounts/${req.accountSid}/Messages/${sid}.json`,
    ...overrides,
  };
}

/** A Twilio error body, as the API sends with 4xx and 5xx. */
export function twilioError(status: number, code: number, message: string): unknown {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
}

const ROUTE = /^\/2010-04-01\/Accounts\/(AC[0-9a-zA-Z]+)\/Messages\.json$/;

/** Starts the fake on 127.0.0.1 with a free port. */
export function startFakeTwilio(opts: FakeTwilioOptions = {}): FakeTwilio {
  const requests: FakeTwilioRequest[] = [];
  const reply = opts.reply ??
    ((req: FakeTwilioRequest): FakeTwilioReply => ({ status: 201, body: twilioMessage(req) }));
  // Ends pending delays on close: the client's timeout hangs up long before,
  // and shutdown would otherwise wait out every delay.
  const closing = new AbortController();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const url = new URL(req.url);
    const route = ROUTE.exec(url.pathname);
    if (req.method !== "POST" || !route) {
      const error = twilioError(404, 20404, `The requested resource ${url.pathname} was not found`);
      return Response.json(error, { status: 404 });
    }
    const accountSid = route[1]!;
    if (opts.authToken !== undefined && !authorized(req, accountSid, opts.authToken)) {
      return Response.json(twilioError(401, 20003, "Authenticate"), { status: 401 });
    }
    const params = Object.fromEntries(new URLSearchParams(await req.text()));
    const headers = Object.fromEntries(req.headers);
    const received = { accountSid, params, headers };
    requests.push(received);
    const r = reply(received);
    if (r.delayMs) await sleep(r.delayMs, closing.signal);
    return Response.json(r.body, { status: r.status ?? 201, headers: r.headers ?? {} });
  });
  const close = () => {
    closing.abort();
    return server.shutdown();
  };
  return {
    baseUrl: `http://127.0.0.1:${server.addr.port}`,
    requests,
    close,
    [Symbol.asyncDispose]: close,
  };
}

function authorized(req: Request, accountSid: string, authToken: string): boolean {
  const header = req.headers.get("authorization") ?? "";
  return header === `Basic ${btoa(`${accountSid}:${authToken}`)}`;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
