/**
 * The live dashboard, bundled to `ui/dist/dashboard.js` (an ES module) and
 * served by the gateway at `/` inside a small HTML shell
 * (gateway/ui_routes.ts). `<cove-dashboard>` is the whole app: sign-in, the
 * live connection indicator, headline figures and the leads table.
 *
 * @module
 */
import "./_jitless.ts";
import { CoveDashboard } from "./cove_dashboard.ts";
import { CoveHeroMetrics } from "./hero_metrics.ts";
import { CoveLeadsTable } from "./leads_table.ts";

export * from "./api.ts";
export * from "./session.ts";
export * from "./stream_controller.ts";
export * from "./hero_metrics.ts";
export * from "./leads_table.ts";
export * from "./cove_dashboard.ts";

for (
  const [name, element] of [
    ["cove-hero-metrics", CoveHeroMetrics],
    ["cove-leads-table", CoveLeadsTable],
    ["cove-dashboard", CoveDashboard],
  ] as const
) {
  if (!customElements.get(name)) customElements.define(name, element);
}
