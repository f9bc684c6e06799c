/**
 * Team members' calendars: the `calendar` actor (one per member, so one
 * activation cluster-wide decides every booking and a slot is never taken
 * twice), the pure free-slot computation it shares with callers, and the
 * `availability` helper that reads a calendar and offers its free slots.
 * Shapes (working hours, commands, replies, events, notices) live in
 * `shared/booking.ts`.
 *
 * @module
 */
export * from "./availability.ts";
export * from "./calendar.ts";
