/**
 * `<cove-leads-table>`: the leads the view has loaded, in the order it asked
 * for, each name a link to the lead. Asks for the next page with a
 * `load-more` event; rows that arrived live are marked (a tint and the word
 * "new") and announced politely to screen readers.
 *
 * Smooth after many pages: rows are keyed, so a page added below (or a live
 * row above) renders only its own rows and leaves the others alone, and the
 * table holds only the pages asked for, never the tenant's whole list.
 *
 * @module
 */
import { css, html, LitElement, nothing } from "lit";
import { repeat } from "lit/directives/repeat.js";
import type { LeadRow } from "../../shared/minerva_client.ts";
import { href } from "./router.ts";
import { label, type LeadSort, when } from "./views/_lead_format.ts";
import { baseStyles, tableStyles } from "./_styles.ts";

const CAPTIONS: Record<LeadSort, string> = {
  newest: "Leads, newest first",
  oldest: "Leads, oldest first",
  score: "Leads, highest score first",
  name: "Leads by name, A to Z",
  activity: "Leads, latest activity first",
};

/** See the module doc. */
export class CoveLeadsTable extends LitElement {
  static override properties = {
    rows: { attribute: false },
    hasMore: { type: Boolean, attribute: false },
    loading: { type: Boolean, attribute: false },
    error: { attribute: false },
    fresh: { attribute: false },
    announcement: { attribute: false },
    sort: { attribute: false },
    filtered: { type: Boolean, attribute: false },
  };
  static override styles = [
    baseStyles,
    tableStyles,
    css`
      table {
        min-width: 36rem;
      }
      tr.fresh td {
        background: #e7f0fe;
      }
      .tag-new {
        font-size: 0.75rem;
        font-weight: 700;
        color: #0b3d91;
        margin-left: 0.5rem;
      }
      a {
        color: #0b57d0;
        font-weight: 600;
        display: inline-block;
        min-height: 24px;
        padding: 0.25rem 0;
      }
      .status {
        display: inline-block;
        padding: 0 0.5rem;
        border-radius: 1rem;
        background: #eceef2;
      }
      .num {
        font-variant-numeric: tabular-nums;
      }
      .footer {
        padding: 0.75rem 0;
        display: flex;
        flex-wrap: wrap;
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

  /** The rows, in the order asked for. */
  declare rows: LeadRow[];
  /** A next page exists. */
  declare hasMore: boolean;
  declare loading: boolean;
  declare error: string;
  /** Ids of rows that arrived live. */
  declare fresh: ReadonlySet<string>;
  /** Said by the polite live region (e.g. "New lead: Ada"). */
  declare announcement: string;
  /** The order the rows are in (for the caption and `aria-sort`). */
  declare sort: LeadSort;
  /** A filter or search is on (the empty state says so). */
  declare filtered: boolean;

  constructor() {
    super();
    this.rows = [];
    this.hasMore = false;
    this.loading = true;
    this.error = "";
    this.fresh = new Set();
    this.announcement = "";
    this.sort = "newest";
    this.filtered = false;
  }

  override render() {
    const sorted = (col: LeadSort | "created") => {
      if (col === "created") {
        return this.sort === "newest"
          ? "descending"
          : this.sort === "oldest"
          ? "ascending"
          : nothing;
      }
      if (col !== this.sort) return nothing;
      return col === "name" ? "ascending" : "descending";
    };
    return html`
      <div class="scroll" role="region" aria-labelledby="leads-caption" tabindex="0">
        <table>
          <caption id="leads-caption">${CAPTIONS[this.sort] ?? "Leads"}</caption>
          <thead><tr>
            <th scope="col" aria-sort=${sorted("name")}>Name</th><th scope="col">Contact</th>
            <th scope="col" class="wide">Company</th><th scope="col" class="wide">Source</th>
            <th scope="col">Status</th>
            <th scope="col" class="wide" aria-sort=${sorted("score")}>Score</th>
            <th scope="col" class="wide" aria-sort=${sorted("created")}>Captured</th>
            <th scope="col" class="wide" aria-sort=${sorted("activity")}>Last activity</th>
          </tr></thead>
          <tbody>${repeat(this.rows, (r) => r.lead_id, (r) => this.#row(r))}</tbody>
        </table>
        ${this.rows.length === 0 && !this.loading && !this.error
          ? html`<p class="muted" style="padding:0 1rem">${
            this.filtered
              ? "No leads match. Clear the search or the filters to see them all."
              : "No leads yet. They appear here live."
          }</p>`
          : nothing}
      </div>
      <div class="footer">
        <span class="muted" role="status">${this.rows.length > 0
          ? `Showing ${this.rows.length} lead${this.rows.length === 1 ? "" : "s"}${
            this.hasMore ? "; more to load" : ""
          }`
          : ""}</span>
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
    const fresh = this.fresh.has(r.lead_id);
    return html`
      <tr class=${fresh ? "fresh" : ""} data-lead-id=${r.lead_id}>
        <td><a href=${href("lead", { id: r.lead_id })}>${r.name || "(no name)"}</a>${fresh
          ? html`<span class="tag-new">new</span>`
          : nothing}</td>
        <td>${r.email ?? r.phone ?? ""}</td>
        <td class="wide">${r.company ?? ""}</td>
        <td class="wide">${label(r.source ?? "")}</td>
        <td><span class="status">${label(r.status)}</span></td>
        <td class="wide num">${r.score ?? ""}</td>
        <td class="wide">${when(r.created_at)}</td>
        <td class="wide">${when(r.last_activity)}</td>
      </tr>
    `;
  }

  #more(): void {
    this.dispatchEvent(new CustomEvent("load-more", { bubbles: true, composed: true }));
  }
}
