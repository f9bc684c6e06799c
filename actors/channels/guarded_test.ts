import assert from "node:assert/strict";
import { ManualClock } from "../../shared/clock.ts";
import {
  ActorSystem,
  type ClaimedMessage,
  type Dispatcher,
  type DispatchResult,
  OutboxWorker,
} from "../runtime/mod.ts";
import { dbSuite, notifier, TEST_CHANNEL } from "./_test_support.ts";
import { CircuitBreaker } from "./breaker.ts";
import { limitsByPrefix, MemoryGovernor, perDay, perMinute } from "./governor.ts";
import { classifyFailure, describeLimit, GuardedDispatcher } from "./guarded.ts";

const T0 = Date.UTC(2026, 5, 1, 15);

/** A provider stand-in answering from a script (the last answer repeats); it counts its calls. */
class ScriptedDispatcher implements Dispatcher {
  readonly channel = "sms";
  readonly sent: string[] = [];
  constructor(public answers: Array<DispatchResult | Error>) {}
  send(msg: ClaimedMessage): Promise<DispatchResult> {
    this.sent.push(msg.key);
    const a = this.answers.length > 1 ? this.answers.shift()! : this.answers[0]!;
    return a instanceof Error ? Promise.reject(a) : Promise.resolve(a);
  }
}

let nextId = 1;
function msg(key: string, payload: unknown = { from: "+14155550100" }): ClaimedMessage {
  return {
    id: nextId++,
    key,
    actor: "lead/t1/l1",
    type: "lead",
    tenant: "t1",
    channel: "sms",
    payload,
    attempts: 1,
    maxAttempts: 8,
    token: "tok",
  };
}

const OK: DispatchResult = { ok: true, response: { sid: "SM1" } };
const DOWN: DispatchResult = { ok: false, error: "unavailable: 503", retryable: true };

function setup(answers: Array<DispatchResult | Error>, caps = limitsByPrefix({})) {
  const clock = new ManualClock(T0);
  const inner = new ScriptedDispatcher(answers);
  const breaker = new CircuitBreaker("twilio", { failureThreshold: 2, openMs: 30_000 });
  const governor = new MemoryGovernor(caps);
  const guarded = new GuardedDispatcher(inner, {
    clock,
    breaker,
    governor,
    keys: (m) => [`tenant:${m.tenant}`, `sender:${(m.payload as { from: string }).from}`],
  });
  return { clock, inner, breaker, governor, guarded };
}

Deno.test("guarded: forwards while the provider is up and caps have room", async () => {
  const { inner, guarded, breaker } = setup([OK]);
  assert.equal(guarded.channel, "sms");
  assert.deepEqual(await guarded.send(msg("a")), OK);
  assert.deepEqual(inner.sent, ["a"]);
  assert.equal(breaker.snapshot().state, "closed");
});

Deno.test("guarded: an open breaker defers without calling the provider or using caps", async () => {
  const { clock, inner, guarded, breaker, governor } = setup(
    [DOWN, DOWN, OK],
    limitsByPrefix({ sender: [perMinute(3)] }),
  );
  assert.deepEqual(await guarded.send(msg("a")), DOWN);
  assert.deepEqual(await guarded.send(msg("b")), DOWN);
  assert.equal(breaker.snapshot().state, "open");
  for (const k of ["c", "d", "e", "f"]) {
    assert.deepEqual(await guarded.send(msg(k)), {
      deferred: true,
      until: T0 + 30_000,
      reason: "breaker twilio open",
    });
  }
  assert.deepEqual(inner.sent, ["a", "b"], "the provider was left alone");
  assert.deepEqual(
    governor.take(["sender:+14155550100"], clock.now()),
    { ok: true },
    "the third token is still there: deferred messages took nothing from the caps",
  );
  clock.advance(30_000);
  assert.deepEqual(await guarded.send(msg("c")), OK);
  assert.deepEqual(inner.sent, ["a", "b", "c"]);
});

Deno.test("guarded: half-open lets one probe through; its success closes the breaker", async () => {
  const { clock, inner, guarded, breaker } = setup([DOWN, DOWN, OK]);
  await guarded.send(msg("a"));
  await guarded.send(msg("b"));
  clock.advance(30_000);
  let release!: () => void;
  const slow = new Promise<void>((r) => release = r);
  const probeInner = inner.send.bind(inner);
  inner.send = async (m) => {
    await slow;
    return probeInner(m);
  };
  const probe = guarded.send(msg("probe"));
  const other = await guarded.send(msg("c"));
  assert.equal("deferred" in other && other.reason, "breaker twilio open", "one trial at a time");
  release();
  assert.deepEqual(await probe, OK);
  assert.equal(breaker.snapshot().state, "closed");
  inner.send = probeInner;
  assert.deepEqual(await guarded.send(msg("c")), OK);
  assert.deepEqual(inner.sent, ["a", "b", "probe", "c"]);
});

Deno.test("guarded: a failed probe opens the breaker for another cool-down", async () => {
  const { clock, guarded } = setup([DOWN]);
  await guarded.send(msg("a"));
  await guarded.send(msg("b"));
  clock.advance(30_000);
  assert.deepEqual(await guarded.send(msg("probe")), DOWN);
  assert.deepEqual(await guarded.send(msg("c")), {
    deferred: true,
    until: T0 + 60_000,
    reason: "breaker twilio open",
  });
});

Deno.test("guarded: over a cap it defers until there is room, calling nothing", async () => {
  const { clock, inner, guarded } = setup(
    [OK],
    limitsByPrefix({ sender: [perMinute(2)], tenant: [perDay(100)] }),
  );
  assert.deepEqual(await guarded.send(msg("a")), OK);
  assert.deepEqual(await guarded.send(msg("b")), OK);
  assert.deepEqual(await guarded.send(msg("c")), {
    deferred: true,
    until: T0 + 30_000,
    reason: "sender:+14155550100 over 2/min",
  });
  assert.deepEqual(
    await guarded.send(msg("d", { from: "+14155550199" })),
    OK,
    "another number has its own cap",
  );
  clock.advance(30_000);
  assert.deepEqual(await guarded.send(msg("c")), OK);
  assert.deepEqual(inner.sent, ["a", "b", "d", "c"]);
});

Deno.test("guarded: a cap refusal in half-open gives the probe slot back", async () => {
  const { clock, inner, guarded, breaker } = setup(
    [DOWN, DOWN, OK],
    limitsByPrefix({ sender: [perMinute(1)] }),
  );
  await guarded.send(msg("a", { from: "+1A" }));
  await guarded.send(msg("b", { from: "+1B" }));
  clock.advance(30_000); // the cool-down is over; +1A has half a token
  assert.deepEqual(await guarded.send(msg("c", { from: "+1A" })), {
    deferred: true,
    until: T0 + 60_000,
    reason: "sender:+1A over 1/min",
  });
  assert.equal(breaker.snapshot().probesInFlight, 0, "no slot held by a call not made");
  assert.deepEqual(await guarded.send(msg("d", { from: "+1C" })), OK, "the next one probes");
  assert.equal(breaker.snapshot().state, "closed");
  assert.deepEqual(inner.sent, ["a", "b", "d"]);
});

Deno.test("guarded: rejections pass through and never trip the breaker", async () => {
  const bad: DispatchResult = {
    ok: false,
    error: "rejected: 21211 invalid number",
    retryable: false,
  };
  const { inner, guarded, breaker } = setup([bad]);
  for (let i = 0; i < 10; i++) assert.deepEqual(await guarded.send(msg(`m${i}`)), bad);
  assert.equal(inner.sent.length, 10);
  assert.equal(breaker.snapshot().state, "closed");
});

Deno.test("guarded: a throwing provider counts as down and the throw reaches the worker", async () => {
  const { guarded, breaker } = setup([new Error("socket hang up")]);
  await assert.rejects(guarded.send(msg("a")), /socket hang up/);
  await assert.rejects(guarded.send(msg("b")), /socket hang up/);
  assert.equal(breaker.snapshot().state, "open");
});

Deno.test("guarded: the inner dispatcher's own deferral passes through", async () => {
  const quiet: DispatchResult = { deferred: true, until: T0 + 3_600_000, reason: "quiet hours" };
  const { guarded, breaker } = setup([quiet]);
  assert.deepEqual(await guarded.send(msg("a")), quiet);
  assert.deepEqual(breaker.snapshot().window, { calls: 0, failures: 0 });
});

Deno.test("guarded: failures are classified from the result", () => {
  assert.equal(classifyFailure({ ok: false, error: "21211", retryable: false }), "rejected");
  assert.equal(classifyFailure({ ok: false, error: "timeout: 10 s", retryable: true }), "timeout");
  assert.equal(
    classifyFailure({ ok: false, error: "rate_limited: 429", retryable: true }),
    "rate_limited",
  );
  assert.equal(classifyFailure({ ok: false, error: "503", retryable: true }), "unavailable");
  assert.equal(describeLimit(perDay(2_000)), "2000/day");
  assert.equal(describeLimit({ kind: "rate", max: 5, perMs: 1_500 }), "5/1500ms");
});

const dbTest = dbSuite("guarded");

dbTest("through the outbox worker: an outage defers without dead-lettering", async (db) => {
  const clock = new ManualClock(T0);
  const system = new ActorSystem({ database: db, types: [notifier], clock });
  const lead = system.ref(notifier, "t1", "n1");
  for (const key of ["a", "b", "c", "d"]) {
    await lead.ask("notify", { key, text: "hi", maxAttempts: 2 });
  }
  let up = false;
  const sent: string[] = [];
  const provider: Dispatcher = {
    channel: TEST_CHANNEL,
    send: (m) => {
      sent.push(m.key);
      return Promise.resolve(up ? OK : { ok: false, error: "503", retryable: true });
    },
  };
  const breaker = new CircuitBreaker("sandbox", { failureThreshold: 1, openMs: 60_000 });
  const worker = new OutboxWorker(
    system,
    [new GuardedDispatcher(provider, { clock, breaker })],
    { batch: 1, backoffBaseMs: 1_000, random: () => 0.5 },
  );
  assert.equal(await worker.tick(), 1); // a fails: the breaker opens
  for (let i = 0; i < 3; i++) assert.equal(await worker.tick(), 1); // b, c, d deferred
  assert.equal(await worker.tick(), 0);
  clock.advance(1_000);
  assert.equal(await worker.tick(), 1, "a's retry is due, and deferred too");
  assert.deepEqual(sent, ["a"]);
  const waiting = await db.sql`SELECT key, status, attempts, next_at, last_error
    FROM outbox ORDER BY key`;
  assert.deepEqual(
    waiting.map((r) => [r.key, r.status, r.attempts, r.next_at - T0, r.last_error]),
    [
      ["a", "pending", 1, 60_000, "deferred: breaker sandbox open"],
      ["b", "pending", 0, 60_000, "deferred: breaker sandbox open"],
      ["c", "pending", 0, 60_000, "deferred: breaker sandbox open"],
      ["d", "pending", 0, 60_000, "deferred: breaker sandbox open"],
    ],
    "held without using attempts: a still has its last one",
  );
  up = true;
  clock.advance(59_000);
  let claimed = 0;
  for (let i = 0; i < 10; i++) claimed += await worker.tick();
  const done = await db.sql`SELECT key, status, attempts FROM outbox ORDER BY key`;
  assert.deepEqual(done.map((r) => [r.key, r.status, r.attempts]), [
    ["a", "done", 2],
    ["b", "done", 1],
    ["c", "done", 1],
    ["d", "done", 1],
  ]);
  assert.ok(claimed >= 4);
  assert.deepEqual(sent.toSorted(), ["a", "a", "b", "c", "d"], "each delivered once");
  await system.shutdown();
});
