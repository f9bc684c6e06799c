/**
 * `<cove-lead-detail>` (`#/leads/<id>`): one lead: contact, status, score,
 * owner, tags and source; why it scored what it did and how it was
 * qualified; its timeline, its conversation and its follow-up in progress;
 * a "state at" slider over its timeline that shows the lead as it was after
 * the chosen event (folded by the gateway from the journal); and the
 * actions qualify, recover and change status, each with its outcome or the
 * error next to what it names. Re-read when a live tick has this lead's
 * events (at most every two seconds); an unknown id is "No such lead" with a way back.
 *
 * @module
 */
import { html, nothing } from "lit";
import { ApiError } from "../api.ts";
import { href } from "../router.ts";
import { baseStyles } from "../_styles.ts";
import { leadDetailStyles } from "./_lead_detail_styles.ts";
import type { LiveTick } from "../live.ts";
import { DashboardView } from "./_view.ts";
import { label, STATUSES, when } from "./_lead_format.ts";
import { Throttle } from "../throttle.ts";

/** The least time between two live re-reads (each is four requests). */
export const DETAIL_LIVE_THROTTLE_MS = 2_000;

/** The lead as `GET /v1/leads/{id}` answers it (the fields this view shows). */
export interface LeadDetails {
  leadId: string;
  createdAt: number;
  source: string;
  contact: {
    name?: string;
    email?: string;
    phone?: string;
    company?: string;
    businessType?: string;
    website?: string | null;
    timeZone?: string;
  };
  status: string;
  score: number;
  priority: string;
  scoreReasons: { ruleId: string; points: number; reason: string }[];
  owner: string | null;
  tags: string[];
  lastActivityAt: number;
  lastInboundAt: number | null;
  mergedInto: string | null;
  qualification: Qualification | null;
}

/** A qualification as the lead records it. */
type Qualification =
  | {
    source: "ai";
    ai: {
      intent: string;
      fit: string;
      budget: string | null;
      timeline: string | null;
      summary: string;
      recommendedAction: string;
      confidence: number;
    };
  }
  | { source: "rules"; fallbackReason: string; detail: string };

interface TimelineEntry {
  seq: number;
  at: number;
  type: string;
  summary: string;
}

interface Message {
  channel: string;
  direction: "inbound" | "outbound";
  content: string;
  status: string;
  at: number;
}

interface FollowUps {
  active: { sequence: string; step: number; dueAt: number } | null;
  sequence: { steps?: unknown[] } | null;
}

interface Loaded {
  lead: LeadDetails;
  timeline: TimelineEntry[];
  messages: Message[];
  followUps: FollowUps | null;
}

type View =
  | { state: "pending" }
  | { state: "missing" }
  | { state: "error"; message: string }
  | { state: "ready"; data: Loaded };

/** What an action said last: its outcome or its error. */
type Outcome = { ok: boolean; text: string } | null;

/** The lead as it was at a past moment (`state-at`), or why it could not be read. */
type Past =
  | { state: "pending"; index: number }
  | { state: "ready"; index: number; lead: LeadDetails }
  | { state: "error"; index: number; message: string };

/** See the module doc. */
export class CoveLeadDetail extends DashboardView {
  static override properties = {
    ...DashboardView.properties,
    view: { state: true },
    past: { state: true },
    outcome: { state: true },
    busy: { state: true },
    statusIssues: { state: true },
  };
  static override styles = [baseStyles, leadDetailStyles];

  declare view: View;
  declare past: Past | null;
  declare outcome: Outcome;
  declare busy: string;
  /** The gateway's complaints about the status form, by field. */
  declare statusIssues: Record<string, string>;
  #shownId = "";
  #pastTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #live = new Throttle(() => void this.reload(), DETAIL_LIVE_THROTTLE_MS);

  constructor() {
    super();
    this.view = { state: "pending" };
    this.past = null;
    this.outcome = null;
    this.busy = "";
    this.statusIssues = {};
  }

  /** This lead's events re-read it, at most once a {@link DETAIL_LIVE_THROTTLE_MS}. */
  protected override wants(tick: LiveTick): boolean {
    if (tick.ids.has(this.params.id ?? "")) this.#live.request();
    return false;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.#pastTimer);
    this.#live.cancel();
  }

  protected override async load(): Promise<void> {
    const id = this.params.id ?? "";
    if (id !== this.#shownId) {
      this.#shownId = id;
      this.view = { state: "pending" };
      this.past = null;
      this.outcome = null;
      this.statusIssues = {};
    }
    const base = `/v1/leads/${encodeURIComponent(id)}`;
    try {
      const [lead, timeline, messages, followUps] = await Promise.all([
        this.api.get<LeadDetails>(base),
        this.api.get<{ items: TimelineEntry[] }>(`${base}/timeline`),
        this.api.get<{ items: Message[] }>(`${base}/messages`),
        this.api.get<FollowUps>(`${base}/follow-ups`).catch(() => null),
      ]);
      if (id !== this.params.id) return;
      this.view = {
        state: "ready",
        data: { lead, timeline: timeline.items, messages: messages.items, followUps },
      };
    } catch (error) {
      if (id !== this.params.id) return;
      if (error instanceof ApiError && error.status === 404) this.view = { state: "missing" };
      else if (this.view.state !== "ready") {
        this.view = { state: "error", message: (error as Error).message };
      } else this.outcome = { ok: false, text: `Could not refresh: ${(error as Error).message}` };
    }
  }

  /** Shows the lead as it was after timeline entry `index` (the last index is now). */
  #choose(index: number): void {
    clearTimeout(this.#pastTimer);
    if (this.view.state !== "ready") return;
    const entries = this.view.data.timeline;
    if (index >= entries.length) {
      this.past = null;
      return;
    }
    this.past = { state: "pending", index };
    // Arrow keys move quickly: ask once the slider rests.
    this.#pastTimer = setTimeout(async () => {
      const at = new Date(entries[index]!.at).toISOString();
      const path = `/v1/leads/${encodeURIComponent(this.params.id ?? "")}/state-at?at=${
        encodeURIComponent(at)
      }`;
      try {
        const r = await this.api.get<{ state: LeadDetails }>(path);
        if (this.past?.index === index) this.past = { state: "ready", index, lead: r.state };
      } catch (error) {
        if (this.past?.index === index) {
          this.past = { state: "error", index, message: (error as Error).message };
        }
      }
    }, 150);
  }

  async #act(name: string, run: () => Promise<string>): Promise<void> {
    if (this.busy) return;
    this.busy = name;
    this.outcome = null;
    try {
      this.outcome = { ok: true, text: await run() };
      await this.reload();
    } catch (error) {
      const e = error as ApiError;
      this.outcome = { ok: false, text: e.message };
    } finally {
      this.busy = "";
    }
  }

  #qualify = () =>
    this.#act("qualify", async () => {
      const q = await this.api.send<Qualification & { score?: { score: number } }>(
        "POST",
        `/v1/leads/${encodeURIComponent(this.params.id ?? "")}/qualify`,
      );
      const score = q.score ? `, score ${q.score.score}` : "";
      return q.source === "ai"
        ? `Qualified by AI: ${q.ai.fit} fit${score}.`
        : `Qualified by the rules (AI ${label(q.fallbackReason)})${score}.`;
    });

  #recover = () =>
    this.#act("recover", async () => {
      // A recovery already running is kept by the lead: a repeat sends nothing twice.
      await this.api.send(
        "POST",
        `/v1/leads/${encodeURIComponent(this.params.id ?? "")}/recover`,
        {},
      );
      return "Recovery running: the silent-lead follow-up is queued.";
    });

  #changeStatus = (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const status = (form.elements.namedItem("status") as HTMLSelectElement).value;
    const reason = (form.elements.namedItem("reason") as HTMLInputElement).value.trim();
    this.statusIssues = {};
    return this.#act("status", async () => {
      try {
        await this.api.send("PATCH", `/v1/leads/${encodeURIComponent(this.params.id ?? "")}`, {
          status,
          ...(reason ? { reason } : {}),
        });
      } catch (error) {
        const issues = error instanceof ApiError ? error.issues : [];
        this.statusIssues = Object.fromEntries(
          issues.map((i) => [i.path === "reason" ? "reason" : "status", i.message]),
        );
        throw error;
      }
      form.reset();
      return `Status changed to ${label(status)}.`;
    });
  };

  override render() {
    const v = this.view;
    if (v.state === "pending") {
      return html`
        <h2>Lead</h2>
        <p class="muted" role="status">Loading the lead...</p>
      `;
    }
    if (v.state === "missing") {
      return html`
        <h2>No such lead</h2>
        <p>There is no lead <code>${this.params
          .id}</code> in your workspace (it may have been merged away).</p>
        <p><a href=${href("overview")}>Back to all leads</a></p>
      `;
    }
    if (v.state === "error") {
      return html`
        <h2>Lead</h2>
        <p class="error" role="alert">Could not load the lead: ${v.message}</p>
        <button @click=${() => this.reload()}>Try again</button>
      `;
    }
    const { lead, timeline, messages, followUps } = v.data;
    const name = lead.contact.name || lead.contact.email || lead.contact.phone || "Unnamed lead";
    return html`
      <p><a href=${href("overview")}>← All leads</a></p>
      <h2>${name}</h2>
      <div class="grid">
        <section aria-labelledby="h-contact">
          <h3 id="h-contact">Lead</h3>${this.#facts(lead)}
        </section>
        <section aria-labelledby="h-why">
          <h3 id="h-why">Score and qualification</h3>${this.#why(lead)}
        </section>
      </div>
      ${this.#actions(lead)}
      ${this.#stateAt(timeline)}
      <div class="grid">
        <section aria-labelledby="h-timeline">
          <h3 id="h-timeline">Timeline</h3>
          ${timeline.length === 0
            ? html`<p class="muted">Nothing yet.</p>`
            : html`<ol>${
              timeline.map((t) =>
                html`<li data-seq=${t.seq}><time datetime=${new Date(t.at).toISOString()}
              class="meta">${when(t.at, true)}</time><br>${t.summary}</li>`
              )
            }</ol>`}
        </section>
        <section aria-labelledby="h-conversation">
          <h3 id="h-conversation">Conversation</h3>
          ${messages.length === 0
            ? html`<p class="muted">No messages yet.</p>`
            : html`<ul class="conversation">${
              messages.map((m) =>
                html`
                  <li class="msg ${m.direction}">
                    <div class="meta">${m.direction === "inbound"
                      ? "From the lead"
                      : "To the lead"},
                                  by ${m.channel} · ${label(m.status)} · ${when(m.at, true)}</div>
                    <div>${m.content}</div>
                  </li>
                `
              )
            }</ul>`}
          <h3 style="margin-top:1rem">Follow-up</h3>
          ${followUps?.active
            ? html`<p>Sequence <strong>${label(followUps.active.sequence)}</strong>, step
              ${followUps.active.step + 1}${
              followUps.sequence?.steps ? ` of ${followUps.sequence.steps.length}` : ""
            },
              due ${when(followUps.active.dueAt, true)}.</p>`
            : html`<p class="muted">No follow-up running.</p>`}
        </section>
      </div>
    `;
  }

  #facts(l: LeadDetails) {
    const c = l.contact;
    return html`<dl>
      <dt>Status</dt><dd data-field="status">${label(l.status)}</dd>
      <dt>Score</dt><dd>${l.score} (${l.priority} priority)</dd>
      <dt>Email</dt><dd>${c.email ? html`<a href="mailto:${c.email}">${c.email}</a>` : "—"}</dd>
      <dt>Phone</dt><dd>${c.phone ? html`<a href="tel:${c.phone}">${c.phone}</a>` : "—"}</dd>
      <dt>Company</dt><dd>${c.company ?? "—"}${c.businessType ? ` (${c.businessType})` : ""}</dd>
      <dt>Website</dt><dd>${c.website === null ? "none (known)" : c.website ?? "—"}</dd>
      <dt>Owner</dt><dd data-field="owner">${l.owner ?? "unassigned"}</dd>
      <dt>Tags</dt><dd data-field="tags">${l.tags.length ? l.tags.join(", ") : "none"}</dd>
      <dt>Source</dt><dd>${label(l.source)}</dd>
      <dt>Captured</dt><dd>${when(l.createdAt, true)}</dd>
      <dt>Last activity</dt><dd>${when(l.lastActivityAt, true)}</dd>
      ${
      l.mergedInto
        ? html`
          <dt>Merged into</dt>
          <dd><a href=${href("lead", { id: l.mergedInto })}>${l.mergedInto}</a></dd>
        `
        : nothing
    }
    </dl>`;
  }

  #why(l: LeadDetails) {
    const q = l.qualification;
    return html`
      ${l.scoreReasons.length === 0
        ? html`<p class="muted">No scoring rule added points.</p>`
        : html`<ul>${
          l.scoreReasons.map((r) =>
            html`<li>${r.points > 0 ? "+" : ""}${r.points}: ${r.reason}</li>`
          )
        }</ul>`}
      ${!q ? html`<p class="muted">Not qualified yet.</p>` : q.source === "ai"
        ? html`
          <dl style="margin-top:0.5rem">
            <dt>AI fit</dt>
            <dd>${q.ai.fit} (confidence ${Math.round(q.ai.confidence * 100)}%)</dd>
            <dt>Intent</dt>
            <dd>${q.ai.intent}</dd>
            <dt>Budget</dt>
            <dd>${q.ai.budget ?? "—"}</dd>
            <dt>Timeline</dt>
            <dd>${q.ai.timeline ?? "—"}</dd>
            <dt>Summary</dt>
            <dd>${q.ai.summary}</dd>
            <dt>Next step</dt>
            <dd>${q.ai.recommendedAction}</dd>
          </dl>
        `
        : html`<p>Qualified by the tenant's rules; the AI gave no answer (${
          label(q.fallbackReason)
        }${q.detail ? `: ${q.detail}` : ""}).</p>`}
    `;
  }

  #actions(l: LeadDetails) {
    const issue = this.statusIssues;
    return html`
      <section aria-labelledby="h-actions">
        <h3 id="h-actions">Actions</h3>
        <div class="actions">
          <button ?disabled=${this.busy !== ""} @click=${this.#qualify}>
                ${this.busy === "qualify" ? "Qualifying..." : "Qualify again"}</button>
          <button class="quiet" ?disabled=${this.busy !== ""} @click=${this.#recover}>
                ${this.busy === "recover"
                  ? "Starting..."
                  : "Recover (start silent follow-up)"}</button>
          <form class="actions" @submit=${this.#changeStatus}>
            <div class="field">
                  <label for="new-status">New status</label>
                  <select id="new-status" name="status" aria-invalid=${issue.status
                    ? "true"
                    : "false"}
                    aria-describedby=${issue.status ? "status-error" : nothing}>
                    ${STATUSES.map((s) =>
                      html`<option value=${s} ?selected=${s === l.status}>${label(s)}</option>`
                    )}
                  </select>
                  ${issue.status
                    ? html`<span id="status-error" class="error" role="alert">${issue.status}</span>`
                    : nothing}
                </div>
            <div class="field">
                  <label for="status-reason">Reason (optional)</label>
                  <input id="status-reason" name="reason" maxlength="500" aria-invalid=${issue
                      .reason
                    ? "true"
                    : "false"}
                    aria-describedby=${issue.reason ? "reason-error" : nothing}>
                  ${issue.reason
                    ? html`<span id="reason-error" class="error" role="alert">${issue.reason}</span>`
                    : nothing}
                </div>
            <button type="submit" class="quiet" ?disabled=${this.busy !== ""}>
                  ${this.busy === "status" ? "Saving..." : "Change status"}</button>
          </form>
        </div>
        <p aria-live="polite" class=${this.outcome?.ok ? "ok" : "error"}
          role=${this.outcome && !this.outcome.ok ? "alert" : nothing}>${this.outcome?.text ??
            ""}</p>
      </section>
    `;
  }

  #stateAt(timeline: TimelineEntry[]) {
    if (timeline.length === 0) return nothing;
    const index = this.past?.index ?? timeline.length;
    const entry = timeline[index];
    const text = entry ? `${when(entry.at, true)}, after: ${entry.summary}` : "Now";
    const p = this.past;
    return html`<section aria-labelledby="h-state-at">
      <h3 id="h-state-at">State at a past moment</h3>
      <label for="state-at">State at: <output for="state-at" id="state-at-label">${text}</output></label>
      <input id="state-at" type="range" min="0" max=${timeline.length} step="1" .value=${
      String(index)
    }
        aria-valuetext=${text} @input=${(e: Event) =>
      this.#choose(Number((e.target as HTMLInputElement).value))}>
      <button class="quiet" ?disabled=${!p} @click=${() =>
      this.#choose(timeline.length)}>Back to now</button>
      ${
      !p
        ? html`<p class="muted">Move the slider (arrow keys work) to see the lead as it was after each event.</p>`
        : p.state === "pending"
        ? html`<p class="muted" role="status">Reading the lead as it was...</p>`
        : p.state === "error"
        ? html`<p class="error" role="alert">${p.message}</p>`
        : html`
          <div class="then" data-state-at>
            <p><strong>As it was at ${when(timeline[p.index]!.at, true)}</strong></p>
            <dl>
              <dt>Status</dt>
              <dd data-field="status">${label(p.lead.status)}</dd>
              <dt>Score</dt>
              <dd>${p.lead.score} (${p.lead.priority} priority)</dd>
              <dt>Owner</dt>
              <dd>${p.lead.owner ?? "unassigned"}</dd>
              <dt>Tags</dt>
              <dd>${p.lead.tags?.length ? p.lead.tags.join(", ") : "none"}</dd>
            </dl>
          </div>
        `
    }
    </section>`;
  }
}
