import assert from "node:assert/strict";
import { ManualClock } from "../../shared/clock.ts";
import { ConfigError } from "../../shared/errors.ts";
import { type BreakerSnapshot, CircuitBreaker, CircuitBreakers } from "./breaker.ts";

function failTimes(b: CircuitBreaker, n: number, clock: ManualClock) {
  for (let i = 0; i < n; i++) {
    assert.equal(b.check(clock.now()).state, "closed");
    b.record("unavailable", clock.now());
    clock.advance(10);
  }
}

Deno.test("breaker: opens after N consecutive failures and refuses while open", () => {
  const clock = new ManualClock();
  const b = new CircuitBreaker("twilio", { failureThreshold: 3, openMs: 30_000 });
  failTimes(b, 2, clock);
  assert.equal(b.snapshot().state, "closed", "two failures are not an outage yet");
  assert.equal(b.check(clock.now()).state, "closed");
  b.record("timeout", clock.now());
  const openedAt = clock.now();
  assert.deepEqual(b.check(clock.now()), { state: "open", retryAt: openedAt + 30_000 });
  clock.advance(29_999);
  assert.deepEqual(b.check(clock.now()), { state: "open", retryAt: openedAt + 30_000 });
  assert.deepEqual(b.snapshot(), {
    name: "twilio",
    state: "open",
    consecutiveFailures: 3,
    openedAt,
    nextProbeAt: openedAt + 30_000,
    probesInFlight: 0,
    window: { calls: 0, failures: 0 },
  });
});

Deno.test("breaker: a success in between resets the streak", () => {
  const clock = new ManualClock();
  const b = new CircuitBreaker("twilio", { failureThreshold: 3 });
  failTimes(b, 2, clock);
  b.record("success", clock.now());
  failTimes(b, 2, clock);
  assert.equal(b.snapshot().state, "closed");
  assert.equal(b.snapshot().consecutiveFailures, 2);
});

Deno.test("breaker: permanent rejections never trip it", () => {
  const clock = new ManualClock();
  const b = new CircuitBreaker("twilio", { failureThreshold: 2 });
  for (let i = 0; i < 50; i++) {
    assert.equal(b.check(clock.now()).state, "closed");
    b.record("rejected", clock.now());
  }
  b.record("unavailable", clock.now());
  b.record("rejected", clock.now()); // the provider answered: the streak is over
  b.record("unavailable", clock.now());
  assert.equal(b.snapshot().state, "closed");
});

Deno.test("breaker: after the cool-down one probe goes; its success closes the breaker", () => {
  const clock = new ManualClock();
  const b = new CircuitBreaker("sendgrid", { failureThreshold: 2, openMs: 10_000 });
  failTimes(b, 2, clock);
  clock.advance(10_000);
  assert.deepEqual(b.check(clock.now()), { state: "half_open" });
  assert.equal(b.snapshot().probesInFlight, 1);
  const second = b.check(clock.now());
  assert.equal(second.state, "open", "only one trial call at a time");
  b.record("success", clock.now());
  assert.deepEqual(b.check(clock.now()), { state: "closed" });
  assert.equal(b.snapshot().consecutiveFailures, 0);
  assert.equal(b.snapshot().openedAt, null);
});

Deno.test("breaker: a failed probe opens it again for a fresh cool-down", () => {
  const clock = new ManualClock();
  const b = new CircuitBreaker("sendgrid", { failureThreshold: 2, openMs: 10_000 });
  failTimes(b, 2, clock);
  clock.advance(10_000);
  assert.equal(b.check(clock.now()).state, "half_open");
  clock.advance(500);
  b.record("rate_limited", clock.now());
  const reopened = clock.now();
  assert.deepEqual(b.check(clock.now()), { state: "open", retryAt: reopened + 10_000 });
  assert.equal(b.snapshot().openedAt, reopened);
  clock.advance(10_000);
  assert.equal(b.check(clock.now()).state, "half_open");
});

Deno.test("breaker: with several probes all must pass; a lost probe frees its slot", () => {
  const clock = new ManualClock();
  const b = new CircuitBreaker("twilio", {
    failureThreshold: 1,
    openMs: 1_000,
    halfOpenProbes: 2,
    probeTimeoutMs: 5_000,
  });
  failTimes(b, 1, clock);
  clock.advance(1_000);
  const probeAt = clock.now();
  assert.equal(b.check(clock.now()).state, "half_open");
  assert.equal(b.check(clock.now()).state, "half_open");
  assert.deepEqual(b.check(clock.now()), { state: "open", retryAt: probeAt + 5_000 });
  b.record("success", clock.now());
  assert.equal(b.snapshot().state, "half_open", "one of two probes passed");
  clock.advance(5_000); // the other never reported back
  assert.equal(b.check(clock.now()).state, "half_open", "its slot lapsed");
  b.record("success", clock.now());
  assert.equal(b.snapshot().state, "closed");
});

Deno.test("breaker: release gives back an unused probe slot", () => {
  const clock = new ManualClock();
  const b = new CircuitBreaker("twilio", { failureThreshold: 1, openMs: 1_000 });
  failTimes(b, 1, clock);
  clock.advance(1_000);
  assert.equal(b.check(clock.now()).state, "half_open");
  b.release();
  assert.equal(b.check(clock.now()).state, "half_open");
});

Deno.test("breaker: late answers from calls made before it opened are ignored", () => {
  const clock = new ManualClock();
  const b = new CircuitBreaker("twilio", { failureThreshold: 2, openMs: 1_000 });
  failTimes(b, 2, clock);
  b.record("success", clock.now());
  assert.equal(b.check(clock.now()).state, "open", "a straggler's success does not close it");
  clock.advance(1_000);
  b.record("unavailable", clock.now());
  assert.equal(b.check(clock.now()).state, "half_open", "nor does a straggler's failure count");
});

Deno.test("breaker: a failure rate over the window opens it without a streak", () => {
  const clock = new ManualClock();
  const b = new CircuitBreaker("twilio", {
    failureThreshold: 100,
    failureRate: { threshold: 0.5, windowMs: 60_000, minCalls: 10 },
  });
  for (let i = 0; i < 8; i++) {
    b.record(i % 2 === 0 ? "unavailable" : "success", clock.now());
    clock.advance(1_000);
  }
  assert.equal(b.snapshot().state, "closed", "too few calls to judge");
  assert.deepEqual(b.snapshot().window, { calls: 8, failures: 4 });
  b.record("success", clock.now());
  b.record("unavailable", clock.now());
  assert.equal(b.snapshot().state, "open", "5 of 10 failed");
});

Deno.test("breaker: old calls slide out of the rate window", () => {
  const clock = new ManualClock();
  const b = new CircuitBreaker("twilio", {
    failureThreshold: 100,
    failureRate: { threshold: 0.5, windowMs: 10_000, minCalls: 4 },
  });
  b.record("unavailable", clock.now());
  b.record("unavailable", clock.now());
  clock.advance(20_000);
  b.record("unavailable", clock.now());
  b.record("success", clock.now());
  b.record("success", clock.now());
  assert.deepEqual(b.snapshot().window, { calls: 3, failures: 1 });
  assert.equal(b.snapshot().state, "closed");
});

Deno.test("breaker: state changes are reported; one breaker per provider", () => {
  const clock = new ManualClock();
  const seen: BreakerSnapshot["state"][] = [];
  const all = new CircuitBreakers(
    { failureThreshold: 5, openMs: 1_000, onChange: (s) => seen.push(s.state) },
    { sendgrid: { failureThreshold: 1 } },
  );
  assert.equal(all.for("twilio"), all.for("twilio"));
  all.for("sendgrid").record("timeout", clock.now());
  all.for("twilio").record("timeout", clock.now());
  clock.advance(1_000);
  all.for("sendgrid").check(clock.now());
  all.for("sendgrid").record("success", clock.now());
  assert.deepEqual(seen, ["open", "half_open", "closed"]);
  assert.deepEqual(all.snapshots().map((s) => [s.name, s.state, s.consecutiveFailures]), [
    ["twilio", "closed", 1],
    ["sendgrid", "closed", 0],
  ]);
});

Deno.test("breaker: bad options are refused with the failing field", () => {
  assert.throws(
    () =>
      new CircuitBreaker("x", {
        failureThreshold: 0,
        failureRate: { threshold: 2, windowMs: 1, minCalls: 1 },
      }),
    (e: unknown) =>
      e instanceof ConfigError &&
      /breaker\.x\.failureThreshold/.test(e.message) &&
      /breaker\.x\.failureRate\.threshold/.test(e.message),
  );
});
