/**
 * `<cove-silent-leads>` (`#/silent`): open leads that have not written for
 * a while, best first (`GET /v1/leads/silent`), with how long "a while" is
 * and the lowest score worth showing as inputs, and a one-click "Recover"
 * per row that starts the tenant's silent-lead follow-up. Each row shows
 * its recovery's outcome or error; the list is re-read on lead events (at
 * most every two seconds), so a lead that wrote back leaves it.
 *
 * @module
 */
import { css, html, nothing } from "lit";
import { ApiError } from "../api.ts";
import { href } from "../router.ts";
import { baseStyles, tableStyles } from "../_styles.ts";
import type { LiveTick } from "../live.ts";
import { DashboardView } from "./_view.ts";
import { duration, label, when } from "./_lead_format.ts";
import { Throttle } from "../throttle.ts";

/** The least time between two live re-reads of the list. */
export const SILENT_LIVE_THROTTLE_MS = 2_000;

/** One silent lead as the gateway lists it. */
export interface SilentLead {
  leadId: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  status: string;
  score: number;
  priority: string;
  /** Since when it has been silent (its last message to us, else its capture), epoch ms. */
  silentSince: number;
}

type List =
  | { state: "pending" }
  | { state: "ready"; items: SilentLead[]; at: number }
  | { state: "error"; message: string };

/** A recovery asked for one row: running, done, or refused with the gateway's reason. */
type Recovery = { state: "running" } | { state: "done" } | { state: "failed"; message: string };

/** See the module doc. */
export class CoveSilentLeads extends DashboardView {
  static override properties = {
    ...DashboardView.properties,
    list: { state: true },
    hours: { state: true },
    minScore: { state: true },
    issues: { state: true },
    recoveries: { state: true },
  };
  static override styles = [
    baseStyles,
    tableStyles,
    css`
      :host {
        display: grid;
        gap: 1rem;
      }
      h2 {
        margin: 0;
      }
      form {
        display: flex;
        flex-wrap: wrap;
        gap: 0.75rem 1rem;
        align-items: start;
      }
      .field {
        display: grid;
        gap: 0.25rem;
      }
      .field input {
        width: 9rem;
      }
      label {
        font-weight: 600;
        font-size: 0.875rem;
      }
      form > button {
        margin-top: 1.5rem;
      }
      td {
        vertical-align: top;
      }
      a {
        color: #0b57d0;
        font-weight: 600;
      }
      .ok {
        color: #146c2e;
      }
      .outcome {
        display: block;
        font-size: 0.875rem;
        margin-top: 0.25rem;
      }
      @media (max-width: 40rem) {
        .wide {
          display: none;
        }
        form {
          display: grid;
        }
        form > button {
          margin-top: 0;
        }
      }
    `,
  ];

  declare list: List;
  /** Silent for at least this many hours (as typed). */
  declare hours: string;
  /** Lowest score shown (as typed). */
  declare minScore: string;
  /** The gateway's complaints about the inputs, by field. */
  declare issues: Record<string, string>;
  /** Recoveries asked for, by lead id. */
  declare recoveries: ReadonlyMap<string, Recovery>;
  readonly #live = new Throttle(() => void this.reload(), SILENT_LIVE_THROTTLE_MS);

  constructor() {
    super();
    this.list = { state: "pending" };
    this.hours = "72";
    this.minScore = "0";
    this.issues = {};
    this.recoveries = new Map();
  }

  /** Lead events re-read the list, at most once a {@link SILENT_LIVE_THROTTLE_MS}. */
  protected override wants(tick: LiveTick): boolean {
    if (tick.kinds.has("lead")) this.#live.request();
    return false;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#live.cancel();
  }

  protected override async load(): Promise<void> {
    const p = new URLSearchParams({ hours: this.hours.trim(), minScore: this.minScore.trim() });
    try {
      const r = await this.api.get<{ items: SilentLead[] }>(`/v1/leads/silent?${p}`);
      this.list = { state: "ready", items: r.items, at: Date.now() };
      this.issues = {};
    } catch (error) {
      const e = error as ApiError;
      const named = e instanceof ApiError ? e.issues.filter((i) => i.path in FIELDS) : [];
      if (named.length > 0) {
        this.issues = Object.fromEntries(named.map((i) => [i.path, i.message]));
      } else if (this.list.state !== "ready") {
        this.list = { state: "error", message: e.message };
      } else {
        this.issues = { form: `Could not refresh: ${e.message}` };
      }
    }
  }

  #apply(e: Event): void {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    this.hours = (form.elements.namedItem("hours") as HTMLInputElement).value;
    this.minScore = (form.elements.namedItem("minScore") as HTMLInputElement).value;
    void this.reload();
  }

  async #recover(lead: SilentLead): Promise<void> {
    if (this.recoveries.get(lead.leadId)?.state === "running") return;
    this.#setRecovery(lead.leadId, { state: "running" });
    try {
      // The lead keeps a recovery already running, so a repeat of this call sends nothing twice.
      await this.api.send("POST", `/v1/leads/${encodeURIComponent(lead.leadId)}/recover`, {});
      this.#setRecovery(lead.leadId, { state: "done" });
    } catch (error) {
      this.#setRecovery(lead.leadId, { state: "failed", message: (error as Error).message });
    }
  }

  #setRecovery(id: string, r: Recovery): void {
    this.recoveries = new Map(this.recoveries).set(id, r);
  }

  override render() {
    return html`
      <h2>Silent leads</h2>
      <p class="muted">Open leads that have not written to us for a while, highest score first.</p>
      <form @submit=${this.#apply} aria-describedby=${this.issues.form ? "form-error" : nothing}>
        ${this.#input("hours", "Silent for at least (hours)", this.hours, "0", "any")}
        ${this.#input("minScore", "Minimum score (0-100)", this.minScore, "0", "1", "100")}
        <button type="submit">Show</button>
      </form>
      ${this.issues.form
        ? html`<p id="form-error" class="error" role="alert">${this.issues.form}</p>`
        : nothing}
      ${this.#table()}
    `;
  }

  #input(
    name: keyof typeof FIELDS,
    text: string,
    value: string,
    min: string,
    step: string,
    max?: string,
  ) {
    const issue = this.issues[name];
    return html`<div class="field">
      <label for="silent-${name}">${text}</label>
      <input id="silent-${name}" name=${name} type="number" inputmode="decimal" min=${min} step=${step}
        max=${max ?? nothing} .value=${value} required aria-invalid=${issue ? "true" : "false"}
        aria-describedby=${issue ? `silent-${name}-error` : nothing}>
      ${
      issue
        ? html`<span id="silent-${name}-error" class="error" role="alert">${issue}</span>`
        : nothing
    }
    </div>`;
  }

  #table() {
    const l = this.list;
    if (l.state === "pending") {
      return html`<p class="muted" role="status">Loading silent leads...</p>`;
    }
    if (l.state === "error") {
      return html`
        <p class="error" role="alert">Could not load silent leads: ${l.message}</p>
        <button @click=${() => this.reload()}>Try again</button>
      `;
    }
    if (l.items.length === 0) {
      return html`<p class="muted" role="status">No open lead has been silent that long. Nothing to recover.</p>`;
    }
    return html`
      <div class="scroll" role="region" aria-labelledby="silent-caption" tabindex="0">
        <table>
          <caption id="silent-caption">${l.items.length} silent lead${l.items.length === 1
            ? ""
            : "s"},
                highest score first</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Score</th>
              <th scope="col">Silent for</th>
              <th scope="col" class="wide">Silent since</th>
              <th scope="col" class="wide">Status</th>
              <th scope="col">Recover</th>
            </tr>
          </thead>
          <tbody>${l.items.map((s) => this.#row(s, l.at))}</tbody>
        </table>
      </div>
    `;
  }

  #row(s: SilentLead, now: number) {
    const r = this.recoveries.get(s.leadId);
    const name = s.name || s.email || s.phone || "(no name)";
    return html`
      <tr data-lead-id=${s.leadId}>
        <td><a href=${href("lead", { id: s.leadId })}>${name}</a></td>
        <td>${s.score} <span class="muted">(${s.priority})</span></td>
        <td>${duration(now - s.silentSince)}</td>
        <td class="wide">${when(s.silentSince, true)}</td>
        <td class="wide">${label(s.status)}</td>
        <td>
          <button class="quiet" ?disabled=${r?.state === "running" || r?.state === "done"}
            aria-describedby="outcome-${s.leadId}"
            @click=${() => this.#recover(s)}>${r?.state === "running"
              ? "Recovering"
              : r?.state === "done"
              ? "Recovery running"
              : "Recover"}<span class="visually-hidden"> ${name}</span></button>
          <span id="outcome-${s.leadId}" class="outcome ${r?.state === "done" ? "ok" : "error"}"
            role=${r?.state === "failed" ? "alert" : "status"}>${r?.state === "done"
              ? "Recovery started: the first follow-up is due now"
              : r?.state === "failed"
              ? `Not recovered: ${r.message}`
              : ""}</span>
        </td>
      </tr>
    `;
  }
}

/** The inputs the gateway may name. */
const FIELDS = { hours: true, minScore: true } as const;
