/**
 * Meeting times for the widget: the free slots of the tenant's bookable team
 * members merged into one anonymous list (no member, no other booking shows),
 * and the booking of one of them for a lead the widget just captured. The
 * member's calendar actor decides the booking in its own turn, exactly as
 * `POST /v1/bookings` does, so a slot taken meanwhile is refused, never booked
 * twice.
 *
 * @module
 */
import { calendar, freeSlots } from "../actors/calendar/mod.ts";
import { lead } from "../actors/lead/mod.ts";
import type { ActorSystem } from "../actors/runtime/mod.ts";
import { teamRef } from "../actors/team/mod.ts";
import type { Attendee, Booking, Slot, WorkingHours } from "../shared/mod.ts";

/**
 * Most slots one answer lists (the earliest ones): two weeks of half hours over
 * long working days fit, while an answer stays a few tens of kilobytes.
 */
export const MAX_WIDGET_SLOTS = 500;

/** One member who can be booked, with the calendar state slots are computed from. */
interface Bookable {
  memberId: string;
  hours: WorkingHours;
  bookings: readonly Booking[];
}

/** Members marked available whose calendar has working hours, in the team's order. */
async function bookableMembers(system: ActorSystem, tenant: string): Promise<Bookable[]> {
  const members = await teamRef(system, tenant).query("members");
  const out: Bookable[] = [];
  for (const m of members) {
    if (!m.available) continue;
    const { hours, bookings } = await system.ref(calendar, tenant, m.id).query("schedule");
    if (hours) out.push({ memberId: m.id, hours, bookings });
  }
  return out;
}

/** Whether the tenant has anyone to book: the widget offers times only then. */
export async function hasBookableMembers(system: ActorSystem, tenant: string): Promise<boolean> {
  return (await bookableMembers(system, tenant)).length > 0;
}

/** A slot offered to a visitor, with a label in `timeZone`. */
export interface WidgetSlot extends Slot {
  label: string;
}

/**
 * Free slots starting within `days` from `now`, any bookable member's, one
 * entry per distinct start and end, by start time; labelled in `timeZone`.
 */
export async function widgetSlots(
  system: ActorSystem,
  tenant: string,
  opts: { now: number; days: number; timeZone: string },
): Promise<WidgetSlot[]> {
  const to = opts.now + opts.days * 86_400_000;
  const seen = new Map<string, Slot>();
  for (const m of await bookableMembers(system, tenant)) {
    for (const s of freeSlots(m.hours, m.bookings, opts.now, to, opts.now)) {
      seen.set(`${s.start}/${s.end}`, s);
    }
  }
  const format = new Intl.DateTimeFormat("en-US", {
    timeZone: opts.timeZone,
    weekday: "short",
    month: "short",
    day: "numeric",
    hour: "numeric",
    minute: "2-digit",
  });
  return [...seen.values()]
    .sort((a, b) => a.start < b.start ? -1 : a.start > b.start ? 1 : a.end < b.end ? -1 : 1)
    .slice(0, MAX_WIDGET_SLOTS)
    .map((s) => ({
      ...s,
      label: `${format.formatRange(new Date(s.start), new Date(s.end))} (${opts.timeZone})`,
    }));
}

/** What became of a widget's booking request. */
export type WidgetBookingOutcome =
  | { status: "booked"; start: string; end: string }
  | { status: "unavailable"; reason: string };

/**
 * Books `slot` for the lead `leadId` on the first bookable member whose
 * calendar takes it. Idempotent per `idempotencyKey`: a retried submit finds
 * the booking it made (whichever member holds it) instead of booking again.
 */
export async function bookForWidgetLead(
  system: ActorSystem,
  tenant: string,
  req: { leadId: string; slot: Slot; idempotencyKey: string; timeZone?: string },
): Promise<WidgetBookingOutcome> {
  const members = await bookableMembers(system, tenant);
  const { start, end } = req.slot;
  // The lead id is the same on every retry of one submit (capture is idempotent), so a
  // booking of this lead at this time is the one an earlier attempt made.
  for (const m of members) {
    const made = m.bookings.find((b) =>
      b.leadId === req.leadId && b.start === start && b.status === "confirmed"
    );
    if (made) return { status: "booked", start: made.start, end: made.end };
  }
  const durationMinutes = (Date.parse(end) - Date.parse(start)) / 60_000;
  const attendee = await attendeeOf(system, tenant, req.leadId, req.timeZone);
  for (const m of members) {
    const reply = await system.ref(calendar, tenant, m.memberId).ask("book", {
      start,
      durationMinutes,
      leadId: req.leadId,
      attendee,
      idempotencyKey: `widget:${req.idempotencyKey}`,
    });
    if (reply.status === "booked" && reply.booking.status === "confirmed") {
      return { status: "booked", start: reply.booking.start, end: reply.booking.end };
    }
  }
  return {
    status: "unavailable",
    reason: members.length === 0 ? "nobody can be booked" : "the time is no longer free",
  };
}

/** Who the meeting is with: the lead's normalized contact (notices go to its email and phone). */
async function attendeeOf(
  system: ActorSystem,
  tenant: string,
  leadId: string,
  timeZone: string | undefined,
): Promise<Attendee> {
  const { contact } = await system.ref(lead, tenant, leadId).query("view");
  const attendee: Attendee = {
    name: contact.name ?? contact.email ?? contact.phone ?? "Website visitor",
  };
  if (contact.email) attendee.email = contact.email;
  if (contact.phone && contact.phoneValid) attendee.phone = contact.phone;
  const zone = timeZone ?? contact.timeZone;
  if (zone) attendee.timeZone = zone;
  return attendee;
}
