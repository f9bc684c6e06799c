import assert from "node:assert/strict";
import { ManualClock } from "../../shared/clock.ts";
import { ValidationError } from "../../shared/errors.ts";
import {
  ActorSystem,
  type ClaimedMessage,
  type Database,
  type DispatchResult,
  OutboxWorker,
} from "../runtime/mod.ts";
import { dbSuite, notifier, TEST_CHANNEL } from "./_test_support.ts";
import {
  discardDeadLetter,
  inspectDeadLetter,
  listDeadLetters,
  replayDeadLetter,
} from "./dead_letters.ts";

const test = dbSuite("dead letters");

/** A system whose notifier `n1` in tenant `t1` dead-letters message `welcome` after 2 attempts. */
async function deadLettered(db: Database) {
  const clock = new ManualClock(Date.UTC(2026, 5, 1, 15));
  const system = new ActorSystem({ database: db, types: [notifier], clock });
  const lead = system.ref(notifier, "t1", "n1");
  await lead.ask("notify", { key: "welcome", text: "Hi Dana", maxAttempts: 2 });
  const failing = new OutboxWorker(system, [{
    channel: TEST_CHANNEL,
    send: (): Promise<DispatchResult> =>
      Promise.resolve({ ok: false, error: "503 from provider", retryable: true }),
  }], { backoffBaseMs: 1_000, random: () => 0.5 });
  assert.equal(await failing.tick(), 1);
  clock.advance(1_000);
  assert.equal(await failing.tick(), 1, "the second and last attempt");
  assert.deepEqual(await lead.query("outcomes"), ["welcome:dead"]);
  const [row] = await db.sql`SELECT id FROM outbox WHERE key = 'welcome'`;
  return { system, clock, lead, id: row!.id as number };
}

/** A worker whose dispatcher succeeds and counts its calls by key. */
function succeeding(system: ActorSystem) {
  const calls: string[] = [];
  const worker = new OutboxWorker(system, [{
    channel: TEST_CHANNEL,
    send: (m: ClaimedMessage): Promise<DispatchResult> => {
      calls.push(m.key);
      return Promise.resolve({ ok: true, response: { sid: "SM1" } });
    },
  }]);
  return { worker, calls };
}

test("a message that failed its last attempt is listed and inspectable", async (db) => {
  const { system, id } = await deadLettered(db);
  const page = await listDeadLetters(db.sql, "t1", { limit: 10 });
  assert.equal(page.next, null);
  assert.equal(page.items.length, 1);
  const [item] = page.items;
  assert.deepEqual({ ...item!, createdAt: typeof item!.createdAt }, {
    id,
    channel: TEST_CHANNEL,
    key: "welcome",
    actor: "notifier/t1/n1",
    attempts: 2,
    lastError: "503 from provider",
    createdAt: "number",
  });
  const letter = await inspectDeadLetter(db.sql, "t1", id);
  assert.deepEqual(letter && { ...letter, createdAt: letter.createdAt > 0 }, {
    ...item!,
    createdAt: true,
    tenant: "t1",
    type: "notifier",
    payload: { text: "Hi Dana" },
    maxAttempts: 2,
  });
  await system.shutdown();
});

test("replay delivers it once, under the same key, and it leaves the list", async (db) => {
  const { system, clock, lead, id } = await deadLettered(db);
  clock.advance(3_600_000);
  assert.deepEqual(await replayDeadLetter(db.sql, "t1", id, clock.now()), {
    state: "replayed",
    id,
    nextAt: clock.now(),
  });
  assert.deepEqual((await listDeadLetters(db.sql, "t1", { limit: 10 })).items, []);
  assert.equal(await inspectDeadLetter(db.sql, "t1", id), undefined);
  assert.deepEqual(
    await replayDeadLetter(db.sql, "t1", id, clock.now()),
    { state: "not_found" },
    "a second replay finds nothing to replay",
  );
  const { worker, calls } = succeeding(system);
  assert.equal(await worker.tick(), 1);
  clock.advance(86_400_000);
  assert.equal(await worker.tick(), 0);
  assert.deepEqual(calls, ["welcome"], "sent exactly once, with the original idempotency key");
  const [row] = await db.sql`SELECT status, attempts, result FROM outbox WHERE id = ${id}`;
  assert.deepEqual([row!.status, row!.attempts, row!.result], ["done", 1, { sid: "SM1" }]);
  assert.deepEqual(await lead.query("outcomes"), ["welcome:dead", "welcome:delivered"]);
  await system.shutdown();
});

test("discard takes it off the list but keeps the row for the audit", async (db) => {
  const { system, clock, id } = await deadLettered(db);
  assert.deepEqual(
    await discardDeadLetter(db.sql, "t1", id, clock.now(), { by: "ops@agency", reason: "typo" }),
    { state: "discarded", id, at: clock.now() },
  );
  assert.deepEqual((await listDeadLetters(db.sql, "t1", { limit: 10 })).items, []);
  assert.equal(await inspectDeadLetter(db.sql, "t1", id), undefined);
  assert.deepEqual(await replayDeadLetter(db.sql, "t1", id, clock.now()), { state: "not_found" });
  assert.deepEqual(await discardDeadLetter(db.sql, "t1", id, clock.now()), { state: "not_found" });
  const [row] = await db.sql`SELECT status, result FROM outbox WHERE id = ${id}`;
  assert.deepEqual([row!.status, row!.result], [
    "dead",
    { discarded: true, at: clock.now(), by: "ops@agency", reason: "typo" },
  ]);
  const { worker, calls } = succeeding(system);
  assert.equal(await worker.tick(), 0);
  assert.deepEqual(calls, []);
  await system.shutdown();
});

test("another tenant can neither see, replay nor discard it", async (db) => {
  const { system, clock, id } = await deadLettered(db);
  assert.deepEqual(await listDeadLetters(db.sql, "t2", { limit: 10 }), { items: [], next: null });
  assert.equal(await inspectDeadLetter(db.sql, "t2", id), undefined);
  assert.deepEqual(await replayDeadLetter(db.sql, "t2", id, clock.now()), { state: "not_found" });
  assert.deepEqual(await discardDeadLetter(db.sql, "t2", id, clock.now()), { state: "not_found" });
  const { worker, calls } = succeeding(system);
  assert.equal(await worker.tick(), 0, "nothing was put back to send");
  assert.deepEqual(calls, []);
  assert.equal((await listDeadLetters(db.sql, "t1", { limit: 10 })).items.length, 1);
  await system.shutdown();
});

test("the list pages by id and filters by channel; live rows are not listed", async (db) => {
  const rows = [
    ["t1", "sms", "a", "dead"],
    ["t1", "email", "b", "dead"],
    ["t1", "sms", "c", "pending"],
    ["t1", "sms", "d", "done"],
    ["t2", "sms", "e", "dead"],
    ["t1", "sms", "f", "dead"],
    ["t1", "sms", "g", "dead"],
  ];
  for (const [tenant, channel, key, status] of rows) {
    await db.sql`INSERT INTO outbox (tenant, actor, type, channel, key, payload, status,
                                     attempts, max_attempts, next_at)
      VALUES (${tenant!}, ${`notifier/${tenant}/x`}, 'notifier', ${channel!}, ${key!},
              ${db.sql.json({ key: key! })}, ${status!}, 3, 3, 0)`;
  }
  const keys = (p: { items: { key: string }[] }) => p.items.map((i) => i.key);
  const first = await listDeadLetters(db.sql, "t1", { limit: 2 });
  assert.deepEqual(keys(first), ["a", "b"]);
  assert.notEqual(first.next, null);
  const second = await listDeadLetters(db.sql, "t1", { limit: 2, after: first.next! });
  assert.deepEqual(keys(second), ["f", "g"]);
  assert.equal(second.next, null, "no third page");
  assert.deepEqual(keys(await listDeadLetters(db.sql, "t1", { limit: 10, channel: "sms" })), [
    "a",
    "f",
    "g",
  ]);
  await assert.rejects(listDeadLetters(db.sql, "t1", { limit: 0 }), ValidationError);
  await assert.rejects(listDeadLetters(db.sql, "t1", { limit: 501 }), ValidationError);
});
