/**
 * The Minerva client: what an AI operator (or any program) uses to follow a
 * tenant's live stream and to issue commands over REST. Runtime-neutral: it
 * needs only the `fetch` and `WebSocket` globals, so it runs in Deno, Node
 * and browsers alike.
 *
 * Streams (`subscribe`) speak protocol v1 of `stream_protocol.ts`: auth in
 * the first frame, subscribe from a position, and, after a drop, a slow
 * consumer close (4008), a node shutting down (1001) or silence longer than
 * a few heartbeats, reconnect with backoff and resume from the last position
 * received, so `onEvent` sees every event exactly once, in order.
 *
 * Commands answer a {@link CommandOutcome}: `done` with the route's answer,
 * or `suggested` when the tenant's AI policy is `suggest` and an admin must
 * approve first. Failures throw a {@link MinervaApiError} carrying the API's
 * error code and status. With a refresh token, a 401 renews the tokens at
 * `POST /v1/auth/refresh` and retries once.
 *
 * ```ts
 * const minerva = createMinervaClient({ baseUrl: "http://localhost:8080", token });
 * minerva.subscribe({ topics: ["tenant"], from: null, onEvent: (e) => console.log(e.type) });
 * const r = await minerva.captureLead({ idempotencyKey: "k1", contact: { email: "a@b.co" } });
 * if (r.state === "suggested") console.log("waiting for approval:", r.suggestionId);
 * ```
 *
 * @module
 */
import { CoveError } from "./errors.ts";
import type { CaptureLeadFields } from "./lead.ts";
import { ServerFrame, type StreamEventBody, type StreamTopic } from "./stream_protocol.ts";
import type { SuggestionStatus } from "./suggestion.ts";
import type { z } from "zod";

/** One event as `onEvent` receives it: the stream's event with its position. */
export type MinervaEvent = z.infer<typeof StreamEventBody> & {
  /** The event's stream position; resume after it with `from: position`. */
  position: number;
};

/** A failed API call: the API's `error.code`, HTTP status and details. */
export class MinervaApiError extends CoveError {
  /** `status` is 0 when the server could not be reached (code `network_error`). */
  constructor(code: string, message: string, status: number, details: Record<string, unknown>) {
    super(code, message, { status, public: true, details });
  }
}

/** What a command led to: it ran (`done`), or it waits for an admin (`suggested`). */
export type CommandOutcome<T> =
  | { state: "done"; status: number; value: T }
  | { state: "suggested"; suggestionId: string; status: SuggestionStatus };

/** The body of `POST /v1/leads`: a capture, whose `source` defaults to `rest`. */
export type CaptureLeadInput =
  & Omit<z.input<typeof CaptureLeadFields>, "source">
  & Partial<Pick<z.input<typeof CaptureLeadFields>, "source">>;

/** What a capture answers (as `POST /v1/leads` documents it). */
export interface CaptureResult {
  leadId: string;
  outcome: "created" | "merged" | "repeated";
  matchedBy: string[];
  possibleDuplicates: string[];
}

/** One row of the lead list (as `GET /v1/leads` documents it). */
export interface LeadRow {
  lead_id: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  company: string | null;
  status: string;
  score: number | null;
  priority: string | null;
  owner: string | null;
  source: string | null;
  tags: unknown;
  created_at: unknown;
  last_activity: unknown;
}

/** A lead as `GET /v1/leads/{id}` answers it (fields of the lead schema in `lead.ts`). */
export type LeadDetails = { leadId: string } & Record<string, unknown>;

/** One timeline entry (as `GET /v1/leads/{id}/timeline` documents it). */
export interface TimelineEntry {
  seq: number;
  at: number;
  type: string;
  summary: string;
  data: unknown;
}

/** Filters of {@link MinervaClient.listLeads}. */
export interface ListLeadsQuery {
  status?: string;
  source?: string;
  /** Matches name, email, company or phone. */
  q?: string;
  /** `newest` (default), `oldest`, `score`, `name` (A to Z, unnamed last), `activity`. */
  sort?: "newest" | "oldest" | "score" | "name" | "activity";
  limit?: number;
  /** The `next` of the previous page. */
  cursor?: string;
}

/** Where a subscription is; `closed` is final. */
export type StreamStatus =
  | { state: "connecting"; attempt: number }
  /** Caught up with the journal at `position`; live events follow. */
  | { state: "live"; position: number }
  | { state: "reconnecting"; attempt: number; delayMs: number; code: number; reason: string }
  | { state: "closed"; reason: string; error?: unknown };

/** Options of {@link MinervaClient.subscribe}. */
export interface SubscribeOptions {
  topics: StreamTopic[];
  /** Resume after this position; null for every event the node retains. */
  from: number | null;
  /**
   * Called once per event, in order; the next waits for it to settle. If it
   * throws, the subscription closes and `position` is the last event it handled.
   */
  onEvent: (event: MinervaEvent) => void | Promise<void>;
  onStatus?: (status: StreamStatus) => void;
}

/** A running subscription. */
export interface MinervaSubscription {
  /** The last position handled (an event's, or a `caught_up`'s); null before any. */
  readonly position: number | null;
  /** Stops it for good; no `onEvent` call starts after this. */
  close(): void;
}

/** Options of {@link createMinervaClient}. */
export interface MinervaClientOptions {
  /** The node's URL, e.g. `http://localhost:8080`. */
  baseUrl: string;
  /** An access token of role `ai` (from `deno task token`). */
  token?: string;
  /** Asked for the access token before each request and connection; wins over `token`. */
  getToken?: () => string | Promise<string>;
  /** When given, a 401 renews the tokens at `POST /v1/auth/refresh` and retries once. */
  refreshToken?: string;
  /** Told the renewed pair after a refresh, e.g. to keep it. */
  onTokens?: (tokens: { accessToken: string; refreshToken: string }) => void;
  /** First reconnect delay, ms (default 250); doubles per failed attempt, with jitter. */
  initialDelayMs?: number;
  /** Longest reconnect delay, ms (default 10,000). */
  maxDelayMs?: number;
  /** No frame for this long (heartbeats come every 15 s) means the socket is dead (default 45,000). */
  staleAfterMs?: number;
}

/** See {@link createMinervaClient}. */
export interface MinervaClient {
  /** Follows the tenant's stream; see {@link SubscribeOptions}. */
  subscribe(options: SubscribeOptions): MinervaSubscription;
  /** Any REST call: the status and JSON body of a 2xx/3xx answer; throws {@link MinervaApiError}. */
  request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    options?: { idempotencyKey?: string },
  ): Promise<{ status: number; body: T }>;
  /** A mutating REST call, as a {@link CommandOutcome}. */
  command<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    options?: { idempotencyKey?: string },
  ): Promise<CommandOutcome<T>>;
  /** `POST /v1/leads`; the capture's `idempotencyKey` also keys a suggestion. */
  captureLead(input: CaptureLeadInput): Promise<CommandOutcome<CaptureResult>>;
  /** `GET /v1/leads/{id}`. */
  getLead(id: string): Promise<LeadDetails>;
  /** `GET /v1/leads`, newest first. */
  listLeads(query?: ListLeadsQuery): Promise<{ items: LeadRow[]; next: string | null }>;
  /** `GET /v1/leads/{id}/timeline`. */
  timeline(id: string, query?: { after?: number; limit?: number }): Promise<TimelineEntry[]>;
  /** Closes every subscription. */
  close(): void;
}

/** Close codes after which reconnecting cannot help. */
const FINAL_CLOSE_CODES = new Set([4400]);
const UNAUTHORIZED_CLOSE = 4401;

/** Builds a client; nothing connects until `subscribe` or a request. */
export function createMinervaClient(options: MinervaClientOptions): MinervaClient {
  const base = options.baseUrl.replace(/\/+$/, "");
  const initialDelay = options.initialDelayMs ?? 250;
  const maxDelay = options.maxDelayMs ?? 10_000;
  const staleAfter = options.staleAfterMs ?? 45_000;
  let renewed: { accessToken: string; refreshToken: string } | undefined;
  let refreshing: Promise<boolean> | undefined;
  const subscriptions = new Set<MinervaSubscription>();

  const accessToken = async (): Promise<string> => {
    if (renewed) return renewed.accessToken;
    const token = options.getToken ? await options.getToken() : options.token;
    if (!token) throw new MinervaApiError("no_token", "give token or getToken", 401, {});
    return token;
  };

  /** Renews the tokens once for everyone waiting; false when there is nothing to renew with. */
  const refresh = (): Promise<boolean> => {
    const refreshToken = renewed?.refreshToken ?? options.refreshToken;
    if (!refreshToken) return Promise.resolve(false);
    refreshing ??= (async () => {
      try {
        const res = await fetch(`${base}/v1/auth/refresh`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ refreshToken }),
        });
        if (!res.ok) {
          await res.body?.cancel();
          return false;
        }
        const pair = await res.json() as { accessToken: string; refreshToken: string };
        renewed = { accessToken: pair.accessToken, refreshToken: pair.refreshToken };
        options.onTokens?.(renewed);
        return true;
      } catch {
        return false;
      } finally {
        refreshing = undefined;
      }
    })();
    return refreshing;
  };

  const send = async (
    method: string,
    path: string,
    body: unknown,
    idempotencyKey: string | undefined,
    retried = false,
  ): Promise<{ status: number; body: unknown }> => {
    const headers: Record<string, string> = { authorization: `Bearer ${await accessToken()}` };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (idempotencyKey) headers["idempotency-key"] = idempotencyKey;
    let res: Response;
    try {
      res = await fetch(base + path, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (error) {
      throw new MinervaApiError("network_error", `${method} ${path}: ${error}`, 0, {});
    }
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text === "" ? null : JSON.parse(text);
    } catch {
      json = text;
    }
    // A refused token ran nothing, so the request may be sent again once renewed.
    if (res.status === 401 && !retried && await refresh()) {
      return await send(method, path, body, idempotencyKey, true);
    }
    if (res.status >= 400) {
      const error = (json as { error?: { code?: string; message?: string; details?: unknown } })
        ?.error;
      throw new MinervaApiError(
        error?.code ?? "http_error",
        error?.message ?? `${method} ${path} answered ${res.status}`,
        res.status,
        (error?.details as Record<string, unknown> | undefined) ?? {},
      );
    }
    return { status: res.status, body: json };
  };

  const client: MinervaClient = {
    request: async <T>(
      method: string,
      path: string,
      body?: unknown,
      opts: { idempotencyKey?: string } = {},
    ) =>
      await send(method.toUpperCase(), path, body, opts.idempotencyKey) as {
        status: number;
        body: T;
      },

    command: async <T>(
      method: string,
      path: string,
      body?: unknown,
      opts: { idempotencyKey?: string } = {},
    ): Promise<CommandOutcome<T>> => {
      const r = await send(method.toUpperCase(), path, body, opts.idempotencyKey);
      const b = r.body as { suggestionId?: unknown; status?: unknown } | null;
      if (r.status === 202 && typeof b?.suggestionId === "string") {
        return {
          state: "suggested",
          suggestionId: b.suggestionId,
          status: b.status as SuggestionStatus,
        };
      }
      return { state: "done", status: r.status, value: r.body as T };
    },

    captureLead: (input) =>
      client.command<CaptureResult>("POST", "/v1/leads", input, {
        idempotencyKey: `capture:${input.idempotencyKey}`,
      }),

    getLead: async (id) =>
      (await client.request<LeadDetails>("GET", `/v1/leads/${encodeURIComponent(id)}`)).body,

    listLeads: async (query = {}) => {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
      const qs = params.size > 0 ? `?${params}` : "";
      return (await client.request<{ items: LeadRow[]; next: string | null }>(
        "GET",
        `/v1/leads${qs}`,
      )).body;
    },

    timeline: async (id, query = {}) => {
      const params = new URLSearchParams();
      if (query.after !== undefined) params.set("after", String(query.after));
      if (query.limit !== undefined) params.set("limit", String(query.limit));
      const qs = params.size > 0 ? `?${params}` : "";
      return (await client.request<{ items: TimelineEntry[] }>(
        "GET",
        `/v1/leads/${encodeURIComponent(id)}/timeline${qs}`,
      )).body.items;
    },

    subscribe: (opts) => {
      const sub = openSubscription(opts, {
        url: base.replace(/^http/, "ws") + "/v1/stream",
        accessToken,
        refresh,
        initialDelay,
        maxDelay,
        staleAfter,
        forget: () => subscriptions.delete(sub),
      });
      subscriptions.add(sub);
      return sub;
    },

    close: () => {
      for (const s of [...subscriptions]) s.close();
    },
  };
  return client;
}

interface Connector {
  url: string;
  accessToken: () => Promise<string>;
  refresh: () => Promise<boolean>;
  initialDelay: number;
  maxDelay: number;
  staleAfter: number;
  forget: () => void;
}

/** One subscription's life: connect, resume, reconnect, until closed. */
function openSubscription(opts: SubscribeOptions, conn: Connector): MinervaSubscription {
  // `received`: the last position taken off the socket (resume from here);
  // `handled`: the last one onEvent finished with (what `position` reports).
  let received = opts.from;
  let handled = opts.from;
  let closed = false;
  let socket: WebSocket | undefined;
  let attempt = 0;
  let refreshedSinceReady = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let staleTimer: ReturnType<typeof setTimeout> | undefined;
  // Events are handed to onEvent one at a time, in arrival order.
  let delivery: Promise<void> = Promise.resolve();
  const status = (s: StreamStatus) => {
    try {
      opts.onStatus?.(s);
    } catch { /* a status listener cannot break the stream */ }
  };

  const finish = (reason: string, error?: unknown) => {
    if (closed) return;
    closed = true;
    clearTimeout(retryTimer);
    clearTimeout(staleTimer);
    conn.forget();
    if (socket && socket.readyState <= 1) socket.close(1000, "client closed");
    status({ state: "closed", reason, ...(error !== undefined ? { error } : {}) });
  };

  const deliver = (event: MinervaEvent) => {
    delivery = delivery.then(async () => {
      if (closed) return;
      try {
        await opts.onEvent(event);
        handled = event.position;
      } catch (error) {
        finish("onEvent threw", error);
      }
    });
  };

  const markCaughtUp = (position: number) => {
    delivery = delivery.then(() => {
      if (closed) return;
      if (handled === null || position > handled) handled = position;
      status({ state: "live", position });
    });
  };

  const watchdog = (ws: WebSocket) => {
    clearTimeout(staleTimer);
    staleTimer = setTimeout(() => ws.close(4000, "no frames; reconnecting"), conn.staleAfter);
  };

  const connect = () => {
    if (closed) return;
    status({ state: "connecting", attempt });
    const ws = new WebSocket(conn.url);
    socket = ws;
    watchdog(ws);
    ws.onopen = async () => {
      try {
        const token = await conn.accessToken();
        if (ws.readyState === 1) ws.send(JSON.stringify({ type: "auth", token }));
      } catch (error) {
        finish("no access token", error);
      }
    };
    ws.onmessage = (msg) => {
      if (socket !== ws || closed) return;
      watchdog(ws);
      let parsed;
      try {
        parsed = ServerFrame.safeParse(JSON.parse(String(msg.data)));
      } catch {
        return;
      }
      if (!parsed.success) return;
      const frame = parsed.data;
      switch (frame.type) {
        case "ready":
          attempt = 0;
          refreshedSinceReady = false;
          ws.send(JSON.stringify({ type: "subscribe", topics: opts.topics, from: received }));
          return;
        case "event":
          // Positions only grow; anything at or before the last received was delivered.
          if (received !== null && frame.position <= received) return;
          received = frame.position;
          deliver({ ...frame.event, position: frame.position });
          return;
        case "caught_up":
          if (received === null || frame.position > received) received = frame.position;
          markCaughtUp(frame.position);
          return;
        case "error":
          // The journal no longer holds `from`: only the caller can reload state and restart.
          if (frame.code === "beyond_retention") finish(`beyond_retention: ${frame.message}`);
          return;
        default:
          return; // heartbeat, closing: the watchdog and the close code say enough
      }
    };
    ws.onerror = () => {}; // always followed by close
    ws.onclose = async (e) => {
      if (socket !== ws) return;
      clearTimeout(staleTimer);
      if (closed) return;
      if (FINAL_CLOSE_CODES.has(e.code)) return finish(`closed by server: ${e.code} ${e.reason}`);
      if (e.code === UNAUTHORIZED_CLOSE) {
        if (refreshedSinceReady || !await conn.refresh()) {
          return finish(`unauthorized: ${e.reason}`);
        }
        refreshedSinceReady = true;
      }
      const delayMs = Math.round(
        Math.min(conn.maxDelay, conn.initialDelay * 2 ** attempt) * (0.5 + Math.random() / 2),
      );
      attempt++;
      status({ state: "reconnecting", attempt, delayMs, code: e.code, reason: e.reason });
      retryTimer = setTimeout(connect, delayMs);
    };
  };

  connect();
  return {
    get position() {
      return handled;
    },
    close: () => finish("closed by client"),
  };
}
