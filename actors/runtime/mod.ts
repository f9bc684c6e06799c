/**
 * The actor runtime: definitions, the actor system, the Postgres journal with
 * group commit and fencing, durable reminders, the outbox, the embedded
 * database and the bus port (in process, Redis, Upstash REST).
 *
 * @module
 */
export * from "./define.ts";
export * from "./effects.ts";
export * from "./ref.ts";
export * from "./system.ts";
export * from "./journal.ts";
export * from "./group_commit.ts";
export * from "./database.ts";
export * from "./embedded_postgres.ts";
export * from "./migrate.ts";
export * from "./reminder_poller.ts";
export * from "./outbox_worker.ts";
export * from "./actor_dispatcher.ts";
export * from "./bus.ts";
export * from "./bus_memory.ts";
export * from "./bus_redis.ts";
export * from "./upstash.ts";
export * from "./fake_upstash.ts";
export * from "./testing.ts";
