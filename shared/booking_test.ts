import assert from "node:assert/strict";
import {
  AvailabilityQuery,
  BookSlot,
  CancelBooking,
  canonicalTimeZone,
  RescheduleBooking,
  WorkingHours,
} from "./booking.ts";
import { fieldIssues } from "./errors.ts";
import type { z } from "zod";

/** The dotted paths of every failing field, as the runtime's ValidationError reports them. */
function failingPaths(result: z.ZodSafeParseResult<unknown>): string[] {
  assert.ok(!result.success, "expected the input to be refused");
  return fieldIssues(result.error.issues).map((i) => i.path).sort();
}

const nineToFive = [{ start: "09:00", end: "17:00" }];

Deno.test("working hours fill defaults and spell the zone canonically", () => {
  const h = WorkingHours.parse({ timeZone: "america/new_york", weekly: { "1": nineToFive } });
  assert.equal(h.timeZone, "America/New_York");
  assert.deepEqual(h.weekly["1"], nineToFive);
  assert.deepEqual(h.weekly["7"], []);
  assert.equal(h.slotMinutes, 30);
  assert.equal(h.bufferMinutes, 0);
  assert.equal(h.minNoticeMinutes, 60);
  assert.equal(h.horizonDays, 30);
  const late = WorkingHours.parse({
    timeZone: "UTC",
    weekly: { "5": [{ start: "18:00", end: "24:00" }] },
  });
  assert.deepEqual(late.weekly["5"], [{ start: "18:00", end: "24:00" }]);
});

Deno.test("working hours name every bad field", () => {
  const paths = failingPaths(WorkingHours.safeParse({
    timeZone: "Mars/Olympus_Mons",
    weekly: {
      "1": [{ start: "09:00", end: "08:00" }],
      "2": [{ start: "9:00", end: "25:00" }],
      "3": [{ start: "09:00", end: "12:00" }, { start: "11:30", end: "13:00" }],
      "8": nineToFive,
    },
    slotMinutes: 1,
    bufferMinutes: -5,
    horizonDays: 0,
  }));
  assert.deepEqual(paths, [
    "bufferMinutes",
    "horizonDays",
    "slotMinutes",
    "timeZone",
    "weekly", // the unknown weekday 8
    "weekly.1.0.end",
    "weekly.2.0.end",
    "weekly.2.0.start",
    "weekly.3.1.start",
  ]);
});

Deno.test("only named IANA zones are time zones", () => {
  assert.equal(canonicalTimeZone("Europe/London"), "Europe/London");
  assert.equal(canonicalTimeZone("UTC"), "UTC");
  assert.equal(canonicalTimeZone("+05:00"), undefined, "fixed offsets have no DST rules");
  assert.equal(canonicalTimeZone("Nowhere/Special"), undefined);
  assert.equal(canonicalTimeZone(""), undefined);
});

Deno.test("an instant with an offset is normalised to UTC", () => {
  const cmd = BookSlot.parse({
    start: "2026-03-09T09:00:00-04:00",
    durationMinutes: 30,
    leadId: "lead-1",
    attendee: { name: " Pat ", email: "pat@example.com", timeZone: "europe/london" },
    idempotencyKey: "k",
  });
  assert.equal(cmd.start, "2026-03-09T13:00:00Z");
  assert.equal(cmd.attendee.name, "Pat");
  assert.equal(cmd.attendee.timeZone, "Europe/London");
});

Deno.test("booking commands name every bad field", () => {
  assert.deepEqual(
    failingPaths(BookSlot.safeParse({
      start: "2026-03-09T09:00:00", // no offset: which 09:00?
      durationMinutes: 2,
      leadId: "a/b",
      attendee: { name: "", email: "nope", phone: "555-1234", timeZone: "Local" },
      idempotencyKey: "",
    })),
    [
      "attendee.email",
      "attendee.name",
      "attendee.phone",
      "attendee.timeZone",
      "durationMinutes",
      "idempotencyKey",
      "leadId",
      "start",
    ],
  );
  assert.deepEqual(
    failingPaths(RescheduleBooking.safeParse({ bookingId: "", start: "tomorrow" })),
    ["bookingId", "idempotencyKey", "start"],
  );
  assert.deepEqual(
    failingPaths(CancelBooking.safeParse({ bookingId: "b1", reason: "" })),
    ["reason"],
  );
});

Deno.test("an availability range must run forward and span at most 31 days", () => {
  const ok = AvailabilityQuery.parse({ from: "2026-03-01T00:00Z", to: "2026-04-01T00:00Z" });
  assert.equal(ok.to, "2026-04-01T00:00:00Z");
  assert.deepEqual(
    failingPaths(
      AvailabilityQuery.safeParse({ from: "2026-03-02T00:00Z", to: "2026-03-01T00:00Z" }),
    ),
    ["to"],
  );
  assert.deepEqual(
    failingPaths(
      AvailabilityQuery.safeParse({ from: "2026-03-01T00:00Z", to: "2026-04-01T00:01Z" }),
    ),
    ["to"],
  );
  assert.deepEqual(
    failingPaths(AvailabilityQuery.safeParse({ from: "soon", to: "2026-04-01T00:00Z" })),
    ["from"],
  );
});
