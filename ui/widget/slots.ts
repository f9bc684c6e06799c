/**
 * Meeting times for the form's picker: the free slots from
 * `GET /v1/widget/slots`, grouped by day and written in the visitor's own time
 * zone and locale, and the sentence that tells them what was booked.
 *
 * @module
 */

/** A free time as the gateway lists it (UTC instants). */
export interface Slot {
  start: string;
  end: string;
}

/** A slot as the picker shows it. */
export interface ShownSlot extends Slot {
  /** The time of day, e.g. `10:00 AM`. */
  time: string;
  /** Day and time, e.g. `Tuesday, March 3, 10:00 AM`: the radio's full name. */
  full: string;
}

/** One day of the picker. */
export interface SlotDay {
  /** `YYYY-MM-DD` in the visitor's zone, stable for ids and keys. */
  date: string;
  /** e.g. `Tuesday, March 3`. */
  label: string;
  slots: ShownSlot[];
}

/** What the booking of a submit came to (`booking` of `POST /v1/widget/leads`). */
export type BookingResult =
  | { status: "booked"; start: string; end: string }
  | { status: "unavailable"; reason?: string };

/** Days of times the picker offers. */
export const SLOT_DAYS = 7;

/** The browser's IANA time zone (UTC when it names none). */
export function visitorTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

/** The slots in an answer of `GET /v1/widget/slots`, ignoring anything malformed. */
export function readSlots(raw: unknown): Slot[] {
  const list = (raw as { slots?: unknown } | null)?.slots;
  if (!Array.isArray(list)) return [];
  return list.filter((s): s is Slot =>
    typeof s?.start === "string" && typeof s?.end === "string" &&
    !Number.isNaN(Date.parse(s.start)) && !Number.isNaN(Date.parse(s.end))
  ).map((s) => ({ start: s.start, end: s.end }));
}

/** `slots` by day in `timeZone`, in time order, with labels in `locale` (the browser's by default). */
export function groupSlotsByDay(
  slots: readonly Slot[],
  timeZone: string,
  locale?: string,
): SlotDay[] {
  const dateKey = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  });
  const dayLabel = new Intl.DateTimeFormat(locale, {
    timeZone,
    weekday: "long",
    month: "long",
    day: "numeric",
  });
  const timeLabel = new Intl.DateTimeFormat(locale, {
    timeZone,
    hour: "numeric",
    minute: "2-digit",
  });
  const days = new Map<string, SlotDay>();
  const sorted = [...slots].sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
  for (const s of sorted) {
    const at = new Date(s.start);
    const date = dateKey.format(at);
    let day = days.get(date);
    if (!day) {
      day = { date, label: dayLabel.format(at), slots: [] };
      days.set(date, day);
    }
    const time = timeLabel.format(at);
    day.slots.push({ ...s, time, full: `${day.label}, ${time}` });
  }
  return [...days.values()];
}

/** e.g. `Tuesday, March 3 at 10:00 AM (Europe/Paris)`: a booked time, its zone named. */
export function describeSlot(start: string, timeZone: string, locale?: string): string {
  const at = new Date(start);
  const day = new Intl.DateTimeFormat(locale, {
    timeZone,
    weekday: "long",
    month: "long",
    day: "numeric",
  }).format(at);
  const time = new Intl.DateTimeFormat(locale, { timeZone, hour: "numeric", minute: "2-digit" })
    .format(at);
  return `${day} at ${time} (${timeZone})`;
}

/**
 * What the thank-you says of the meeting, or null when none was asked for;
 * `offering` when other free times are shown below it.
 */
export function bookingSentence(
  booking: BookingResult | undefined,
  timeZone: string,
  locale?: string,
  offering = false,
): string | null {
  if (!booking) return null;
  if (booking.status === "booked") {
    return `Your call is booked for ${describeSlot(booking.start, timeZone, locale)}.`;
  }
  return "The time you picked is no longer free, so nothing is booked yet: " +
    (offering ? "pick another below." : "we will be in touch to find another.");
}
