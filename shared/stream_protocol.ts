/**
 * The live stream protocol, version {@link PROTOCOL_VERSION}: what browsers,
 * the widget and Minerva exchange with a gateway over `/v1/stream`
 * (WebSocket) and `/v1/stream/sse` (Server-Sent Events). One JSON object per
 * frame, tagged by `type`.
 *
 * WebSocket: the client's first frame is `auth {token}` (within 5 s), the
 * server answers `ready {version}`; then `subscribe {topics, from}`. The
 * server replays the tenant's events after `from` (null: from the start)
 * from the journal, sends `caught_up {position}`, then live events. Every
 * event arrives once, in position order; a client that reconnects resumes
 * with the last position it saw (an `event`'s or a `caught_up`'s: positions
 * of events its topics filtered out count too). `heartbeat {at}` arrives
 * every few seconds (and answers `ping`). `error {code, message, status?}`
 * reports a bad frame or a refused request; `closing {reason}` precedes a
 * close the server chose, e.g. `slow consumer; resume from 42` (close code
 * 4008). A `from` older than the retained journal is answered with error
 * `beyond_retention`: reload state, then subscribe with `from: null`.
 *
 * @module
 */
import { z } from "zod";
import { fieldIssues } from "./errors.ts";

/** Version of the stream protocol; bump it when a frame changes incompatibly. */
export const PROTOCOL_VERSION = 1;

const KEY_PART = /^[A-Za-z0-9_.:@+-]{1,128}$/;

/** A stream position: 0 is before the first event of a tenant. */
export const StreamPosition = z.number().int().nonnegative();

/** Actor types a client may follow one of by id: `lead:<id>`, `campaign:<id>`, ... */
export const TOPIC_ACTOR_TYPES = ["lead", "campaign", "task", "import"] as const;

/**
 * One topic of a subscription: `tenant` (every event of the caller's
 * tenant), `lead:<id>`, `campaign:<id>`, `task:<id>` or `import:<id>` (one
 * actor's events) or `type:<event type>`.
 */
export const StreamTopic = z.union([
  z.literal("tenant"),
  z.string().regex(
    /^(lead|campaign|task|import):[A-Za-z0-9_.:@+-]{1,128}$/,
    "expected lead:<id>, campaign:<id>, task:<id> or import:<id>",
  ).refine((t) => KEY_PART.test(t.slice(t.indexOf(":") + 1))),
  z.string().regex(/^type:[a-z][a-z0-9_.-]{0,127}$/, "expected type:<event type>"),
], { error: 'expected "tenant", "<lead|campaign|task|import>:<id>" or "type:<event type>"' });

/** A parsed {@link StreamTopic}. */
export type StreamTopic = z.infer<typeof StreamTopic>;

/** Client → server frames. */
export const ClientFrame = z.discriminatedUnion("type", [
  z.object({ type: z.literal("auth"), token: z.string().min(1).max(4096) }),
  z.object({
    type: z.literal("subscribe"),
    topics: z.array(StreamTopic).min(1).max(32),
    from: StreamPosition.nullable(),
  }),
  z.object({ type: z.literal("ping") }),
]);

/** A client frame. */
export type ClientFrame = z.infer<typeof ClientFrame>;

/** The event inside an `event` frame: the tenant is the subscriber's own, so it is left out. */
export const StreamEventBody = z.object({
  /** Key of the emitting actor, `type/tenant/id`. */
  actor: z.string(),
  seq: z.number().int().positive(),
  type: z.string(),
  version: z.number().int(),
  data: z.unknown(),
  at: z.number(),
});

/** Server → client frames. */
export const ServerFrame = z.discriminatedUnion("type", [
  z.object({ type: z.literal("ready"), version: z.number().int() }),
  z.object({ type: z.literal("event"), position: StreamPosition, event: StreamEventBody }),
  z.object({ type: z.literal("caught_up"), position: StreamPosition }),
  z.object({ type: z.literal("heartbeat"), at: z.number() }),
  z.object({
    type: z.literal("error"),
    code: z.string(),
    message: z.string(),
    status: z.number().int().optional(),
  }),
  z.object({ type: z.literal("closing"), reason: z.string() }),
]);

/** A server frame. */
export type ServerFrame = z.infer<typeof ServerFrame>;

/** What {@link parseClientFrame} makes of a text frame; it never throws. */
export type ParsedClientFrame =
  | { ok: true; frame: ClientFrame }
  | { ok: false; code: "bad_json" | "bad_frame"; path: string; message: string };

/** Parses one text frame from a client, naming the first bad field when it is not valid. */
export function parseClientFrame(text: string): ParsedClientFrame {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, code: "bad_json", path: "", message: "frame is not JSON" };
  }
  const parsed = ClientFrame.safeParse(json);
  if (parsed.success) return { ok: true, frame: parsed.data };
  const [first] = fieldIssues(parsed.error.issues);
  const path = first?.path ?? "";
  return {
    ok: false,
    code: "bad_frame",
    path,
    message: `${path || "(frame)"}: ${first?.message ?? "invalid"}`,
  };
}
