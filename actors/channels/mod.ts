/**
 * Channels: SMS, email and AI providers behind the outbox, with compliance,
 * retries, breakers and governors.
 *
 * @module
 */
export * from "./provider.ts";
export * from "./twilio.ts";
export * from "./sendgrid.ts";
export * from "./sandbox.ts";
export * from "./fake_twilio.ts";
export * from "./fake_sendgrid.ts";
export * from "./breaker.ts";
export * from "./governor.ts";
export * from "./dead_letters.ts";
export * from "./guarded.ts";
export * from "./migrations.ts";
export * from "./compliance.ts";
export * from "./dispatcher.ts";
