/**
 * A local stand-in for SendGrid's v3 mail send endpoint (a test double,
 * exported for tests in other folders), so tests run the real
 * `@sendgrid/mail` SDK over a real socket against answers and failures they
 * choose. Like SendGrid it checks the bearer key, refuses a mail without a
 * recipient, sender, subject or content with a 400 naming the field, and
 * accepts with a 202 and an `x-message-id` header.
 *
 * @module
 */

/** One request the fake received. */
export interface FakeSendGridRequest {
  /** The JSON body as sent (`personalizations`, `from`, `subject`, `content`, `custom_args`, ...). */
  body: Record<string, unknown>;
  /** Request headers, names lowercased. */
  headers: Record<string, string>;
}

/** What the fake answers one request with. */
export interface FakeSendGridReply {
  /** HTTP status; default 202. */
  status?: number;
  /** Extra response headers, e.g. `retry-after` or `x-message-id`. */
  headers?: Record<string, string>;
  /** JSON body; none when absent (as SendGrid's 202). Build errors with {@link sendGridErrors}. */
  body?: unknown;
  /** Waits this long before answering; closing the fake cuts the wait short. */
  delayMs?: number;
}

/** Options of {@link startFakeSendGrid}. */
export interface FakeSendGridOptions {
  /** When set, requests must carry `Authorization: Bearer <apiKey>` or get a 401. */
  apiKey?: string;
  /** Decides each answer for a valid mail; default a 202 with a fresh `x-message-id`. */
  reply?: (req: FakeSendGridRequest) => FakeSendGridReply;
}

/** A running fake; `await using` shuts it down. */
export interface FakeSendGrid extends AsyncDisposable {
  /** Pass as the provider's `baseUrl`. */
  baseUrl: string;
  /** Authorized requests to the mail send route, in order (refused mails included). */
  requests: FakeSendGridRequest[];
  /** Stops the server and waits for open requests to end. */
  close(): Promise<void>;
}

/** A SendGrid error body, as the API sends with 4xx. */
export function sendGridErrors(
  errors: Array<{ message: string; field?: string | null; help?: string | null }>,
): unknown {
  return { errors: errors.map((e) => ({ field: null, help: null, ...e })) };
}

/** A 202 acceptance with a fresh message id, as SendGrid answers a valid mail. */
export function sendGridAccepted(): FakeSendGridReply {
  const id = crypto.randomUUID().replaceAll("-", "").slice(0, 22);
  return { status: 202, headers: { "x-message-id": id } };
}

/** Starts the fake on 127.0.0.1 with a free port. */
export function startFakeSendGrid(opts: FakeSendGridOptions = {}): FakeSendGrid {
  const requests: FakeSendGridRequest[] = [];
  const reply = opts.reply ?? sendGridAccepted;
  // Ends pending delays on close: the client's timeout hangs up long before,
  // and shutdown would otherwise wait out every delay.
  const closing = new AbortController();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const url = new URL(req.url);
    if (req.method !== "POST" || url.pathname !== "/v3/mail/send") {
      return Response.json(sendGridErrors([{ message: "Not Found" }]), { status: 404 });
    }
    if (opts.apiKey !== undefined && req.headers.get("authorization") !== `Bearer ${opts.apiKey}`) {
      const error = sendGridErrors([{
        message: "The provided authorization grant is invalid, expired, or revoked",
      }]);
      return Response.json(error, { status: 401 });
    }
    let body: Record<string, unknown>;
    try {
      body = await req.json();
    } catch {
      return Response.json(sendGridErrors([{ message: "Bad Request" }]), { status: 400 });
    }
    const received = { body, headers: Object.fromEntries(req.headers) };
    requests.push(received);
    const invalid = validate(body);
    if (invalid.length > 0) return Response.json(sendGridErrors(invalid), { status: 400 });
    const r = reply(received);
    if (r.delayMs) await sleep(r.delayMs, closing.signal);
    const init = { status: r.status ?? 202, headers: r.headers ?? {} };
    return r.body === undefined ? new Response(null, init) : Response.json(r.body, init);
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

// The checks SendGrid makes that a well-formed SDK request can still fail.
function validate(body: Record<string, unknown>): Array<{ message: string; field: string }> {
  const issues: Array<{ message: string; field: string }> = [];
  const personalizations = body.personalizations as Array<{ to?: unknown[] }> | undefined;
  if (!personalizations?.[0]?.to?.length) {
    issues.push({
      message: "The to array is required for all personalization objects.",
      field: "personalizations.0.to",
    });
  }
  if (!(body.from as { email?: string } | undefined)?.email) {
    issues.push({
      message: "The from object must be provided for every email send.",
      field: "from",
    });
  }
  if (!body.subject && !body.template_id) {
    issues.push({
      message:
        "The subject is required. You can get around this requirement if you use a template with a subject defined or if every personalization has a subject defined.",
      field: "subject",
    });
  }
  const content = body.content as Array<{ value?: string }> | undefined;
  if (!body.template_id && !content?.some((c) => c.value)) {
    issues.push({
      message: "Unless a valid template_id is provided, the content parameter is required.",
      field: "content",
    });
  }
  return issues;
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
