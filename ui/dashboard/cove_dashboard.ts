/**
 * `<cove-dashboard>`: signs the person in (a one-time code in the URL
 * fragment, as `/signin#code=...` links carry it, or pasted), then shows
 * the connection indicator, the navigation and the current view (see
 * router.ts), all kept live by the {@link StreamController}: events are
 * gathered for a moment into one {@link LiveTick} handed to the view, which
 * re-reads what it shows (idempotent, so an event seen twice or a view read
 * after it changes nothing).
 *
 * When the first view has loaded it sets the performance mark
 * `cove:interactive` (the first-paint benchmark reads it).
 *
 * @module
 */
import { css, html, LitElement, nothing } from "lit";
import { createMinervaClient, type MinervaEvent } from "../../shared/minerva_client.ts";
import { type Api, createApi } from "./api.ts";
import { href, NAV, parseRoute, type Route, SECTION } from "./router.ts";
import { Session, SignInError } from "./session.ts";
import { type LinkState, StreamController } from "./stream_controller.ts";
import { baseStyles } from "./_styles.ts";
import { type LiveTick, NO_TICK, tickOf } from "./live.ts";

/** How long events are gathered, from the first, before the views are re-read. */
export const REFRESH_DEBOUNCE_MS = 250;

/**
 * After this long without a tick, the first event ticks after only
 * {@link FIRST_EVENT_GATHER_MS} (the events of one turn arrive together): a lone
 * lead shows at once, a busy stream still costs one tick per {@link REFRESH_DEBOUNCE_MS}.
 */
export const QUIET_MS = 1_000;

/** See {@link QUIET_MS}. */
export const FIRST_EVENT_GATHER_MS = 25;

/** The performance mark set when the first view has loaded. */
export const INTERACTIVE_MARK = "cove:interactive";

/** A tick that makes every view re-read (after a reconnect that reloaded from a new head). */
const ALL_KINDS: ReadonlySet<string> = new Set([
  "lead",
  "task",
  "calendar",
  "campaign",
  "import",
  "team",
  "template_library",
]);

const LINK_LABELS: Record<LinkState, string> = {
  connecting: "Connecting",
  catching_up: "Catching up",
  live: "Live",
  reconnecting: "Reconnecting",
  offline: "Offline",
};

type Phase = "signing-in" | "signed-out" | "ready";

/** See the module doc. */
export class CoveDashboard extends LitElement {
  static override properties = {
    phase: { state: true },
    signInError: { state: true },
    route: { state: true },
    live: { state: true },
  };
  static override styles = [
    baseStyles,
    css`
      header {
        display: flex;
        flex-wrap: wrap;
        gap: 0.75rem 1.5rem;
        align-items: center;
        justify-content: space-between;
        padding: 0.75rem 1.25rem;
        background: #fff;
        border-bottom: 1px solid #c4c6cc;
      }
      h1 {
        font-size: 1.25rem;
        margin: 0;
      }
      main {
        padding: 1.25rem;
        display: grid;
        /* A wide view scrolls inside itself instead of widening the page (reflow at 390 px). */
        grid-template-columns: minmax(0, 1fr);
        gap: 1.25rem;
        max-width: 72rem;
        margin: 0 auto;
      }
      .link {
        display: inline-flex;
        align-items: center;
        gap: 0.5rem;
        font-weight: 600;
      }
      .dot {
        width: 0.75rem;
        height: 0.75rem;
        border-radius: 50%;
        background: #8a8a8f;
      }
      .link[data-state="live"] .dot {
        background: #146c2e;
      }
      .link[data-state="reconnecting"] .dot,
      .link[data-state="offline"] .dot {
        background: #b3261e;
      }
      .link[data-state="catching_up"] .dot {
        background: #8c5000;
      }
      .signin {
        max-width: 30rem;
        margin: 3rem auto;
        padding: 1.5rem;
        background: #fff;
        border: 1px solid #c4c6cc;
        border-radius: 0.5rem;
      }
      .signin form {
        display: grid;
        gap: 0.5rem;
      }
      .who {
        display: flex;
        gap: 1rem;
        align-items: center;
      }
      nav {
        background: #fff;
        border-bottom: 1px solid #c4c6cc;
        overflow-x: auto;
      }
      nav ul {
        list-style: none;
        margin: 0 auto;
        padding: 0 1.25rem;
        display: flex;
        gap: 0.25rem;
        max-width: 72rem;
      }
      nav a {
        display: inline-block;
        padding: 0.75rem 0.75rem;
        color: #1c1b1f;
        text-decoration: none;
        white-space: nowrap;
        border-bottom: 3px solid transparent;
      }
      nav a:hover {
        text-decoration: underline;
      }
      nav a[aria-current="page"] {
        color: #0b57d0;
        font-weight: 700;
        border-bottom-color: #0b57d0;
      }
      main:focus {
        outline: none;
      }
    `,
  ];

  declare phase: Phase;
  declare signInError: string;
  declare route: Route;
  declare live: LiveTick;

  readonly #session = new Session({ storage: localStorage, baseUrl: location.origin });
  readonly #api: Api = createApi(this.#session);
  readonly #client = createMinervaClient({
    baseUrl: location.origin,
    getToken: () => this.#session.accessToken(),
  });
  #stream: StreamController | undefined;
  #refreshTimer: ReturnType<typeof setTimeout> | undefined;
  #pending: MinervaEvent[] = [];
  #lastTickAt = -Infinity;

  constructor() {
    super();
    this.phase = this.#session.current ? "ready" : "signed-out";
    this.signInError = "";
    this.route = parseRoute(location.hash);
    this.live = NO_TICK;
  }

  readonly #onHash = () => {
    const route = parseRoute(location.hash);
    if (route.view === this.route.view && route.params.id === this.route.params.id) return;
    this.route = route;
    // Focus moves to the new view's heading region, so keyboard and screen-reader users follow.
    void this.updateComplete.then(() =>
      this.renderRoot.querySelector<HTMLElement>("main")?.focus()
    );
  };

  readonly #onReady = () => {
    if (performance.getEntriesByName(INTERACTIVE_MARK).length > 0) return;
    // Interactive once the view and every view inside it (the overview's table) have loaded.
    const view = this.renderRoot.querySelector("main > *");
    if (!view?.hasAttribute("data-ready")) return;
    if (view.shadowRoot?.querySelector("[aria-busy]:not([data-ready])")) return;
    performance.mark(INTERACTIVE_MARK);
  };

  override connectedCallback(): void {
    super.connectedCallback();
    addEventListener("hashchange", this.#onHash);
    this.addEventListener("view-ready", this.#onReady);
    const code = new URLSearchParams(location.hash.slice(1)).get("code");
    if (code) {
      // Out of the address bar and history before anything else: the code is a credential.
      history.replaceState(null, "", "/#/");
      this.route = parseRoute("");
      void this.#signIn(code);
    } else if (this.phase === "ready") {
      this.#startStream();
    }
  }

  override disconnectedCallback(): void {
    removeEventListener("hashchange", this.#onHash);
    this.removeEventListener("view-ready", this.#onReady);
    clearTimeout(this.#refreshTimer);
    this.#refreshTimer = undefined;
    super.disconnectedCallback();
  }

  async #signIn(code: string): Promise<void> {
    this.phase = "signing-in";
    try {
      await this.#session.signIn(code);
      this.signInError = "";
      this.phase = "ready";
      this.#startStream();
    } catch (error) {
      this.signInError = error instanceof SignInError ? error.message : String(error);
      this.phase = "signed-out";
    }
  }

  #startStream(): void {
    if (this.#stream) return;
    this.#stream = new StreamController(this, {
      client: this.#client,
      start: () => this.#loadViews(),
      onEvent: (e) => this.#onEvent(e),
      onClosed: (reason) => {
        if (reason.startsWith("unauthorized") || !this.#session.current) this.#signOut();
      },
    });
    // lit calls hostConnected itself when a controller is added to a connected host.
  }

  /**
   * The stream head first, then a tick that makes the view re-read: events after the head are
   * re-applied harmlessly. The view loads on its own when it is first shown.
   */
  async #loadViews(): Promise<number> {
    const { position } = await this.#api.get<{ position: number }>("/ui/api/head");
    if (this.live !== NO_TICK) {
      this.live = { ...NO_TICK, revision: this.live.revision + 1, kinds: ALL_KINDS };
    }
    return position;
  }

  #onEvent(e: MinervaEvent): void {
    this.#pending.push(e);
    // Gathered from the first event for a fixed moment, not restarted by each: a steady stream
    // of events must still tick.
    if (this.#refreshTimer !== undefined) return;
    const quiet = performance.now() - this.#lastTickAt >= QUIET_MS;
    this.#refreshTimer = setTimeout(() => {
      this.#refreshTimer = undefined;
      this.#lastTickAt = performance.now();
      const batch = this.#pending;
      this.#pending = [];
      this.live = tickOf(this.live.revision + 1, batch);
    }, quiet ? FIRST_EVENT_GATHER_MS : REFRESH_DEBOUNCE_MS);
  }

  #signOut(): void {
    this.#session.signOut();
    if (this.#stream) {
      this.#stream.hostDisconnected();
      this.removeController(this.#stream);
      this.#stream = undefined;
    }
    this.live = NO_TICK;
    this.phase = "signed-out";
  }

  override render() {
    if (this.phase === "signing-in") {
      return html`<p class="signin" role="status">Signing in...</p>`;
    }
    if (this.phase === "signed-out") return this.#renderSignIn();
    const link = this.#stream?.state ?? "connecting";
    const detail = this.#stream?.detail ?? "";
    return html`
      <header>
        <h1>Cove</h1>
        <div class="link" data-state=${link} data-position=${this.#stream?.position ?? ""}
          role="status" aria-live="polite">
                <span class="dot" aria-hidden="true"></span>
                <span>${LINK_LABELS[link]}</span>${detail
                  ? html`<span class="muted">(${detail})</span>`
                  : nothing}
              </div>
        <div class="who">
          <span class="muted">${this.#session.current?.tenant ?? ""}</span>
          <button class="quiet" @click=${this.#signOut}>Sign out</button>
        </div>
      </header>
      <nav aria-label="Views">
        <ul>${NAV.map(([view, label]) =>
          html`<li><a href=${href(view)} aria-current=${
            SECTION[this.route.view] === view ? "page" : nothing
          }>${label}</a></li>`
        )}</ul>
      </nav>
      <main tabindex="-1" data-view=${this.route.view}>${this.#renderView()}
      </main>
    `;
  }

  #renderView() {
    const api = this.#api;
    const live = this.live;
    const params = this.route.params;
    switch (this.route.view) {
      case "overview":
        return html`<cove-overview .api=${api} .live=${live}></cove-overview>`;
      case "lead":
        return html`<cove-lead-detail .api=${api} .live=${live} .params=${params}></cove-lead-detail>`;
      case "silent":
        return html`<cove-silent-leads .api=${api} .live=${live}></cove-silent-leads>`;
      case "tasks":
        return html`<cove-tasks-board .api=${api} .live=${live}></cove-tasks-board>`;
      case "calendar":
        return html`<cove-bookings-calendar .api=${api} .live=${live}></cove-bookings-calendar>`;
      case "campaigns":
        return html`<cove-campaigns-view .api=${api} .live=${live}></cove-campaigns-view>`;
      case "campaign-new":
        return html`<cove-campaign-wizard .api=${api} .live=${live}></cove-campaign-wizard>`;
      case "campaign":
        return html`<cove-campaign-stats .api=${api} .live=${live} .params=${params}></cove-campaign-stats>`;
      case "analytics":
        return html`<cove-analytics-view .api=${api} .live=${live}></cove-analytics-view>`;
      case "import":
        return html`<cove-import-view .api=${api} .live=${live}></cove-import-view>`;
      case "ops":
        return html`<cove-ops-view .api=${api} .live=${live}></cove-ops-view>`;
    }
  }

  #renderSignIn() {
    const submit = (e: SubmitEvent) => {
      e.preventDefault();
      const raw = String(new FormData(e.currentTarget as HTMLFormElement).get("code") ?? "").trim();
      const code = raw.includes("#code=") ? raw.slice(raw.indexOf("#code=") + 6) : raw;
      if (code) void this.#signIn(code);
      else this.signInError = "Paste the sign-in link or its code.";
    };
    return html`
      <main>
        <section class="signin" aria-labelledby="signin-title">
            <h1 id="signin-title">Sign in to Cove</h1>
            <p>Open the one-time sign-in link you were given, or paste it here.</p>
            <form @submit=${submit}>
              <label for="code">Sign-in link or code</label>
              <input id="code" name="code" autocomplete="off"
                aria-describedby=${this.signInError ? "signin-error" : nothing}>
              <button type="submit">Sign in</button>
            </form>
            ${this.signInError
              ? html`<p id="signin-error" class="error" role="alert">${this.signInError}</p>`
              : nothing}
          </section>
      </main>
    `;
  }
}
