/**
 * The OpenAI adapter of the AI port: Chat Completions with Structured
 * Outputs (a strict JSON schema made from the request's zod schema). The only
 * file that imports the `openai` SDK.
 *
 * @module
 */
import OpenAI from "openai";
import { z } from "zod";
import { fieldIssues } from "../../shared/mod.ts";
import type { AiClient, AiRequest, AiResult } from "./ai.ts";

/** How to reach OpenAI (or anything that speaks its Chat Completions API). */
export interface OpenAiOptions {
  /** The API key; without one, use `disabledAi` instead. */
  apiKey: string;
  /** Another endpoint speaking the same API (a proxy, a local test server). */
  baseURL?: string;
  /** Chat model; default `gpt-4o-mini`. */
  model?: string;
  /** SDK retries per call; default 0, because the outbox retries with backoff and a DLQ. */
  maxRetries?: number;
}

const DEFAULT_MODEL = "gpt-4o-mini";

/** An {@link AiClient} backed by the OpenAI SDK; provider failures come back as `ok: false`. */
export function createOpenAiClient(opts: OpenAiOptions): AiClient {
  const maxRetries = opts.maxRetries ?? 0;
  const model = opts.model ?? DEFAULT_MODEL;
  const client = new OpenAI({ apiKey: opts.apiKey, baseURL: opts.baseURL, maxRetries });
  return {
    async complete<T>(req: AiRequest<T>): Promise<AiResult<T>> {
      // Outside the try: a schema that has no JSON form is our bug, not the provider's failure.
      const schema = jsonSchemaOf(req.schema);
      let completion: OpenAI.Chat.ChatCompletion;
      try {
        completion = await client.chat.completions.create({
          model,
          messages: [
            { role: "system", content: req.system },
            { role: "user", content: req.user },
          ],
          response_format: {
            type: "json_schema",
            json_schema: { name: req.schemaName, schema, strict: true },
          },
        }, { timeout: req.timeoutMs, maxRetries });
      } catch (err) {
        return failure(err, req.timeoutMs);
      }
      return answer(completion, req);
    },
  };
}

const jsonSchemas = new WeakMap<z.ZodType, Record<string, unknown>>();

// Strict mode accepts a subset of JSON Schema; the `$schema` marker is not in it.
function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  let json = jsonSchemas.get(schema);
  if (!json) {
    const { $schema: _, ...rest } = z.toJSONSchema(schema) as Record<string, unknown>;
    json = rest;
    jsonSchemas.set(schema, json);
  }
  return json;
}

function answer<T>(completion: OpenAI.Chat.ChatCompletion, req: AiRequest<T>): AiResult<T> {
  const choice = completion.choices[0];
  if (!choice) return { ok: false, reason: "malformed", detail: "the answer had no choices" };
  const { message, finish_reason } = choice;
  if (message.refusal) return { ok: false, reason: "refused", detail: message.refusal };
  if (finish_reason === "content_filter") {
    return { ok: false, reason: "refused", detail: "stopped by the provider's content filter" };
  }
  if (finish_reason === "length") {
    return { ok: false, reason: "malformed", detail: "the answer was cut off at the token limit" };
  }
  if (!message.content) return { ok: false, reason: "malformed", detail: "the answer was empty" };
  let json: unknown;
  try {
    json = JSON.parse(message.content);
  } catch {
    const head = message.content.slice(0, 80);
    return {
      ok: false,
      reason: "malformed",
      detail: `the answer is not JSON: ${JSON.stringify(head)}`,
    };
  }
  const parsed = req.schema.safeParse(json);
  if (!parsed.success) {
    const issues = fieldIssues(parsed.error.issues).map((i) =>
      `${i.path || "(root)"}: ${i.message}`
    );
    return {
      ok: false,
      reason: "malformed",
      detail: `the answer does not match ${req.schemaName}: ${issues.join("; ")}`,
    };
  }
  return { ok: true, value: parsed.data, model: completion.model };
}

function failure(err: unknown, timeoutMs: number): AiResult<never> {
  if (err instanceof OpenAI.APIConnectionTimeoutError) {
    return { ok: false, reason: "timeout", detail: `no answer within ${timeoutMs} ms` };
  }
  if (err instanceof OpenAI.RateLimitError) {
    const retryAfterMs = retryAfter(err.headers);
    const wait = retryAfterMs === undefined ? "" : `; retry after ${retryAfterMs} ms`;
    return {
      ok: false,
      reason: "rate_limited",
      detail: `429 ${err.message}${wait}`,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    };
  }
  if (err instanceof OpenAI.APIError) {
    return {
      ok: false,
      reason: "unavailable",
      detail: `${err.status ?? "connection"}: ${err.message}`,
    };
  }
  // Anything else the SDK throws is still the provider being out of reach for us.
  return { ok: false, reason: "unavailable", detail: String(err) };
}

// OpenAI sends `retry-after-ms` and `retry-after` in seconds; an HTTP date
// would need a clock, and providers speaking this API do not send one.
function retryAfter(headers: Headers | undefined): number | undefined {
  const ms = Number(headers?.get("retry-after-ms") ?? NaN);
  if (Number.isFinite(ms) && ms >= 0) return Math.round(ms);
  const seconds = Number(headers?.get("retry-after") ?? NaN);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  return undefined;
}
