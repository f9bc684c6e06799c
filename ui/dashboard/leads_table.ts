/**
 * `<cove-leads-table>`: the tenant's leads, newest first, as the dashboard
 * holds them (first page, pages loaded with the cursor, rows that arrived
 * live). Asks for the next page with a `load-more` event; rows that arrived
 * live are marked and announced politely to screen readers.
 *
 * @module
 */
import { css, html, LitElement, nothing } from "lit";
import type { LeadRow } from "../../shared/minerva_client.ts";
import { baseStyles } from "./_styles.ts";

/** See the module doc. */
export class CoveLeadsTable extends LitElement {
  static override properties = {
    rows: { attribute: false },
    hasMore: { type: Boolean, attribute: false },
    loading: { type: Boolean, attribute: false },
    error: { attribute: false },
    fresh: { attribute: false },
    announcement: { attribute: false },
  };
  static override styles = [
    baseStyles,
    css`
      .scroll {
        overflow-x: auto;
        background: #fff;
        border: 1px solid #c4c6cc;
        border-radius: 0.5rem;
      }
      table {
        border-collapse: collapse;
        width: 100%;
        min-width: 36rem;
      }
      caption {
        text-align: left;
        font-weight: 700;
        font-size: 1.125rem;
        padding: 0.75rem 1rem;
      }
      th,
      td {
        text-align: left;
        padding: 0.5rem 1rem;
        border-top: 1px solid #e1e2e6;
      }
      th {
        font-size: 0.875rem;
        color: #3c3c42;
        background: #f1f2f5;
      }
      tr.fresh td {
        background: #e7f0fe;
      }
      .status {
        display: inline-block;
        padding: 0 0.5rem;
        border-radius: 1rem;
        background: #eceef2;
      }
      .footer {
        padding: 0.75rem 0;
        display: flex;
        gap: 1rem;
        align-items: center;
      }
      @media (max-width: 40rem) {
        .wide {
          display: none;
        }
        table {
          min-width: 0;
        }
      }
    `,
  ];

  /** The rows, newest first. */
  declare rows: LeadRow[];
  /** A next page exists. */
  declare hasMore: boolean;
  declare loading: boolean;
  declare error: string;
  /** Ids of rows that arrived live. */
  declare fresh: ReadonlySet<string>;
  /** Said by the polite live region (e.g. "New lead: Ada"). */
  declare announcement: string;

  constructor() {
    super();
    this.rows = [];
    this.hasMore = false;
    this.loading = true;
    this.error = "";
    this.fresh = new Set();
    this.announcement = "";
  }

  override render() {
    return html`
      <div class="scroll" role="region" aria-labelledby="leads-caption" tabindex="0">
            <table>
              <caption id="leads-caption">Leads</caption>
              <thead><tr>
                <th scope="col">Name</th><th scope="col">Contact</th>
                <th scope="col" class="wide">Company</th><th scope="col" class="wide">Source</th>
                <th scope="col">Status</th><th scope="col" class="wide">Score</th>
                <th scope="col" class="wide">Captured</th>
              </tr></thead>
              <tbody>${this.rows.map((r) => this.#row(r))}</tbody>
            </table>
            ${this.rows.length === 0 && !this.loading && !this.error
              ? html`<p class="muted" style="padding:0 1rem">No leads yet. They appear here live.</p>`
              : nothing}
          </div>
      <div class="footer">
            ${this.hasMore
              ? html`<button class="quiet" ?disabled=${this.loading} @click=${this.#more}>
            ${this.loading ? "Loading..." : "Load more leads"}</button>`
              : nothing}
            ${this.loading && !this.hasMore
              ? html`<span class="muted">Loading leads...</span>`
              : nothing}
            ${this.error ? html`<span class="error" role="alert">${this.error}</span>` : nothing}
          </div>
      <div class="visually-hidden" aria-live="polite">${this.announcement}</div>
    `;
  }

  #row(r: LeadRow) {
    return html`
      <tr class=${this.fresh.has(r.lead_id) ? "fresh" : ""} data-lead-id=${r.lead_id}>
        <td>${r.name ?? html`<span class="muted">(no name)</span>`}</td>
        <td>${r.email ?? r.phone ?? ""}</td>
        <td class="wide">${r.company ?? ""}</td>
        <td class="wide">${r.source ?? ""}</td>
        <td><span class="status">${r.status.replaceAll("_", " ")}</span></td>
        <td class="wide">${r.score ?? ""}</td>
        <td class="wide">${when(r.created_at)}</td>
      </tr>
    `;
  }

  #more(): void {
    this.dispatchEvent(new CustomEvent("load-more", { bubbles: true, composed: true }));
  }
}

function when(at: unknown): string {
  const d = new Date(String(at));
  return Number.isNaN(d.getTime()) ? "" : d.toLocaleString();
}
