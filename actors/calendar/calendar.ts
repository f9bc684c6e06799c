/**
 * The calendar actor: one per team member, `calendar/<tenant>/<memberId>`.
 * It holds the member's working hours and bookings and decides every booking
 * change. Because the runtime keeps at most one activation of it in the whole
 * cluster (a second one fences the first), its turns are the only place a
 * slot can be taken: two nodes racing for one slot cannot both commit.
 *
 * @module
 */
/**
 * zod's types are documented by zod. Without this tag deno doc flags each one
 * in a public signature here as a private type (denoland/deno#27364).
 *
 * @internal
 */
import { lead } from "../lead/lead.ts";
import { z } from "zod";
import { type ActorRef, defineActor, type Effect, type TurnContext } from "../runtime/mod.ts";
import {
  type Availability,
  AvailabilityQuery,
  Booking,
  BookingCancelled,
  BookingConfirmed,
  type BookingConflict,
  type BookingConflictReason,
  type BookingNotice,
  BookingRescheduled,
  type BookReply,
  BookSlot,
  CancelBooking,
  type CancelReply,
  type Clock,
  fieldIssues,
  HoursSet,
  newId,
  NotFoundError,
  RescheduleBooking,
  type RescheduleReply,
  ValidationError,
  WorkingHours,
} from "../../shared/mod.ts";
import { checkSlot, freeSlots } from "./availability.ts";

/** The calendar's in-memory state; private to this actor, hence not in `shared/`. */
const CalendarState = z.object({
  hours: WorkingHours.nullable(),
  /** In creation order; cancelled ones stay so a retried command finds them. */
  bookings: z.array(Booking),
  /** `book:<key>` and `reschedule:<bookingId>:<key>` → booking id, for idempotent retries. */
  keys: z.record(z.string(), z.string()),
});

/** The calendar actor's state. */
export type CalendarState = z.infer<typeof CalendarState>;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/**
 * Bookings that ended this long before a new booking is made are dropped from
 * memory with their idempotency keys (the journal keeps them), so a busy
 * member's calendar stays small and slot checks stay quick. Pruning uses the
 * event's own time, so replay prunes exactly as the live actor did.
 */
const RETAIN_AFTER_END_MS = 30 * DAY;

const REMINDER_PREFIX = "booking-reminder:";

/** Name of a booking's durable reminder; one per booking, replaced when it moves. */
export function reminderName(bookingId: string): string {
  return `${REMINDER_PREFIX}${bookingId}`;
}

const ms = (instant: string) => Temporal.Instant.from(instant).epochMilliseconds;
const iso = (epochMs: number) => Temporal.Instant.fromEpochMilliseconds(epochMs).toString();

/**
 * When to remind the attendee: a day before, or an hour before when booked
 * less than a day ahead. None when even that has passed: the confirmation
 * they just got is the reminder.
 */
export function reminderTime(start: string, now: number): number | undefined {
  const s = ms(start);
  if (s - DAY > now) return s - DAY;
  if (s - HOUR > now) return s - HOUR;
  return undefined;
}

function conflict(reason: BookingConflictReason, message: string): BookingConflict {
  return { status: "conflict", reason, message };
}

function find(s: CalendarState, id: string): Booking | undefined {
  return s.bookings.find((b) => b.id === id);
}

function mustFind(s: CalendarState, id: string): Booking {
  const b = find(s, id);
  if (!b) throw new NotFoundError(`booking ${id}`);
  return b;
}

function replace(s: CalendarState, b: Booking): CalendarState {
  return { ...s, bookings: s.bookings.map((x) => x.id === b.id ? b : x) };
}

function prune(s: CalendarState, at: number): CalendarState {
  const cutoff = at - RETAIN_AFTER_END_MS;
  if (!s.bookings.some((b) => ms(b.end) < cutoff)) return s;
  const bookings = s.bookings.filter((b) => ms(b.end) >= cutoff);
  const live = new Set(bookings.map((b) => b.id));
  const keys = Object.fromEntries(Object.entries(s.keys).filter(([, id]) => live.has(id)));
  return { ...s, bookings, keys };
}

/**
 * Outbox messages telling the attendee about a booking: an email and an SMS
 * when they gave an address and a number. Idempotency keys are unique per
 * tenant across channels, so each key ends with its channel.
 */
function notices(
  ctx: TurnContext,
  s: CalendarState,
  booking: Booking,
  kind: BookingNotice["kind"],
  key: string,
): Effect[] {
  const timeZone = booking.attendee.timeZone ?? s.hours?.timeZone ?? "UTC";
  const localStart = Temporal.Instant.from(booking.start).toZonedDateTimeISO(timeZone).toString();
  const base = { kind, memberId: ctx.self.id, booking, localStart, timeZone };
  const out: Effect[] = [];
  const { email, phone } = booking.attendee;
  if (email) {
    const notice: BookingNotice = { ...base, to: email };
    out.push(ctx.send("email", notice, { key: `${key}:email` }));
  }
  if (phone) {
    const notice: BookingNotice = { ...base, to: phone };
    out.push(ctx.send("sms", notice, { key: `${key}:sms` }));
  }
  return out;
}

/** Sets the booking's reminder for its (new) start, or drops it when it is too late for one. */
function reminderEffect(ctx: TurnContext, booking: Booking): Effect {
  const at = reminderTime(booking.start, ctx.now);
  return at === undefined
    ? ctx.cancelReminder(reminderName(booking.id))
    : ctx.remind(reminderName(booking.id), at, { payload: { bookingId: booking.id } });
}

const ReminderPayload = z.object({ bookingId: z.string() });

/** The calendar actor type. Replies are unions: a taken slot is an outcome, not an error. */
export const calendar = defineActor("calendar", {
  state: CalendarState,
  initial: (): CalendarState => ({ hours: null, bookings: [], keys: {} }),
})
  .event("calendar.hours_set", {
    schema: HoursSet,
    version: 1,
    apply: (s, e) => ({ ...s, hours: e.hours }),
  })
  .event("booking.confirmed", {
    schema: BookingConfirmed,
    version: 1,
    apply: (s, e, meta) =>
      prune({
        ...s,
        bookings: [...s.bookings, e.booking],
        keys: { ...s.keys, [`book:${e.idempotencyKey}`]: e.booking.id },
      }, meta.at),
  })
  .event("booking.rescheduled", {
    schema: BookingRescheduled,
    version: 1,
    apply: (s, e) => {
      const b = find(s, e.bookingId);
      if (!b) return s;
      const moved = replace(s, { ...b, start: e.start, end: e.end });
      const key = `reschedule:${e.bookingId}:${e.idempotencyKey}`;
      return { ...moved, keys: { ...moved.keys, [key]: e.bookingId } };
    },
  })
  .event("booking.cancelled", {
    schema: BookingCancelled,
    version: 1,
    apply: (s, e) => {
      const b = find(s, e.bookingId);
      if (!b) return s;
      const cancelled: Booking = { ...b, status: "cancelled" };
      if (e.reason !== undefined) cancelled.cancelReason = e.reason;
      return replace(s, cancelled);
    },
  })
  .command("setHours", {
    input: WorkingHours,
    // Existing bookings stand: changed hours govern only what is booked next.
    handle: (_s, hours) => ({
      events: [{ type: "calendar.hours_set", data: { hours } }],
      reply: hours,
    }),
  })
  .command("book", {
    input: BookSlot,
    handle: (s, cmd, ctx) => {
      const booked = (booking: Booking): BookReply => ({ status: "booked", booking });
      const earlier = s.keys[`book:${cmd.idempotencyKey}`];
      const made = earlier === undefined ? undefined : find(s, earlier);
      if (made) return { reply: booked(made) };
      if (!s.hours) {
        return { reply: conflict("no_working_hours", "this member has no working hours set") };
      }
      const check = checkSlot(s.hours, s.bookings, cmd.start, cmd.durationMinutes, ctx.now);
      if (!check.ok) return { reply: conflict(check.reason, check.message) };
      const booking: Booking = {
        id: newId(),
        start: check.start,
        end: check.end,
        leadId: cmd.leadId,
        attendee: cmd.attendee,
        status: "confirmed",
        createdAt: iso(ctx.now),
      };
      return {
        events: [{
          type: "booking.confirmed",
          data: { booking, idempotencyKey: cmd.idempotencyKey },
        }],
        effects: [
          ...notices(ctx, s, booking, "booking.confirmed", `${booking.id}:confirm`),
          reminderEffect(ctx, booking),
          // The lead learns of its meeting once this booking is committed (stops its follow-ups).
          ctx.tellDurably(ctx.ref(lead, booking.leadId), "recordBooking", {
            bookingId: booking.id,
            start: Date.parse(booking.start),
            memberId: ctx.self.id,
          }, { key: `${booking.id}:lead` }),
        ],
        reply: booked(booking),
      };
    },
  })
  .command("reschedule", {
    input: RescheduleBooking,
    handle: (s, cmd, ctx) => {
      const b = mustFind(s, cmd.bookingId);
      const reply = (booking: Booking): RescheduleReply => ({ status: "rescheduled", booking });
      if (s.keys[`reschedule:${b.id}:${cmd.idempotencyKey}`]) return { reply: reply(b) };
      if (b.status === "cancelled") {
        return { reply: conflict("booking_cancelled", `booking ${b.id} was cancelled`) };
      }
      if (ms(b.start) <= ctx.now) {
        return { reply: conflict("booking_started", `booking ${b.id} has already started`) };
      }
      if (cmd.start === b.start) return { reply: reply(b) };
      if (!s.hours) {
        return { reply: conflict("no_working_hours", "this member has no working hours set") };
      }
      const minutes = (ms(b.end) - ms(b.start)) / 60_000;
      const check = checkSlot(s.hours, s.bookings, cmd.start, minutes, ctx.now, {
        ignoreBookingId: b.id,
      });
      if (!check.ok) return { reply: conflict(check.reason, check.message) };
      const moved: Booking = { ...b, start: check.start, end: check.end };
      return {
        events: [{
          type: "booking.rescheduled",
          data: {
            bookingId: b.id,
            start: moved.start,
            end: moved.end,
            previousStart: b.start,
            idempotencyKey: cmd.idempotencyKey,
          },
        }],
        effects: [
          // Keyed by the request's key: moving back and forth must still notify each time.
          ...notices(
            ctx,
            s,
            moved,
            "booking.rescheduled",
            `${b.id}:reschedule:${cmd.idempotencyKey}`,
          ),
          reminderEffect(ctx, moved),
        ],
        reply: reply(moved),
      };
    },
  })
  .command("cancel", {
    input: CancelBooking,
    handle: (s, cmd, ctx) => {
      const b = mustFind(s, cmd.bookingId);
      const reply = (r: CancelReply) => r;
      if (b.status === "cancelled") {
        return { reply: reply({ status: "already_cancelled", booking: b }) };
      }
      if (ms(b.start) <= ctx.now) {
        return { reply: reply(conflict("booking_started", `booking ${b.id} has already started`)) };
      }
      const cancelled: Booking = { ...b, status: "cancelled" };
      if (cmd.reason !== undefined) cancelled.cancelReason = cmd.reason;
      return {
        events: [{
          type: "booking.cancelled",
          data: cmd.reason === undefined
            ? { bookingId: b.id }
            : { bookingId: b.id, reason: cmd.reason },
        }],
        effects: [
          ctx.cancelReminder(reminderName(b.id)),
          ...notices(ctx, s, cancelled, "booking.cancelled", `${b.id}:cancel`),
        ],
        reply: reply({ status: "cancelled", booking: cancelled }),
      };
    },
  })
  .query("hours", (s) => s.hours)
  .query("bookings", (s) => s.bookings)
  // Hours and bookings read together, so availability sees one consistent state.
  .query("schedule", (s) => ({ hours: s.hours, bookings: s.bookings }))
  .onReminder((s, r, ctx) => {
    if (!r.name.startsWith(REMINDER_PREFIX)) return {};
    const payload = ReminderPayload.safeParse(r.payload);
    const b = payload.success ? find(s, payload.data.bookingId) : undefined;
    // A late firing (after downtime) for a meeting already begun would only confuse.
    if (!b || b.status !== "confirmed" || ms(b.start) <= ctx.now) return {};
    return { effects: notices(ctx, s, b, "booking.reminder", `${b.id}:remind:${b.start}`) };
  });

/** The calendar actor's type, for refs: `system.ref(calendar, tenant, memberId)`. */
export type Calendar = typeof calendar;

/**
 * A member's free slots in `query`'s range. A query handler sees only state,
 * not the clock nor arguments, so availability cannot be an actor query: this
 * reads the `schedule` query (committed state, not queued behind a turn) and
 * computes with {@link freeSlots} on the caller's side. `book` re-checks the
 * slot inside the actor's turn, so a slot offered here and taken meanwhile is
 * refused there, never double-booked.
 *
 * Throws `ValidationError` naming the bad field of `query`.
 */
export async function availability(
  ref: ActorRef<Calendar>,
  query: AvailabilityQuery,
  clock: Clock,
): Promise<Availability> {
  const parsed = AvailabilityQuery.safeParse(query);
  if (!parsed.success) {
    throw new ValidationError("calendar availability query", fieldIssues(parsed.error.issues));
  }
  const { from, to, durationMinutes } = parsed.data;
  const { hours, bookings } = await ref.query("schedule");
  if (!hours) return { status: "no_hours" };
  const opts = durationMinutes === undefined ? {} : { durationMinutes };
  return {
    status: "ok",
    timeZone: hours.timeZone,
    slotMinutes: hours.slotMinutes,
    slots: freeSlots(hours, bookings, from, to, clock.now(), opts),
  };
}
