/**
 * The gateway: the HTTP face of a Cove node. It serves the health endpoints
 * (`/healthz`, `/readyz`), the resumable live streams (`/v1/stream` over
 * WebSocket and SSE), the providers' signed webhooks (`/webhooks/...`) and
 * one-click email unsubscribe (`/u/...`), behind one error boundary that
 * turns public `CoveError`s into JSON and hides the rest. Tokens, API keys,
 * site keys and rate limits are here too; `serve` puts any app on a socket.
 *
 * @module
 */
export * from "./app.ts";
export * from "./serve.ts";
export * from "./webhooks.ts";
export * from "./unsubscribe.ts";
export * from "./auth.ts";
export * from "./rate_limit.ts";
export * from "./migrations.ts";
export * from "./stream_hub.ts";
export * from "./sse.ts";
export * from "./ws_deno.ts";
export * from "./secrets.ts";
export * from "./leads_api.ts";
export * from "./team_api.ts";
export * from "./tasks_api.ts";
export * from "./bookings_api.ts";
export * from "./outbox_api.ts";
export * from "./analytics_api.ts";
export * from "./reports_api.ts";
export * from "./templates_api.ts";
export * from "./campaigns_api.ts";
export * from "./auth_api.ts";
export * from "./widget_api.ts";
export * from "./metrics.ts";
export * from "./bootstrap.ts";
export * from "./ai_policy.ts";
export * from "./suggestion.ts";
export * from "./suggestions_api.ts";
export * from "./settings_api.ts";
export * from "./imports_api.ts";
export * from "./ui_routes.ts";
// The library's own names (createRoute, OpenAPIHono, z) stay private to the gateway's routers.
export {
  API_INFO,
  apiRouter,
  authErrors,
  bearerOrApiKey,
  ErrorSchema,
  json,
  jsonBody,
  mountApiDocs,
  notFound,
  siteKeySecurity,
} from "./openapi.ts";
export * from "./guard.ts";
export * from "./rest.ts";
