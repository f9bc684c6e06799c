/**
 * `<cove-campaign-stats>`: One campaign: its definition, state and stats, with pause, resume and stop.
 *
 * @module
 */
import { html } from "lit";
import { baseStyles } from "../_styles.ts";
import { DashboardView } from "./_view.ts";

/** See the module doc. */
export class CoveCampaignStats extends DashboardView {
  static override styles = [baseStyles];

  protected override async load(): Promise<void> {}

  override render() {
    return html`<p class="muted">Not built yet.</p>`;
  }
}
