/**
 * The bus's wire format over Redis, shared by every Redis-backed bus (TCP and
 * Upstash REST publish the same bytes, so either reaches a `RedisBus`
 * subscriber): one Redis message per `publish` call, the JSON envelope
 * `{"v":1,"messages":[BusMessage, ...]}`.
 *
 * @module
 */
import type { BusMessage } from "./bus.ts";

/** Version of the JSON envelope on the wire; bump it when the shape changes. */
const WIRE_VERSION = 1;

/** The wire envelope of one published batch. */
export function encodeEnvelope(messages: BusMessage[]): string {
  return JSON.stringify({ v: WIRE_VERSION, messages });
}

/** The messages of a wire envelope, or undefined if `raw` is not a valid one. */
export function decodeEnvelope(raw: string): BusMessage[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const { v, messages } = parsed as { v?: unknown; messages?: unknown };
  if (v !== WIRE_VERSION || !Array.isArray(messages)) return undefined;
  return messages.every(isBusMessage) ? messages : undefined;
}

// `data` is not checked: it is free-form, and JSON drops it when undefined.
function isBusMessage(value: unknown): value is BusMessage {
  if (typeof value !== "object" || value === null) return false;
  const m = value as Record<string, unknown>;
  return typeof m.tenant === "string" && typeof m.position === "number" &&
    typeof m.actor === "string" && typeof m.seq === "number" && typeof m.type === "string" &&
    typeof m.version === "number" && typeof m.at === "number";
}
