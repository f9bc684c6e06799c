/**
 * `<cove-leads-view>`: the tenant's leads, a page at a time with the
 * cursor, in the order chosen (newest first by default), filtered by status
 * and source and searched by name, email, company or phone (as you type,
 * after a pause, or at once on Enter).
 *
 * Live (at most once a second, so a busy stream does not spend the person's
 * rate limit): newest first and unfiltered, a tick re-reads the first page and new
 * leads join at the top, marked and announced. In any other order or with a
 * filter, a tick re-reads the first page and puts it in place of the rows it
 * covers (a new lead has no fixed place there, so it is not announced).
 *
 * @module
 */
import { css, html } from "lit";
import type { LeadRow } from "../../../shared/minerva_client.ts";
import { baseStyles } from "../_styles.ts";
import type { LiveTick } from "../live.ts";
import { DashboardView } from "./_view.ts";
import {
  DEFAULT_QUERY,
  isLiveFeed,
  label,
  type LeadSort,
  leadsPath,
  type LeadsQuery,
  refreshFirstPage,
  SORTS,
  SOURCES,
  STATUSES,
} from "./_lead_format.ts";
import { Throttle } from "../throttle.ts";

/** Leads per page of the table. */
export const PAGE_SIZE = 50;

/** The least time between two live re-reads of the first page. */
export const LEADS_LIVE_THROTTLE_MS = 1_000;

/** How long the search waits after the last keystroke. */
export const SEARCH_DEBOUNCE_MS = 300;

type Page = { items: LeadRow[]; next: string | null };

/** See the module doc. */
export class CoveLeadsView extends DashboardView {
  static override properties = {
    ...DashboardView.properties,
    query: { state: true },
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
      form {
        display: flex;
        flex-wrap: wrap;
        gap: 0.75rem 1rem;
        align-items: end;
        margin-bottom: 0.75rem;
      }
      .field {
        display: grid;
        gap: 0.25rem;
      }
      label {
        font-size: 0.875rem;
        font-weight: 600;
      }
      select {
        font: inherit;
        min-height: 44px;
        border: 1px solid #6b6b70;
        border-radius: 0.375rem;
        padding: 0.5rem;
        background: #fff;
        color: inherit;
      }
      input[type="search"] {
        width: 16rem;
        max-width: 100%;
      }
      @media (max-width: 40rem) {
        form {
          display: grid;
          grid-template-columns: 1fr;
        }
        input[type="search"] {
          width: 100%;
        }
      }
    `,
  ];

  /** What is asked for. */
  declare query: LeadsQuery;
  declare rows: LeadRow[];
  /** Cursor of the next page; null when the last page is loaded. */
  declare next: string | null;
  declare loading: boolean;
  declare tableError: string;
  declare fresh: ReadonlySet<string>;
  declare announcement: string;
  /** The query the rows shown were read for; another one starts the list over. */
  #shownFor = "";
  #searchTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #live = new Throttle(() => void this.reload(), LEADS_LIVE_THROTTLE_MS);

  constructor() {
    super();
    this.query = DEFAULT_QUERY;
    this.rows = [];
    this.next = null;
    this.loading = true;
    this.tableError = "";
    this.fresh = new Set();
    this.announcement = "";
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.#searchTimer);
    this.#live.cancel();
  }

  /** Lead events re-read the first page, at most once a {@link LEADS_LIVE_THROTTLE_MS}. */
  protected override wants(tick: LiveTick): boolean {
    if (tick.kinds.has("lead")) this.#live.request();
    return false;
  }

  protected override async load(): Promise<void> {
    const query = this.query;
    const key = leadsPath(query, PAGE_SIZE);
    this.loading = true;
    try {
      const page = await this.api.get<Page>(key);
      // Asked for something else meanwhile: the base loads again for that.
      if (leadsPath(this.query, PAGE_SIZE) !== key) return;
      const first = this.#shownFor !== key;
      this.#shownFor = key;
      if (first) {
        this.rows = page.items;
        this.next = page.next;
        this.fresh = new Set();
      } else if (isLiveFeed(query)) {
        this.#mergeNewest(page);
      } else {
        const onePage = this.rows.length <= PAGE_SIZE;
        this.rows = refreshFirstPage(this.rows, page.items, PAGE_SIZE);
        if (onePage) this.next = page.next;
      }
      this.tableError = "";
    } catch (error) {
      this.tableError = (error as Error).message;
    } finally {
      this.loading = false;
    }
  }

  /**
   * Newest first: a page that overlaps what is shown replaces those rows and adds the new ones
   * above; one that does not (more new leads than a page) starts the list over, so the table
   * never hides a gap between the new rows and the old.
   */
  #mergeNewest(page: Page): void {
    const ids = new Set(page.items.map((r) => r.lead_id));
    const known = new Set(this.rows.map((r) => r.lead_id));
    const overlaps = page.items.some((r) => known.has(r.lead_id));
    const added = page.items.filter((r) => !known.has(r.lead_id));
    if (overlaps) {
      this.rows = [...page.items, ...this.rows.filter((r) => !ids.has(r.lead_id))];
    } else {
      this.rows = page.items;
      this.next = page.next;
    }
    if (added.length > 0) {
      this.fresh = new Set([...this.fresh, ...added.map((r) => r.lead_id)]);
      this.announcement = `${added.length === 1 ? "New lead" : `${added.length} new leads`}: ${
        added.map((r) => r.name || r.email || r.phone || "unnamed").join(", ")
      }`;
    }
  }

  async #loadMore(): Promise<void> {
    if (!this.next || this.loading) return;
    const key = this.#shownFor;
    this.loading = true;
    try {
      const page = await this.api.get<Page>(leadsPath(this.query, PAGE_SIZE, this.next));
      if (this.#shownFor !== key) return;
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

  /** Asks for `change` now (the list starts over from its first page). */
  #ask(change: Partial<LeadsQuery>): void {
    clearTimeout(this.#searchTimer);
    const query = { ...this.query, ...change };
    if (leadsPath(query, PAGE_SIZE) === leadsPath(this.query, PAGE_SIZE)) return;
    this.query = query;
    void this.reload();
  }

  #onSearchInput(e: Event): void {
    const q = (e.target as HTMLInputElement).value.trim();
    clearTimeout(this.#searchTimer);
    this.#searchTimer = setTimeout(() => this.#ask({ q }), SEARCH_DEBOUNCE_MS);
  }

  #onSubmit(e: Event): void {
    e.preventDefault();
    const input = this.renderRoot.querySelector<HTMLInputElement>("#lead-search");
    this.#ask({ q: input?.value.trim() ?? "" });
  }

  override render() {
    const q = this.query;
    return html`
      <form role="search" aria-label="Find leads" @submit=${this.#onSubmit}>
        <div class="field">
          <label for="lead-search">Search leads</label>
          <input id="lead-search" type="search" .value=${q.q} maxlength="200"
            placeholder="Name, email, company or phone" autocomplete="off"
            aria-describedby="lead-search-hint" @input=${this.#onSearchInput}>
          <span id="lead-search-hint" class="visually-hidden">
            Results update as you type; Enter searches at once.</span>
        </div>
        <div class="field">
          <label for="lead-sort">Sort by</label>
          <select id="lead-sort" @change=${(e: Event) =>
            this.#ask({ sort: (e.target as HTMLSelectElement).value as LeadSort })}>
            ${SORTS.map(([v, text]) =>
              html`<option value=${v} ?selected=${q.sort === v}>${text}</option>`
            )}
          </select>
        </div>
        <div class="field">
          <label for="lead-status">Status</label>
          <select id="lead-status" @change=${(e: Event) =>
            this.#ask({ status: (e.target as HTMLSelectElement).value })}>
            <option value="" ?selected=${!q.status}>Any status</option>
            ${STATUSES.map((s) =>
              html`<option value=${s} ?selected=${q.status === s}>${label(s)}</option>`
            )}
          </select>
        </div>
        <div class="field">
          <label for="lead-source">Source</label>
          <select id="lead-source" @change=${(e: Event) =>
            this.#ask({ source: (e.target as HTMLSelectElement).value })}>
            <option value="" ?selected=${!q.source}>Any source</option>
            ${SOURCES.map((s) =>
              html`<option value=${s} ?selected=${q.source === s}>${label(s)}</option>`
            )}
          </select>
        </div>
      </form>
      <cove-leads-table .rows=${this.rows} .hasMore=${this.next !== null}
        .loading=${this.loading} .error=${this.tableError} .fresh=${this.fresh}
        .announcement=${this.announcement} .sort=${q.sort} .filtered=${!isLiveFeed({
          ...q,
          sort: "newest",
        })}
        @load-more=${this.#loadMore}></cove-leads-table>
    `;
  }
}
