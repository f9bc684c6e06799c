import assert from "node:assert/strict";
import { type Booking, WorkingHours, type WorkingHoursInput } from "../../shared/mod.ts";
import { type BookedInterval, checkSlot, freeSlots } from "./availability.ts";

const nineToFive = [{ start: "09:00", end: "17:00" }];
const weekdays = {
  "1": nineToFive,
  "2": nineToFive,
  "3": nineToFive,
  "4": nineToFive,
  "5": nineToFive,
};

function hours(input: Partial<WorkingHoursInput> & Pick<WorkingHoursInput, "timeZone">) {
  return WorkingHours.parse({ weekly: weekdays, ...input });
}

/** Free slot starts in `[from, to)`, asked two days ahead: no notice applies, the horizon is far. */
function starts(h: WorkingHours, from: string, to: string, bookings: BookedInterval[] = []) {
  const now = Temporal.Instant.from(from).subtract({ hours: 48 });
  return freeSlots(h, bookings, from, to, now).map((s) => s.start);
}

/** Slot starts of one local day, `date` in the hours' zone. */
function day(h: WorkingHours, date: string): string[] {
  const d = Temporal.PlainDate.from(date);
  const at = (p: Temporal.PlainDate) => p.toZonedDateTime(h.timeZone).toInstant().toString();
  return starts(h, at(d), at(d.add({ days: 1 })));
}

function booked(start: string, end: string, status: Booking["status"] = "confirmed") {
  return { id: `b-${start}`, start, end, status };
}

const newYork = hours({ timeZone: "America/New_York" });

Deno.test("a normal week offers each weekday's hours on the slot grid", () => {
  const slots = freeSlots(
    newYork,
    [],
    "2026-01-05T00:00:00-05:00", // Monday
    "2026-01-12T00:00:00-05:00",
    "2026-01-04T12:00:00Z",
  );
  assert.equal(slots.length, 5 * 16, "eight hours of 30-minute slots, Monday to Friday");
  assert.deepEqual(slots[0], { start: "2026-01-05T14:00:00Z", end: "2026-01-05T14:30:00Z" });
  assert.deepEqual(slots.at(-1), { start: "2026-01-09T21:30:00Z", end: "2026-01-09T22:00:00Z" });
  assert.ok(slots.every((s, i) => i === 0 || s.start > slots[i - 1]!.start), "sorted");
  const hourly = freeSlots(
    WorkingHours.parse({ timeZone: "UTC", weekly: { "1": nineToFive }, slotMinutes: 60 }),
    [],
    "2026-01-05T00:00:00Z",
    "2026-01-06T00:00:00Z",
    "2026-01-01T00:00:00Z",
    { durationMinutes: 90 },
  );
  assert.deepEqual(
    hourly.map((s) => s.start.slice(11, 16)),
    ["09:00", "10:00", "11:00", "12:00", "13:00", "14:00", "15:00"],
    "a 90-minute meeting must end by 17:00",
  );
});

Deno.test("New York: the hours stay local across spring-forward (8 March 2026)", () => {
  const h = hours({
    timeZone: "America/New_York",
    weekly: {
      "6": nineToFive,
      "7": [{ start: "00:00", end: "04:00" }, ...nineToFive],
      "1": nineToFive,
    },
  });
  const sat = day(h, "2026-03-07");
  const sun = day(h, "2026-03-08");
  const mon = day(h, "2026-03-09");
  assert.equal(sat.length, 16);
  assert.equal(sat[0], "2026-03-07T14:00:00Z", "09:00 EST");
  assert.equal(mon.length, 16);
  assert.equal(mon[0], "2026-03-09T13:00:00Z", "09:00 EDT");
  assert.equal(mon.at(-1), "2026-03-09T20:30:00Z", "16:30 EDT");
  // 00:00-04:00 that night is three real hours: the clocks skip 02:00-03:00.
  assert.deepEqual(sun.slice(0, 6), [
    "2026-03-08T05:00:00Z", // 00:00 EST
    "2026-03-08T05:30:00Z",
    "2026-03-08T06:00:00Z",
    "2026-03-08T06:30:00Z", // 01:30 EST
    "2026-03-08T07:00:00Z", // 03:00 EDT
    "2026-03-08T07:30:00Z", // 03:30 EDT
  ]);
  assert.equal(sun[6], "2026-03-08T13:00:00Z", "09:00 EDT, already after the change");
  assert.equal(sun.length, 6 + 16);
});

Deno.test("New York: fall-back (1 November 2026) has the repeated hour's slots", () => {
  const h = hours({
    timeZone: "America/New_York",
    weekly: {
      "6": nineToFive,
      "7": [{ start: "00:00", end: "04:00" }, ...nineToFive],
      "1": nineToFive,
    },
  });
  assert.equal(day(h, "2026-10-31")[0], "2026-10-31T13:00:00Z", "09:00 EDT");
  assert.equal(day(h, "2026-11-02")[0], "2026-11-02T14:00:00Z", "09:00 EST");
  const sun = day(h, "2026-11-01");
  // 00:00 EDT to 04:00 EST is five real hours: 01:00-02:00 happens twice.
  assert.deepEqual(sun.slice(0, 10), [
    "2026-11-01T04:00:00Z", // 00:00 EDT
    "2026-11-01T04:30:00Z",
    "2026-11-01T05:00:00Z", // 01:00 EDT
    "2026-11-01T05:30:00Z",
    "2026-11-01T06:00:00Z", // 01:00 EST
    "2026-11-01T06:30:00Z",
    "2026-11-01T07:00:00Z",
    "2026-11-01T07:30:00Z",
    "2026-11-01T08:00:00Z",
    "2026-11-01T08:30:00Z", // 03:30 EST
  ]);
  assert.equal(sun[10], "2026-11-01T14:00:00Z", "09:00 EST");
  assert.equal(sun.length, 10 + 16);
});

Deno.test("a working time the clocks skip resolves forward ('compatible')", () => {
  const h = hours({
    timeZone: "America/New_York",
    weekly: { "7": [{ start: "02:30", end: "04:00" }] },
  });
  // 02:30 does not exist on 8 March: it becomes 03:30 EDT, leaving one slot before 04:00.
  assert.deepEqual(day(h, "2026-03-08"), ["2026-03-08T07:30:00Z"]);
  assert.deepEqual(day(h, "2026-03-01"), [
    "2026-03-01T07:30:00Z",
    "2026-03-01T08:00:00Z",
    "2026-03-01T08:30:00Z",
  ]);
  // 01:30 happens twice on 1 November: the earlier (EDT) one is meant, and 01:30 EDT to
  // 02:00 EST is ninety real minutes, the repeated half hour included.
  const twice = hours({
    timeZone: "America/New_York",
    weekly: { "7": [{ start: "01:30", end: "02:00" }] },
  });
  assert.deepEqual(day(twice, "2026-11-01"), [
    "2026-11-01T05:30:00Z", // 01:30 EDT
    "2026-11-01T06:00:00Z", // 01:00 EST
    "2026-11-01T06:30:00Z", // 01:30 EST
  ]);
  assert.deepEqual(day(twice, "2026-11-08"), ["2026-11-08T06:30:00Z"]);
});

Deno.test("London: spring-forward (29 March) and fall-back (25 October 2026)", () => {
  const h = hours({
    timeZone: "Europe/London",
    weekly: { ...weekdays, "6": nineToFive, "7": [{ start: "00:00", end: "03:00" }] },
  });
  assert.equal(day(h, "2026-03-28")[0], "2026-03-28T09:00:00Z", "09:00 GMT");
  assert.equal(day(h, "2026-03-30")[0], "2026-03-30T08:00:00Z", "09:00 BST");
  assert.equal(day(h, "2026-03-30").length, 16);
  // 01:00 GMT jumps to 02:00 BST: 00:00-03:00 is two real hours.
  assert.deepEqual(day(h, "2026-03-29"), [
    "2026-03-29T00:00:00Z",
    "2026-03-29T00:30:00Z",
    "2026-03-29T01:00:00Z", // 02:00 BST
    "2026-03-29T01:30:00Z",
  ]);
  assert.equal(day(h, "2026-10-24")[0], "2026-10-24T08:00:00Z", "09:00 BST");
  assert.equal(day(h, "2026-10-26")[0], "2026-10-26T09:00:00Z", "09:00 GMT");
  // 02:00 BST falls back to 01:00 GMT: 00:00-03:00 is four real hours.
  const back = day(h, "2026-10-25");
  assert.equal(back.length, 8);
  assert.equal(back[0], "2026-10-24T23:00:00Z", "00:00 BST");
  assert.equal(back.at(-1), "2026-10-25T02:30:00Z", "02:30 GMT");
});

Deno.test("confirmed bookings and their buffer are excluded; cancelled ones are not", () => {
  const monday = ["2026-01-05T00:00:00-05:00", "2026-01-06T00:00:00-05:00"] as const;
  const ten = booked("2026-01-05T15:00:00Z", "2026-01-05T15:30:00Z"); // 10:00 EST
  const all = starts(newYork, ...monday);
  const free = starts(newYork, ...monday, [ten]);
  assert.deepEqual(all.filter((s) => !free.includes(s)), ["2026-01-05T15:00:00Z"]);
  assert.deepEqual(starts(newYork, ...monday, [{ ...ten, status: "cancelled" }]), all);

  const buffered = WorkingHours.parse({ ...newYork, bufferMinutes: 15 });
  const gaps = starts(buffered, ...monday, [ten]);
  assert.deepEqual(
    all.filter((s) => !gaps.includes(s)),
    ["2026-01-05T14:30:00Z", "2026-01-05T15:00:00Z", "2026-01-05T15:30:00Z"],
    "15 minutes kept clear on either side",
  );
  const hour = freeSlots(newYork, [ten], ...monday, "2026-01-01T00:00:00Z", {
    durationMinutes: 60,
  });
  assert.ok(!hour.some((s) => s.start === "2026-01-05T14:30:00Z"), "would run into 10:00");
  assert.deepEqual(hour[0], { start: "2026-01-05T14:00:00Z", end: "2026-01-05T15:00:00Z" });
});

Deno.test("minimum notice and the horizon bound the offer", () => {
  const h = WorkingHours.parse({ ...newYork, minNoticeMinutes: 60, horizonDays: 2 });
  const now = "2026-01-05T14:10:00Z"; // Monday 09:10 EST
  const slots = freeSlots(h, [], "2026-01-05T00:00:00Z", "2026-01-10T00:00:00Z", now);
  assert.equal(slots[0]!.start, "2026-01-05T15:30:00Z", "10:30: the first slot an hour away");
  assert.equal(slots.at(-1)!.start, "2026-01-07T14:00:00Z", "Wednesday 09:00, before the horizon");
  assert.equal(slots.length, 13 + 16 + 1);
});

Deno.test("checkSlot says why a slot is refused", () => {
  const now = "2026-01-05T13:30:00Z"; // Monday 08:30 EST
  const taken = [booked("2026-01-06T15:00:00Z", "2026-01-06T16:00:00Z")];
  const check = (start: string, minutes = 30) => checkSlot(newYork, taken, start, minutes, now);
  const reason = (start: string, minutes = 30) => {
    const c = check(start, minutes);
    return c.ok ? "ok" : c.reason;
  };
  assert.deepEqual(check("2026-01-06T14:00:00Z"), {
    ok: true,
    start: "2026-01-06T14:00:00Z",
    end: "2026-01-06T14:30:00Z",
  });
  assert.equal(reason("2026-01-05T13:00:00Z"), "in_the_past");
  assert.equal(reason("2026-01-05T14:00:00Z"), "too_soon");
  assert.equal(reason("2026-02-05T14:00:00Z"), "beyond_horizon");
  assert.equal(reason("2026-01-10T15:00:00Z"), "outside_working_hours", "Saturday");
  assert.equal(reason("2026-01-06T13:30:00Z"), "outside_working_hours", "08:30");
  assert.equal(reason("2026-01-06T21:30:00Z", 60), "outside_working_hours", "runs past 17:00");
  assert.equal(reason("2026-01-06T14:10:00Z"), "misaligned");
  assert.equal(reason("2026-01-06T15:30:00Z"), "slot_taken");
  assert.equal(reason("2026-01-06T14:30:00Z", 60), "slot_taken");
  const moved = checkSlot(newYork, taken, "2026-01-06T15:30:00Z", 60, now, {
    ignoreBookingId: taken[0]!.id,
  });
  assert.equal(moved.ok, true, "a booking being moved does not block itself");
  const misaligned = check("2026-01-06T14:10:00Z");
  assert.ok(!misaligned.ok);
  assert.match(misaligned.message, /every 30 minutes from 2026-01-06T09:00/);
});

Deno.test("checkSlot accepts exactly the slots freeSlots offers", () => {
  const h = WorkingHours.parse({
    timeZone: "America/New_York",
    weekly: {
      ...weekdays,
      "7": [{ start: "00:00", end: "04:00" }, { start: "10:00", end: "11:15" }],
    },
    slotMinutes: 45,
    bufferMinutes: 10,
    minNoticeMinutes: 90,
    horizonDays: 5,
  });
  const now = "2026-03-05T15:05:00Z";
  const bookings = [booked("2026-03-06T16:30:00Z", "2026-03-06T17:15:00Z")];
  const from = Temporal.Instant.from("2026-03-05T00:00:00Z");
  const to = from.add({ hours: 24 * 6 });
  const offered = new Set(
    freeSlots(h, bookings, from, to, now, { durationMinutes: 45 }).map((s) => s.start),
  );
  assert.ok(offered.size > 20);
  for (let t = from; Temporal.Instant.compare(t, to) < 0; t = t.add({ minutes: 5 })) {
    const c = checkSlot(h, bookings, t, 45, now);
    assert.equal(c.ok, offered.has(t.toString()), `${t} ${c.ok ? "" : c.reason}`);
  }
});
