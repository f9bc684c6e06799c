/**
 * Durable messages between actors. A turn that must tell another actor
 * something once its own events are committed (a booking telling its lead)
 * writes an outbox row on the `actor` channel in the same commit; this
 * dispatcher delivers it with `ask`, at least once, retried with backoff.
 * The receiving command must be idempotent (it gets the row's key).
 *
 * @module
 */
import { CoveError } from "../../shared/errors.ts";
import type { ClaimedMessage } from "./journal.ts";
import type { Dispatcher, DispatchResult } from "./outbox_worker.ts";
import type { ActorSystem } from "./system.ts";

/** The outbox channel of actor-to-actor messages. */
export const ACTOR_CHANNEL = "actor";

/** What an `actor` outbox row carries. */
export interface ActorMessage {
  type: string;
  tenant: string;
  id: string;
  command: string;
  input: unknown;
}

/** Delivers `actor` outbox rows to their target actors. */
export class ActorDispatcher implements Dispatcher {
  readonly channel = ACTOR_CHANNEL;

  constructor(readonly system: ActorSystem) {}

  async send(msg: ClaimedMessage): Promise<DispatchResult> {
    const m = msg.payload as ActorMessage;
    const type = this.system.typeNamed(m.type);
    if (!type) {
      return { ok: false, error: `actor type ${m.type} is not hosted here`, retryable: true };
    }
    try {
      const reply = await this.system.ref(type, m.tenant, m.id).ask(m.command, m.input as never);
      return { ok: true, response: reply ?? null };
    } catch (e) {
      // Bad input or an unknown command will not get better by retrying.
      const permanent = e instanceof CoveError && (e.status === 400 || e.status === 404);
      return {
        ok: false,
        error: e instanceof Error ? e.message : String(e),
        retryable: !permanent,
      };
    }
  }
}
