/**
 * Week arithmetic for the bookings calendar, in an IANA time zone, with
 * `Intl` only: browsers do not all have `Temporal` yet, and the calendar
 * must place a booking on the day it falls on where the viewer is, across
 * daylight-saving changes (a week is then 167 or 169 hours long).
 *
 * Dates are `YYYY-MM-DD` strings (a calendar day, no zone); instants are
 * epoch milliseconds.
 *
 * @module
 */

/** One day of a week: its date and the instants it begins and ends at in the zone. */
export interface WeekDay {
  date: string;
  /** Local midnight, epoch ms. */
  start: number;
  /** The next day's local midnight, epoch ms (exclusive). */
  end: number;
}

/** A week from Monday to Sunday in a time zone. */
export interface Week {
  /** The Monday's date. */
  monday: string;
  timeZone: string;
  days: WeekDay[];
  /** Monday's local midnight, epoch ms. */
  from: number;
  /** The next Monday's local midnight, epoch ms (exclusive). */
  to: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function wallClock(ms: number, timeZone: string): number[] {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, f);
  }
  const parts: Record<string, number> = {};
  for (const p of f.formatToParts(ms)) {
    if (p.type !== "literal") parts[p.type] = Number(p.value);
  }
  return [parts.year!, parts.month!, parts.day!, parts.hour!, parts.minute!, parts.second!];
}

/** How far the zone's wall clock is ahead of UTC at `ms`, in ms (negative west of Greenwich). */
export function zoneOffset(ms: number, timeZone: string): number {
  const [y, mo, d, h, mi, s] = wallClock(ms, timeZone);
  return Date.UTC(y!, mo! - 1, d!, h!, mi!, s!) - (ms - (((ms % 1000) + 1000) % 1000));
}

/** The date (`YYYY-MM-DD`) it is in `timeZone` at `ms`. */
export function dateIn(ms: number, timeZone: string): string {
  const [y, mo, d] = wallClock(ms, timeZone);
  return isoDate(Date.UTC(y!, mo! - 1, d!));
}

function isoDate(utcMs: number): string {
  return new Date(utcMs).toISOString().slice(0, 10);
}

function utcNoon(date: string): number {
  const [y, m, d] = date.split("-").map(Number);
  return Date.UTC(y!, m! - 1, d!, 12);
}

/** `date` moved by `days` calendar days. */
export function addDays(date: string, days: number): string {
  return isoDate(utcNoon(date) + days * 86_400_000);
}

/** The Monday on or before `date`. */
export function mondayOf(date: string): string {
  const weekday = new Date(utcNoon(date)).getUTCDay(); // Sunday 0
  return addDays(date, -((weekday + 6) % 7));
}

/**
 * The instant `date` begins in `timeZone`: local midnight, or the first
 * instant of the day where a daylight-saving jump skips midnight.
 */
export function startOfDay(date: string, timeZone: string): number {
  const wall = utcNoon(date) - 12 * 3_600_000;
  // The offset at the guess may differ from the offset at midnight by one jump; twice settles it.
  let guess = wall - zoneOffset(wall, timeZone);
  guess = wall - zoneOffset(guess, timeZone);
  // Midnight skipped (the clock jumps from 23:59 to 01:00): the guess lands on the day before.
  while (dateIn(guess, timeZone) < date) guess += 15 * 60_000;
  return guess;
}

/** The week (Monday to Sunday) that begins on `monday`, in `timeZone`. */
export function weekStarting(monday: string, timeZone: string): Week {
  const dates = Array.from({ length: 8 }, (_, i) => addDays(monday, i));
  const starts = dates.map((d) => startOfDay(d, timeZone));
  const days = dates.slice(0, 7).map((date, i) => ({
    date,
    start: starts[i]!,
    end: starts[i + 1]!,
  }));
  return { monday, timeZone, days, from: starts[0]!, to: starts[7]! };
}

/** The week holding the instant `ms` in `timeZone`. */
export function weekOf(ms: number, timeZone: string): Week {
  return weekStarting(mondayOf(dateIn(ms, timeZone)), timeZone);
}

/**
 * `items` on the day of the week their `start` (an ISO instant) falls on,
 * each day's items by start time; items outside the week are left out.
 */
export function byDay<T extends { start: string }>(
  items: readonly T[],
  week: Week,
): Map<string, T[]> {
  const out = new Map<string, T[]>(week.days.map((d) => [d.date, []]));
  const sorted = [...items].sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
  for (const item of sorted) {
    const at = Date.parse(item.start);
    const day = week.days.find((d) => at >= d.start && at < d.end);
    if (day) out.get(day.date)!.push(item);
  }
  return out;
}

/** The week's dates as a heading, e.g. `30 Nov – 6 Dec 2026` (in `locale`). */
export function weekLabel(week: Week, locale?: string): string {
  const f = new Intl.DateTimeFormat(locale, {
    timeZone: "UTC",
    day: "numeric",
    month: "short",
    year: "numeric",
  });
  return f.formatRange(utcNoon(week.monday), utcNoon(addDays(week.monday, 6)));
}

/** A day's heading, e.g. `Monday 30 November` (in `locale`). */
export function dayLabel(date: string, locale?: string): string {
  return new Intl.DateTimeFormat(locale, {
    timeZone: "UTC",
    weekday: "long",
    day: "numeric",
    month: "long",
  }).format(utcNoon(date));
}

/** A meeting's time in `timeZone` with the zone named, e.g. `10:00 – 10:30 CET`. */
export function timeSpan(start: string, end: string, timeZone: string, locale?: string): string {
  const f = new Intl.DateTimeFormat(locale, {
    timeZone,
    hour: "2-digit",
    minute: "2-digit",
    timeZoneName: "short",
  });
  return f.formatRange(Date.parse(start), Date.parse(end));
}

/** A slot to pick, e.g. `Fri 4 Dec, 10:00 CET` (in `timeZone`). */
export function slotLabel(start: string, timeZone: string, locale?: string): string {
  return new Intl.DateTimeFormat(locale, {
    timeZone,
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
    timeZoneName: "short",
  }).format(Date.parse(start));
}
