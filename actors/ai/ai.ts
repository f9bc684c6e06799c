/**
 * The AI port: one structured completion, answered as a discriminated union.
 * Provider failures (timeouts, rate limits, refusals, bad output, outages)
 * are expected outcomes here, never exceptions, so every caller has to decide
 * what it does without the AI.
 *
 * @module
 */
/**
 * zod's types are documented by zod. Without this tag deno doc flags each one
 * in a public signature here as a private type (denoland/deno#27364).
 *
 * @internal
 */
import type { z } from "zod";
import type { AiFailureReason } from "../../shared/mod.ts";

/** One structured completion: the model must answer JSON matching `schema`. */
export interface AiRequest<T> {
  /** Instructions: what the model is and what it must do. */
  system: string;
  /** The input to judge, usually facts as JSON. */
  user: string;
  /** The answer's shape; the answer is parsed with it, and providers constrain output to it. */
  schema: z.ZodType<T>;
  /** Names the schema to the provider (letters, digits, _ and -; at most 64). */
  schemaName: string;
  /** Gives up after this long and answers `timeout`. */
  timeoutMs: number;
}

/** An AI answer, or why there is none. */
export type AiResult<T> =
  | { ok: true; value: T; model: string }
  | {
    ok: false;
    reason: AiFailureReason;
    detail: string;
    /** For `rate_limited`: how long the provider asked us to wait, when it said. */
    retryAfterMs?: number;
  };

/** A provider of structured completions. Never throws for provider failures. */
export interface AiClient {
  /** Asks once; retrying is the caller's choice (the outbox retries with backoff). */
  complete<T>(req: AiRequest<T>): Promise<AiResult<T>>;
}

/**
 * The AI client when no provider is configured: it answers `unavailable`
 * every time, so callers always hold a client and fall back openly instead
 * of pretending to have asked.
 */
export const disabledAi: AiClient = {
  complete: () =>
    Promise.resolve({
      ok: false,
      reason: "unavailable",
      detail: "no OPENAI_API_KEY configured",
    }),
};
