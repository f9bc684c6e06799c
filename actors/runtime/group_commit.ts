/**
 * Group commit: turns of many actors that finish while a commit is in flight
 * share the next transaction, so durability costs one round of I/O per batch
 * rather than per command.
 *
 * @module
 */
import type { CommitOutcome, CommitRequest, Journal } from "./journal.ts";

/** Tuning of {@link GroupCommitter}. */
export interface GroupCommitOptions {
  /** Most turns in one transaction (default 1000). 1 means one transaction per command. */
  maxBatch?: number;
  /** Transactions in flight at once (default 1). */
  maxInFlight?: number;
  /** Called after each successful transaction, before any waiter is resolved. */
  onCommitted?: (batch: CommitRequest[], outcomes: CommitOutcome[]) => void;
}

interface Waiting {
  req: CommitRequest;
  resolve: (o: CommitOutcome) => void;
  reject: (e: unknown) => void;
}

/** Batches commit requests into shared transactions. */
export class GroupCommitter {
  #queue: Waiting[] = [];
  #inFlight = 0;
  #scheduled = false;
  #idle: Array<() => void> = [];
  readonly #maxBatch: number;
  readonly #maxInFlight: number;

  /** Commits through `journal`, tuned by `options` (see {@link GroupCommitOptions}). */
  constructor(readonly journal: Journal, readonly options: GroupCommitOptions = {}) {
    this.#maxBatch = options.maxBatch ?? 1000;
    this.#maxInFlight = options.maxInFlight ?? 1;
  }

  /** Resolves once the request is committed (or known fenced or stale). */
  commit(req: CommitRequest): Promise<CommitOutcome> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ req, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        // Let turns finishing in the same tick join this batch.
        queueMicrotask(() => {
          this.#scheduled = false;
          this.#pump();
        });
      }
    });
  }

  /** Resolves when nothing is queued or in flight. */
  idle(): Promise<void> {
    if (this.#queue.length === 0 && this.#inFlight === 0) return Promise.resolve();
    return new Promise((r) => this.#idle.push(r));
  }

  #pump(): void {
    while (this.#inFlight < this.#maxInFlight && this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#maxBatch);
      this.#inFlight++;
      this.#flush(batch).finally(() => {
        this.#inFlight--;
        this.#pump();
        if (this.#queue.length === 0 && this.#inFlight === 0) {
          for (const r of this.#idle.splice(0)) r();
        }
      });
    }
  }

  async #flush(batch: Waiting[]): Promise<void> {
    const reqs = batch.map((w) => w.req);
    let outcomes: CommitOutcome[];
    try {
      outcomes = await this.journal.commit(reqs);
    } catch (e) {
      if (batch.length === 1) {
        batch[0]!.reject(e);
        return;
      }
      // One bad request must not fail its neighbours: retry each alone.
      for (const w of batch) await this.#flush([w]);
      return;
    }
    try {
      this.options.onCommitted?.(reqs, outcomes);
    } catch (e) {
      console.error("onCommitted failed", e);
    }
    batch.forEach((w, i) => w.resolve(outcomes[i]!));
  }
}
