/**
 * The `ai` outbox channel: message drafts written by the AI after a turn
 * commits, so a slow model never holds an actor's mailbox. The result goes
 * back to the asking actor (`onOutboxResult`), which sends the draft or, when
 * the AI gave none, its template text. Without an AI configured the channel
 * still answers (as failed, not retried), so nothing waits for a model that
 * is not there.
 *
 * @module
 */
import { z } from "zod";
import type { ClaimedMessage, Dispatcher, DispatchResult } from "../runtime/mod.ts";
import { type AiClient, disabledAi } from "./ai.ts";

/** The outbox channel of AI drafts. */
export const AI_CHANNEL = "ai";

/** What an `ai` outbox row carries. */
export const DraftRequest = z.object({
  /** Instructions for the model. */
  system: z.string().max(4_000),
  /** The facts to write from, usually JSON. */
  user: z.string().max(20_000),
  /** Longest draft wanted, in characters (an SMS segment budget, an email length). */
  maxChars: z.number().int().min(20).max(5_000),
});
/** A draft request. */
export type DraftRequest = z.infer<typeof DraftRequest>;

/** What the model must answer. */
const Draft = z.object({ text: z.string().min(1).max(5_000) });

/** Drafts messages with an AI client. */
export class AiDraftDispatcher implements Dispatcher {
  readonly channel = AI_CHANNEL;

  constructor(readonly ai: AiClient, readonly timeoutMs = 15_000) {}

  async send(msg: ClaimedMessage): Promise<DispatchResult> {
    const req = DraftRequest.safeParse(msg.payload);
    if (!req.success) {
      return { ok: false, error: `bad draft request: ${req.error.message}`, retryable: false };
    }
    const r = await this.ai.complete({
      system: req.data.system,
      user: req.data.user,
      schema: Draft,
      schemaName: "draft",
      timeoutMs: this.timeoutMs,
    });
    if (!r.ok) {
      // A timeout, a rate limit or an outage may pass; a refusal, bad output or an AI that is
      // not configured at all will not (the template goes out at once).
      const retryable = r.reason === "timeout" || r.reason === "rate_limited" ||
        (r.reason === "unavailable" && this.ai !== disabledAi);
      return { ok: false, error: `${r.reason}: ${r.detail}`, retryable };
    }
    if (r.value.text.length > req.data.maxChars) {
      return {
        ok: false,
        error: `malformed: draft longer than ${req.data.maxChars}`,
        retryable: false,
      };
    }
    return { ok: true, response: { text: r.value.text, model: r.model } };
  }
}
