/**
 * `<cove-campaigns-view>`: the tenant's campaigns, newest first, a page at a
 * time with the gateway's cursor, each linking to its stats, and the way to
 * a new one. Campaign events re-read the pages shown (status and enrolled
 * counts move while a campaign runs).
 *
 * @module
 */
import { html, nothing } from "lit";
import { href } from "../router.ts";
import { baseStyles, tableStyles } from "../_styles.ts";
import type { LiveTick } from "../live.ts";
import { DashboardView } from "./_view.ts";
import { campaignStyles } from "./_campaign_styles.ts";
import {
  type CampaignListItem,
  type CampaignPage,
  formatTime,
  STATUS_LABELS,
} from "./_campaign_shapes.ts";

/** Campaigns per page. */
export const CAMPAIGN_PAGE_SIZE = 25;

/** See the module doc. */
export class CoveCampaignsView extends DashboardView {
  static override properties = {
    ...DashboardView.properties,
    rows: { state: true },
    next: { state: true },
    state: { state: true },
    error: { state: true },
  };
  static override styles = [baseStyles, tableStyles, campaignStyles];

  declare rows: CampaignListItem[];
  /** Cursor of the page after those shown; null when the last is shown. */
  declare next: string | null;
  declare state: "pending" | "ready" | "more";
  declare error: string;
  /** How many pages are shown, so a live re-read keeps them all. */
  #pages = 1;

  constructor() {
    super();
    this.rows = [];
    this.next = null;
    this.state = "pending";
    this.error = "";
  }

  protected override wants(tick: LiveTick): boolean {
    return tick.kinds.has("campaign");
  }

  protected override async load(): Promise<void> {
    try {
      const rows: CampaignListItem[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < this.#pages; page++) {
        const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
        const r: CampaignPage = await this.api.get<CampaignPage>(
          `/v1/campaigns?limit=${CAMPAIGN_PAGE_SIZE}${q}`,
        );
        rows.push(...r.items);
        cursor = r.next;
        if (!cursor) break;
      }
      this.rows = rows;
      this.next = cursor;
      this.error = "";
    } catch (error) {
      this.error = (error as Error).message;
    } finally {
      this.state = "ready";
    }
  }

  async #loadMore(): Promise<void> {
    if (!this.next || this.state !== "ready") return;
    this.state = "more";
    try {
      const r = await this.api.get<CampaignPage>(
        `/v1/campaigns?limit=${CAMPAIGN_PAGE_SIZE}&cursor=${encodeURIComponent(this.next)}`,
      );
      const known = new Set(this.rows.map((c) => c.id));
      this.rows = [...this.rows, ...r.items.filter((c) => !known.has(c.id))];
      this.next = r.next;
      this.#pages++;
      this.error = "";
    } catch (error) {
      this.error = (error as Error).message;
    } finally {
      this.state = "ready";
    }
  }

  override render() {
    return html`
      <div class="bar">
        <h2>Campaigns</h2>
        <a class="button" href=${href("campaign-new")}>New campaign</a>
      </div>
      ${this.error
        ? html`<p class="error" role="alert">Campaigns could not be loaded: ${this.error}</p>`
        : nothing}
      ${this.#renderBody()}
    `;
  }

  #renderBody() {
    if (this.state === "pending") {
      return html`<p class="muted" role="status">Loading campaigns...</p>`;
    }
    if (this.rows.length === 0 && !this.error) {
      return html`
        <div class="panel">
          <p>No campaigns yet.</p>
          <p class="muted">A campaign sends a sequence of messages to the leads you choose.
                <a href=${href("campaign-new")}>Create the first one</a>.</p>
        </div>
      `;
    }
    return html`
      <div class="scroll" tabindex="0" role="region" aria-label="Campaigns">
        <table>
          <caption>Campaigns, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Status</th>
              <th scope="col" class="num">Enrolled</th>
              <th scope="col" class="wide">Created</th>
              <th scope="col" class="wide">Launched</th>
            </tr>
          </thead>
          <tbody>${this.rows.map((c) =>
            html`
              <tr data-campaign-id=${c.id}>
                <th scope="row"><a href=${href("campaign", { id: c.id })}>${c.name}</a></th>
                <td><span class="status" data-status=${c
                  .status}>${STATUS_LABELS[c.status]}</span></td>
                <td class="num">${c.enrolled.toLocaleString()}</td>
                <td class="wide">${formatTime(c.createdAt)}</td>
                <td class="wide">${c.launchedAt ? formatTime(c.launchedAt) : "Not launched"}</td>
              </tr>
            `
          )}</tbody>
        </table>
      </div>
      ${this.next
        ? html`<div class="actions"><button class="quiet" ?disabled=${this.state === "more"}
            @click=${this.#loadMore}>${
          this.state === "more" ? "Loading..." : "Load more campaigns"
        }</button></div>`
        : nothing}
    `;
  }
}
