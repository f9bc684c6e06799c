import assert from "node:assert/strict";
import { ManualClock } from "../../shared/clock.ts";
import { ValidationError } from "../../shared/errors.ts";
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
import { captureLead } from "./capture.ts";
import { lead } from "./lead.ts";
import { settings } from "./settings.ts";
import { requalifyLead } from "./requalify.ts";
import { listSilentLeads, mergeLeads, unmergeLeads } from "./merge.ts";
import { leadTimeline } from "./timeline.ts";
import { handleDeliveryEvent, handleInboundSms } from "./inbound.ts";
import { isOptedOut } from "./opt_outs.ts";
import { type AiClient, AiDraftDispatcher, disabledAi } from "../ai/mod.ts";
import { leadMigrations } from "./mod.ts";

// Every rule runs against embedded PGlite and, when TEST_DATABASE_URL is set, real Postgres.
const BACKENDS = testBackends();
const open = async (backend: TestBackend) => openTestDatabase(backend, await leadMigrations());

const person = {
  name: "Dana Reyes",
  email: "Dana.Reyes@Example.com ",
  phone: "(415) 555-2671",
  company: "Joe's Plumbing LLC",
  address: { postcode: "94107", country: "US" },
  timeZone: "America/Los_Angeles",
};

for (const backend of BACKENDS) {
  const test = (
    name: string,
    fn: (s: ActorSystem, db: Database, clock: ManualClock) => Promise<void>,
  ) =>
    Deno.test({
      name: testName("lead", backend, name),
      ignore: backend.skip !== undefined,
      async fn() {
        const db = await open(backend);
        const clock = new ManualClock(Date.UTC(2026, 5, 1, 15));
        const s = new ActorSystem({ database: db, types: [lead, settings], clock });
        try {
          await fn(s, db, clock);
        } finally {
          await s.shutdown();
          await db.close();
        }
      },
    });

  test("a double submit is one lead", async (s, db) => {
    const submit = { idempotencyKey: "form-1", source: "widget", contact: person };
    const [a, b] = await Promise.all([captureLead(s, "t1", submit), captureLead(s, "t1", submit)]);
    assert.equal(a.leadId, b.leadId);
    assert.deepEqual([a.outcome, b.outcome].sort(), ["created", "repeated"]);
    const again = await captureLead(s, "t1", submit);
    assert.equal(again.outcome, "repeated");
    const [n] = await db.sql`SELECT count(*)::int AS n FROM events
      WHERE tenant = 't1' AND type = 'lead.captured'`;
    assert.equal(n!.n, 1, "one capture for three submits of one form");
    const [all] = await db.sql`SELECT count(*)::int AS n FROM events WHERE tenant = 't1'`;
    assert.equal(all!.n, 2, "the capture and its first follow-up plan, nothing for the repeats");
  });

  test("the same person again merges, recording what changed", async (s) => {
    const first = await captureLead(s, "t1", {
      idempotencyKey: "k1",
      source: "widget",
      contact: person,
    });
    const second = await captureLead(s, "t1", {
      idempotencyKey: "k2",
      source: "rest",
      contact: { email: "dana.reyes@example.com", businessType: "plumber", rating: 4.7 },
      tags: ["referral"],
    });
    assert.equal(second.leadId, first.leadId);
    assert.equal(second.outcome, "merged");
    assert.deepEqual(second.matchedBy, ["email"]);
    const ref = s.ref(lead, "t1", first.leadId);
    const history = await s.history(ref);
    assert.deepEqual(history.map((e) => e.type), [
      "lead.captured",
      "lead.followup_scheduled",
      "lead.merged",
    ]);
    assert.deepEqual((history[2]!.data as { changes: unknown }).changes, [
      { field: "businessType", from: null, to: "plumber" },
      { field: "rating", from: null, to: 4.7 },
    ]);
    const view = await ref.query("view");
    assert.equal(view.contact.email, "dana.reyes@example.com");
    assert.equal(view.contact.phone, "+14155552671");
    assert.deepEqual(view.tags, ["referral"]);
  });

  test("one person reaching us by SMS and by email is one lead", async (s, db) => {
    const web = await captureLead(s, "t1", {
      idempotencyKey: "w",
      source: "widget",
      contact: person,
    });
    const sms = await captureLead(s, "t1", {
      idempotencyKey: "sms-SM1",
      source: "inbound_sms",
      contact: { phone: "+1 415 555 2671" },
      message: "Is Tuesday OK?",
    });
    const mail = await captureLead(s, "t1", {
      idempotencyKey: "mail-1",
      source: "inbound_email",
      contact: { email: "DANA.REYES@example.com" },
      message: "Re: your quote",
    });
    assert.deepEqual([sms.leadId, mail.leadId], [web.leadId, web.leadId]);
    const [n] = await db.sql`SELECT count(*)::int AS n FROM leads WHERE tenant = 't1'`;
    assert.equal(n!.n, 1);
    const view = await s.ref(lead, "t1", web.leadId).query("view");
    assert.deepEqual(view.messages.map((m) => [m.channel, m.content]), [
      ["sms", "Is Tuesday OK?"],
      ["email", "Re: your quote"],
    ]);
  });

  test("a business matches by a similar name in the same postcode only", async (s) => {
    const a = await captureLead(s, "t1", {
      idempotencyKey: "b1",
      source: "csv",
      contact: { company: "Joe's Plumbing LLC", address: { postcode: "94107" } },
    });
    const b = await captureLead(s, "t1", {
      idempotencyKey: "b2",
      source: "csv",
      contact: { company: "Joes Plumbing & Co.", address: { postcode: "94 107" } },
    });
    const c = await captureLead(s, "t1", {
      idempotencyKey: "b3",
      source: "csv",
      contact: { company: "Joe's Plumbing", address: { postcode: "10001" } },
    });
    const d = await captureLead(s, "t1", {
      idempotencyKey: "b4",
      source: "csv",
      contact: { company: "Jill's Bakery", address: { postcode: "94107" } },
    });
    assert.equal(b.leadId, a.leadId);
    assert.notEqual(c.leadId, a.leadId);
    assert.notEqual(d.leadId, a.leadId);
  });

  test("tenants never share leads", async (s) => {
    const a = await captureLead(s, "t1", {
      idempotencyKey: "x",
      source: "widget",
      contact: person,
    });
    const b = await captureLead(s, "t2", {
      idempotencyKey: "x",
      source: "widget",
      contact: person,
    });
    assert.notEqual(a.leadId, b.leadId);
    assert.equal(b.outcome, "created");
  });

  test("an invalid capture names the field and writes nothing", async (s, db) => {
    const cases: Array<[unknown, string]> = [
      [{ idempotencyKey: "", source: "widget", contact: person }, "idempotencyKey"],
      [{ idempotencyKey: "k", source: "fax", contact: person }, "source"],
      [
        { idempotencyKey: "k", source: "widget", contact: { ...person, email: "nope" } },
        "contact.email",
      ],
      [
        { idempotencyKey: "k", source: "widget", contact: { ...person, phone: "12" } },
        "contact.phone",
      ],
      [
        { idempotencyKey: "k", source: "widget", contact: { ...person, phone: "+1 555 0100 999" } },
        "contact.phone",
      ],
      [{ idempotencyKey: "k", source: "widget", contact: { name: "No Way To Reach" } }, "contact"],
      [
        { idempotencyKey: "k", source: "widget", contact: { ...person, timeZone: "Mars/Olympus" } },
        "contact.timeZone",
      ],
    ];
    for (const [input, field] of cases) {
      const err = await captureLead(s, "t1", input).catch((e) => e);
      assert.ok(err instanceof ValidationError, `${field}: ${err}`);
      assert.ok(err.issues.some((i) => i.path === field), `${field} not named in ${err.message}`);
    }
    const [n] = await db.sql`SELECT (SELECT count(*) FROM events)::int
      + (SELECT count(*) FROM lead_identities)::int AS n`;
    assert.equal(n!.n, 0);
    for (
      const [cmd, input, field] of [
        ["setStatus", { status: "maybe" }, "status"],
        ["assign", { owner: "" }, "owner"],
        ["recordMessage", {
          channel: "fax",
          direction: "inbound",
          content: "x",
          status: "received",
        }, "channel"],
        ["recordConsent", { channel: "sms", granted: "yes", source: "x" }, "granted"],
      ] as const
    ) {
      const err = await s.ref(lead, "t1", "any").ask(cmd, input as never).catch((e) => e);
      assert.ok(err instanceof ValidationError);
      assert.deepEqual(err.issues.map((i) => i.path), [field]);
    }
  });

  test("the funnel moves forward; a reply marks responded; withdrawing all consent unsubscribes", async (s) => {
    const { leadId } = await captureLead(s, "t1", {
      idempotencyKey: "f",
      source: "widget",
      contact: person,
      consent: [{ channel: "sms", granted: true, source: "widget checkbox" }],
    });
    const ref = s.ref(lead, "t1", leadId);
    await ref.ask("recordMessage", {
      channel: "sms",
      direction: "outbound",
      content: "Hi Dana",
      status: "queued",
      externalId: "o1",
    });
    assert.equal((await ref.query("view")).status, "contacted");
    await ref.ask("updateMessageStatus", { externalId: "o1", status: "delivered" });
    await ref.ask("recordMessage", {
      channel: "sms",
      direction: "inbound",
      content: "Yes!",
      status: "received",
    });
    const view = await ref.query("view");
    assert.equal(view.status, "responded");
    assert.equal(view.messages[0]!.status, "delivered");
    assert.deepEqual(await ref.ask("setStatus", { status: "new" }), {
      ok: false,
      reason: "cannot move from responded to new",
    });
    assert.deepEqual(await ref.ask("setStatus", { status: "qualified" }), {
      ok: true,
      status: "qualified",
    });
    await ref.ask("recordConsent", { channel: "sms", granted: false, source: "sms STOP" });
    assert.equal((await ref.query("view")).status, "qualified", "email consent still open");
    await ref.ask("recordConsent", {
      channel: "email",
      granted: false,
      source: "unsubscribe link",
    });
    assert.equal((await ref.query("view")).status, "unsubscribed");
  });

  test("the read model follows every change in the same commit", async (s, db, clock) => {
    const { leadId } = await captureLead(s, "t1", {
      idempotencyKey: "rm",
      source: "widget",
      contact: person,
      tags: ["hot"],
    });
    clock.advance(60_000);
    await s.ref(lead, "t1", leadId).ask("assign", { owner: "sam" });
    const [row] = await db.sql`SELECT * FROM leads WHERE lead_id = ${leadId}`;
    assert.equal(row!.email, "dana.reyes@example.com");
    assert.equal(row!.phone, "+14155552671");
    assert.equal(row!.owner, "sam");
    assert.equal(row!.status, "new");
    assert.deepEqual(row!.tags, ["hot"]);
    assert.equal(row!.time_zone, "America/Los_Angeles");
  });

  test("a lead's state at a past moment", async (s, _db, clock) => {
    const t0 = clock.now();
    const { leadId } = await captureLead(s, "t1", {
      idempotencyKey: "tt",
      source: "widget",
      contact: person,
    });
    const ref = s.ref(lead, "t1", leadId);
    clock.advance(3_600_000);
    await ref.ask("setStatus", { status: "qualified" });
    clock.advance(3_600_000);
    await ref.ask("setStatus", { status: "won" });
    assert.equal((await s.stateAt(ref, t0 + 1_000)).state.status, "new");
    assert.equal((await s.stateAt(ref, t0 + 3_600_000)).state.status, "qualified");
    assert.equal((await s.stateAt(ref, clock.now())).state.status, "won");
  });

  const ny = { ...person, timeZone: "America/New_York" };
  const consentSms = [{ channel: "sms" as const, granted: true, source: "widget checkbox" }];
  const outbox = (db: Database) =>
    db.sql`SELECT channel, key, next_at, payload FROM outbox ORDER BY id`.then((rows) => [...rows]);
  const reminder = (db: Database) =>
    db.sql`SELECT due_at FROM reminders WHERE name = 'followup'`.then((r) => r[0]?.due_at ?? null);

  test(
    "a follow-up due at night waits for 09:00 local, across the spring DST change",
    async (s, db, clock) => {
      // 01:55 EST on 8 March 2026; clocks jump from 02:00 to 03:00 that night.
      clock.set(Date.parse("2026-03-08T06:55:00Z"));
      const { leadId } = await captureLead(s, "t1", {
        idempotencyKey: "dst",
        source: "widget",
        contact: ny,
        consent: consentSms,
      });
      assert.equal(
        await reminder(db),
        Date.parse("2026-03-08T07:00:00Z"),
        "five minutes after capture",
      );
      const poller = new ReminderPoller(s);
      clock.set(Date.parse("2026-03-08T07:00:00Z")); // 03:00 EDT: quiet hours
      await poller.tick();
      assert.equal(
        await reminder(db),
        Date.parse("2026-03-08T13:00:00Z"),
        "09:00 EDT, not 09:00 EST",
      );
      assert.deepEqual(await outbox(db), [], "nothing sent at night");
      clock.set(Date.parse("2026-03-08T13:00:00Z"));
      await poller.tick();
      const sent = await outbox(db);
      assert.deepEqual(sent.map((r) => [r.channel, r.payload.to]), [["sms", "+14155552671"]]);
      assert.match(sent[0]!.payload.body, /^Hi Dana,/);
      const view = await s.ref(lead, "t1", leadId).query("view");
      assert.equal(view.status, "contacted");
      assert.equal(view.followUp?.step, 1, "the email step is next");
      assert.equal(await reminder(db), Date.parse("2026-03-09T13:00:00Z"));
    },
  );

  test("a follow-up at 01:30 on the fall-back night waits for 09:00 EST", async (s, db, clock) => {
    clock.set(Date.parse("2026-11-01T05:25:00Z")); // 01:25 EDT, the first 01:25 of the night
    await captureLead(s, "t1", {
      idempotencyKey: "fall",
      source: "widget",
      contact: ny,
      consent: consentSms,
    });
    clock.set(Date.parse("2026-11-01T05:30:00Z"));
    await new ReminderPoller(s).tick();
    assert.equal(await reminder(db), Date.parse("2026-11-01T14:00:00Z"));
  });

  test("a reply cancels the pending steps in the same turn", async (s, db, clock) => {
    clock.set(Date.parse("2026-06-01T15:00:00Z"));
    const { leadId } = await captureLead(s, "t1", {
      idempotencyKey: "r",
      source: "widget",
      contact: ny,
      consent: consentSms,
    });
    assert.notEqual(await reminder(db), null);
    await s.ref(lead, "t1", leadId).ask("recordMessage", {
      channel: "sms",
      direction: "inbound",
      content: "Call me tomorrow",
      status: "received",
    });
    assert.equal(await reminder(db), null, "the reminder went with the reply's commit");
    clock.advance(3 * 24 * 3_600_000);
    await new ReminderPoller(s).tick();
    assert.deepEqual(await outbox(db), []);
    const history = await s.history(s.ref(lead, "t1", leadId));
    const reply = history.findIndex((e) => e.type === "lead.message_recorded");
    assert.deepEqual(history.slice(reply, reply + 3).map((e) => e.type), [
      "lead.message_recorded",
      "lead.engaged",
      "lead.followups_stopped",
    ], "the reply and the stop are one turn");
  });

  test(
    "a step on a channel without consent is skipped and the next one planned",
    async (s, db, clock) => {
      clock.set(Date.parse("2026-06-01T15:00:00Z")); // 11:00 EDT
      const { leadId } = await captureLead(s, "t1", {
        idempotencyKey: "nc",
        source: "widget",
        contact: ny,
      });
      clock.advance(5 * 60_000);
      await new ReminderPoller(s).tick();
      assert.deepEqual(await outbox(db), [], "no SMS without consent");
      const history = await s.history(s.ref(lead, "t1", leadId));
      const skipped = history.find((e) => e.type === "lead.followup_skipped");
      assert.equal((skipped?.data as { reason: string }).reason, "no SMS consent");
      clock.advance(24 * 3_600_000);
      await new ReminderPoller(s).tick();
      assert.deepEqual((await outbox(db)).map((r) => [r.channel, r.payload.to]), [[
        "email",
        "dana.reyes@example.com",
      ]]);
    },
  );

  test("recover starts a re-engagement sequence; a booking stops it", async (s, db, clock) => {
    clock.set(Date.parse("2026-06-01T15:00:00Z"));
    const { leadId } = await captureLead(s, "t1", {
      idempotencyKey: "rec",
      source: "inbound_email",
      contact: ny,
      message: "hello",
    });
    assert.equal(await reminder(db), null, "someone who wrote first gets no 'uncontacted' nudge");
    const ref = s.ref(lead, "t1", leadId);
    clock.advance(3 * 86_400_000); // three silent days
    assert.deepEqual(await ref.ask("recover", {}), { started: true });
    await new ReminderPoller(s).tick();
    assert.deepEqual((await outbox(db)).map((r) => r.channel), ["email"]);
    assert.equal((await ref.query("view")).followUp?.sequence, "silent");
    // Asked again (a retry, a second click): the recovery running is kept, nothing sent twice.
    const before = await ref.query("view");
    clock.advance(60_000);
    assert.deepEqual(await ref.ask("recover", {}), { started: true });
    await new ReminderPoller(s).tick();
    assert.deepEqual((await outbox(db)).map((r) => r.channel), ["email"]);
    assert.deepEqual((await ref.query("view")).followUp, before.followUp);
    await ref.ask("recordBooking", { bookingId: "b1", start: clock.now() + 86_400_000 });
    const view = await ref.query("view");
    assert.equal(view.status, "meeting_scheduled");
    assert.equal(view.followUp, null);
    assert.equal(await reminder(db), null);
    assert.deepEqual(await ref.ask("recover", {}), {
      started: false,
      reason: "lead is meeting_scheduled",
    });
  });

  const rated = { ...ny, rating: 4.6, website: null };

  test(
    "a lead is scored by the tenant's rules and re-scored on activity",
    async (s, db, clock) => {
      clock.set(Date.parse("2026-06-01T15:00:00Z"));
      const { leadId } = await captureLead(s, "t1", {
        idempotencyKey: "sc",
        source: "widget",
        contact: rated,
      });
      const ref = s.ref(lead, "t1", leadId);
      const poller = new ReminderPoller(s);
      await poller.tick();
      let view = await ref.query("view");
      assert.equal(view.score, 90, "rating ≥ 4.5 (+30), no website (+40), valid phone (+20)");
      assert.equal(view.priority, "high");
      assert.equal(view.scoreReasons.length, 3);
      const [noAlert] = await db
        .sql`SELECT count(*)::int AS n FROM outbox WHERE channel = 'notify'`;
      assert.equal(noAlert!.n, 0, "no owner yet, nobody to alert");
      // The tenant raises the bar; the next activity re-scores under the new rules.
      const current = await s.ref(settings, "t1", "main").query("current");
      await s.ref(settings, "t1", "main").ask("setScoringRules", {
        ...current.scoring,
        priority: { high: 95, medium: 50 },
      });
      await ref.ask("recordEngagement", { kind: "opened" });
      await poller.tick();
      view = await ref.query("view");
      assert.equal(view.score, 92);
      assert.equal(view.priority, "medium");
      // With an owner, crossing into high priority alerts them in the same commit.
      await ref.ask("assign", { owner: "sam" });
      await ref.ask("recordMessage", {
        channel: "email",
        direction: "inbound",
        content: "Let's go",
        status: "received",
      });
      await poller.tick();
      view = await ref.query("view");
      assert.equal(view.priority, "high");
      const alerts = await db.sql`SELECT payload FROM outbox WHERE channel = 'notify'`;
      assert.deepEqual(alerts.map((r) => [r.payload.memberId, r.payload.leadId]), [[
        "sam",
        leadId,
      ]]);
      const badRules: unknown = {
        ...current.scoring,
        rules: [{
          id: "x",
          when: { field: "rating", op: "gte", value: "high" },
          points: 5,
          reason: "r",
        }],
      };
      const bad = await s.ref(settings, "t1", "main").ask("setScoringRules", badRules as never)
        .catch((e) => e);
      assert.ok(bad instanceof ValidationError);
      assert.ok(bad.issues.some((i) => i.path.startsWith("rules.0.when")), bad.message);
    },
  );

  test("qualification records the AI's answer, or the rules and why the AI gave none", async (s) => {
    const { leadId } = await captureLead(s, "t1", {
      idempotencyKey: "q",
      source: "widget",
      contact: rated,
      message: "Need a site by June",
    });
    const ref = s.ref(lead, "t1", leadId);
    const none = await requalifyLead(s, disabledAi, "t1", leadId);
    assert.equal(none.source, "rules");
    let view = await ref.query("view");
    assert.equal(view.qualification?.source, "rules");
    assert.equal((view.qualification as { fallbackReason: string }).fallbackReason, "unavailable");
    assert.equal(view.score, 90);
    const goodFit: AiClient = {
      complete: <T>() =>
        Promise.resolve({
          ok: true as const,
          model: "test",
          value: {
            intent: "buy",
            budget: null,
            timeline: "June",
            fit: "good",
            summary: "Plumber without a site, wants one by June.",
            recommendedAction: "Call today",
            confidence: 0.9,
          } as T,
        }),
    };
    const yes = await requalifyLead(s, goodFit, "t1", leadId);
    assert.equal(yes.source, "ai");
    view = await ref.query("view");
    assert.equal(view.score, 100, "90 + 10 for a confident good fit");
    assert.ok(view.scoreReasons.some((r) => r.ruleId === "ai.fit"));
  });

  test("a manual merge joins two leads and an un-merge splits them again", async (s, db) => {
    const a = await captureLead(s, "t1", {
      idempotencyKey: "ma",
      source: "widget",
      contact: { name: "Dana Reyes", email: "dana@example.com" },
      tags: ["web"],
    });
    const b = await captureLead(s, "t1", {
      idempotencyKey: "mb",
      source: "rest",
      contact: { name: "D. Reyes", phone: "+14155552671", businessType: "plumber" },
      tags: ["phone"],
    });
    assert.notEqual(a.leadId, b.leadId);
    const merged = await mergeLeads(s, "t1", {
      into: a.leadId,
      from: b.leadId,
      reason: "same person",
    });
    assert.deepEqual(merged.movedKeys.toSorted(), ["idem:mb", "phone:+14155552671"]);
    let view = await s.ref(lead, "t1", a.leadId).query("view");
    assert.equal(view.contact.phone, "+14155552671");
    assert.equal(view.contact.businessType, "plumber");
    assert.deepEqual(view.tags.toSorted(), ["phone", "web"]);
    assert.equal((await s.ref(lead, "t1", b.leadId).query("view")).mergedInto, a.leadId);
    // The merged person's phone now finds the surviving lead.
    const sms = await captureLead(s, "t1", {
      idempotencyKey: "m-sms",
      source: "inbound_sms",
      contact: { phone: "4155552671" },
    });
    assert.equal(sms.leadId, a.leadId);
    const silentBefore = await listSilentLeads(db.sql, "t1", { hours: 0, now: s.clock.now() + 1 });
    assert.ok(!silentBefore.some((l) => l.leadId === b.leadId), "a merged lead is not listed");

    await unmergeLeads(s, "t1", { into: a.leadId, from: b.leadId });
    view = await s.ref(lead, "t1", a.leadId).query("view");
    assert.equal(view.contact.phone, undefined);
    assert.equal(view.contact.businessType, undefined);
    assert.deepEqual(view.tags, ["web"]);
    assert.equal((await s.ref(lead, "t1", b.leadId).query("view")).mergedInto, null);
    const again = await captureLead(s, "t1", {
      idempotencyKey: "m-sms2",
      source: "inbound_sms",
      contact: { phone: "+14155552671" },
    });
    assert.equal(again.leadId, b.leadId, "the phone is b's again");
    await assert.rejects(mergeLeads(s, "t1", { into: a.leadId, from: a.leadId }), ValidationError);
  });

  test("silent leads are listed best first, and recover starts on them", async (s, db, clock) => {
    clock.set(Date.parse("2026-06-01T15:00:00Z"));
    const quiet = await captureLead(s, "t1", {
      idempotencyKey: "s1",
      source: "widget",
      contact: rated,
    });
    const low = await captureLead(s, "t1", {
      idempotencyKey: "s2",
      source: "widget",
      contact: { email: "low@example.com" },
    });
    await new ReminderPoller(s).tick(); // scores
    clock.advance(2 * 3_600_000);
    const fresh = await captureLead(s, "t1", {
      idempotencyKey: "s3",
      source: "widget",
      contact: { email: "new@example.com" },
    });
    const list = await listSilentLeads(db.sql, "t1", { hours: 1, now: clock.now() });
    assert.deepEqual(list.map((l) => l.leadId), [quiet.leadId, low.leadId]);
    assert.ok(!list.some((l) => l.leadId === fresh.leadId));
    assert.equal(list[0]!.score, 90);
    assert.deepEqual(await s.ref(lead, "t1", list[0]!.leadId).ask("recover", {}), {
      started: true,
    });
  });

  test("a time zone not given comes from the address or the phone; phones read in the tenant's country", async (s) => {
    const west = await captureLead(s, "t1", {
      idempotencyKey: "tz1",
      source: "widget",
      contact: { email: "w@example.com", address: { region: "CA", country: "US" } },
    });
    assert.equal(
      (await s.ref(lead, "t1", west.leadId).query("view")).contact.timeZone,
      "America/Los_Angeles",
    );
    await s.ref(settings, "t1", "main").ask("setDefaultCountry", { country: "gb" });
    const uk = await captureLead(s, "t1", {
      idempotencyKey: "tz2",
      source: "widget",
      contact: { phone: "020 7946 0958" },
    });
    const view = await s.ref(lead, "t1", uk.leadId).query("view");
    assert.equal(view.contact.phone, "+442079460958");
    assert.equal(view.contact.timeZone, "Europe/London");
    const err = await s.ref(settings, "t1", "main").ask("setDefaultCountry", { country: "GBR" })
      .catch((e) => e);
    assert.ok(err instanceof ValidationError);
    assert.deepEqual(err.issues.map((i: { path: string }) => i.path), ["country"]);
  });

  test("the timeline reads the journal as a history", async (s, _db, clock) => {
    clock.set(Date.parse("2026-06-01T15:00:00Z"));
    const { leadId } = await captureLead(s, "t1", {
      idempotencyKey: "tl",
      source: "widget",
      contact: ny,
    });
    const ref = s.ref(lead, "t1", leadId);
    await ref.ask("assign", { owner: "sam" });
    await ref.ask("recordMessage", {
      channel: "sms",
      direction: "inbound",
      content: "Hello!",
      status: "received",
    });
    const timeline = await leadTimeline(s, "t1", leadId);
    assert.deepEqual(timeline.map((t) => t.summary), [
      "captured from widget",
      "follow-up uncontacted step 1 planned for 2026-06-01T15:05:00.000Z",
      "assigned to sam",
      "inbound sms: Hello!",
      "engagement: replied",
      "follow-ups stopped: lead replied",
    ]);
    assert.deepEqual(
      (await leadTimeline(s, "t1", leadId, { after: 4, limit: 1 })).map((t) => t.seq),
      [5],
    );
  });

  test(
    "every command's invalid payload is refused naming the field, writing nothing",
    async (s, db) => {
      const { leadId } = await captureLead(s, "t1", {
        idempotencyKey: "v",
        source: "widget",
        contact: ny,
      });
      const ref = s.ref(lead, "t1", leadId);
      const conf = s.ref(settings, "t1", "main");
      const [before] = await db.sql`SELECT count(*)::int AS n FROM events`;
      const cases: Array<[() => Promise<unknown>, string]> = [
        [
          () => ref.ask("capture", { idempotencyKey: "x", source: "widget", contact: 5 } as never),
          "contact",
        ],
        [() => ref.ask("setStatus", { status: "maybe" } as never), "status"],
        [() => ref.ask("assign", { owner: "" }), "owner"],
        [() => ref.ask("tag", { add: [""] }), "add.0"],
        [
          () => ref.ask("recordConsent", { channel: "fax", granted: true, source: "x" } as never),
          "channel",
        ],
        [() =>
          ref.ask(
            "recordMessage",
            { channel: "sms", direction: "up", content: "x", status: "received" } as never,
          ), "direction"],
        [() => ref.ask("recover", { reason: "x".repeat(201) }), "reason"],
        [() => ref.ask("recordBooking", { bookingId: "", start: 1 }), "bookingId"],
        [
          () => ref.ask("updateMessageStatus", { externalId: "x", status: "lost" } as never),
          "status",
        ],
        [
          () =>
            ref.ask("absorb", {
              from: "",
              contact: { phoneValid: true },
              tags: [],
              identities: [],
              movedKeys: [],
            }),
          "from",
        ],
        [() => ref.ask("release", { from: "" }), "from"],
        [() => ref.ask("markMerged", { into: "" }), "into"],
        [() => ref.ask("recordEngagement", { kind: "liked" } as never), "kind"],
        [() => ref.ask("applyQualification", { source: "guess" } as never), "source"],
        [
          () => conf.ask("setFollowUpPlan", { window: { start: "25:00" }, sequences: {} } as never),
          "window.start",
        ],
        [() => conf.ask("setDefaultCountry", { country: "" }), "country"],
      ];
      for (const [call, field] of cases) {
        const err = await call().catch((e) => e);
        assert.ok(
          err instanceof ValidationError,
          `${field}: expected a validation error, got ${err}`,
        );
        assert.ok(err.issues.some((i) => i.path === field), `${field} not named: ${err.message}`);
      }
      const [after] = await db.sql`SELECT count(*)::int AS n FROM events`;
      assert.equal(after!.n, before!.n);
    },
  );

  test(
    "personalized follow-ups: the AI drafts after the commit, the template stands in when it cannot",
    async (s, db, clock) => {
      clock.set(Date.parse("2026-06-01T15:00:00Z")); // 11:00 EDT
      await s.ref(settings, "t1", "main").ask("setPersonalize", { personalize: true });
      const writer: AiClient = {
        complete: <T>() =>
          Promise.resolve({
            ok: true as const,
            model: "test",
            value: { text: "Hey Dana! Got a minute for Joe's Plumbing?" } as T,
          }),
      };
      const sms = {
        channel: "sms",
        send: () => Promise.resolve({ ok: true as const, response: { sid: "SM1" } }),
      };
      for (
        const [key, ai, expected] of [
          ["p1", writer, "Hey Dana! Got a minute for Joe's Plumbing?"],
          [
            "p2",
            disabledAi,
            "Hi Dana, thanks for reaching out! When is a good time for a quick call?",
          ],
        ] as const
      ) {
        const { leadId } = await captureLead(s, "t1", {
          idempotencyKey: key,
          source: "widget",
          contact: {
            ...ny,
            company: `Firm ${key}`,
            email: `${key}@example.com`,
            phone: key === "p1" ? "+14155550101" : "+14155550102",
          },
          consent: consentSms,
        });
        clock.advance(5 * 60_000);
        await new ReminderPoller(s).tick();
        const drafts = await db.sql`SELECT key FROM outbox WHERE channel = 'ai' AND actor LIKE ${
          "%" + leadId
        }`;
        assert.equal(drafts.length, 1, "a draft was asked for, nothing sent yet");
        await new OutboxWorker(s, [new AiDraftDispatcher(ai), sms]).tick(); // the draft
        await new OutboxWorker(s, [new AiDraftDispatcher(ai), sms]).tick(); // the SMS itself
        const sent = await db
          .sql`SELECT payload, status FROM outbox WHERE channel = 'sms' AND actor LIKE ${
          "%" + leadId
        }`;
        assert.equal(sent.length, 1);
        assert.equal(sent[0]!.payload.body, expected);
        const view = await s.ref(lead, "t1", leadId).query("view");
        const out = view.messages.find((m) => m.direction === "outbound")!;
        assert.equal(out.content, expected);
        assert.equal(out.status, "sent", "the provider's answer reached the conversation");
        const history = await s.history(s.ref(lead, "t1", leadId));
        const event = history.find((e) => e.type === "lead.followup_sent")!.data as {
          personalized: boolean;
          fallbackReason?: string;
        };
        assert.equal(event.personalized, key === "p1");
        if (key === "p2") assert.match(event.fallbackReason!, /unavailable/);
      }
    },
  );

  test(
    "after a conversation, a lead silent for a day after our last message gets the silent sequence",
    async (s, db, clock) => {
      clock.set(Date.parse("2026-06-01T15:00:00Z"));
      const { leadId } = await captureLead(s, "t1", {
        idempotencyKey: "sil",
        source: "inbound_email",
        contact: ny,
        message: "Quote?",
      });
      const ref = s.ref(lead, "t1", leadId);
      await ref.ask("recordMessage", {
        channel: "email",
        direction: "inbound",
        content: "Can you send a quote?",
        status: "received",
      });
      await ref.ask("recordMessage", {
        channel: "email",
        direction: "outbound",
        content: "Here it is",
        status: "queued",
      });
      assert.equal((await ref.query("view")).followUp?.sequence, "silent");
      assert.equal(await reminder(db), clock.now() + 24 * 3_600_000);
      clock.advance(24 * 3_600_000);
      await new ReminderPoller(s).tick();
      assert.deepEqual((await outbox(db)).map((r) => r.channel), ["email"]);
    },
  );

  test(
    "inbound SMS: STOP opts the number out everywhere, START back in, HELP answers, text lands on the lead",
    async (s, db) => {
      const { leadId } = await captureLead(s, "t1", {
        idempotencyKey: "in",
        source: "widget",
        contact: ny,
        consent: consentSms,
      });
      assert.deepEqual(
        await handleInboundSms(s, "t1", { from: "+14155552671", body: " stop ", messageId: "SM1" }),
        {
          action: "opted_out",
          leadId,
        },
      );
      assert.equal(await isOptedOut(db.sql, "t1", "sms", "+14155552671"), true);
      assert.equal((await s.ref(lead, "t1", leadId).query("view")).consent.sms?.granted, false);
      assert.equal(await isOptedOut(db.sql, "t2", "sms", "+14155552671"), false, "per tenant");
      // A number no lead has yet is opted out all the same.
      await handleInboundSms(s, "t1", { from: "+14155550199", body: "QUIT", messageId: "SM2" });
      assert.equal(await isOptedOut(db.sql, "t1", "sms", "+14155550199"), true);
      const help = await handleInboundSms(s, "t1", {
        from: "+14155552671",
        body: "help",
        messageId: "SM3",
      });
      assert.equal(help.action, "help");
      await handleInboundSms(s, "t1", { from: "+14155552671", body: "START", messageId: "SM4" });
      assert.equal(await isOptedOut(db.sql, "t1", "sms", "+14155552671"), false);
      const text = await handleInboundSms(s, "t1", {
        from: "(415) 555-2671",
        body: "Is Friday OK?",
        messageId: "SM5",
      });
      assert.deepEqual(text, { action: "captured", leadId, outcome: "merged" });
      const again = await handleInboundSms(s, "t1", {
        from: "(415) 555-2671",
        body: "Is Friday OK?",
        messageId: "SM5",
      });
      assert.equal(
        (again as { outcome: string }).outcome,
        "repeated",
        "a repeated webhook is one message",
      );
      const err = await handleInboundSms(s, "t1", {
        from: "not a number",
        body: "x",
        messageId: "SM6",
      }).catch((e) => e);
      assert.ok(err instanceof ValidationError);
    },
  );

  test(
    "delivery events: delivered updates the conversation, a bounce opts the address out",
    async (s, db) => {
      const { leadId } = await captureLead(s, "t1", {
        idempotencyKey: "dv",
        source: "widget",
        contact: ny,
      });
      const ref = s.ref(lead, "t1", leadId);
      await ref.ask("recordMessage", {
        channel: "email",
        direction: "outbound",
        content: "Hi",
        status: "sent",
        externalId: "k1",
      });
      await handleDeliveryEvent(s, "t1", leadId, {
        channel: "email",
        key: "k1",
        to: "dana.reyes@example.com",
        kind: "delivered",
      });
      assert.equal((await ref.query("view")).messages.at(-1)!.status, "delivered");
      await handleDeliveryEvent(s, "t1", leadId, {
        channel: "email",
        key: "k1",
        to: "Dana.Reyes@example.com",
        kind: "bounced",
        reason: "mailbox does not exist",
      });
      assert.equal(await isOptedOut(db.sql, "t1", "email", "dana.reyes@example.com"), true);
      assert.equal((await ref.query("view")).consent.email?.granted, false);
    },
  );
}
