/**
 * The dead-letter list: outbox messages that failed their last attempt
 * (status `dead`), for an operator to see, replay or discard.
 *
 * Replay puts the row back to `pending` with its attempts reset, due now:
 * the outbox worker sends it again under the same idempotency key, so a
 * provider that did take an earlier attempt still delivers it once, and the
 * actor hears the new outcome through `onOutboxResult`.
 *
 * Discard keeps the row for the audit trail and marks its `result` as
 * `{ "discarded": true, "at", "by", "reason" }`; the status stays `dead`
 * (the outbox's CHECK allows no other terminal status) and discarded rows
 * leave the list. A dead row's result is otherwise always null, so the mark
 * overwrites nothing.
 *
 * Every function takes the tenant and filters by it: another tenant's id is
 * `not_found`, exactly like a missing one, so ids leak nothing.
 *
 * @module
 */
import { ValidationError } from "../../shared/errors.ts";
import type { Sql } from "../runtime/mod.ts";

/** A dead letter as the list shows it (no payload: it may be large). */
export interface DeadLetterSummary {
  /** Outbox row id; also the list's cursor. */
  id: number;
  /** Channel it was to go out on (sms, email, ai, ...). */
  channel: string;
  /** Idempotency key, unique per tenant. */
  key: string;
  /** Key of the actor that asked for it, `type/tenant/id`. */
  actor: string;
  /** Attempts made, the last one included. */
  attempts: number;
  /** What the last attempt failed with. */
  lastError: string | null;
  /** When the message was written, epoch ms. */
  createdAt: number;
}

/** A dead letter in full. */
export interface DeadLetter extends DeadLetterSummary {
  /** The tenant it belongs to. */
  tenant: string;
  /** The asking actor's type. */
  type: string;
  /** What was to be sent, as the actor wrote it. */
  payload: unknown;
  /** Attempts it was allowed. */
  maxAttempts: number;
}

/** One page of the list, oldest first; pass `next` as `after` for the following page. */
export interface DeadLetterPage {
  /** Up to `limit` dead letters, by ascending id. */
  items: DeadLetterSummary[];
  /** Cursor of the next page; null on the last page. */
  next: number | null;
}

/** Options of {@link listDeadLetters}. */
export interface ListDeadLettersOptions {
  /** Only this channel's dead letters. */
  channel?: string;
  /** Page size, 1 to 500. */
  limit: number;
  /** Only ids above this cursor (the previous page's `next`). */
  after?: number;
}

/** What replaying came to. */
export type ReplayOutcome =
  | { state: "replayed"; id: number; nextAt: number }
  | { state: "not_found" };

/** What discarding came to. */
export type DiscardOutcome =
  | { state: "discarded"; id: number; at: number }
  | { state: "not_found" };

/** Who discarded and why, kept on the row. */
export interface DiscardAudit {
  /** The operator (user id, `minerva`, ...). */
  by?: string;
  /** Why, in their words. */
  reason?: string;
}

const MAX_PAGE = 500;

/** A page of `tenant`'s dead letters not discarded, oldest first. */
export async function listDeadLetters(
  sql: Sql,
  tenant: string,
  opts: ListDeadLettersOptions,
): Promise<DeadLetterPage> {
  if (!(Number.isInteger(opts.limit) && opts.limit >= 1 && opts.limit <= MAX_PAGE)) {
    throw new ValidationError("dead-letter list options", [
      { path: "limit", message: `must be a whole number from 1 to ${MAX_PAGE}, got ${opts.limit}` },
    ]);
  }
  const rows = await sql<DeadLetterSummary[]>`
    SELECT id, channel, key, actor, attempts, last_error AS "lastError",
           round(extract(epoch FROM created_at) * 1000)::float8 AS "createdAt"
    FROM outbox
    WHERE tenant = ${tenant} AND status = 'dead' AND ${live(sql)}
      AND id > ${opts.after ?? 0}
      ${opts.channel === undefined ? sql`` : sql`AND channel = ${opts.channel}`}
    ORDER BY id
    LIMIT ${opts.limit + 1}`;
  const items = rows.slice(0, opts.limit);
  return { items, next: rows.length > opts.limit ? items.at(-1)!.id : null };
}

/** One of `tenant`'s dead letters in full; undefined when it is not one (any more). */
export async function inspectDeadLetter(
  sql: Sql,
  tenant: string,
  id: number,
): Promise<DeadLetter | undefined> {
  const [row] = await sql<DeadLetter[]>`
    SELECT id, tenant, actor, type, channel, key, payload, attempts,
           max_attempts AS "maxAttempts", last_error AS "lastError",
           round(extract(epoch FROM created_at) * 1000)::float8 AS "createdAt"
    FROM outbox
    WHERE id = ${id} AND tenant = ${tenant} AND status = 'dead' AND ${live(sql)}`;
  return row;
}

/**
 * Sends a dead letter again: pending, attempts reset, due at `now`. The
 * worker delivers it under its old idempotency key. Racing replays of one
 * row replay it once; the loser gets `not_found`.
 */
export async function replayDeadLetter(
  sql: Sql,
  tenant: string,
  id: number,
  now: number,
): Promise<ReplayOutcome> {
  // last_error stays until the next attempt overwrites it: the operator saw it, so may others.
  const rows = await sql`
    UPDATE outbox
    SET status = 'pending', attempts = 0, next_at = ${now}, claimed_until = NULL,
        claim_token = NULL, result = NULL
    WHERE id = ${id} AND tenant = ${tenant} AND status = 'dead' AND ${live(sql)}
    RETURNING id`;
  return rows.length === 1 ? { state: "replayed", id, nextAt: now } : { state: "not_found" };
}

/** Takes a dead letter off the list for good, keeping the row and who did it, when and why. */
export async function discardDeadLetter(
  sql: Sql,
  tenant: string,
  id: number,
  now: number,
  audit: DiscardAudit = {},
): Promise<DiscardOutcome> {
  const mark = { discarded: true, at: now, by: audit.by ?? null, reason: audit.reason ?? null };
  const rows = await sql`
    UPDATE outbox SET result = ${sql.json(mark)}
    WHERE id = ${id} AND tenant = ${tenant} AND status = 'dead' AND ${live(sql)}
    RETURNING id`;
  return rows.length === 1 ? { state: "discarded", id, at: now } : { state: "not_found" };
}

/** Not discarded. */
function live(sql: Sql) {
  return sql`NOT COALESCE(result @> '{"discarded": true}'::jsonb, false)`;
}
