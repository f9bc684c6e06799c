import assert from "node:assert/strict";
import {
  BookingNotice,
  type BookSlot,
  FencedError,
  ManualClock,
  NotFoundError,
  ValidationError,
  type WorkingHoursInput,
} from "../../shared/mod.ts";
import { ActorSystem, type Database, ReminderPoller } from "../runtime/mod.ts";
import { backends } from "../runtime/_test_fixtures.ts";
import { availability, calendar, reminderName } from "./calendar.ts";

// Monday 2 March 2026, 08:30 in New York (EST), a week before the DST change.
const T0 = Date.parse("2026-03-02T13:30:00Z");

const nineToFive = [{ start: "09:00", end: "17:00" }];
const NEW_YORK: WorkingHoursInput = {
  timeZone: "America/New_York",
  weekly: { "1": nineToFive, "2": nineToFive, "3": nineToFive, "4": nineToFive, "5": nineToFive },
};

interface Env {
  db: Database;
  clock: ManualClock;
  /** A node: one more actor system on the same database. */
  node(): ActorSystem;
}

/** Registers a test against every backend; a skipped backend shows why in the test name. */
function calendarTest(name: string, fn: (env: Env) => Promise<void>) {
  for (const backend of backends()) {
    Deno.test({
      name: `calendar [${backend.name}]${
        backend.skip ? ` (skipped: ${backend.skip})` : ""
      }: ${name}`,
      ignore: backend.skip !== undefined,
      async fn() {
        const db = await backend.open();
        const clock = new ManualClock(T0);
        const systems: ActorSystem[] = [];
        const node = () => {
          const s = new ActorSystem({ database: db, types: [calendar], clock });
          systems.push(s);
          return s;
        };
        try {
          await fn({ db, clock, node });
        } finally {
          for (const s of systems) await s.shutdown();
          await db.close();
        }
      },
    });
  }
}

function bookInput(start: string, key: string, extra: Partial<BookSlot> = {}): BookSlot {
  return {
    start,
    durationMinutes: 30,
    leadId: "lead-1",
    attendee: {
      name: "Pat Doe",
      email: "pat@example.com",
      phone: "+14155550100",
      timeZone: "Europe/London",
    },
    idempotencyKey: key,
    ...extra,
  };
}

/** The attendee notices in the outbox (messages to the lead actor are checked on their own). */
async function outbox(db: Database, actor: string) {
  const rows = await db.sql<{ channel: string; key: string; payload: unknown }[]>`
    SELECT channel, key, payload FROM outbox WHERE actor = ${actor} AND channel <> 'actor'
    ORDER BY id`;
  return rows.map((r) => ({ ...r, payload: BookingNotice.parse(r.payload) }));
}

async function reminders(db: Database, actor: string) {
  const rows = await db.sql<{ name: string; due_at: number; payload: unknown }[]>`
    SELECT name, due_at, payload FROM reminders WHERE actor = ${actor} ORDER BY name`;
  return rows.map((r) => ({ name: r.name, due_at: r.due_at, payload: r.payload }));
}

async function eventTypes(db: Database, actor: string) {
  const rows = await db.sql<{ type: string; version: number }[]>`
    SELECT type, version FROM events WHERE actor = ${actor} ORDER BY seq`;
  return rows.map((r) => `${r.type}@v${r.version}`);
}

calendarTest("a booking is confirmed with its messages and reminder in one commit", async (env) => {
  const ref = env.node().ref(calendar, "t1", "ann");
  await ref.ask("setHours", NEW_YORK);
  // Wednesday 10:00 EST, written with its offset.
  const reply = await ref.ask("book", bookInput("2026-03-04T10:00:00-05:00", "k1"));
  assert.equal(reply.status, "booked");
  const { booking } = reply;
  assert.equal(booking.start, "2026-03-04T15:00:00Z");
  assert.equal(booking.end, "2026-03-04T15:30:00Z");
  assert.equal(booking.status, "confirmed");
  assert.equal(booking.createdAt, "2026-03-02T13:30:00Z");
  assert.deepEqual(await ref.query("bookings"), [booking]);
  assert.deepEqual(await eventTypes(env.db, ref.key), [
    "calendar.hours_set@v1",
    "booking.confirmed@v1",
  ]);

  const sent = await outbox(env.db, ref.key);
  assert.deepEqual(sent.map((m) => [m.channel, m.key, m.payload.to]), [
    ["email", `${booking.id}:confirm:email`, "pat@example.com"],
    ["sms", `${booking.id}:confirm:sms`, "+14155550100"],
  ]);
  assert.equal(sent[0]!.payload.kind, "booking.confirmed");
  assert.equal(sent[0]!.payload.memberId, "ann");
  assert.deepEqual(sent[0]!.payload.booking, booking);
  assert.equal(sent[0]!.payload.localStart, "2026-03-04T15:00:00+00:00[Europe/London]");

  assert.deepEqual(await reminders(env.db, ref.key), [{
    name: reminderName(booking.id),
    due_at: Date.parse("2026-03-03T15:00:00Z"), // a day before
    payload: { bookingId: booking.id },
  }]);
});

calendarTest(
  "the reminder fires through the outbox; a booking within a day gets it an hour before",
  async (env) => {
    const s = env.node();
    const ref = s.ref(calendar, "t1", "ann");
    await ref.ask("setHours", NEW_YORK);
    const soon = await ref.ask("book", bookInput("2026-03-02T16:00:00Z", "soon")); // 11:00 today
    const later = await ref.ask("book", bookInput("2026-03-03T15:00:00Z", "later"));
    assert.equal(soon.status, "booked");
    assert.equal(later.status, "booked");
    assert.deepEqual((await reminders(env.db, ref.key)).map((r) => r.due_at).sort(), [
      Date.parse("2026-03-02T15:00:00Z"), // an hour before 16:00Z
      Date.parse("2026-03-02T15:00:00Z"), // a day before the next day's 15:00Z
    ]);

    const poller = new ReminderPoller(s);
    env.clock.set(Date.parse("2026-03-02T14:59:00Z"));
    assert.equal(await poller.tick(), 0, "not yet due");
    env.clock.set(Date.parse("2026-03-02T15:00:00Z"));
    assert.equal(await poller.tick(), 2);
    const reminded = (await outbox(env.db, ref.key)).filter((m) =>
      m.payload.kind === "booking.reminder"
    );
    assert.deepEqual(
      reminded.map((m) => m.key).sort(),
      [soon, later].flatMap((r) => {
        const b = r.status === "booked" ? r.booking : assert.fail();
        return [`${b.id}:remind:${b.start}:email`, `${b.id}:remind:${b.start}:sms`];
      }).sort(),
    );
    assert.deepEqual(await reminders(env.db, ref.key), [], "one-shot reminders are consumed");
  },
);

calendarTest("the same idempotency key books once, also after a restart", async (env) => {
  const first = env.node();
  const ref = first.ref(calendar, "t1", "ann");
  await ref.ask("setHours", NEW_YORK);
  const a = await ref.ask("book", bookInput("2026-03-04T15:00:00Z", "same"));
  const b = await ref.ask("book", bookInput("2026-03-04T15:00:00Z", "same"));
  // The key identifies the request: a retry with other details still gets the first booking.
  const c = await ref.ask("book", bookInput("2026-03-05T15:00:00Z", "same"));
  assert.equal(a.status, "booked");
  assert.deepEqual(b, a);
  assert.deepEqual(c, a);
  await first.shutdown();
  const again = await env.node().ref(calendar, "t1", "ann").ask(
    "book",
    bookInput("2026-03-04T15:00:00Z", "same"),
  );
  assert.deepEqual(again, a);
  assert.deepEqual(await eventTypes(env.db, ref.key), [
    "calendar.hours_set@v1",
    "booking.confirmed@v1",
  ]);
  assert.equal((await outbox(env.db, ref.key)).length, 2, "one email, one SMS");
});

calendarTest("a slot that cannot be booked is a conflict reply with its reason", async (env) => {
  const ref = env.node().ref(calendar, "t1", "ann");
  const reason = async (start: string, extra: Partial<BookSlot> = {}) => {
    const r = await ref.ask("book", bookInput(start, `k-${start}-${extra.durationMinutes}`, extra));
    return r.status === "conflict" ? r.reason : r.status;
  };
  assert.equal(await reason("2026-03-04T15:00:00Z"), "no_working_hours");
  await ref.ask("setHours", NEW_YORK);
  assert.equal(await reason("2026-03-07T15:00:00Z"), "outside_working_hours", "Saturday");
  assert.equal(await reason("2026-03-04T13:30:00Z"), "outside_working_hours", "08:30");
  assert.equal(
    await reason("2026-03-04T21:30:00Z", { durationMinutes: 60 }),
    "outside_working_hours",
    "16:30 for an hour runs past 17:00",
  );
  assert.equal(await reason("2026-02-27T15:00:00Z"), "in_the_past");
  assert.equal(await reason("2026-03-02T14:00:00Z"), "too_soon", "09:00 is only 30 minutes away");
  assert.equal(await reason("2026-03-04T15:10:00Z"), "misaligned");
  assert.equal(await reason("2026-04-15T15:00:00Z"), "beyond_horizon");
  assert.equal(await reason("2026-03-04T15:00:00Z"), "booked");
  assert.equal(await reason("2026-03-04T15:00:00Z", { idempotencyKey: "other" }), "slot_taken");
  assert.equal(await reason("2026-03-04T14:30:00Z", { durationMinutes: 60 }), "slot_taken");
  const refused = await ref.ask("book", bookInput("2026-03-04T15:10:00Z", "x"));
  assert.ok(refused.status === "conflict");
  assert.match(refused.message, /every 30 minutes from 2026-03-04T09:00/);
  assert.deepEqual(await eventTypes(env.db, ref.key), [
    "calendar.hours_set@v1",
    "booking.confirmed@v1",
  ]);
  assert.equal((await outbox(env.db, ref.key)).length, 2, "only the booking sent anything");

  const bad = await ref.ask("book", {
    ...bookInput("2026-03-04T10:00:00", "v"),
    attendee: { name: "Pat", email: "not-an-email" },
  }).catch((e) => e);
  assert.ok(bad instanceof ValidationError);
  assert.deepEqual(bad.issues.map((i) => i.path).sort(), ["attendee.email", "start"]);
});

calendarTest("reschedule moves the booking, its reminder and tells the attendee", async (env) => {
  const ref = env.node().ref(calendar, "t1", "ann");
  await ref.ask("setHours", NEW_YORK);
  const booked = await ref.ask(
    "book",
    bookInput("2026-03-04T15:00:00Z", "k1", { durationMinutes: 60 }),
  );
  assert.ok(booked.status === "booked");
  const id = booked.booking.id;
  await ref.ask("book", bookInput("2026-03-05T15:00:00Z", "k2"));

  const taken = await ref.ask("reschedule", {
    bookingId: id,
    start: "2026-03-05T14:30:00Z",
    idempotencyKey: "r0",
  });
  assert.ok(taken.status === "conflict");
  assert.equal(taken.reason, "slot_taken");
  // Half an hour later overlaps its own old time: it must not block itself.
  const moved = await ref.ask("reschedule", {
    bookingId: id,
    start: "2026-03-04T15:30:00Z",
    idempotencyKey: "r1",
  });
  assert.ok(moved.status === "rescheduled");
  assert.equal(moved.booking.start, "2026-03-04T15:30:00Z");
  assert.equal(moved.booking.end, "2026-03-04T16:30:00Z", "keeps its hour");
  const retried = await ref.ask("reschedule", {
    bookingId: id,
    start: "2026-03-04T15:30:00Z",
    idempotencyKey: "r1",
  });
  assert.deepEqual(retried, moved);

  const mine = (await reminders(env.db, ref.key)).find((r) => r.name === reminderName(id));
  assert.equal(mine!.due_at, Date.parse("2026-03-03T15:30:00Z"), "the reminder moved with it");
  const notices = (await outbox(env.db, ref.key)).filter((m) =>
    m.payload.kind === "booking.rescheduled"
  );
  assert.deepEqual(notices.map((m) => m.key), [
    `${id}:reschedule:r1:email`,
    `${id}:reschedule:r1:sms`,
  ]);
  assert.equal(notices[0]!.payload.booking.start, "2026-03-04T15:30:00Z");

  const freed = await ref.ask("book", bookInput("2026-03-04T15:00:00Z", "k3"));
  assert.equal(freed.status, "booked", "10:00 was released");
  await assert.rejects(
    ref.ask("reschedule", {
      bookingId: "nope",
      start: "2026-03-04T15:00:00Z",
      idempotencyKey: "r",
    }),
    NotFoundError,
  );
  assert.equal(
    (await eventTypes(env.db, ref.key)).filter((t) => t === "booking.rescheduled@v1").length,
    1,
  );
});

calendarTest(
  "cancel drops the reminder, tells the attendee and frees the slot; twice is a no-op",
  async (env) => {
    const ref = env.node().ref(calendar, "t1", "ann");
    await ref.ask("setHours", NEW_YORK);
    const booked = await ref.ask("book", bookInput("2026-03-04T15:00:00Z", "k1"));
    assert.ok(booked.status === "booked");
    const id = booked.booking.id;

    const cancelled = await ref.ask("cancel", { bookingId: id, reason: "client asked" });
    assert.ok(cancelled.status === "cancelled");
    assert.equal(cancelled.booking.status, "cancelled");
    assert.equal(cancelled.booking.cancelReason, "client asked");
    assert.deepEqual(await reminders(env.db, ref.key), []);
    const again = await ref.ask("cancel", { bookingId: id });
    assert.deepEqual(again, { status: "already_cancelled", booking: cancelled.booking });
    const sent = await outbox(env.db, ref.key);
    assert.deepEqual(sent.filter((m) => m.payload.kind === "booking.cancelled").map((m) => m.key), [
      `${id}:cancel:email`,
      `${id}:cancel:sms`,
    ]);

    const moved = await ref.ask("reschedule", {
      bookingId: id,
      start: "2026-03-05T15:00:00Z",
      idempotencyKey: "r",
    });
    assert.ok(moved.status === "conflict");
    assert.equal(moved.reason, "booking_cancelled");
    const rebooked = await ref.ask("book", bookInput("2026-03-04T15:00:00Z", "k2"));
    assert.equal(rebooked.status, "booked");
    assert.deepEqual(await eventTypes(env.db, ref.key), [
      "calendar.hours_set@v1",
      "booking.confirmed@v1",
      "booking.cancelled@v1",
      "booking.confirmed@v1",
    ]);
  },
);

calendarTest(
  "one slot booked from two nodes at once is booked exactly once (20 races)",
  async (env) => {
    const ROUNDS = 20;
    const setup = env.node();
    const members = Array.from({ length: ROUNDS }, (_, i) => `race-${i}`);
    await Promise.all(members.map((m) => setup.ref(calendar, "t1", m).ask("setHours", NEW_YORK)));
    await setup.shutdown(); // cold actors: both nodes race to activate as well as to book
    const [a, b] = [env.node(), env.node()];
    const outcomes: Record<string, number> = {};
    for (const [i, m] of members.entries()) {
      const slot = "2026-03-04T15:00:00Z";
      // Even rounds send both in the same tick; odd ones start node B 0-4 ms later, so the
      // races cover "both activated, one is fenced" and "one committed, the other sees it".
      const askB = () => b.ref(calendar, "t1", m).ask("book", bookInput(slot, `${m}-b`));
      const results = await Promise.allSettled([
        a.ref(calendar, "t1", m).ask("book", bookInput(slot, `${m}-a`)),
        i % 2 === 0 ? askB() : new Promise((r) => setTimeout(r, i % 5)).then(askB),
      ]);
      const kinds = results.map((r) => {
        if (r.status === "fulfilled") {
          return r.value.status === "booked" ? "booked" : r.value.reason;
        }
        assert.ok(r.reason instanceof FencedError, `unexpected failure: ${r.reason}`);
        return "fenced";
      });
      for (const k of kinds) outcomes[k] = (outcomes[k] ?? 0) + 1;
      assert.equal(kinds.filter((k) => k === "booked").length, 1, `${m}: ${kinds}`);
      assert.ok(
        kinds.every((k) => k === "booked" || k === "fenced" || k === "slot_taken"),
        `${m}: ${kinds}`,
      );

      const recovered = await env.node().ref(calendar, "t1", m).query("bookings");
      assert.equal(recovered.filter((x) => x.status === "confirmed").length, 1, m);
      const key = `calendar/t1/${m}`;
      assert.equal(
        (await eventTypes(env.db, key)).filter((t) => t.startsWith("booking.")).length,
        1,
      );
      assert.equal((await outbox(env.db, key)).length, 2, "only the winner's messages");
    }
    assert.equal(outcomes.booked, ROUNDS);
  },
);

calendarTest(
  "09:00 in New York is 14:00Z before the March DST change and 13:00Z after",
  async (env) => {
    const every = Object.fromEntries(
      ["1", "2", "3", "4", "5", "6", "7"].map((d) => [d, nineToFive]),
    );
    const s = env.node();
    const ref = s.ref(calendar, "t1", "nyc");
    await ref.ask("setHours", { timeZone: "America/New_York", weekly: every });
    const nine = async (date: string) => {
      const day = Temporal.PlainDate.from(date).toZonedDateTime("America/New_York");
      const free = await availability(ref, {
        from: day.toInstant().toString(),
        to: day.add({ days: 1 }).toInstant().toString(),
      }, env.clock);
      assert.ok(free.status === "ok");
      return free.slots[0]!.start;
    };
    assert.equal(await nine("2026-03-07"), "2026-03-07T14:00:00Z", "Saturday, EST");
    assert.equal(await nine("2026-03-08"), "2026-03-08T13:00:00Z", "Sunday after 02:00, EDT");
    assert.equal(await nine("2026-03-09"), "2026-03-09T13:00:00Z", "Monday, EDT");

    const monday = await ref.ask("book", bookInput("2026-03-09T09:00:00-04:00", "mon"));
    assert.ok(monday.status === "booked");
    assert.equal(monday.booking.start, "2026-03-09T13:00:00Z");
    const before = await ref.ask("book", bookInput("2026-03-07T09:00:00-05:00", "sat"));
    assert.ok(before.status === "booked");
    assert.equal(before.booking.start, "2026-03-07T14:00:00Z");
    // 08:00 EST would have been 13:00Z: before the change that is outside the hours.
    const early = await ref.ask("book", bookInput("2026-03-07T13:00:00Z", "sat-early"));
    assert.ok(early.status === "conflict");
    assert.equal(early.reason, "outside_working_hours");
  },
);

calendarTest(
  "availability is computed from the schedule and excludes booked slots",
  async (env) => {
    const ref = env.node().ref(calendar, "t1", "ann");
    const range = { from: "2026-03-04T00:00:00-05:00", to: "2026-03-05T00:00:00-05:00" };
    assert.deepEqual(await availability(ref, range, env.clock), { status: "no_hours" });
    await ref.ask("setHours", NEW_YORK);
    await ref.ask("book", bookInput("2026-03-04T15:00:00Z", "k1"));
    const free = await availability(ref, range, env.clock);
    assert.ok(free.status === "ok");
    assert.equal(free.timeZone, "America/New_York");
    assert.equal(free.slots.length, 15);
    assert.ok(!free.slots.some((x) => x.start === "2026-03-04T15:00:00Z"));
    const hour = await availability(ref, { ...range, durationMinutes: 60 }, env.clock);
    assert.ok(hour.status === "ok");
    assert.equal(
      hour.slots.at(-1)!.start,
      "2026-03-04T21:00:00Z",
      "16:00 is the last hour-long start",
    );
    const bad = await availability(ref, { from: range.to, to: range.from }, env.clock).catch((e) =>
      e
    );
    assert.ok(bad instanceof ValidationError);
    assert.deepEqual(bad.issues.map((i) => i.path), ["to"]);
  },
);

calendarTest("bookings long past are dropped from memory when new ones are made", async (env) => {
  const s = env.node();
  const ref = s.ref(calendar, "t1", "ann");
  await ref.ask("setHours", NEW_YORK);
  const old = await ref.ask("book", bookInput("2026-03-04T15:00:00Z", "old"));
  assert.ok(old.status === "booked");
  env.clock.set(Date.parse("2026-04-06T13:00:00Z")); // 33 days after it ended
  const fresh = await ref.ask("book", bookInput("2026-04-08T14:00:00Z", "new"));
  assert.ok(fresh.status === "booked");
  assert.deepEqual((await ref.query("bookings")).map((b) => b.id), [fresh.booking.id]);
  await s.shutdown();
  await env.db.sql`DELETE FROM snapshots`; // recover from the events alone
  const recovered = await env.node().ref(calendar, "t1", "ann").query("bookings");
  assert.deepEqual(recovered, [fresh.booking], "replay prunes the same way");
});
