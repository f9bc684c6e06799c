/**
 * A local stand-in for the Chat Completions endpoint (a test double, exported
 * for tests in other folders), so tests run the real
 * `openai` SDK over a real socket against answers (and failures) they choose.
 *
 * @module
 */

/** What the fake answers one request with. */
export interface FakeReply {
  /** HTTP status; default 200. */
  status?: number;
  /** Extra response headers, e.g. `retry-after`. */
  headers?: Record<string, string>;
  /** JSON body; build successes with {@link chatCompletion}. */
  body: unknown;
  /** Waits this long before answering; closing the fake cuts the wait short. */
  delayMs?: number;
}

/** A running fake; `await using` shuts it down. */
export interface FakeOpenAi extends AsyncDisposable {
  /** Pass as the SDK's `baseURL`. */
  baseURL: string;
  /** Parsed JSON bodies of the requests received, in order. */
  requests: Record<string, unknown>[];
  /** Stops the server and waits for open requests to end. */
  close(): Promise<void>;
}

/** A Chat Completions response body whose assistant message is `content`. */
export function chatCompletion(
  content: string | null,
  opts: { refusal?: string; finishReason?: string; model?: string } = {},
): unknown {
  return {
    id: "chatcmpl-test",
    object: "chat.completion",
    created: 1_767_225_600,
    model: opts.model ?? "gpt-4o-mini-2024-07-18",
    choices: [{
      index: 0,
      message: { role: "assistant", content, refusal: opts.refusal ?? null },
      finish_reason: opts.finishReason ?? "stop",
      logprobs: null,
    }],
    usage: { prompt_tokens: 50, completion_tokens: 40, total_tokens: 90 },
  };
}

/** An OpenAI-style error body, as the API sends with 4xx and 5xx. */
export function apiError(message: string, type: string): unknown {
  return { error: { message, type, param: null, code: null } };
}

/** Starts the fake on 127.0.0.1 with a free port; `reply` decides each answer. */
export function startFakeOpenAi(reply: (body: Record<string, unknown>) => FakeReply): FakeOpenAi {
  const requests: Record<string, unknown>[] = [];
  // Ends pending delays on close: the SDK's timeout hangs up long before,
  // and shutdown would otherwise wait out every delay.
  const closing = new AbortController();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const url = new URL(req.url);
    if (req.method !== "POST" || url.pathname !== "/chat/completions") {
      return Response.json(apiError(`no route ${url.pathname}`, "invalid_request_error"), {
        status: 404,
      });
    }
    const body = await req.json() as Record<string, unknown>;
    requests.push(body);
    const r = reply(body);
    if (r.delayMs) await sleep(r.delayMs, closing.signal);
    return Response.json(r.body, { status: r.status ?? 200, headers: r.headers ?? {} });
  });
  const close = () => {
    closing.abort();
    return server.shutdown();
  };
  return {
    baseURL: `http://127.0.0.1:${server.addr.port}`,
    requests,
    close,
    [Symbol.asyncDispose]: close,
  };
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
