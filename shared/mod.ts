/**
 * Code shared by actors, gateway and UI: errors, clock, ids, configuration.
 *
 * @module
 */
export * from "./errors.ts";
export * from "./clock.ts";
export * from "./ids.ts";
export * from "./config.ts";
