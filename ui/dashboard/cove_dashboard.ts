/**
 * `<cove-dashboard>`: signs the person in (a one-time code in the URL
 * fragment, as `/signin#code=...` links carry it, or pasted), then shows
 * the connection indicator, the headline figures and the leads table, all
 * kept live by the {@link StreamController}: every lead event re-reads the
 * figures and the newest leads (debounced), which is idempotent, so an event
 * seen twice or a view read after it changes nothing.
 *
 * @module
 */
import { css, html, LitElement, nothing } from "lit";
import {
  createMinervaClient,
  type LeadRow,
  type MinervaEvent,
} from "../../shared/minerva_client.ts";
import { type ApiGet, createApi } from "./api.ts";
import type { LeadSummary, SummaryView } from "./hero_metrics.ts";
import { Session, SignInError } from "./session.ts";
import { type LinkState, StreamController } from "./stream_controller.ts";
import { baseStyles } from "./_styles.ts";

/** Leads per page of the table. */
export const PAGE_SIZE = 50;

/** How long lead events are gathered before the views are re-read. */
export const REFRESH_DEBOUNCE_MS = 250;

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
    summary: { state: true },
    rows: { state: true },
    next: { state: true },
    loading: { state: true },
    tableError: { state: true },
    fresh: { state: true },
    announcement: { state: true },
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
    `,
  ];

  declare phase: Phase;
  declare signInError: string;
  declare summary: SummaryView;
  declare rows: LeadRow[];
  /** Cursor of the next page; null when the last page is loaded. */
  declare next: string | null;
  declare loading: boolean;
  declare tableError: string;
  declare fresh: ReadonlySet<string>;
  declare announcement: string;

  readonly #session = new Session({ storage: localStorage, baseUrl: location.origin });
  readonly #api: ApiGet = createApi(this.#session);
  readonly #client = createMinervaClient({
    baseUrl: location.origin,
    getToken: () => this.#session.accessToken(),
  });
  #stream: StreamController | undefined;
  #refreshTimer: ReturnType<typeof setTimeout> | undefined;
  #loadedOnce = false;

  constructor() {
    super();
    this.phase = this.#session.current ? "ready" : "signed-out";
    this.signInError = "";
    this.summary = { state: "pending" };
    this.rows = [];
    this.next = null;
    this.loading = true;
    this.tableError = "";
    this.fresh = new Set();
    this.announcement = "";
  }

  override connectedCallback(): void {
    super.connectedCallback();
    const code = new URLSearchParams(location.hash.slice(1)).get("code");
    if (code) {
      // Out of the address bar and history before anything else: the code is a credential.
      history.replaceState(null, "", "/");
      void this.#signIn(code);
    } else if (this.phase === "ready") {
      this.#startStream();
    }
  }

  override disconnectedCallback(): void {
    clearTimeout(this.#refreshTimer);
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

  /** The stream head first, then the views: events after the head are re-applied harmlessly. */
  async #loadViews(): Promise<number> {
    const { position } = await this.#api<{ position: number }>("/ui/api/head");
    await Promise.all([this.#loadSummary(), this.#loadFirstPage()]);
    return position;
  }

  async #loadSummary(): Promise<void> {
    try {
      const summary = await this.#api<LeadSummary>("/v1/analytics/summary");
      this.summary = { state: "ready", summary };
    } catch (error) {
      if (this.summary.state !== "ready") {
        this.summary = { state: "error", message: (error as Error).message };
      }
    }
  }

  async #loadFirstPage(): Promise<void> {
    this.loading = true;
    try {
      const page = await this.#api<{ items: LeadRow[]; next: string | null }>(
        `/v1/leads?limit=${PAGE_SIZE}`,
      );
      // Newest first. A page that overlaps what is shown replaces those rows and adds the new
      // ones above; one that does not (more new leads than a page) starts the list over, so the
      // table never hides a gap between the new rows and the old.
      const ids = new Set(page.items.map((r) => r.lead_id));
      const known = new Set(this.rows.map((r) => r.lead_id));
      const overlaps = page.items.some((r) => known.has(r.lead_id));
      const added = this.#loadedOnce ? page.items.filter((r) => !known.has(r.lead_id)) : [];
      this.#loadedOnce = true;
      if (overlaps) {
        this.rows = [...page.items, ...this.rows.filter((r) => !ids.has(r.lead_id))];
      } else {
        this.rows = page.items;
        this.next = page.next;
      }
      if (added.length > 0) {
        this.fresh = new Set([...this.fresh, ...added.map((r) => r.lead_id)]);
        this.announcement = `${added.length === 1 ? "New lead" : `${added.length} new leads`}: ${
          added.map((r) => r.name ?? r.email ?? r.phone ?? "unnamed").join(", ")
        }`;
      }
      this.tableError = "";
    } catch (error) {
      this.tableError = (error as Error).message;
    } finally {
      this.loading = false;
    }
  }

  async #loadMore(): Promise<void> {
    if (!this.next || this.loading) return;
    this.loading = true;
    try {
      const page = await this.#api<{ items: LeadRow[]; next: string | null }>(
        `/v1/leads?limit=${PAGE_SIZE}&cursor=${encodeURIComponent(this.next)}`,
      );
      const known = new Set(this.rows.map((r) => r.lead_id));
      this.rows = [...this.rows, ...page.items.filter((r) => !known.has(r.lead_id))];
      this.next = page.next;
      this.tableError = "";
    } catch (error) {
      this.tableError = (error as Error).message;
    } finally {
      this.loading = false;
    }
  }

  #onEvent(e: MinervaEvent): void {
    if (!e.actor.startsWith("lead/")) return;
    clearTimeout(this.#refreshTimer);
    this.#refreshTimer = setTimeout(() => {
      void this.#loadSummary();
      void this.#loadFirstPage();
    }, REFRESH_DEBOUNCE_MS);
  }

  #signOut(): void {
    this.#session.signOut();
    if (this.#stream) {
      this.#stream.hostDisconnected();
      this.removeController(this.#stream);
      this.#stream = undefined;
    }
    this.rows = [];
    this.summary = { state: "pending" };
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
      <main>
        <cove-hero-metrics .view=${this.summary}></cove-hero-metrics>
        <cove-leads-table .rows=${this.rows} .hasMore=${this.next !== null} .loading=${this.loading}
          .error=${this.tableError} .fresh=${this.fresh} .announcement=${this.announcement}
          @load-more=${this.#loadMore}></cove-leads-table>
      </main>
    `;
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
