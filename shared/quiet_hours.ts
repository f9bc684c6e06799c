/**
 * Send windows in the recipient's time zone. Every planned send and every
 * dispatch is checked against the window of the recipient's local clock, so
 * a message due at 02:00 where the lead lives waits until the window opens,
 * including on the days clocks change.
 *
 * @module
 */
import { z } from "zod";

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "HH:MM, 24-hour");

/** A daily window of local time in which messages may go out (default 09:00–20:00). */
export const SendWindow = z.object({
  start: HHMM.default("09:00"),
  end: HHMM.default("20:00"),
}).refine((w) => w.start < w.end, { message: "start must be before end", path: ["end"] });
/** A send window. */
export type SendWindow = z.infer<typeof SendWindow>;

/** The default window: 09:00 to 20:00 local time. */
export const DEFAULT_SEND_WINDOW: SendWindow = { start: "09:00", end: "20:00" };

function at(day: Temporal.PlainDate, hhmm: string, zone: string): Temporal.ZonedDateTime {
  const [h, m] = hhmm.split(":").map(Number) as [number, number];
  // "compatible": a wall time skipped by a spring-forward change moves later, as clocks do.
  return day.toPlainDateTime({ hour: h, minute: m }).toZonedDateTime(zone, {
    disambiguation: "compatible",
  });
}

/**
 * The earliest instant at or after `instant` (epoch ms) inside the window of
 * local time in `zone`: `instant` itself when the window is open, else the
 * next opening.
 */
export function nextSendTime(instant: number, zone: string, window: SendWindow): number {
  const local = Temporal.Instant.fromEpochMilliseconds(instant).toZonedDateTimeISO(zone);
  const today = local.toPlainDate();
  const open = at(today, window.start, zone);
  const close = at(today, window.end, zone);
  if (Temporal.ZonedDateTime.compare(local, open) < 0) return open.epochMilliseconds;
  if (Temporal.ZonedDateTime.compare(local, close) < 0) return instant;
  return at(today.add({ days: 1 }), window.start, zone).epochMilliseconds;
}

/** Whether the window is open at `instant` in `zone`. */
export function isInSendWindow(instant: number, zone: string, window: SendWindow): boolean {
  return nextSendTime(instant, zone, window) === instant;
}
