/**
 * Cron expressions evaluated in an IANA time zone. The one file that imports
 * croner, so the rest of the scheduler sees plain instants and the library
 * could be swapped behind this small surface.
 *
 * @module
 */
import { Cron } from "croner";
import { ValidationError } from "../../shared/errors.ts";

/** A parsed cron expression; occurrences are epoch ms. */
export interface CronSchedule {
  /** The first occurrence strictly after `after` in `timeZone`, or undefined when there is none. */
  nextAfter(after: number, timeZone: string): number | undefined;
}

/** Parses `pattern` (5 or 6 fields, croner syntax); a bad pattern is a ValidationError naming `what`. */
export function parseCron(pattern: string, what: string): CronSchedule {
  try {
    // Paused and never started: croner is used only as a calculator, the
    // scheduler owns timing so the injected clock decides what is due.
    new Cron(pattern, { paused: true });
  } catch (err) {
    throw new ValidationError(what, [{ path: "cron", message: String(err) }]);
  }
  // Croner binds the zone at construction; per-tenant zones get their own instance.
  const byZone = new Map<string, Cron>();
  return {
    nextAfter(after, timeZone) {
      let cron = byZone.get(timeZone);
      if (!cron) {
        cron = new Cron(pattern, { paused: true, timezone: timeZone });
        byZone.set(timeZone, cron);
      }
      return cron.nextRun(new Date(after))?.getTime();
    },
  };
}

/** Whether `zone` is an IANA time zone this runtime knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The latest occurrence in (`after`, `upTo`], or undefined when none is due.
 * Walking forward (not backward) keeps DST gaps and repeats exactly as the
 * library resolves them; `limit` bounds the walk for very frequent patterns.
 */
export function latestOccurrence(
  schedule: CronSchedule,
  timeZone: string,
  after: number,
  upTo: number,
  limit = 100_000,
): number | undefined {
  let latest: number | undefined;
  let at = after;
  for (let i = 0; i < limit; i++) {
    const next = schedule.nextAfter(at, timeZone);
    if (next === undefined || next > upTo) break;
    latest = next;
    at = next;
  }
  return latest;
}
