/**
 * AI: the port the domain asks for structured judgements through
 * ({@link AiClient}, with {@link disabledAi} when no provider is configured)
 * and its OpenAI adapter. Failures are answers (`ok: false` with a reason),
 * so callers always have a fallback path and never an exception to forget.
 *
 * @module
 */
export * from "./ai.ts";
export * from "./openai.ts";
export * from "./draft_dispatcher.ts";
export * from "./fake_openai.ts";
