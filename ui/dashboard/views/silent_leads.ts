/**
 * `<cove-silent-leads>`: Open leads gone silent, best first, each with a one-click recover.
 *
 * @module
 */
import { html } from "lit";
import { baseStyles } from "../_styles.ts";
import { DashboardView } from "./_view.ts";

/** See the module doc. */
export class CoveSilentLeads extends DashboardView {
  static override styles = [baseStyles];

  protected override async load(): Promise<void> {}

  override render() {
    return html`<p class="muted">Not built yet.</p>`;
  }
}
