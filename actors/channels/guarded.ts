/**
 * A dispatcher behind a circuit breaker and a throughput governor. Before
 * each send it asks the breaker (is the provider up?) and then the governor
 * (is there room under the sender's and tenant's caps?); when either says
 * wait, the provider is not called and the message is deferred: the outbox
 * worker puts it back to wait until then without counting an attempt, so an
 * outage or a cap never dead-letters a message.
 *
 * The breaker is asked first so that a message held by an open breaker takes
 * nothing from the caps. Caps are spent on attempts, not deliveries: a send
 * that fails after taking its share is not refunded, since the provider may
 * have counted it.
 *
 * @module
 */
import type { Clock } from "../../shared/clock.ts";
import type { ClaimedMessage, Dispatcher, DispatchResult } from "../runtime/mod.ts";
import type { BreakerCheck, BreakerOutcome, CircuitBreaker } from "./breaker.ts";
import type { Governor, Limit, TakeResult } from "./governor.ts";

/** A dispatcher's answer for a send that failed. */
export type DispatchFailure = Extract<DispatchResult, { ok: false }>;

/** Options of {@link GuardedDispatcher}. */
export interface GuardedDispatcherOptions {
  /** The clock deferrals and breaker outcomes are timed by. */
  clock: Clock;
  /** The provider's breaker; none means never held for an outage. */
  breaker?: CircuitBreaker;
  /** The caps; none means never held for throughput. */
  governor?: Governor;
  /**
   * The governor keys of a message (default `tenant:<tenant>`); add the
   * sender, e.g. `sender:<from-number>`, for per-number carrier caps.
   */
  keys?: (msg: ClaimedMessage) => string[];
  /** How a failure counts for the breaker (default {@link classifyFailure}). */
  classify?: (result: DispatchFailure) => BreakerOutcome;
}

/**
 * The default reading of a failure: not retryable is a rejection of this
 * message (the provider is fine); retryable is a provider failure, named
 * `timeout` or `rate_limited` when the error starts so, else `unavailable`.
 */
export function classifyFailure(result: DispatchFailure): BreakerOutcome {
  if (!result.retryable) return "rejected";
  const kind = /^(timeout|rate_limited)\b/.exec(result.error)?.[1];
  return kind === "timeout" || kind === "rate_limited" ? kind : "unavailable";
}

/** Wraps `inner` so that it sends only when its breaker and governor allow. */
export class GuardedDispatcher implements Dispatcher {
  /** The inner dispatcher's channel. */
  readonly channel: string;

  /** Guards `inner`; without a breaker and a governor it simply forwards. */
  constructor(readonly inner: Dispatcher, readonly options: GuardedDispatcherOptions) {
    this.channel = inner.channel;
  }

  async send(msg: ClaimedMessage): Promise<DispatchResult> {
    const { clock, breaker, governor } = this.options;
    const check: BreakerCheck = breaker?.check(clock.now()) ?? { state: "closed" };
    if (check.state === "open") {
      return { deferred: true, until: check.retryAt, reason: `breaker ${breaker!.name} open` };
    }
    // A half-open check reserved a trial slot: give it back whenever no call is made.
    const unused = () => {
      if (check.state === "half_open") breaker!.release();
    };
    if (governor) {
      let taken: TakeResult;
      try {
        const keys = this.options.keys?.(msg) ?? [`tenant:${msg.tenant}`];
        taken = await governor.take(keys, clock.now());
      } catch (e) {
        unused();
        throw e;
      }
      if (!taken.ok) {
        unused();
        return {
          deferred: true,
          until: taken.retryAt,
          reason: `${taken.key} over ${describeLimit(taken.limit)}`,
        };
      }
    }
    let result: DispatchResult;
    try {
      result = await this.inner.send(msg);
    } catch (e) {
      // The worker retries a throw like a retryable failure; the breaker counts it alike.
      breaker?.record("unavailable", clock.now());
      throw e;
    }
    if ("deferred" in result) {
      unused();
      return result;
    }
    const outcome = result.ok ? "success" : (this.options.classify ?? classifyFailure)(result);
    breaker?.record(outcome, clock.now());
    return result;
  }
}

/** A limit for people: `60/min`, `2000/day`, `5/1500ms`. */
export function describeLimit(limit: Limit): string {
  const ms = limit.kind === "rate" ? limit.perMs : limit.windowMs;
  const unit = ms === 1_000
    ? "s"
    : ms === 60_000
    ? "min"
    : ms === 3_600_000
    ? "h"
    : ms === 86_400_000
    ? "day"
    : `${ms}ms`;
  return `${limit.max}/${unit}`;
}
