/**
 * `<cove-campaigns-view>`: The campaigns list.
 *
 * @module
 */
import { html } from "lit";
import { baseStyles } from "../_styles.ts";
import { DashboardView } from "./_view.ts";

/** See the module doc. */
export class CoveCampaignsView extends DashboardView {
  static override styles = [baseStyles];

  protected override async load(): Promise<void> {}

  override render() {
    return html`<p class="muted">Not built yet.</p>`;
  }
}
