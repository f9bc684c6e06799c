/**
 * What the delivery view reads and keeps: the outbox and dead-letter shapes
 * it uses, what became of a row's replay or discard, and a read that may
 * have failed on its own.
 *
 * @module
 */

/** One channel's messages by status (`GET /v1/outbox`). */
export interface OutboxCounts {
  pending: number;
  sent: number;
  dead: number;
  discarded: number;
}

/** A row of `GET /v1/dead-letters`. */
export interface DeadLetterSummary {
  id: number;
  channel: string;
  key: string;
  actor: string;
  attempts: number;
  lastError: string | null;
  createdAt: number;
}

/** `GET /v1/dead-letters/{id}`. */
export interface DeadLetter extends DeadLetterSummary {
  payload: unknown;
  maxAttempts: number;
}

/** What became of a row's replay or discard (or a click in flight). */
export type Outcome =
  | { state: "confirming" }
  | { state: "working"; action: "replay" | "discard" }
  | {
    state: "replayed";
    /** When the outbox sends it again (epoch ms). */
    nextAt: number;
    /** When the replay was answered (epoch ms). */
    at: number;
  }
  | { state: "discarded" }
  | { state: "failed"; message: string };

/** Something read with its own error, so one failing call leaves the others shown. */
export type Read<T> = { state: "loading" } | { state: "ok"; value: T } | {
  state: "error";
  message: string;
};

/** A settled promise as a {@link Read}. */
export function settled<T, U>(r: PromiseSettledResult<T>, pick: (v: T) => U): Read<U> {
  return r.status === "fulfilled"
    ? { state: "ok", value: pick(r.value) }
    : { state: "error", message: (r.reason as Error).message };
}
