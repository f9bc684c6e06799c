/**
 * `<cove-overview>`: the first view: headline figures with live counters,
 * the conversion funnel and the live leads table.
 *
 * @module
 */
import { css, html } from "lit";
import { baseStyles } from "../_styles.ts";
import type { LeadSummary, SummaryView } from "../hero_metrics.ts";
import { DashboardView } from "./_view.ts";

/** See the module doc. */
export class CoveOverview extends DashboardView {
  static override properties = { ...DashboardView.properties, summary: { state: true } };
  static override styles = [
    baseStyles,
    css`
      :host {
        display: grid;
        grid-template-columns: minmax(0, 1fr);
        gap: 1.25rem;
      }
    `,
  ];

  declare summary: SummaryView;

  constructor() {
    super();
    this.summary = { state: "pending" };
  }

  protected override async load(): Promise<void> {
    try {
      const summary = await this.api.get<LeadSummary>("/v1/analytics/summary");
      this.summary = { state: "ready", summary };
    } catch (error) {
      if (this.summary.state !== "ready") {
        this.summary = { state: "error", message: (error as Error).message };
      }
    }
  }

  override render() {
    return html`
      <h2 class="visually-hidden">Overview</h2>
      <cove-hero-metrics .view=${this.summary}></cove-hero-metrics>
      <cove-funnel-chart .api=${this.api} .live=${this.live}></cove-funnel-chart>
      <cove-leads-view .api=${this.api} .live=${this.live}></cove-leads-view>
    `;
  }
}
