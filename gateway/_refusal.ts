/**
 * How an actor's refusal (a taken slot, a task already done) reaches a REST
 * caller: a public 409 whose `error.code` is the actor's reason.
 *
 * @module
 */
import { CoveError } from "../shared/mod.ts";
import { ErrorSchema, json } from "./openapi.ts";

/** A 409 answer: the actor refused the change as things stand (`error.code` says why). */
export const conflict = {
  409: {
    description: "Refused as things stand; `error.code` says why (e.g. `slot_taken`)",
    content: json(ErrorSchema),
  },
} as const;

/**
 * The error for an actor's refusal: a public 409 whose code is the actor's
 * reason, so callers branch on `error.code` without parsing the message.
 */
export function refusal(reason: string, message: string): CoveError {
  return new CoveError(reason, message, { status: 409, public: true, details: { reason } });
}
