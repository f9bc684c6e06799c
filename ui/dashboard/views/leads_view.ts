/**
 * `<cove-leads-view>`: the tenant's leads, newest first, loaded a page at a
 * time with the cursor and kept live: every tick with lead events re-reads
 * the first page (idempotent, so an event seen twice or a page read after it
 * changes nothing); rows that arrived live are marked and announced.
 *
 * @module
 */
import { html } from "lit";
import type { LeadRow } from "../../../shared/minerva_client.ts";
import { baseStyles } from "../_styles.ts";
import { DashboardView } from "./_view.ts";

/** Leads per page of the table. */
export const PAGE_SIZE = 50;

/** See the module doc. */
export class CoveLeadsView extends DashboardView {
  static override properties = {
    ...DashboardView.properties,
    rows: { state: true },
    next: { state: true },
    loading: { state: true },
    tableError: { state: true },
    fresh: { state: true },
    announcement: { state: true },
  };
  static override styles = [baseStyles];

  declare rows: LeadRow[];
  /** Cursor of the next page; null when the last page is loaded. */
  declare next: string | null;
  declare loading: boolean;
  declare tableError: string;
  declare fresh: ReadonlySet<string>;
  declare announcement: string;
  #loadedOnce = false;

  constructor() {
    super();
    this.rows = [];
    this.next = null;
    this.loading = true;
    this.tableError = "";
    this.fresh = new Set();
    this.announcement = "";
  }

  protected override async load(): Promise<void> {
    this.loading = true;
    try {
      const page = await this.api.get<{ items: LeadRow[]; next: string | null }>(
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
      const page = await this.api.get<{ items: LeadRow[]; next: string | null }>(
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

  override render() {
    return html`
      <cove-leads-table .rows=${this.rows} .hasMore=${this.next !== null}
        .loading=${this.loading} .error=${this.tableError} .fresh=${this.fresh}
        .announcement=${this.announcement} @load-more=${this.#loadMore}></cove-leads-table>
    `;
  }
}
