/**
 * The weekly report and the recommendations over REST, for staff:
 * `GET /v1/reports/weekly?week=YYYY-Www` answers the report's HTML (the same
 * page the Monday email carries, charts included) for any week, and
 * `GET /v1/recommendations` the latest pipeline health check with the
 * recommendations it made (live ones arrive on the tenant's stream as
 * `recommendation.made` events).
 *
 * @module
 */
import { latestHealthCheck, PipelineFigures } from "../actors/advisor/mod.ts";
import { tenantTimeZone } from "../actors/jobs/mod.ts";
import {
  previousWeek,
  readWeeklyFigures,
  renderWeeklyReport,
  reportWeek,
} from "../actors/reports/mod.ts";
import { Recommendation } from "../shared/mod.ts";
import type { AuthEnv } from "./auth.ts";
import { type ApiDeps, guard, STAFF_ROLES } from "./guard.ts";
import {
  apiRouter,
  authErrors,
  bearerOrApiKey,
  createRoute,
  json,
  type OpenAPIHono,
  z,
} from "./openapi.ts";

const WeekQuery = z.object({
  week: z.string().regex(/^\d{4}-W\d{2}$/, "expected an ISO week such as 2026-W23").optional()
    .openapi({
      description: "ISO week, e.g. 2026-W23; default the last full week",
      example: "2026-W23",
    }),
});

/** What `GET /v1/recommendations` answers. */
export const LatestRecommendations = z.object({
  /** The health check they came from; null before the first one ran. */
  check: z.object({
    occurrence: z.number().openapi({ description: "The check's scheduled instant, epoch ms" }),
    at: z.number().openapi({ description: "When it was journaled, epoch ms" }),
    position: z.number().int().openapi({
      description: "Stream position of its pipeline.health_checked event",
    }),
    figures: PipelineFigures,
  }).nullable(),
  recommendations: z.array(Recommendation),
}).openapi("LatestRecommendations");

/** The `/v1/reports` sub-app. */
export function reportRoutes(deps: ApiDeps): OpenAPIHono<AuthEnv> {
  const app = apiRouter<AuthEnv>();
  app.use("*", guard(deps, STAFF_ROLES));
  app.openapi(
    createRoute({
      method: "get",
      path: "/weekly",
      tags: ["reports"],
      summary: "The weekly report of a week as HTML with inline SVG charts",
      security: bearerOrApiKey,
      request: { query: WeekQuery },
      responses: {
        200: {
          description: "The report page (the weekly email's HTML part)",
          content: { "text/html": { schema: z.string() } },
        },
        ...authErrors,
      },
    }),
    async (c) => {
      const { week } = c.req.valid("query");
      const tenant = c.var.auth.tenant;
      const { system } = deps;
      const zone = await tenantTimeZone(system, tenant);
      // A week that does not exist (2025-W53) is a ValidationError naming `week`.
      const bounds = week ? reportWeek(week, zone) : previousWeek(system.clock.now(), zone);
      const figures = await readWeeklyFigures(system.journal.sql, tenant, bounds);
      return c.html(renderWeeklyReport(figures).html, 200);
    },
  );
  return app;
}

/** The `/v1/recommendations` sub-app. */
export function recommendationRoutes(deps: ApiDeps): OpenAPIHono<AuthEnv> {
  const app = apiRouter<AuthEnv>();
  app.use("*", guard(deps, STAFF_ROLES));
  app.openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["reports"],
      summary: "The latest pipeline health check and the recommendations it made",
      security: bearerOrApiKey,
      responses: {
        200: { description: "The latest recommendations", content: json(LatestRecommendations) },
        ...authErrors,
      },
    }),
    async (c) => {
      const check = await latestHealthCheck(deps.system.journal.sql, c.var.auth.tenant);
      const body: z.infer<typeof LatestRecommendations> = check
        ? {
          check: {
            occurrence: check.occurrence,
            at: check.at,
            position: check.position,
            figures: check.figures,
          },
          recommendations: check.recommendations,
        }
        : { check: null, recommendations: [] };
      return c.json(body, 200);
    },
  );
  return app;
}
