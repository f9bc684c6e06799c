/**
 * Bookings: a team member's working hours and the commands, events, replies
 * and notices of their calendar. Times on the wire are ISO instants (`Z` or
 * an offset), normalised to UTC `Z` form so equal instants compare equal as
 * strings; wall-clock hours are interpreted in the member's IANA time zone.
 *
 * @module
 */
/**
 * zod's types are documented by zod. Without this tag deno doc flags each one
 * in a public signature here as a private type (denoland/deno#27364).
 *
 * @internal
 */
import { z } from "zod";
import { isKeyPart } from "./ids.ts";

/** The canonical id of an IANA zone (`america/new_york` → `America/New_York`), or undefined. */
export function canonicalTimeZone(name: string): string | undefined {
  // Fixed offsets parse as zones too, but they have no DST rules, so a member's
  // hours would drift an hour twice a year: only named zones are accepted.
  if (!/^[A-Za-z]/.test(name)) return undefined;
  try {
    return Temporal.Instant.fromEpochMilliseconds(0).toZonedDateTimeISO(name).timeZoneId;
  } catch {
    return undefined;
  }
}

/** An IANA time zone name such as `Europe/London`; parsed to its canonical spelling. */
export const TimeZone = z.string().max(64).transform((name, ctx) => {
  const zone = canonicalTimeZone(name);
  if (zone === undefined) {
    ctx.issues.push({
      code: "custom",
      input: name,
      message: `${JSON.stringify(name)} is not an IANA time zone such as Europe/London`,
    });
    return z.NEVER;
  }
  return zone;
});

/**
 * The instants the API takes, years 1 to 9999: wider ones parse, but then
 * fail in calendar arithmetic and in Postgres (a 500, or a stopped node).
 */
export const INSTANT_RANGE_MS = { min: -62_135_596_800_000, max: 253_402_300_799_999 } as const;

/** An instant: ISO 8601 with `Z` or an offset, years 1 to 9999; parsed to UTC `Z` form. */
export const IsoInstant = z.string().max(64).transform((text, ctx) => {
  try {
    const instant = Temporal.Instant.from(text);
    const ms = instant.epochMilliseconds;
    if (ms < INSTANT_RANGE_MS.min || ms > INSTANT_RANGE_MS.max) {
      ctx.issues.push({ code: "custom", input: text, message: "expected a year from 1 to 9999" });
      return z.NEVER;
    }
    return instant.toString();
  } catch {
    ctx.issues.push({
      code: "custom",
      input: text,
      message: "expected an ISO instant with Z or an offset, e.g. 2026-03-09T09:00:00-04:00",
    });
    return z.NEVER;
  }
});

const CLOCK_TIME = /^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/;

/** Minutes after midnight of an `HH:MM` wall-clock time (`24:00` is 1440). */
export function minutesOfDay(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

/** A span of one day's working time, wall clock in the member's zone; `end` may be `24:00`. */
export const WorkingInterval = z.object({
  start: z.string().regex(CLOCK_TIME, "expected HH:MM (00:00-23:59)")
    .refine((s) => s !== "24:00", "a day's hours cannot start at 24:00"),
  end: z.string().regex(CLOCK_TIME, "expected HH:MM (00:00-24:00)"),
}).refine((i) => minutesOfDay(i.start) < minutesOfDay(i.end), {
  path: ["end"],
  message: "end must be after start",
  when: (p) => p.issues.length === 0,
});

/** A span of one day's working time. */
export type WorkingInterval = z.infer<typeof WorkingInterval>;

const Day = z.array(WorkingInterval).max(24).default([]).superRefine((day, ctx) => {
  const order = day.map((_, i) => i).sort((a, b) =>
    minutesOfDay(day[a]!.start) - minutesOfDay(day[b]!.start)
  );
  for (let k = 1; k < order.length; k++) {
    const prev = day[order[k - 1]!]!;
    const cur = day[order[k]!]!;
    if (minutesOfDay(cur.start) < minutesOfDay(prev.end)) {
      ctx.addIssue({
        code: "custom",
        path: [order[k]!, "start"],
        message: `overlaps ${prev.start}-${prev.end}`,
      });
    }
  }
});

/** ISO weekday numbers as `weekly` keys: Monday is 1, Sunday 7 (Temporal's `dayOfWeek`). */
export const WEEKDAYS = ["1", "2", "3", "4", "5", "6", "7"] as const;

/** A member's weekly hours and booking rules. */
export const WorkingHours = z.object({
  timeZone: TimeZone,
  // Strict, so a weekday typed as 0 or 8 is refused rather than silently dropped.
  weekly: z.strictObject({
    "1": Day,
    "2": Day,
    "3": Day,
    "4": Day,
    "5": Day,
    "6": Day,
    "7": Day,
  }),
  slotMinutes: z.number().int().min(5).max(240).default(30),
  bufferMinutes: z.number().int().min(0).max(240).default(0),
  minNoticeMinutes: z.number().int().min(0).max(60 * 24 * 30).default(60),
  horizonDays: z.number().int().min(1).max(365).default(30),
});

/** A member's weekly hours and booking rules, defaults applied. */
export type WorkingHours = z.infer<typeof WorkingHours>;
/** Working hours as a caller writes them: defaults may be left out. */
export type WorkingHoursInput = z.input<typeof WorkingHours>;

/** Who the booking is with; email and phone are where notices go. */
export const Attendee = z.object({
  name: z.string().trim().min(1).max(200),
  email: z.email().max(254).optional(),
  phone: z.string().regex(/^\+[1-9]\d{6,14}$/, "expected an E.164 number such as +14155550100")
    .optional(),
  /** Notices show times in this zone; the member's zone when absent. */
  timeZone: TimeZone.optional(),
});

/** Who the booking is with. */
export type Attendee = z.infer<typeof Attendee>;

const DurationMinutes = z.number().int().min(5).max(480);
const IdempotencyKey = z.string().min(1).max(128);
const BookingId = z.string().min(1).max(64);

/** Input of the calendar's `book` command. */
export const BookSlot = z.object({
  start: IsoInstant,
  durationMinutes: DurationMinutes,
  leadId: z.string().refine(isKeyPart, "1-128 of letters, digits, _ . : @ + -"),
  attendee: Attendee,
  /** The same key again returns the booking it made instead of booking twice. */
  idempotencyKey: IdempotencyKey,
});

/** Input of the calendar's `book` command. */
export type BookSlot = z.input<typeof BookSlot>;

/** Input of the calendar's `reschedule` command: the booking keeps its duration. */
export const RescheduleBooking = z.object({
  bookingId: BookingId,
  start: IsoInstant,
  idempotencyKey: IdempotencyKey,
});

/** Input of the calendar's `reschedule` command. */
export type RescheduleBooking = z.input<typeof RescheduleBooking>;

/** Input of the calendar's `cancel` command. */
export const CancelBooking = z.object({
  bookingId: BookingId,
  reason: z.string().trim().min(1).max(500).optional(),
});

/** Input of the calendar's `cancel` command. */
export type CancelBooking = z.input<typeof CancelBooking>;

const MAX_RANGE_MS = 31 * 24 * 3_600_000;

/** An availability request: free slots starting in `[from, to)`, at most 31 days. */
export const AvailabilityQuery = z.object({
  from: IsoInstant,
  to: IsoInstant,
  /** Length of the meeting to fit; the member's slot length when absent. */
  durationMinutes: DurationMinutes.optional(),
}).superRefine((q, ctx) => {
  const span = Temporal.Instant.from(q.to).epochMilliseconds -
    Temporal.Instant.from(q.from).epochMilliseconds;
  if (span <= 0) ctx.addIssue({ code: "custom", path: ["to"], message: "must be after from" });
  else if (span > MAX_RANGE_MS) {
    ctx.addIssue({ code: "custom", path: ["to"], message: "at most 31 days after from" });
  }
});

/** An availability request. */
export type AvailabilityQuery = z.input<typeof AvailabilityQuery>;

/** A bookable span of time. */
export const Slot = z.object({ start: IsoInstant, end: IsoInstant });

/** A bookable span of time, UTC `Z` instants. */
export type Slot = z.infer<typeof Slot>;

/** A booking as the calendar holds it. */
export const Booking = z.object({
  id: BookingId,
  start: IsoInstant,
  end: IsoInstant,
  leadId: z.string(),
  attendee: Attendee,
  status: z.enum(["confirmed", "cancelled"]),
  createdAt: IsoInstant,
  /** Given when cancelled with a reason. */
  cancelReason: z.string().optional(),
});

/** A booking as the calendar holds it. */
export type Booking = z.infer<typeof Booking>;

/** Why a slot could not be booked or a booking changed. */
export const BookingConflictReason = z.enum([
  "no_working_hours",
  "in_the_past",
  "too_soon",
  "beyond_horizon",
  "outside_working_hours",
  "misaligned",
  "slot_taken",
  "booking_cancelled",
  "booking_started",
]);

/** Why a slot could not be booked or a booking changed. */
export type BookingConflictReason = z.infer<typeof BookingConflictReason>;

/** A refusal that is an expected outcome, not an error: the caller picks another slot. */
export const BookingConflict = z.object({
  status: z.literal("conflict"),
  reason: BookingConflictReason,
  /** Says what was wrong in words, e.g. which hours the slot fell outside. */
  message: z.string(),
});

/** A refusal that is an expected outcome. */
export type BookingConflict = z.infer<typeof BookingConflict>;

/** Reply of `book`. */
export const BookReply = z.discriminatedUnion("status", [
  z.object({ status: z.literal("booked"), booking: Booking }),
  BookingConflict,
]);

/** Reply of `book`. */
export type BookReply = z.infer<typeof BookReply>;

/** Reply of `reschedule`. */
export const RescheduleReply = z.discriminatedUnion("status", [
  z.object({ status: z.literal("rescheduled"), booking: Booking }),
  BookingConflict,
]);

/** Reply of `reschedule`. */
export type RescheduleReply = z.infer<typeof RescheduleReply>;

/** Reply of `cancel`: cancelling again is `already_cancelled`, not an error. */
export const CancelReply = z.discriminatedUnion("status", [
  z.object({ status: z.literal("cancelled"), booking: Booking }),
  z.object({ status: z.literal("already_cancelled"), booking: Booking }),
  BookingConflict,
]);

/** Reply of `cancel`. */
export type CancelReply = z.infer<typeof CancelReply>;

/** A member's free slots, or why there are none to offer. */
export const Availability = z.discriminatedUnion("status", [
  z.object({
    status: z.literal("ok"),
    timeZone: z.string(),
    slotMinutes: z.number().int(),
    slots: z.array(Slot),
  }),
  z.object({ status: z.literal("no_hours") }),
]);

/** A member's free slots, or why there are none to offer. */
export type Availability = z.infer<typeof Availability>;

/** Event `calendar.hours_set` (v1). */
export const HoursSet = z.object({ hours: WorkingHours });

/** Event `booking.confirmed` (v1); the key is kept so a retried `book` finds its booking. */
export const BookingConfirmed = z.object({ booking: Booking, idempotencyKey: IdempotencyKey });

/** Event `booking.rescheduled` (v1). */
export const BookingRescheduled = z.object({
  bookingId: BookingId,
  start: IsoInstant,
  end: IsoInstant,
  previousStart: IsoInstant,
  idempotencyKey: IdempotencyKey,
});

/** Event `booking.cancelled` (v1). */
export const BookingCancelled = z.object({
  bookingId: BookingId,
  reason: z.string().optional(),
});

/** Which message a booking notice is. */
export const BookingNoticeKind = z.enum([
  "booking.confirmed",
  "booking.rescheduled",
  "booking.cancelled",
  "booking.reminder",
]);

/**
 * The payload of a booking message in the outbox (`email` or `sms` channel):
 * what the channel's dispatcher needs to render and address it.
 */
export const BookingNotice = z.object({
  kind: BookingNoticeKind,
  /** Email address or E.164 phone number, matching the channel. */
  to: z.string(),
  /** The team member whose calendar it is. */
  memberId: z.string(),
  booking: Booking,
  /** The start in the attendee's zone (the member's when unknown), with offset and zone. */
  localStart: z.string(),
  /** The zone `localStart` is in. */
  timeZone: z.string(),
});

/** The payload of a booking message in the outbox. */
export type BookingNotice = z.infer<typeof BookingNotice>;
