/**
 * `<cove-ops-view>`: Delivery. Each channel's provider with its mode (a
 * sandbox says plainly that nothing is delivered) and its circuit breaker
 * on this node; the outbox counted by status; the dead letters, a page at a
 * time by channel, each with Replay and Discard (discard asks first) and
 * what came of it on its row. Re-read every 10 s while shown, and on live
 * ticks (events are what queue messages), the interval cleared when the
 * view leaves the page.
 *
 * @module
 */
import { html, nothing } from "lit";
import { ApiError } from "../api.ts";
import { baseStyles } from "../_styles.ts";
import type { LiveTick } from "../live.ts";
import { DashboardView } from "./_view.ts";
import {
  breakerText,
  channelLabel,
  modeText,
  type ProviderStatus,
  timeText,
} from "./_ops_format.ts";
import {
  type DeadLetter,
  type DeadLetterSummary,
  type OutboxCounts,
  type Outcome,
  type Read,
  settled,
} from "./_ops_shapes.ts";
import { opsStyles } from "./_ops_styles.ts";

/** How often the view re-reads while shown. */
export const RELOAD_MS = 10_000;

/**
 * Least time between re-reads for live ticks: each reads three resources,
 * and busy tenants tick four times a second against a per-person rate limit.
 */
export const TICK_RELOAD_MS = 3_000;

/** Dead letters per page. */
export const PAGE_SIZE = 50;

/** See the module doc. */
export class CoveOpsView extends DashboardView {
  static override properties = {
    ...DashboardView.properties,
    providers: { state: true },
    outbox: { state: true },
    letters: { state: true },
    next: { state: true },
    channel: { state: true },
    outcomes: { state: true },
    details: { state: true },
    loadingMore: { state: true },
  };
  static override styles = [baseStyles, opsStyles];

  declare providers: Read<ProviderStatus[]>;
  declare outbox: Read<{ total: OutboxCounts; channels: Record<string, OutboxCounts> }>;
  declare letters: Read<DeadLetterSummary[]>;
  declare next: number | null;
  declare channel: string;
  declare outcomes: ReadonlyMap<number, { row: DeadLetterSummary; outcome: Outcome }>;
  declare details: ReadonlyMap<number, Read<DeadLetter>>;
  declare loadingMore: boolean;
  #timer: ReturnType<typeof setInterval> | undefined;
  /** When the last read began (epoch ms). */
  #lastLoad = 0;

  constructor() {
    super();
    this.providers = { state: "loading" };
    this.outbox = { state: "loading" };
    this.letters = { state: "loading" };
    this.next = null;
    this.channel = "";
    this.outcomes = new Map();
    this.details = new Map();
    this.loadingMore = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#timer = setInterval(() => void this.reload(), RELOAD_MS);
  }

  override disconnectedCallback(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    super.disconnectedCallback();
  }

  /** Events of leads, campaigns and tasks queue or settle messages; not more often than TICK_RELOAD_MS. */
  protected override wants(tick: LiveTick): boolean {
    const relevant = ["lead", "campaign", "task"].some((k) => tick.kinds.has(k));
    return relevant && Date.now() - this.#lastLoad >= TICK_RELOAD_MS;
  }

  protected override async load(): Promise<void> {
    const startedAt = Date.now();
    this.#lastLoad = startedAt;
    const shown = this.letters.state === "ok" ? this.letters.value.length : 0;
    const [providers, outbox, letters] = await Promise.allSettled([
      this.api.get<{ items: ProviderStatus[] }>("/v1/providers"),
      this.api.get<{ total: OutboxCounts; channels: Record<string, OutboxCounts> }>("/v1/outbox"),
      // As many as are shown, so a reload does not shrink a list the person paged through.
      this.#page(Math.min(500, Math.max(PAGE_SIZE, shown)), null),
    ]);
    this.providers = settled(providers, (v) => v.items);
    this.outbox = settled(outbox, (v) => v);
    this.letters = settled(letters, (v) => v.items);
    if (letters.status === "fulfilled") {
      this.next = letters.value.next;
      this.#failedAgain(letters.value.items, startedAt);
    }
  }

  /**
   * A replayed row listed by a read that began after the replay was answered
   * failed once more: its buttons come back, with its new error.
   */
  #failedAgain(rows: readonly DeadLetterSummary[], readSince: number): void {
    const again = rows.filter((r) => {
      const o = this.outcomes.get(r.id)?.outcome;
      return o?.state === "replayed" && o.at <= readSince;
    });
    for (const r of again) {
      this.#setOutcome(r, {
        state: "failed",
        message: "Replayed, and it failed again: see its error.",
      });
    }
  }

  #page(limit: number, cursor: number | null) {
    const q = new URLSearchParams({ limit: String(limit) });
    if (this.channel) q.set("channel", this.channel);
    if (cursor !== null) q.set("cursor", String(cursor));
    return this.api.get<{ items: DeadLetterSummary[]; next: number | null }>(
      `/v1/dead-letters?${q}`,
    );
  }

  async #more(): Promise<void> {
    if (this.next === null || this.letters.state !== "ok") return;
    this.loadingMore = true;
    try {
      const page = await this.#page(PAGE_SIZE, this.next);
      const known = this.letters.state === "ok" ? this.letters.value : [];
      const ids = new Set(known.map((l) => l.id));
      this.letters = {
        state: "ok",
        value: [...known, ...page.items.filter((l) => !ids.has(l.id))],
      };
      this.next = page.next;
    } catch (error) {
      this.letters = { state: "error", message: (error as Error).message };
    } finally {
      this.loadingMore = false;
    }
  }

  #setOutcome(row: DeadLetterSummary, outcome: Outcome | null): void {
    const next = new Map(this.outcomes);
    if (outcome) next.set(row.id, { row, outcome });
    else next.delete(row.id);
    this.outcomes = next;
  }

  async #act(row: DeadLetterSummary, action: "replay" | "discard"): Promise<void> {
    this.#setOutcome(row, { state: "working", action });
    try {
      if (action === "replay") {
        const r = await this.api.send<{ nextAt: number }>(
          "POST",
          `/v1/dead-letters/${row.id}/replay`,
        );
        this.#setOutcome(row, { state: "replayed", nextAt: r.nextAt, at: Date.now() });
      } else {
        await this.api.send("POST", `/v1/dead-letters/${row.id}/discard`, {
          reason: "discarded from the dashboard",
        });
        this.#setOutcome(row, { state: "discarded" });
      }
      void this.reload();
    } catch (error) {
      const message = error instanceof ApiError && error.status === 403
        ? "Not done: only an admin may replay or discard messages."
        : error instanceof ApiError && error.status === 404
        ? "Not done: this message is no longer a dead letter (replayed or discarded elsewhere)."
        : `Not done: ${(error as Error).message}`;
      this.#setOutcome(row, { state: "failed", message });
    }
  }

  async #inspect(e: Event, id: number): Promise<void> {
    if (!(e.target as HTMLDetailsElement).open || this.details.get(id)?.state === "ok") return;
    this.details = new Map(this.details).set(id, { state: "loading" });
    let read: Read<DeadLetter>;
    try {
      read = { state: "ok", value: await this.api.get<DeadLetter>(`/v1/dead-letters/${id}`) };
    } catch (error) {
      read = { state: "error", message: (error as Error).message };
    }
    this.details = new Map(this.details).set(id, read);
  }

  override render() {
    return html`
      <h2>Delivery</h2>
      ${this.#renderProviders()}
      ${this.#renderOutbox()}
      ${this.#renderDeadLetters()}
    `;
  }

  #renderProviders() {
    const p = this.providers;
    let body;
    if (p.state === "loading") body = html`<p class="muted" role="status">Loading providers...</p>`;
    else if (p.state === "error") {
      body = html`<p class="error" role="alert">Providers could not be read: ${p.message}</p>`;
    } else if (p.value.length === 0) {
      body = html`<p class="muted">This node sends through no providers.</p>`;
    } else {
      body = html`
        <ul class="cards">${p.value.map((s) => {
          const b = breakerText(s.breaker);
          return html`
            <li class="card" data-channel=${s.channel}>
              <h4>${channelLabel(s.channel)}</h4>
              <span>Provider: <strong>${s.provider}</strong></span>
              <span class="badge" data-mode=${s.mode}>${modeText(s)}</span>
              <span class="breaker" data-state=${s.breaker.state}>Circuit breaker:
                          <strong>${b.label}</strong>. ${b.detail}.</span>
            </li>
          `;
        })}</ul>
        <p class="muted">Breakers are kept by each node; another node may show another state.</p>
      `;
    }
    return html`<section aria-labelledby="providers-title">
      <h3 id="providers-title">Providers</h3>${body}
    </section>`;
  }

  #renderOutbox() {
    const o = this.outbox;
    let body;
    if (o.state === "loading") {
      body = html`<p class="muted" role="status">Loading the outbox...</p>`;
    } else if (o.state === "error") {
      body = html`<p class="error" role="alert">The outbox could not be read: ${o.message}</p>`;
    } else {
      const rows = Object.entries(o.value.channels);
      const n = new Intl.NumberFormat();
      const line = (label: string, c: OutboxCounts, head = false) =>
        html`
          <tr>
            <th scope="row">${head ? html`<strong>${label}</strong>` : label}</th>
            <td class="num">${n.format(c.pending)}</td>
            <td class="num">${n.format(c.sent)}</td>
            <td class="num">${n.format(c.dead)}</td>
            <td class="num">${n.format(c.discarded)}</td>
          </tr>
        `;
      body = html`
        <div class="scroll" tabindex="0" role="region" aria-label="Outbox counts">
          <table>
                <caption>Outgoing messages by channel and status</caption>
                <thead><tr>
                  <th scope="col">Channel</th><th scope="col" class="num">Waiting</th>
                  <th scope="col" class="num">Sent</th><th scope="col" class="num">Failed (dead)</th>
                  <th scope="col" class="num">Discarded</th>
                </tr></thead>
                <tbody>
                  ${rows.length === 0
                    ? html`
                      <tr>
                        <td colspan="5">No messages yet.</td>
                      </tr>
                    `
                    : rows.map(([c, counts]) => line(channelLabel(c), counts))}
                </tbody>
                ${rows.length > 0
                  ? html`<tfoot>${line("All channels", o.value.total, true)}</tfoot>`
                  : nothing}
              </table>
        </div>
      `;
    }
    return html`<section aria-labelledby="outbox-title">
      <h3 id="outbox-title">Outbox</h3>${body}
    </section>`;
  }

  #channels(): string[] {
    const set = new Set<string>(["sms", "email"]);
    if (this.providers.state === "ok") this.providers.value.forEach((p) => set.add(p.channel));
    if (this.outbox.state === "ok") {
      Object.keys(this.outbox.value.channels).forEach((c) => set.add(c));
    }
    if (this.channel) set.add(this.channel);
    return [...set].sort();
  }

  #renderDeadLetters() {
    const l = this.letters;
    const onFilter = (e: Event) => {
      this.channel = (e.target as HTMLSelectElement).value;
      this.letters = { state: "loading" };
      this.next = null;
      void this.reload();
    };
    let body;
    if (l.state === "loading") {
      body = html`<p class="muted" role="status">Loading dead letters...</p>`;
    } else if (l.state === "error") {
      body = html`<p class="error" role="alert">Dead letters could not be read: ${l.message}</p>`;
    } else {
      // Rows acted on stay in view with their outcome, though the list no longer has them.
      const ids = new Set(l.value.map((r) => r.id));
      const handled = [...this.outcomes.values()]
        .filter(({ row }) => !ids.has(row.id) && (!this.channel || row.channel === this.channel))
        .map(({ row }) => row);
      const rows = [...l.value, ...handled].sort((a, b) => a.id - b.id);
      body = rows.length === 0
        ? html`
          <p
            class="empty">No dead letters${this.channel
              ? ` on ${channelLabel(this.channel)}`
              : ""}: every message was delivered or is still being tried.</p>
        `
        : html`
          <div class="scroll" tabindex="0" role="region" aria-label="Dead letters">
            <table>
              <caption>Messages that failed their last attempt, oldest first (times in your time zone)</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Channel</th>
                  <th scope="col">Recipient</th>
                  <th scope="col">Error</th>
                  <th scope="col" class="num">Attempts</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>${rows.map((r) => this.#renderLetter(r))}</tbody>
            </table>
          </div>
                  ${this.next !== null
                    ? html`
                      <button type="button" class="quiet" ?disabled=${this.loadingMore}
                        @click=${this.#more}>${this.loadingMore
                          ? "Loading..."
                          : "Show more"}</button>
                    `
                    : nothing}
        `;
    }
    return html`<section aria-labelledby="dead-title">
      <h3 id="dead-title">Dead letters</h3>
      <div class="filter">
        <label for="channel">Channel</label>
        <select id="channel" @change=${onFilter}>
          <option value="" ?selected=${this.channel === ""}>All channels</option>
          ${
      this.#channels().map((c) =>
        html`<option value=${c} ?selected=${this.channel === c}>${channelLabel(c)}</option>`
      )
    }
        </select>
      </div>
      ${body}
    </section>`;
  }

  #renderLetter(r: DeadLetterSummary) {
    const outcome = this.outcomes.get(r.id)?.outcome;
    const done = outcome?.state === "replayed" || outcome?.state === "discarded";
    const working = outcome?.state === "working";
    const detail = this.details.get(r.id);
    let actions;
    if (outcome?.state === "confirming") {
      actions = html`
        <span id="confirm-${r.id}">Discard for good?</span>
        <button type="button" aria-describedby="confirm-${r.id}"
          @click=${() => this.#act(r, "discard")}>Yes, discard</button>
        <button type="button" class="quiet" @click=${() => this.#setOutcome(r, null)}>Keep</button>
      `;
    } else if (!done) {
      actions = html`
        <button type="button" ?disabled=${working} @click=${() => this.#act(r, "replay")}>
          Replay<span class="visually-hidden"> message ${r.id}</span></button>
        <button type="button" class="quiet" ?disabled=${working}
          @click=${() => this.#setOutcome(r, { state: "confirming" })}>
          Discard<span class="visually-hidden"> message ${r.id}</span></button>
      `;
    }
    return html`
      <tr data-id=${r.id}>
        <td>${timeText(r.createdAt)}</td>
        <td>${channelLabel(r.channel)}</td>
        <td>${this.#recipient(r, detail)}</td>
        <td class="error-text">${r.lastError ?? "No error recorded"}</td>
        <td class="num">${r.attempts}</td>
        <td>
          <div class="actions">${actions}</div>
          <p class="outcome" role="status">${this.#outcomeText(outcome)}</p>
        </td>
      </tr>
    `;
  }

  #recipient(r: DeadLetterSummary, detail: Read<DeadLetter> | undefined) {
    let inner;
    if (!detail) inner = nothing;
    else if (detail.state === "loading") inner = html`<p class="muted">Loading...</p>`;
    else if (detail.state === "error") inner = html`<p class="error">${detail.message}</p>`;
    else {
      const p = (detail.value.payload ?? {}) as { to?: unknown; subject?: unknown; body?: unknown };
      inner = html`<dl>
        <dt>To</dt><dd class="to">${typeof p.to === "string" ? p.to : "(not given)"}</dd>
        ${
        typeof p.subject === "string"
          ? html`
            <dt>Subject</dt>
            <dd>${p.subject}</dd>
          `
          : nothing
      }
        ${
        typeof p.body === "string"
          ? html`
            <dt>Message</dt>
            <dd>
              <pre>${p.body}</pre>
            </dd>
          `
          : nothing
      }
        <dt>Attempts allowed</dt><dd>${detail.value.maxAttempts}</dd>
      </dl>`;
    }
    const [type, , id] = r.actor.split("/");
    return html`${
      type === "lead" && id
        ? html`<a href="#/leads/${encodeURIComponent(id)}">Open the lead</a>`
        : html`<span>${type ?? r.actor}</span>`
    }
      <details @toggle=${(e: Event) => void this.#inspect(e, r.id)}>
        <summary>Recipient and message</summary>${inner}
      </details>`;
  }

  #outcomeText(o: Outcome | undefined): string {
    switch (o?.state) {
      case undefined:
      case "confirming":
        return "";
      case "working":
        return o.action === "replay" ? "Replaying..." : "Discarding...";
      case "replayed":
        return `Replayed: back in the outbox, sending from ${timeText(o.nextAt)}.`;
      case "discarded":
        return "Discarded: it will not be sent.";
      case "failed":
        return o.message;
    }
  }
}
