/**
 * A circuit breaker per provider: after enough provider failures it stops
 * sends for a cool-down (the messages wait in the outbox instead of
 * hammering a provider that is down), then lets a few trial calls through
 * and closes again when they pass.
 *
 * State lives in memory on each node, on purpose: each node protects itself
 * and learns of an outage from its own calls within a few failures, so no
 * shared store sits in the send path. A breaker shared through Redis could
 * come later if nodes should trip together.
 *
 * Only failures that say the provider is unwell count (`unavailable`,
 * `timeout`, `rate_limited`). A permanent rejection of one message (a bad
 * number, an unsubscribed address) proves the provider answered, so it
 * counts as a healthy call.
 *
 * Time is passed in (`now`, epoch ms) so tests move a manual clock.
 *
 * @module
 */
import { ConfigError, type FieldIssue } from "../../shared/errors.ts";
import { RollingCounts } from "./_rolling_counts.ts";

/** How one call to the provider went, as far as the breaker cares. */
export type BreakerOutcome =
  | "success"
  | "rejected"
  | "unavailable"
  | "timeout"
  | "rate_limited";

/** The outcomes that count as the provider failing. */
export const COUNTED_FAILURES: ReadonlySet<BreakerOutcome> = new Set([
  "unavailable",
  "timeout",
  "rate_limited",
]);

/** The breaker's three states. */
export type BreakerState = "closed" | "open" | "half_open";

/**
 * What a sender may do now: send (`closed`), send as a trial call
 * (`half_open`, the slot is reserved for it), or wait until `retryAt`.
 */
export type BreakerCheck =
  | { state: "closed" }
  | { state: "half_open" }
  | { state: "open"; retryAt: number };

/** The breaker as metrics and the admin API show it. */
export interface BreakerSnapshot {
  /** The provider this breaker guards. */
  name: string;
  /** State as of the last check or record (an expired open turns half-open at the next check). */
  state: BreakerState;
  /** Counted failures since the last healthy call. */
  consecutiveFailures: number;
  /** When it last opened, epoch ms; null while closed. */
  openedAt: number | null;
  /** When the next trial call may go, epoch ms: the end of the cool-down; null otherwise. */
  nextProbeAt: number | null;
  /** Trial calls granted and not yet recorded. */
  probesInFlight: number;
  /** Calls and counted failures in the failure-rate window (zero without one). */
  window: { calls: number; failures: number };
}

/** Options of {@link CircuitBreaker}. */
export interface BreakerOptions {
  /** Consecutive counted failures that open the breaker (default 5). */
  failureThreshold?: number;
  /**
   * Also open when, over `windowMs`, at least `minCalls` calls were made and
   * the share of counted failures reached `threshold` (0..1). Catches a
   * provider failing every other call, which never makes a long streak.
   */
  failureRate?: { threshold: number; windowMs: number; minCalls: number };
  /** Cool-down before trial calls, ms (default 30,000). */
  openMs?: number;
  /** Trial calls allowed in half-open; all must pass to close (default 1). */
  halfOpenProbes?: number;
  /** A trial call not recorded within this many ms frees its slot (default `openMs`). */
  probeTimeoutMs?: number;
  /** Told of every state change, for logs and metrics. */
  onChange?: (snapshot: BreakerSnapshot) => void;
}

type Inner =
  | { state: "closed" }
  | { state: "open"; openedAt: number; retryAt: number }
  | { state: "half_open"; openedAt: number; probes: number[]; passed: number };

/** A circuit breaker guarding one provider. */
export class CircuitBreaker {
  readonly #threshold: number;
  readonly #openMs: number;
  readonly #probes: number;
  readonly #probeTimeoutMs: number;
  readonly #rate: BreakerOptions["failureRate"];
  readonly #window: RollingCounts | undefined;
  #inner: Inner = { state: "closed" };
  #consecutive = 0;
  #lastNow = 0;

  /** Throws {@link ConfigError} naming the bad option. */
  constructor(readonly name: string, readonly options: BreakerOptions = {}) {
    const issues = validate(name, options);
    if (issues.length > 0) throw new ConfigError(issues);
    this.#threshold = options.failureThreshold ?? 5;
    this.#openMs = options.openMs ?? 30_000;
    this.#probes = options.halfOpenProbes ?? 1;
    this.#probeTimeoutMs = options.probeTimeoutMs ?? this.#openMs;
    this.#rate = options.failureRate;
    this.#window = this.#rate ? new RollingCounts(this.#rate.windowMs) : undefined;
  }

  /** Decides before a send; in half-open a granted trial call holds its slot until recorded. */
  check(now: number): BreakerCheck {
    this.#lastNow = now;
    const s = this.#inner;
    if (s.state === "closed") return { state: "closed" };
    if (s.state === "open") {
      if (now < s.retryAt) return { state: "open", retryAt: s.retryAt };
      this.#set({ state: "half_open", openedAt: s.openedAt, probes: [], passed: 0 });
      return this.check(now);
    }
    // A probe whose outcome never came back (a crashed send) must not wedge the breaker.
    s.probes = s.probes.filter((at) => at + this.#probeTimeoutMs > now);
    if (s.probes.length + s.passed < this.#probes) {
      s.probes.push(now);
      return { state: "half_open" };
    }
    const oldest = Math.min(...s.probes);
    return {
      state: "open",
      retryAt: Number.isFinite(oldest) ? oldest + this.#probeTimeoutMs : now,
    };
  }

  /** Records how a call went. */
  record(outcome: BreakerOutcome, now: number): void {
    this.#lastNow = now;
    const failed = COUNTED_FAILURES.has(outcome);
    const s = this.#inner;
    if (s.state === "open") return; // a late answer to a call let through before it opened
    if (s.state === "half_open") {
      if (s.probes.length === 0) return; // likewise: not one of the trial calls
      s.probes.shift();
      if (failed) {
        this.#consecutive++;
        this.#open(now);
      } else if (++s.passed >= this.#probes) {
        this.#close();
      }
      return;
    }
    this.#window?.add(now, failed);
    if (!failed) {
      this.#consecutive = 0;
      return;
    }
    this.#consecutive++;
    if (this.#consecutive >= this.#threshold || this.#rateTripped(now)) this.#open(now);
  }

  /** Gives back a trial slot `check` granted for a call that was not made after all. */
  release(): void {
    if (this.#inner.state === "half_open") this.#inner.probes.pop();
  }

  /** The breaker as of the last check or record. */
  snapshot(): BreakerSnapshot {
    const s = this.#inner;
    return {
      name: this.name,
      state: s.state,
      consecutiveFailures: this.#consecutive,
      openedAt: s.state === "closed" ? null : s.openedAt,
      nextProbeAt: s.state === "open" ? s.retryAt : null,
      probesInFlight: s.state === "half_open" ? s.probes.length : 0,
      window: this.#window?.totals(this.#lastNow) ?? { calls: 0, failures: 0 },
    };
  }

  #rateTripped(now: number): boolean {
    if (!this.#rate || !this.#window) return false;
    const { calls, failures } = this.#window.totals(now);
    return calls >= this.#rate.minCalls && failures / calls >= this.#rate.threshold;
  }

  #open(now: number): void {
    // Past calls should not re-trip the breaker the moment it closes again.
    this.#window?.reset();
    this.#set({ state: "open", openedAt: now, retryAt: now + this.#openMs });
  }

  #close(): void {
    this.#consecutive = 0;
    this.#window?.reset();
    this.#set({ state: "closed" });
  }

  #set(next: Inner): void {
    const changed = next.state !== this.#inner.state;
    this.#inner = next;
    if (changed) this.options.onChange?.(this.snapshot());
  }
}

/** One breaker per provider, made on first use with shared options. */
export class CircuitBreakers {
  readonly #breakers = new Map<string, CircuitBreaker>();

  /** `options` apply to every provider unless `perProvider` names it. */
  constructor(
    readonly options: BreakerOptions = {},
    readonly perProvider: Record<string, BreakerOptions> = {},
  ) {}

  /** The breaker of `provider`. */
  for(provider: string): CircuitBreaker {
    let b = this.#breakers.get(provider);
    if (!b) {
      b = new CircuitBreaker(provider, { ...this.options, ...this.perProvider[provider] });
      this.#breakers.set(provider, b);
    }
    return b;
  }

  /** Every breaker made so far, for metrics and the admin API. */
  snapshots(): BreakerSnapshot[] {
    return [...this.#breakers.values()].map((b) => b.snapshot());
  }
}

function validate(name: string, o: BreakerOptions): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const at = (field: string) => `breaker.${name}.${field}`;
  const positiveInt = (field: string, v: number | undefined) => {
    if (v !== undefined && !(Number.isInteger(v) && v >= 1)) {
      issues.push({ path: at(field), message: `must be a whole number of at least 1, got ${v}` });
    }
  };
  positiveInt("failureThreshold", o.failureThreshold);
  positiveInt("halfOpenProbes", o.halfOpenProbes);
  positiveInt("openMs", o.openMs);
  positiveInt("probeTimeoutMs", o.probeTimeoutMs);
  if (o.failureRate) {
    const { threshold, windowMs, minCalls } = o.failureRate;
    if (!(threshold > 0 && threshold <= 1)) {
      issues.push({
        path: at("failureRate.threshold"),
        message: `must be in (0, 1], got ${threshold}`,
      });
    }
    positiveInt("failureRate.windowMs", windowMs);
    positiveInt("failureRate.minCalls", minCalls);
  }
  return issues;
}
