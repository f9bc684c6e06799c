import assert from "node:assert/strict";
import {
  captureLead,
  isOptedOut,
  lead,
  leadMigrations,
  recordOptOut,
  settings,
} from "../lead/mod.ts";
import {
  ActorSystem,
  type Database,
  openTestDatabase,
  OutboxWorker,
  ReminderPoller,
  type TestBackend,
  testBackends,
  testName,
} from "../runtime/mod.ts";
import { ManualClock } from "../../shared/clock.ts";
import { CircuitBreaker } from "./breaker.ts";
import { replayDeadLetter } from "./dead_letters.ts";
import { ChannelDispatcher } from "./dispatcher.ts";
import {
  type FakeTwilioReply,
  startFakeTwilio,
  twilioError,
  twilioMessage,
} from "./fake_twilio.ts";
import { GuardedDispatcher } from "./guarded.ts";
import { channelMigrations } from "./migrations.ts";
import { createTwilioProvider } from "./twilio.ts";

// The SMS path end to end: a lead's follow-up leaves the outbox through the
// real twilio SDK to a local server speaking Twilio's API.
const BACKENDS = testBackends();
const SID = "AC" + "0".repeat(32);

async function open(backend: TestBackend): Promise<Database> {
  return openTestDatabase(backend, [...await leadMigrations(), ...await channelMigrations()]);
}

interface Env {
  s: ActorSystem;
  db: Database;
  clock: ManualClock;
  fake: ReturnType<typeof startFakeTwilio>;
  /** Sets how the fake answers from now on. */
  answer(reply: (n: number) => FakeTwilioReply | undefined): void;
  worker(opts?: { breaker?: CircuitBreaker; dedupes?: boolean }): OutboxWorker;
  /** Captures a lead with SMS consent and lets its first follow-up fall due (11:05 EDT). */
  lead(key: string, phone: string): Promise<string>;
}

for (const backend of BACKENDS) {
  const test = (name: string, fn: (env: Env) => Promise<void>) =>
    Deno.test({
      name: testName("channels", backend, name),
      ignore: backend.skip !== undefined,
      async fn() {
        const db = await open(backend);
        const clock = new ManualClock(Date.parse("2026-06-01T15:00:00Z"));
        const s = new ActorSystem({ database: db, types: [lead, settings], clock });
        let answer: (n: number) => FakeTwilioReply | undefined = () => undefined;
        const fake = startFakeTwilio({
          reply: (req) => answer(fake.requests.length) ?? { status: 201, body: twilioMessage(req) },
        });
        const provider = createTwilioProvider({
          accountSid: SID,
          authToken: "secret-token",
          from: "+14155550000",
          baseUrl: fake.baseUrl,
          timeoutMs: 500,
        });
        const env: Env = {
          s,
          db,
          clock,
          fake,
          answer: (f) => answer = f,
          worker: (opts = {}) => {
            const inner = new ChannelDispatcher({
              channel: "sms",
              provider,
              sql: db.sql,
              clock,
              providerDedupes: opts.dedupes ?? false,
            });
            const guarded = new GuardedDispatcher(inner, {
              clock,
              ...(opts.breaker ? { breaker: opts.breaker } : {}),
            });
            return new OutboxWorker(s, [guarded], { backoffBaseMs: 1_000, random: () => 0.5 });
          },
          async lead(key, phone) {
            const { leadId } = await captureLead(s, "t1", {
              idempotencyKey: key,
              source: "widget",
              contact: { name: "Dana Reyes", phone, timeZone: "America/New_York" },
              consent: [{ channel: "sms", granted: true, source: "widget checkbox" }],
            });
            clock.advance(5 * 60_000);
            await new ReminderPoller(s).tick();
            return leadId;
          },
        };
        try {
          await fn(env);
        } finally {
          await s.shutdown();
          await fake.close();
          await db.close();
        }
      },
    });

  test("a follow-up SMS goes out once through the provider, with its cost and status", async (e) => {
    const leadId = await e.lead("a", "+14155552671");
    assert.equal(await e.worker().tick(), 1);
    assert.equal(e.fake.requests.length, 1);
    assert.equal(e.fake.requests[0]!.params.To, "+14155552671");
    assert.match(e.fake.requests[0]!.params.Body!, /^Hi Dana,/);
    const [send] = await e.db
      .sql`SELECT state, provider_id, sandbox, segments, cost_micros FROM message_sends`;
    assert.deepEqual([send!.state, send!.sandbox, send!.segments, send!.cost_micros], [
      "sent",
      false,
      1,
      7_900,
    ]);
    assert.match(send!.provider_id, /^SM/);
    const view = await e.s.ref(lead, "t1", leadId).query("view");
    assert.equal(view.messages.at(-1)!.status, "sent");
    const history = await e.s.history(e.s.ref(lead, "t1", leadId));
    const status = history.find((h) => h.type === "lead.message_status_changed")!.data as {
      providerId: string;
    };
    assert.equal(status.providerId, send!.provider_id, "the lead records the provider's id");
    assert.equal(await e.worker().tick(), 0, "nothing left");
  });

  test("after STOP no SMS goes to that number, whatever planned it", async (e) => {
    await recordOptOut(e.db.sql, "t1", "sms", "+14155552671", true, "sms STOP");
    const leadId = await e.lead("b", "+14155552671");
    await e.worker().tick();
    assert.equal(e.fake.requests.length, 0);
    const [row] = await e.db.sql`SELECT status, last_error FROM outbox WHERE channel = 'sms'`;
    assert.equal(row!.status, "dead");
    assert.match(row!.last_error, /opted out/);
    assert.equal(
      (await e.s.ref(lead, "t1", leadId).query("view")).messages.at(-1)!.status,
      "failed",
    );
    assert.equal(await isOptedOut(e.db.sql, "t1", "sms", "+14155552671"), true);
  });

  test("quiet hours at dispatch time defer the send to the recipient's morning", async (e) => {
    await e.lead("c", "+14155552671");
    e.clock.set(Date.parse("2026-06-02T03:00:00Z")); // 23:00 EDT: the outbox row waited
    await e.worker().tick();
    assert.equal(e.fake.requests.length, 0);
    const [row] = await e.db
      .sql`SELECT status, next_at, attempts FROM outbox WHERE channel = 'sms'`;
    assert.deepEqual([row!.status, row!.next_at, row!.attempts], [
      "pending",
      Date.parse("2026-06-02T13:00:00Z"),
      0,
    ]);
    e.clock.set(Date.parse("2026-06-02T13:00:00Z"));
    await e.worker().tick();
    assert.equal(e.fake.requests.length, 1);
  });

  test("the breaker opens on provider errors, holds messages without failing them, and recovers", async (e) => {
    const breaker = new CircuitBreaker("twilio", { failureThreshold: 2, openMs: 60_000 });
    for (const k of ["d1", "d2", "d3"]) {
      await e.lead(k, `+1415555${String(1000 + k.charCodeAt(1))}`);
    }
    e.answer(() => ({ status: 500, body: twilioError(500, 20500, "Internal Server Error") }));
    const worker = e.worker({ breaker });
    await worker.tick(); // three sends fail; the breaker opens after two
    assert.equal(breaker.snapshot().state, "open");
    const failedCalls = e.fake.requests.length;
    e.clock.advance(30_000);
    await worker.tick();
    assert.equal(e.fake.requests.length, failedCalls, "held while open: no calls");
    e.answer(() => undefined); // the provider is back
    e.clock.advance(60_000);
    for (let i = 0; i < 4; i++) {
      await worker.tick();
      e.clock.advance(60_000);
    }
    const rows = await e.db.sql`SELECT status FROM outbox WHERE channel = 'sms'`;
    assert.deepEqual(rows.map((r) => r.status), ["done", "done", "done"], "none lost");
    const sent = await e.db.sql`SELECT count(*)::int AS n FROM message_sends WHERE state = 'sent'`;
    assert.equal(sent[0]!.n, 3);
    assert.equal(breaker.snapshot().state, "closed");
  });

  test("a rejected message dead-letters; replay delivers it once", async (e) => {
    await e.lead("f", "+14155552671");
    e.answer(() => ({ status: 400, body: twilioError(400, 21211, "Invalid 'To' Phone Number") }));
    await e.worker().tick();
    const [dead] = await e.db.sql`SELECT id, status FROM outbox WHERE channel = 'sms'`;
    assert.equal(dead!.status, "dead");
    e.answer(() => undefined);
    await replayDeadLetter(e.db.sql, "t1", dead!.id, e.clock.now());
    await e.worker().tick();
    await e.worker().tick();
    assert.equal(e.fake.requests.length, 2, "one rejected attempt, one delivery");
    const [row] = await e.db.sql`SELECT status FROM outbox WHERE id = ${dead!.id}`;
    assert.equal(row!.status, "done");
  });

  test("a send interrupted after the provider took it is never sent twice", async (e) => {
    await e.lead("g", "+14155552671");
    // The provider accepted, then the process died before recording it: only the mark remains.
    const [row] = await e.db.sql`SELECT key FROM outbox WHERE channel = 'sms'`;
    await e.db
      .sql`INSERT INTO message_sends (tenant, key, channel, recipient, state, provider, started_at)
      VALUES ('t1', ${row!.key}, 'sms', '+14155552671', 'sending', 'twilio', 0)`;
    await e.worker({ dedupes: false }).tick();
    assert.equal(e.fake.requests.length, 0, "not resent through a provider that cannot dedupe");
    const [failed] = await e.db.sql`SELECT status, last_error FROM outbox WHERE channel = 'sms'`;
    assert.equal(failed!.status, "dead");
    assert.match(failed!.last_error, /may have reached the provider/);
  });
}
