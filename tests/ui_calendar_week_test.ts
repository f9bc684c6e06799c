/**
 * The calendar's week arithmetic against Temporal (which the server uses
 * and the browser may lack): Monday-to-Sunday weeks begin at local midnight,
 * across daylight-saving changes and where midnight itself is skipped, and
 * bookings land on the day they start in the viewer's zone.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  addDays,
  byDay,
  dateIn,
  mondayOf,
  startOfDay,
  weekOf,
  weekStarting,
  zoneOffset,
} from "../ui/dashboard/views/_calendar_week.ts";

const HOUR = 3_600_000;

function temporalMidnight(date: string, zone: string): number {
  return Temporal.PlainDate.from(date).toZonedDateTime({ timeZone: zone }).epochMilliseconds;
}

Deno.test("week starts on Monday whatever day it is asked from", () => {
  assert.equal(mondayOf("2026-12-03"), "2026-11-30"); // Thursday
  assert.equal(mondayOf("2026-11-30"), "2026-11-30"); // Monday itself
  assert.equal(mondayOf("2026-12-06"), "2026-11-30"); // Sunday belongs to the week before
  assert.equal(mondayOf("2027-01-01"), "2026-12-28"); // across a year
  assert.equal(addDays("2024-02-28", 1), "2024-02-29");
  assert.equal(addDays("2026-03-01", -1), "2026-02-28");
});

Deno.test("days begin at local midnight, as Temporal says, in zones east and west", () => {
  for (
    const zone of ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Pacific/Auckland"]
  ) {
    for (const date of ["2026-01-15", "2026-03-08", "2026-03-29", "2026-10-25", "2026-11-01"]) {
      assert.equal(startOfDay(date, zone), temporalMidnight(date, zone), `${date} in ${zone}`);
    }
  }
});

Deno.test("a week across the spring change is 167 hours, across the autumn change 169", () => {
  const spring = weekStarting("2026-03-23", "Europe/Berlin");
  assert.equal(spring.to - spring.from, 167 * HOUR);
  assert.equal(spring.days[6]!.end - spring.days[6]!.start, 23 * HOUR);
  const autumn = weekStarting("2026-10-19", "Europe/Berlin");
  assert.equal(autumn.to - autumn.from, 169 * HOUR);
  assert.equal(
    autumn.days.map((d) => d.date).join(","),
    [
      "2026-10-19",
      "2026-10-20",
      "2026-10-21",
      "2026-10-22",
      "2026-10-23",
      "2026-10-24",
      "2026-10-25",
    ].join(","),
  );
});

Deno.test("where the clock skips midnight, the day begins at its first instant", () => {
  // Chile moves its clocks from 00:00 to 01:00 on the first Saturday-to-Sunday night of September.
  const date = "2026-09-06";
  const zone = "America/Santiago";
  const start = startOfDay(date, zone);
  assert.equal(start, temporalMidnight(date, zone));
  assert.equal(dateIn(start, zone), date);
  assert.equal(dateIn(start - 1, zone), "2026-09-05");
});

Deno.test("the week of an instant is the viewer's, not UTC's", () => {
  // Sunday 23:30 in New York is Monday 04:30 UTC: still the week before there.
  const at = Date.parse("2026-12-07T04:30:00Z");
  assert.equal(weekOf(at, "America/New_York").monday, "2026-11-30");
  assert.equal(weekOf(at, "UTC").monday, "2026-12-07");
  assert.equal(zoneOffset(at, "America/New_York"), -5 * HOUR);
  assert.equal(zoneOffset(at, "Asia/Kolkata"), 5.5 * HOUR);
});

Deno.test("bookings are placed on the day they start, in time order, the week's only", () => {
  const week = weekStarting("2026-11-30", "America/New_York");
  const items = [
    { id: "late", start: "2026-12-07T04:30:00Z" }, // Sunday 23:30 local
    { id: "tue-b", start: "2026-12-01T20:00:00Z" }, // Tuesday 15:00
    { id: "tue-a", start: "2026-12-01T14:00:00Z" }, // Tuesday 09:00
    { id: "before", start: "2026-11-30T04:59:00Z" }, // Sunday 23:59 the week before
    { id: "after", start: "2026-12-07T05:00:00Z" }, // next Monday 00:00
  ];
  const days = byDay(items, week);
  assert.equal(days.size, 7);
  assert.deepEqual(days.get("2026-12-01")!.map((b) => b.id), ["tue-a", "tue-b"]);
  assert.deepEqual(days.get("2026-12-06")!.map((b) => b.id), ["late"]);
  const all = [...days.values()].flat().map((b) => b.id);
  assert.ok(!all.includes("before") && !all.includes("after"), all.join(","));
});
