/**
 * Code shared by actors, gateway and UI: the zod schemas of every shape (leads,
 * scoring, follow-ups, bookings, team, auth, the stream protocol), errors,
 * clock, ids, configuration, time zones and send windows.
 *
 * @module
 */
export * from "./errors.ts";
export * from "./clock.ts";
export * from "./ids.ts";
export * from "./config.ts";
export * from "./scoring.ts";
export * from "./booking.ts";
export * from "./contact.ts";
export * from "./lead.ts";
export * from "./quiet_hours.ts";
export * from "./followup.ts";
export * from "./team.ts";
export * from "./time_zone.ts";
export * from "./auth.ts";
export * from "./stream_protocol.ts";
export * from "./suggestion.ts";
export * from "./minerva_client.ts";
export * from "./campaign.ts";
export * from "./message_template.ts";
export * from "./analytics.ts";
