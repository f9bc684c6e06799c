/**
 * The Deno WebSocket adapter of the stream protocol: the only file that
 * calls `Deno.upgradeWebSocket`. It speaks `shared/stream_protocol.ts` on the
 * socket and maps the socket onto the hub's {@link StreamSink} port, using
 * `bufferedAmount` to tell a slow consumer.
 *
 * Close codes: 4400 too many bad frames, 4401 auth failed or missing, 4408
 * no auth within the deadline, 4008 slow consumer, 1001 node shutting down.
 *
 * @module
 */
import {
  type Clock,
  parseClientFrame,
  PROTOCOL_VERSION,
  type ServerFrame,
  systemClock,
} from "../shared/mod.ts";
import type { VerifyStreamToken } from "./sse.ts";
import { pollUntil, type StreamHub, type StreamSubscription, topicFilter } from "./stream_hub.ts";

/** Tunables of {@link upgradeToStream}. */
export interface WebSocketStreamOptions {
  /** How long the client has to send its auth frame, ms (default 5,000). */
  authTimeoutMs?: number;
  /** Bad frames tolerated before closing with 4400 (default 3). */
  maxBadFrames?: number;
  /** Bytes queued on the socket beyond which the consumer is slow (default 1 MiB). */
  maxBufferedBytes?: number;
  /** How long a replay waits for the client to read before it counts as slow, ms (default 10,000). */
  drainTimeoutMs?: number;
  /** Stamps the heartbeats that answer `ping` (default the system clock). */
  clock?: Clock;
}

/** Upgrades `req` to a stream WebSocket served by `hub`; answers 400 to a plain request. */
export function upgradeToStream(
  req: Request,
  hub: StreamHub,
  verify: VerifyStreamToken,
  options: WebSocketStreamOptions = {},
): Response {
  if (req.headers.get("upgrade")?.toLowerCase() !== "websocket") {
    return Response.json({ error: { code: "upgrade_required", message: "expected a WebSocket" } }, {
      status: 426,
    });
  }
  const { socket, response } = Deno.upgradeWebSocket(req);
  const maxBuffered = options.maxBufferedBytes ?? 1024 * 1024;
  const maxBad = options.maxBadFrames ?? 3;
  const drainMs = options.drainTimeoutMs ?? 10_000;
  const clock = options.clock ?? systemClock;
  let tenant: string | undefined;
  let authenticating = false;
  let bad = 0;
  let subscription: StreamSubscription | undefined;
  let closed = false;

  const send = (frame: ServerFrame) => {
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
  };
  const close = (code: number, reason: string) => {
    if (closed) return;
    closed = true;
    clearTimeout(authTimer);
    if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING) {
      socket.close(code, reason.slice(0, 120));
    }
  };
  const error = (code: string, message: string, status: number) =>
    send({ type: "error", code, message, status });
  const authTimer = setTimeout(() => {
    error("auth_timeout", "no auth frame in time", 408);
    close(4408, "auth timeout");
  }, options.authTimeoutMs ?? 5_000);

  const sink = {
    send(frame: ServerFrame): "ok" | "full" {
      if (socket.readyState !== WebSocket.OPEN) return "ok";
      if (socket.bufferedAmount > maxBuffered) return "full";
      socket.send(JSON.stringify(frame));
      return "ok";
    },
    close(code: number, reason: string) {
      send({ type: "closing", reason });
      close(code, reason);
    },
    drain: () =>
      pollUntil(
        () => socket.readyState !== WebSocket.OPEN || socket.bufferedAmount <= maxBuffered / 2,
        drainMs,
      ),
  };

  // Frames are handled one at a time: auth and subscribe await, and a second
  // subscribe must not race the first into two live subscriptions.
  let turn = Promise.resolve();
  socket.onmessage = (msg) => {
    turn = turn.then(() => handle(msg)).catch((e) => {
      console.error("stream socket frame failed:", e);
      sink.close(1011, "internal error");
    });
  };
  const handle = async (msg: MessageEvent) => {
    const parsed = typeof msg.data === "string"
      ? parseClientFrame(msg.data)
      : { ok: false as const, code: "bad_frame", path: "", message: "frames are text" };
    if (!parsed.ok) {
      if (tenant === undefined) {
        error("auth_required", `first frame must be auth: ${parsed.message}`, 401);
        return close(4401, "auth required");
      }
      error(parsed.code, parsed.message, 400);
      if (++bad >= maxBad) close(4400, "too many bad frames");
      return;
    }
    const frame = parsed.frame;
    if (tenant === undefined) {
      if (frame.type !== "auth" || authenticating) {
        error("auth_required", "first frame must be auth", 401);
        return close(4401, "auth required");
      }
      authenticating = true;
      const who = await verify(frame.token).catch(() => null);
      if (!who) {
        error("unauthorized", "token is not valid", 401);
        return close(4401, "unauthorized");
      }
      clearTimeout(authTimer);
      tenant = who.tenant;
      return send({ type: "ready", version: PROTOCOL_VERSION });
    }
    if (closed) return;
    if (frame.type === "ping") return send({ type: "heartbeat", at: clock.now() });
    if (frame.type === "auth") return error("already_authenticated", "auth was already sent", 409);
    // A new subscribe replaces the old one, e.g. after beyond_retention.
    await subscription?.close();
    subscription = undefined;
    const outcome = await hub.subscribe(
      tenant,
      topicFilter(tenant, frame.topics),
      frame.from,
      sink,
    );
    if (outcome.state === "ok") {
      if (closed) await outcome.subscription.close();
      else subscription = outcome.subscription;
    } else if (outcome.state === "beyond_retention") {
      error(
        "beyond_retention",
        `position ${frame.from} is older than the oldest retained (${outcome.oldest}); ` +
          "reload state and subscribe with from: null",
        410,
      );
    } else {
      sink.close(1001, "server shutting down");
    }
  };
  socket.onclose = () => {
    closed = true;
    clearTimeout(authTimer);
    subscription?.close();
    subscription = undefined;
  };
  socket.onerror = () => {};
  return response;
}
