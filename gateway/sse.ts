/**
 * The stream routes: `/v1/stream/sse` serves a tenant's stream as
 * Server-Sent Events, and `/v1/stream` hands WebSocket upgrades to the
 * runtime adapter it is given (see `ws_deno.ts`), so this file stays
 * runtime-neutral. Mount with `app.route("/v1/stream", streamRoutes(deps))`.
 *
 * SSE auth: `Authorization: Bearer <token>`, never a token in the URL, which
 * ends up in access logs. Browsers' EventSource cannot set headers, so a
 * `?ticket=` is accepted too: a short-lived, single-purpose token minted by
 * an authenticated REST call and checked by the same `verify`; a leaked
 * ticket expires before it is useful.
 *
 * @module
 */
import { Hono } from "hono";
import { PROTOCOL_VERSION, type ServerFrame, StreamPosition, StreamTopic } from "../shared/mod.ts";
import type { ErrorBody, GatewayApp } from "./app.ts";
import { pollUntil, type StreamHub, type StreamSink, topicFilter } from "./stream_hub.ts";

/** Who a token belongs to; null when it is not valid (unknown, expired). */
export type VerifyStreamToken = (token: string) => Promise<{ tenant: string } | null>;

/** What {@link streamRoutes} needs. */
export interface StreamRouteDeps {
  hub: StreamHub;
  verify: VerifyStreamToken;
  /** Bytes an SSE connection may have queued before it counts as slow (default 1 MiB). */
  maxQueuedBytes?: number;
  /** Handles `GET /v1/stream` WebSocket upgrades; without it that route answers 501. */
  upgradeWebSocket?: (request: Request) => Promise<Response> | Response;
}

const encoder = new TextEncoder();
/** How long a replay waits for an SSE client to read before it counts as slow, ms. */
const DRAIN_TIMEOUT_MS = 10_000;

/** Builds the routes, to be mounted at `/v1/stream`. */
export function streamRoutes(deps: StreamRouteDeps): GatewayApp {
  const app = new Hono();
  const maxBytes = deps.maxQueuedBytes ?? 1024 * 1024;

  app.get("/", (c) => {
    if (!deps.upgradeWebSocket) return fail(501, "not_implemented", "no WebSocket adapter");
    return deps.upgradeWebSocket(c.req.raw);
  });

  app.get("/sse", async (c) => {
    const header = c.req.header("authorization");
    const token = header?.match(/^Bearer (.+)$/i)?.[1] ?? c.req.query("ticket");
    const who = token ? await deps.verify(token) : null;
    if (!who) return fail(401, "unauthorized", "a valid Bearer token or ticket is required");

    const topics = (c.req.query("topics") ?? "tenant").split(",").filter((t) => t !== "");
    const parsedTopics = StreamTopic.array().min(1).safeParse(topics);
    if (!parsedTopics.success) {
      return fail(400, "validation_failed", `topics: ${parsedTopics.error.issues[0]?.message}`);
    }
    // Last-Event-ID wins: EventSource resends it on reconnect while the URL keeps the first `from`.
    const rawFrom = c.req.header("last-event-id") ?? c.req.query("from");
    let from: number | null = null;
    if (rawFrom !== undefined && rawFrom !== "") {
      const parsed = StreamPosition.safeParse(Number(rawFrom));
      if (!parsed.success) return fail(400, "validation_failed", "from: expected a position");
      from = parsed.data;
    }

    let controller!: ReadableStreamDefaultController<Uint8Array>;
    let ended = false;
    let cancel = () => Promise.resolve();
    const body = new ReadableStream<Uint8Array>({
      start: (c) => void (controller = c),
      cancel: () => cancel(),
    }, new ByteLengthQueuingStrategy({ highWaterMark: maxBytes }));
    const write = (text: string) => controller.enqueue(encoder.encode(text));
    const sink: StreamSink = {
      send(frame) {
        if (ended) return "ok";
        if ((controller.desiredSize ?? 0) <= 0) return "full";
        write(formatSse(frame));
        return "ok";
      },
      close(_code, reason) {
        if (ended) return;
        ended = true;
        // SSE has no close code: the reason travels as a last frame.
        write(formatSse({ type: "closing", reason }));
        controller.close();
      },
      drain: () =>
        pollUntil(() => ended || (controller.desiredSize ?? 0) >= maxBytes / 2, DRAIN_TIMEOUT_MS),
    };
    write(formatSse({ type: "ready", version: PROTOCOL_VERSION }));
    const outcome = await deps.hub.subscribe(
      who.tenant,
      topicFilter(who.tenant, parsedTopics.data),
      from,
      sink,
    );
    if (outcome.state === "beyond_retention") {
      // 410 rather than an in-stream error: EventSource stops reconnecting on it.
      return fail(
        410,
        "beyond_retention",
        `position ${from} is older than the oldest retained (${outcome.oldest}); start over`,
      );
    }
    if (outcome.state === "closed") return fail(503, "unavailable", "stream hub is closed");
    cancel = () => {
      ended = true;
      return outcome.subscription.close();
    };
    return new Response(body, {
      headers: {
        "content-type": "text/event-stream",
        "cache-control": "no-cache",
        "x-accel-buffering": "no",
      },
    });
  });

  return app;
}

/** One SSE message: events carry `id:` (their position) so EventSource resumes from it. */
export function formatSse(frame: ServerFrame): string {
  // Comments keep proxies from timing the connection out without waking the client's handler.
  if (frame.type === "heartbeat") return `: heartbeat ${frame.at}\n\n`;
  const id = frame.type === "event" || frame.type === "caught_up" ? `id: ${frame.position}\n` : "";
  return `${id}data: ${JSON.stringify(frame)}\n\n`;
}

function fail(status: number, code: string, message: string): Response {
  const body: ErrorBody = { error: { code, message } };
  return Response.json(body, { status });
}
