import assert from "node:assert/strict";
import { calendar } from "../actors/calendar/mod.ts";
import { captureLead, lead, leadMigrations, settings } from "../actors/lead/mod.ts";
import {
  ActorDispatcher,
  ActorSystem,
  openDatabase,
  OutboxWorker,
  ReminderPoller,
} from "../actors/runtime/mod.ts";
import { ManualClock } from "../shared/clock.ts";

// A booking made on a team member's calendar reaches the lead durably, after
// the booking commits, and stops the lead's follow-ups.
Deno.test("a booked meeting moves its lead to meeting_scheduled and stops its follow-ups", async () => {
  const db = await openDatabase({ migrations: await leadMigrations() });
  const clock = new ManualClock(Date.parse("2026-03-02T14:00:00Z")); // Monday 09:00 EST
  const s = new ActorSystem({ database: db, types: [lead, settings, calendar], clock });
  try {
    const { leadId } = await captureLead(s, "t1", {
      idempotencyKey: "w1",
      source: "widget",
      contact: { name: "Pat Doe", email: "pat@example.com", timeZone: "America/New_York" },
    });
    assert.notEqual((await s.ref(lead, "t1", leadId).query("view")).followUp, null);
    const cal = s.ref(calendar, "t1", "sam");
    const nineToFive = [{ start: "09:00", end: "17:00" }];
    await cal.ask("setHours", {
      timeZone: "America/New_York",
      weekly: { "1": nineToFive, "2": nineToFive, "3": nineToFive },
    });
    const reply = await cal.ask("book", {
      start: "2026-03-03T15:00:00Z",
      durationMinutes: 30,
      leadId,
      attendee: { name: "Pat Doe", email: "pat@example.com" },
      idempotencyKey: "b1",
    });
    assert.equal(reply.status, "booked");
    const worker = new OutboxWorker(s, [new ActorDispatcher(s)]);
    assert.equal(await worker.tick(), 1, "one message to the lead");
    const view = await s.ref(lead, "t1", leadId).query("view");
    assert.equal(view.status, "meeting_scheduled");
    assert.equal(view.followUp, null);
    // Delivered again (a lapsed claim), it changes nothing: recordBooking is idempotent.
    const events = (await s.history(s.ref(lead, "t1", leadId))).length;
    await s.ref(lead, "t1", leadId).ask("recordBooking", {
      bookingId: reply.status === "booked" ? reply.booking.id : "",
      start: Date.parse("2026-03-03T15:00:00Z"),
    });
    assert.equal((await s.history(s.ref(lead, "t1", leadId))).length, events);
    const [row] = await db.sql`SELECT status FROM outbox WHERE channel = 'actor'`;
    assert.equal(row!.status, "done");
    await new ReminderPoller(s).tick();
  } finally {
    await s.shutdown();
    await db.close();
  }
});
