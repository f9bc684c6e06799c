/**
 * The analytics REST routes under `/v1/analytics`: for now one summary of
 * the tenant's leads (the funnel by status, where they came from, how many
 * have gone silent), computed with SQL over the `leads` read model. Leads
 * merged into another are counted once, as the lead they merged into.
 * Campaign figures come with campaigns.
 *
 * @module
 */
import { AvailabilityQuery, LeadSource, LeadStatus } from "../shared/mod.ts";
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

/** Statuses of a lead still being worked: the ones that can go silent (as `listSilentLeads`). */
export const OPEN_STATUSES: readonly LeadStatus[] = ["new", "contacted", "responded", "qualified"];

/** The summary `GET /v1/analytics/summary` answers. */
export const LeadSummary = z.object({
  /** Leads counted (merged-away ones excluded). */
  total: z.number().int(),
  /** Every funnel status in funnel order, zero included. */
  funnel: z.array(z.object({ status: LeadStatus, count: z.number().int() })),
  /** Every source, zero included. */
  bySource: z.record(LeadSource, z.number().int()),
  silent: z.object({
    /** The threshold asked for. */
    hours: z.number().int(),
    /** Open leads not heard from (or, if they never wrote, captured) for `hours`. */
    count: z.number().int(),
  }),
  /** When it was computed, epoch ms; silence is measured from it. */
  asOf: z.number(),
}).openapi("LeadSummary");

/** The summary `GET /v1/analytics/summary` answers. */
export type LeadSummary = z.infer<typeof LeadSummary>;

const SummaryQuery = z.object({
  silentHours: z.coerce.number().int().min(1).max(24 * 365).default(48).openapi({
    description: "An open lead is silent when not heard from for this long (default 48)",
  }),
  from: AvailabilityQuery.shape.from.optional().openapi({
    description: "Only leads captured at or after this instant",
  }),
  to: AvailabilityQuery.shape.to.optional().openapi({
    description: "Only leads captured before this instant",
  }),
});

/** The `/v1/analytics` sub-app. */
export function analyticsRoutes(deps: ApiDeps): OpenAPIHono<AuthEnv> {
  const app = apiRouter<AuthEnv>();
  app.use("*", guard(deps, STAFF_ROLES));

  app.openapi(
    createRoute({
      method: "get",
      path: "/summary",
      tags: ["analytics"],
      summary: "The tenant's leads: the funnel by status, counts by source, silent leads",
      security: bearerOrApiKey,
      request: { query: SummaryQuery },
      responses: {
        200: { description: "The summary", content: json(LeadSummary) },
        ...authErrors,
      },
    }),
    async (c) => {
      const { silentHours, from, to } = c.req.valid("query");
      const sql = deps.system.journal.sql;
      const tenant = c.var.auth.tenant;
      const asOf = deps.system.clock.now();
      const captured = sql`
        ${from ? sql`AND created_at >= ${new Date(from)}` : sql``}
        ${to ? sql`AND created_at < ${new Date(to)}` : sql``}`;
      const groups = await sql<{ status: LeadStatus; source: LeadSource; n: number }[]>`
        SELECT status, source, count(*)::int AS n
        FROM leads
        WHERE tenant = ${tenant} AND merged_into IS NULL ${captured}
        GROUP BY status, source`;
      const [silent] = await sql<{ n: number }[]>`
        SELECT count(*)::int AS n
        FROM leads
        WHERE tenant = ${tenant} AND merged_into IS NULL ${captured}
          AND status IN ${sql(OPEN_STATUSES as LeadStatus[])}
          AND coalesce(last_inbound, created_at) < ${new Date(asOf - silentHours * 3_600_000)}`;
      const byStatus = new Map<string, number>();
      const bySource = Object.fromEntries(LeadSource.options.map((s) => [s, 0])) as Record<
        LeadSource,
        number
      >;
      let total = 0;
      for (const g of groups) {
        total += g.n;
        byStatus.set(g.status, (byStatus.get(g.status) ?? 0) + g.n);
        bySource[g.source] = (bySource[g.source] ?? 0) + g.n;
      }
      const summary: LeadSummary = {
        total,
        funnel: LeadStatus.options.map((status) => ({ status, count: byStatus.get(status) ?? 0 })),
        bySource,
        silent: { hours: silentHours, count: silent?.n ?? 0 },
        asOf,
      };
      return c.json(summary, 200);
    },
  );

  return app;
}
