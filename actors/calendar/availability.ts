/**
 * Free-slot computation: pure functions from a member's working hours, their
 * bookings and the time to the slots that can be booked. Working hours are
 * wall-clock times in the member's zone, turned into instants day by day with
 * Temporal, so 09:00–17:00 stays 09:00–17:00 local across DST changes.
 *
 * @module
 */
import {
  type Booking,
  type BookingConflictReason,
  minutesOfDay,
  type Slot,
  WEEKDAYS,
  type WorkingHours,
} from "../../shared/mod.ts";

/** An instant as Temporal, an ISO string with offset, or epoch milliseconds. */
export type InstantInput = Temporal.Instant | string | number;

/** What availability needs to know of a booking. */
export type BookedInterval = Pick<Booking, "id" | "start" | "end" | "status">;

/** Options of {@link freeSlots} and {@link checkSlot}. */
export interface SlotOptions {
  /** Length of the meeting to fit, minutes (default the member's slot length). */
  durationMinutes?: number;
  /** A booking to disregard: the one being rescheduled must not block its own new time. */
  ignoreBookingId?: string;
}

/** Whether a slot can be booked, and why not when it cannot. */
export type SlotCheck =
  | { ok: true; start: string; end: string }
  | { ok: false; reason: BookingConflictReason; message: string };

const MINUTE = 60_000;

function epochMs(t: InstantInput): number {
  if (typeof t === "number") return t;
  return (typeof t === "string" ? Temporal.Instant.from(t) : t).epochMilliseconds;
}

function iso(ms: number): string {
  return Temporal.Instant.fromEpochMilliseconds(ms).toString();
}

/**
 * The instant of a wall-clock time on a local date. A time the clocks skip
 * (02:30 on a spring-forward night) resolves as Temporal's "compatible" does:
 * pushed forward by the gap; a time that happens twice takes the earlier one.
 */
function localInstant(date: Temporal.PlainDate, hhmm: string, zone: string): number {
  const m = minutesOfDay(hhmm);
  const day = m === 24 * 60 ? date.add({ days: 1 }) : date;
  return day.toPlainDateTime({ hour: Math.floor(m / 60) % 24, minute: m % 60 })
    .toZonedDateTime(zone, { disambiguation: "compatible" }).epochMilliseconds;
}

/** Working windows (epoch ms, half-open) of the local days touching `[fromMs, toMs)`, sorted. */
function workingWindows(
  hours: WorkingHours,
  fromMs: number,
  toMs: number,
): Array<[number, number]> {
  const zone = hours.timeZone;
  const localDate = (ms: number) =>
    Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(zone).toPlainDate();
  const last = localDate(toMs);
  const out: Array<[number, number]> = [];
  // From the day before, in case a window of that day ends at 24:00 local.
  for (let d = localDate(fromMs).subtract({ days: 1 }); Temporal.PlainDate.compare(d, last) <= 0;) {
    for (const iv of hours.weekly[WEEKDAYS[d.dayOfWeek - 1]!]) {
      const start = localInstant(d, iv.start, zone);
      const end = localInstant(d, iv.end, zone);
      // A window lying wholly inside a spring-forward gap collapses to nothing.
      if (end > start && end > fromMs && start < toMs) out.push([start, end]);
    }
    d = d.add({ days: 1 });
  }
  return out.sort((a, b) => a[0] - b[0]);
}

/** The rules that hold for any candidate slot, as numbers computed once per call. */
class Rules {
  readonly slotMs: number;
  readonly durationMs: number;
  readonly earliest: number;
  readonly horizon: number;
  readonly blocked: Array<[number, number]>;

  constructor(
    readonly hours: WorkingHours,
    bookings: readonly BookedInterval[],
    readonly now: number,
    opts: SlotOptions,
  ) {
    this.slotMs = hours.slotMinutes * MINUTE;
    this.durationMs = (opts.durationMinutes ?? hours.slotMinutes) * MINUTE;
    this.earliest = now + hours.minNoticeMinutes * MINUTE;
    // Days in the member's zone, so the horizon is a number of calendar days even across DST.
    this.horizon = Temporal.Instant.fromEpochMilliseconds(now).toZonedDateTimeISO(hours.timeZone)
      .add({ days: hours.horizonDays }).epochMilliseconds;
    const buffer = hours.bufferMinutes * MINUTE;
    this.blocked = bookings
      .filter((b) => b.status === "confirmed" && b.id !== opts.ignoreBookingId)
      .map((b) => [epochMs(b.start) - buffer, epochMs(b.end) + buffer]);
  }

  /** Why `start` is not bookable on time grounds, or undefined when it is. */
  timing(start: number): SlotCheck | undefined {
    if (start < this.now) return refuse("in_the_past", `${iso(start)} has already passed`);
    if (start < this.earliest) {
      return refuse(
        "too_soon",
        `bookings need ${this.hours.minNoticeMinutes} minutes' notice; the earliest is ${
          iso(this.earliest)
        }`,
      );
    }
    if (start >= this.horizon) {
      return refuse(
        "beyond_horizon",
        `bookings open ${this.hours.horizonDays} days ahead, until ${iso(this.horizon)}`,
      );
    }
    return undefined;
  }

  /** Whether `[start, start + duration)` overlaps a confirmed booking or its buffer. */
  taken(start: number): boolean {
    const end = start + this.durationMs;
    return this.blocked.some(([s, e]) => start < e && end > s);
  }
}

function refuse(reason: BookingConflictReason, message: string): SlotCheck {
  return { ok: false, reason, message };
}

/**
 * The free slots starting in `[from, to)`: on the member's slot grid (which
 * starts at each working interval's start), fitting wholly inside the
 * interval, at least the minimum notice after `now`, before the horizon, and
 * clear of confirmed bookings plus the buffer on either side.
 */
export function freeSlots(
  hours: WorkingHours,
  bookings: readonly BookedInterval[],
  from: InstantInput,
  to: InstantInput,
  now: InstantInput,
  opts: SlotOptions = {},
): Slot[] {
  const fromMs = epochMs(from);
  const toMs = epochMs(to);
  const rules = new Rules(hours, bookings, epochMs(now), opts);
  const slots: Slot[] = [];
  for (const [ws, we] of workingWindows(hours, fromMs, toMs)) {
    for (let s = ws; s + rules.durationMs <= we; s += rules.slotMs) {
      if (s < fromMs || s >= toMs) continue;
      if (rules.timing(s) !== undefined || rules.taken(s)) continue;
      slots.push({ start: iso(s), end: iso(s + rules.durationMs) });
    }
  }
  return slots;
}

/**
 * Whether a meeting of `durationMinutes` can be booked at `start`: exactly
 * the slots {@link freeSlots} offers pass, and a refusal says why, so a caller
 * can tell "pick another time" from "that time is not on the grid".
 */
export function checkSlot(
  hours: WorkingHours,
  bookings: readonly BookedInterval[],
  start: InstantInput,
  durationMinutes: number,
  now: InstantInput,
  opts: Omit<SlotOptions, "durationMinutes"> = {},
): SlotCheck {
  const s = epochMs(start);
  const rules = new Rules(hours, bookings, epochMs(now), { ...opts, durationMinutes });
  const early = rules.timing(s);
  if (early) return early;
  const window = workingWindows(hours, s, s + 1).find(([ws, we]) => ws <= s && s < we);
  const zone = hours.timeZone;
  const local = (ms: number) =>
    Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(zone).toPlainDateTime()
      .toString({ smallestUnit: "minute" });
  if (!window) {
    return refuse("outside_working_hours", `${local(s)} (${zone}) is outside working hours`);
  }
  const [ws, we] = window;
  if ((s - ws) % rules.slotMs !== 0) {
    return refuse(
      "misaligned",
      `slots start every ${hours.slotMinutes} minutes from ${local(ws)} (${zone})`,
    );
  }
  if (s + rules.durationMs > we) {
    return refuse(
      "outside_working_hours",
      `a ${durationMinutes}-minute meeting at ${local(s)} runs past ${local(we)} (${zone})`,
    );
  }
  if (rules.taken(s)) {
    return refuse("slot_taken", `${iso(s)} overlaps another booking or its buffer`);
  }
  return { ok: true, start: iso(s), end: iso(s + rules.durationMs) };
}
