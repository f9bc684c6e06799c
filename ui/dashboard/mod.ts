/**
 * The live dashboard, bundled to `ui/dist/dashboard.js` (an ES module) and
 * served by the gateway at `/` inside a small HTML shell
 * (gateway/ui_routes.ts). `<cove-dashboard>` is the whole app: sign-in, the
 * live connection indicator, the navigation and one view at a time
 * (router.ts lists them; each is a {@link DashboardView} under `views/`).
 *
 * @module
 */
import "./_jitless.ts";
import { CoveDashboard } from "./cove_dashboard.ts";
import { CoveHeroMetrics } from "./hero_metrics.ts";
import { CoveLeadsTable } from "./leads_table.ts";
import { CoveAnalyticsView } from "./views/analytics_view.ts";
import { CoveBookingsCalendar } from "./views/bookings_calendar.ts";
import { CoveCampaignStats } from "./views/campaign_stats.ts";
import { CoveCampaignWizard } from "./views/campaign_wizard.ts";
import { CoveCampaignsView } from "./views/campaigns_view.ts";
import { CoveFunnelChart } from "./views/funnel_chart.ts";
import { CoveImportView } from "./views/import_view.ts";
import { CoveLeadDetail } from "./views/lead_detail.ts";
import { CoveLeadsView } from "./views/leads_view.ts";
import { CoveOpsView } from "./views/ops_view.ts";
import { CoveOverview } from "./views/overview.ts";
import { CoveSilentLeads } from "./views/silent_leads.ts";
import { CoveTasksBoard } from "./views/tasks_board.ts";

export * from "./api.ts";
export * from "./session.ts";
export * from "./stream_controller.ts";
export * from "./router.ts";
export * from "./hero_metrics.ts";
export * from "./leads_table.ts";
export * from "./cove_dashboard.ts";
export * from "./live.ts";
export * from "./views/_view.ts";

for (
  const [name, element] of [
    ["cove-hero-metrics", CoveHeroMetrics],
    ["cove-leads-table", CoveLeadsTable],
    ["cove-leads-view", CoveLeadsView],
    ["cove-funnel-chart", CoveFunnelChart],
    ["cove-overview", CoveOverview],
    ["cove-lead-detail", CoveLeadDetail],
    ["cove-silent-leads", CoveSilentLeads],
    ["cove-tasks-board", CoveTasksBoard],
    ["cove-bookings-calendar", CoveBookingsCalendar],
    ["cove-import-view", CoveImportView],
    ["cove-ops-view", CoveOpsView],
    ["cove-campaigns-view", CoveCampaignsView],
    ["cove-campaign-wizard", CoveCampaignWizard],
    ["cove-campaign-stats", CoveCampaignStats],
    ["cove-analytics-view", CoveAnalyticsView],
    ["cove-dashboard", CoveDashboard],
  ] as const
) {
  if (!customElements.get(name)) customElements.define(name, element);
}
