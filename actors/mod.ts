/**
 * Actors: the runtime (mailboxes, activation, journal and snapshots,
 * reminders, outbox, placement) and, in later work, the domain actors: lead,
 * campaign, mockup.
 *
 * @module
 */
export * from "./runtime/mod.ts";
