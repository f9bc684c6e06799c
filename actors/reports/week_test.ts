import assert from "node:assert/strict";
import { ValidationError } from "../../shared/errors.ts";
import { isoWeekOf, localDate, localMidnight, mondayOf, previousWeek, reportWeek } from "./week.ts";

Deno.test("week: ISO week names at year edges", () => {
  assert.equal(isoWeekOf("2026-01-01"), "2026-W01"); // a Thursday
  assert.equal(isoWeekOf("2027-01-01"), "2026-W53"); // a Friday: 2026 has 53 weeks
  assert.equal(isoWeekOf("2024-12-30"), "2025-W01"); // a Monday
  assert.equal(isoWeekOf("2026-06-01"), "2026-W23");
  assert.equal(mondayOf("2026-W23"), "2026-06-01");
  assert.equal(mondayOf("2026-W53"), "2026-12-28");
  assert.equal(mondayOf("2025-W01"), "2024-12-30");
});

Deno.test("week: a malformed or missing week is a ValidationError naming the field", () => {
  for (const bad of ["2026-23", "2026-W00", "2025-W53", "2026-W99", "x"]) {
    assert.throws(
      () => mondayOf(bad),
      (e) => e instanceof ValidationError && /week/.test(e.message),
    );
  }
});

Deno.test("week: bounds are local midnights, 167 hours across the spring DST change", () => {
  const w = reportWeek("2026-W10", "America/New_York"); // DST starts Sunday 2026-03-08
  assert.equal(new Date(w.start).toISOString(), "2026-03-02T05:00:00.000Z");
  assert.equal(new Date(w.end).toISOString(), "2026-03-09T04:00:00.000Z");
  assert.equal((w.end - w.start) / 3_600_000, 167);
  assert.deepEqual(w.days, [
    "2026-03-02",
    "2026-03-03",
    "2026-03-04",
    "2026-03-05",
    "2026-03-06",
    "2026-03-07",
    "2026-03-08",
  ]);
  assert.equal(localMidnight("2026-06-01", "Asia/Tokyo"), Date.parse("2026-05-31T15:00:00Z"));
  assert.equal(localDate(Date.parse("2026-05-31T15:00:00Z"), "Asia/Tokyo"), "2026-06-01");
});

Deno.test("week: a Monday 08:00 report covers the week before", () => {
  const monday8 = Date.parse("2026-06-08T12:00:00Z"); // 08:00 in New York
  assert.equal(previousWeek(monday8, "America/New_York").week, "2026-W23");
});
