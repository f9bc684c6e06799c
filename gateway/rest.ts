/**
 * Every REST router of the node, mounted in one place under `/v1`. Each
 * router guards itself (see `guard.ts`) and lands in `/openapi.json`.
 *
 * @module
 */
import type { RootApp } from "./app.ts";
import type { LeadRouteDeps } from "./_lead_common.ts";
import { leadRoutes } from "./leads_api.ts";
import { authRoutes } from "./auth_api.ts";
import { aiPolicyRoutes, suggestionRoutes } from "./suggestions_api.ts";
import { settingsRoutes } from "./settings_api.ts";
import { type ImportRouteDeps, importRoutes } from "./imports_api.ts";
import { teamRoutes } from "./team_api.ts";
import { taskRoutes } from "./tasks_api.ts";
import { availabilityRoutes, bookingRoutes } from "./bookings_api.ts";
import { deadLetterRoutes, outboxRoutes, providerRoutes } from "./outbox_api.ts";
import { analyticsRoutes } from "./analytics_api.ts";
import { recommendationRoutes, reportRoutes } from "./reports_api.ts";
import { templateRoutes } from "./templates_api.ts";
import { campaignRoutes } from "./campaigns_api.ts";

/** What the REST routers need: the shared deps plus the AI client and the import driver hook. */
export type RestDeps = LeadRouteDeps & ImportRouteDeps;

/** Mounts the REST routers on the node's root app. */
export function mountRest(app: RootApp, deps: RestDeps): void {
  app.route("/v1/leads", leadRoutes(deps));
  app.route("/v1", authRoutes(deps));
  app.route("/v1/suggestions", suggestionRoutes(deps, app));
  app.route("/v1/ai-policy", aiPolicyRoutes(deps));
  app.route("/v1/settings", settingsRoutes(deps));
  app.route("/v1/imports", importRoutes(deps));
  app.route("/v1/team", teamRoutes(deps));
  app.route("/v1/tasks", taskRoutes(deps));
  app.route("/v1/availability", availabilityRoutes(deps));
  app.route("/v1/bookings", bookingRoutes(deps));
  app.route("/v1/outbox", outboxRoutes(deps));
  app.route("/v1/dead-letters", deadLetterRoutes(deps));
  app.route("/v1/providers", providerRoutes(deps));
  app.route("/v1/analytics", analyticsRoutes(deps));
  app.route("/v1/reports", reportRoutes(deps));
  app.route("/v1/recommendations", recommendationRoutes(deps));
  app.route("/v1/templates", templateRoutes(deps));
  app.route("/v1/campaigns", campaignRoutes(deps));
}
