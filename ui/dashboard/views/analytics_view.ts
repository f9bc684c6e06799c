/**
 * `<cove-analytics-view>`: Analytics: lead-score scatter plot and ROI by channel and campaign.
 *
 * @module
 */
import { html } from "lit";
import { baseStyles } from "../_styles.ts";
import { DashboardView } from "./_view.ts";

/** See the module doc. */
export class CoveAnalyticsView extends DashboardView {
  static override styles = [baseStyles];

  protected override async load(): Promise<void> {}

  override render() {
    return html`<p class="muted">Not built yet.</p>`;
  }
}
