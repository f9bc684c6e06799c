/**
 * Retrying an ask whose actor's activation on this node was superseded by
 * another node's (a FencedError): in a cluster, a tenant's advisor or job log
 * is activated wherever the last occurrence ran, so the next node to run a
 * job may hold a stale activation. Its failed write stopped it; asking again
 * activates the actor afresh from the journal. Safe because every command the
 * jobs send is idempotent on its occurrence.
 *
 * @module
 */
import { FencedError } from "../../shared/errors.ts";

/** Runs `ask`, again (up to `attempts` in all) while it fails with a FencedError. */
export async function retryFenced<T>(ask: () => Promise<T>, attempts = 3): Promise<T> {
  for (let i = 1;; i++) {
    try {
      return await ask();
    } catch (err) {
      if (!(err instanceof FencedError) || i >= attempts) throw err;
    }
  }
}
