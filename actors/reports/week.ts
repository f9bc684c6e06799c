/**
 * ISO weeks (`2026-W23`) in a tenant's time zone: parsing and naming them,
 * and the instants a week starts and ends at (local Monday midnights), so a
 * weekly report counts the days its readers lived through.
 *
 * @module
 */
import { ValidationError } from "../../shared/errors.ts";

/** A week of a tenant: its ISO name, its bounds [start, end) and its local days. */
export interface ReportWeek {
  /** ISO week name, e.g. `2026-W23`. */
  week: string;
  /** Local Monday 00:00, epoch ms. */
  start: number;
  /** The next local Monday 00:00, epoch ms (a DST change makes it 167 or 169 hours later). */
  end: number;
  /** The seven local dates, `YYYY-MM-DD`, Monday first. */
  days: string[];
  timeZone: string;
}

const DAY = 24 * 3_600_000;
const WEEK_PATTERN = /^(\d{4})-W(\d{2})$/;

/** The local calendar date of `at` in `timeZone`, `YYYY-MM-DD`. */
export function localDate(at: number, timeZone: string): string {
  // en-CA formats dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(new Date(at));
}

/** Local time minus UTC at `at`, ms. */
function offsetAt(at: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  }).formatToParts(new Date(at));
  const n = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const asUtc = Date.UTC(n("year"), n("month") - 1, n("day"), n("hour"), n("minute"), n("second"));
  return asUtc - (at - (((at % 1000) + 1000) % 1000));
}

/** The instant local midnight starts `date` (`YYYY-MM-DD`) in `timeZone`. */
export function localMidnight(date: string, timeZone: string): number {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d);
  // Two passes settle the offset on either side of a DST change.
  const first = wall - offsetAt(wall, timeZone);
  return wall - offsetAt(first, timeZone);
}

/** The ISO week name of a calendar date. */
export function isoWeekOf(date: string): string {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const day = new Date(Date.UTC(y, m - 1, d));
  const dow = day.getUTCDay() || 7;
  // The Thursday of this week decides its year.
  const thursday = new Date(day.getTime() + (4 - dow) * DAY);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / DAY / 7) + 1;
  return `${year}-W${String(week).padStart(2, "0")}`;
}

/** The Monday (`YYYY-MM-DD`) of ISO week `week`; a ValidationError naming `field` if malformed. */
export function mondayOf(week: string, field = "week"): string {
  const m = WEEK_PATTERN.exec(week);
  const bad = (message: string) => new ValidationError("week", [{ path: field, message }]);
  if (!m) throw bad("expected an ISO week such as 2026-W23");
  const year = Number(m[1]);
  const n = Number(m[2]);
  if (year < 1970 || year > 9998) throw bad("year out of range (1970-9998)");
  const jan4 = Date.UTC(year, 0, 4);
  const monday1 = jan4 - ((new Date(jan4).getUTCDay() || 7) - 1) * DAY;
  const monday = new Date(monday1 + (n - 1) * 7 * DAY).toISOString().slice(0, 10);
  if (n < 1 || isoWeekOf(monday) !== week) throw bad(`${year} has no week ${n}`);
  return monday;
}

/** The bounds and days of ISO week `week` in `timeZone`. */
export function reportWeek(week: string, timeZone: string): ReportWeek {
  const monday = mondayOf(week);
  const base = Date.parse(`${monday}T00:00:00Z`);
  const days = Array.from(
    { length: 7 },
    (_, i) => new Date(base + i * DAY).toISOString().slice(0, 10),
  );
  const next = new Date(base + 7 * DAY).toISOString().slice(0, 10);
  return {
    week,
    start: localMidnight(monday, timeZone),
    end: localMidnight(next, timeZone),
    days,
    timeZone,
  };
}

/** The last full week before `at` in `timeZone` (what a Monday-morning report covers). */
export function previousWeek(at: number, timeZone: string): ReportWeek {
  return reportWeek(isoWeekOf(localDate(at - 7 * DAY, timeZone)), timeZone);
}
