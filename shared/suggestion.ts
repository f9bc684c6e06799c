/**
 * The `ai` role's policy and its suggestions, as they cross the wire: how a
 * tenant lets Minerva act (`suggest` or `autopilot`), what a suggested
 * request looks like while it waits for a person, and what its answer is.
 *
 * @module
 */
import { z } from "zod";

/**
 * How a tenant lets the `ai` role change things: `suggest` records each
 * mutating request as a suggestion for an admin to approve or reject;
 * `autopilot` runs it at once. Quiet hours and consent apply in both, since
 * every send goes through the outbox dispatcher.
 */
export const AiMode = z.enum(["suggest", "autopilot"]);
/** One of {@link AiMode}. */
export type AiMode = z.infer<typeof AiMode>;

/** The mode of a tenant that never chose one: nothing runs without a person. */
export const DEFAULT_AI_MODE: AiMode = "suggest";

/** Where a suggestion is: waiting, being run, or decided. */
export const SuggestionStatus = z.enum(["pending", "approving", "approved", "failed", "rejected"]);
/** One of {@link SuggestionStatus}. */
export type SuggestionStatus = z.infer<typeof SuggestionStatus>;

/**
 * What the `ai` caller is answered (202) when its request was recorded
 * instead of run: `pending`, or, when an `Idempotency-Key` repeats an
 * earlier request, that suggestion's status now.
 */
export const SuggestedAnswer = z.object({
  suggestionId: z.string(),
  status: SuggestionStatus,
});
/** The parsed form of {@link SuggestedAnswer}. */
export type SuggestedAnswer = z.infer<typeof SuggestedAnswer>;

/** What running an approved suggestion answered: the HTTP status and JSON body. */
export const SuggestionResult = z.object({
  status: z.number().int(),
  body: z.unknown(),
});
/** The parsed form of {@link SuggestionResult}. */
export type SuggestionResult = z.infer<typeof SuggestionResult>;

/** A suggestion as the admin routes show it. */
export const SuggestionView = z.object({
  suggestionId: z.string(),
  status: SuggestionStatus,
  /** The `sub` of the `ai` caller that made the request. */
  suggestedBy: z.string(),
  method: z.string(),
  /** Path and query string, e.g. `/v1/leads`. */
  path: z.string(),
  /** The JSON body sent, or null when there was none. */
  body: z.unknown(),
  /** Epoch ms. */
  createdAt: z.number(),
  /** The `sub` of the admin who approved or rejected it; null while pending. */
  decidedBy: z.string().nullable(),
  /** Epoch ms; null while pending. */
  decidedAt: z.number().nullable(),
  /** What running it answered; null unless approved or failed. */
  result: SuggestionResult.nullable(),
  /** Why it was rejected, when the admin said. */
  reason: z.string().nullable(),
});
/** The parsed form of {@link SuggestionView}. */
export type SuggestionView = z.infer<typeof SuggestionView>;
