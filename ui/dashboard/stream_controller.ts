/**
 * The lit reactive controller that owns the dashboard's live stream: it
 * opens the resumable WebSocket subscription when its host connects and
 * closes it when the host disconnects (style: UI state through controllers).
 * The resume protocol itself (auth, subscribe from a position, reconnect
 * with backoff, exactly once in order) is shared/minerva_client.ts; this
 * adds the visible link state and the start position.
 *
 * @module
 */
import type { ReactiveController, ReactiveControllerHost } from "lit";
import type {
  MinervaClient,
  MinervaEvent,
  MinervaSubscription,
  StreamStatus,
} from "../../shared/minerva_client.ts";

/** What the connection indicator shows. */
export type LinkState = "connecting" | "catching_up" | "live" | "reconnecting" | "offline";

/** Options of {@link StreamController}. */
export interface StreamControllerOptions {
  client: MinervaClient;
  /**
   * Loads the views and answers the position to subscribe from (taken
   * before the views were read, so nothing between is missed). Called at
   * every (re)start, e.g. after the journal no longer holds our position.
   */
  start: () => Promise<number | null>;
  /** Each event once, in order. */
  onEvent: (event: MinervaEvent) => void;
  /** The stream ended for good (signed out, refused). */
  onClosed?: (reason: string) => void;
}

/** See the module doc. */
export class StreamController implements ReactiveController {
  /** The indicator's state. */
  state: LinkState = "connecting";
  /** Said next to the indicator (e.g. "retrying in 2 s"). */
  detail = "";
  /** The last position handled; null before any. */
  position: number | null = null;

  readonly #host: ReactiveControllerHost;
  readonly #opts: StreamControllerOptions;
  #sub: MinervaSubscription | undefined;
  #generation = 0;

  /** Registers with `host`; the stream opens when the host connects. */
  constructor(host: ReactiveControllerHost, opts: StreamControllerOptions) {
    this.#host = host;
    this.#opts = opts;
    host.addController(this);
  }

  /** Opens the stream. */
  hostConnected(): void {
    addEventListener("online", this.#onOnline);
    void this.#open();
  }

  /** Closes the stream. */
  hostDisconnected(): void {
    removeEventListener("online", this.#onOnline);
    this.#generation++;
    this.#sub?.close();
    this.#sub = undefined;
  }

  /** Back online: resume now from the last position instead of waiting out the backoff. */
  readonly #onOnline = () => {
    if (this.state !== "reconnecting" || !this.#sub) return;
    const from = this.position;
    this.#generation++;
    this.#sub.close();
    this.#sub = undefined;
    this.#subscribe(this.#generation, from, true);
  };

  async #open(): Promise<void> {
    const generation = ++this.#generation;
    this.#set("connecting", "");
    let from: number | null;
    try {
      from = await this.#opts.start();
    } catch (error) {
      if (generation !== this.#generation) return;
      this.#set(
        "reconnecting",
        `could not load: ${error instanceof Error ? error.message : error}`,
      );
      setTimeout(() => generation === this.#generation && void this.#open(), 2_000);
      return;
    }
    if (generation !== this.#generation) return;
    this.#subscribe(generation, from, false);
  }

  #subscribe(generation: number, from: number | null, resumed: boolean): void {
    this.position = from;
    let wasLive = resumed;
    this.#sub = this.#opts.client.subscribe({
      topics: ["tenant"],
      from,
      onEvent: (event) => {
        if (generation !== this.#generation) return;
        if (this.state !== "live") this.#set("catching_up", "");
        this.position = event.position;
        this.#opts.onEvent(event);
        this.#host.requestUpdate();
      },
      onStatus: (s: StreamStatus) => {
        if (generation !== this.#generation) return;
        if (s.state === "live") {
          wasLive = true;
          this.position = s.position;
          this.#set("live", "");
        } else if (s.state === "connecting") {
          this.#set(wasLive || s.attempt > 0 ? "reconnecting" : "connecting", "");
        } else if (s.state === "reconnecting") {
          this.#set("reconnecting", `retrying in ${Math.max(1, Math.round(s.delayMs / 1000))} s`);
        } else if (s.reason.startsWith("beyond_retention")) {
          // Our position is gone from the journal: reload the views and start over.
          void this.#open();
        } else if (s.reason !== "closed by client") {
          this.#set("offline", s.reason);
          this.#opts.onClosed?.(s.reason);
        }
      },
    });
  }

  #set(state: LinkState, detail: string): void {
    this.state = state;
    this.detail = detail;
    this.#host.requestUpdate();
  }
}
