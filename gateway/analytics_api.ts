/**
 * The analytics REST routes under `/v1/analytics`: the tenant's report from
 * the journal's analytics projection (`GET /v1/analytics`, exact up to the
 * stream position it names), its rebuild from the journal (admins), and a
 * quick summary of the tenant's leads computed with SQL over the `leads` read
 * model (`/summary`; leads merged into another counted once, as the lead they
 * merged into). `/scores` answers live leads' scores against their capture
 * time for the dashboard's scatter plot, evenly thinned to a bound so a
 * tenant with a million leads still gets a plot-sized answer.
 *
 * Live dashboards subscribe to the tenant's stream and re-read
 * `GET /v1/analytics` when events arrive: the report's `position` says how far
 * it is exact, so a dashboard re-reads until it has caught up with the last
 * position it saw.
 *
 * @module
 */
import { readAnalytics, rebuildAnalytics, tenantZoneOf } from "../actors/analytics/mod.ts";
import { AnalyticsReport, AvailabilityQuery, LeadSource, LeadStatus } from "../shared/mod.ts";
import type { AuthEnv } from "./auth.ts";
import { type ApiDeps, guard, onlyRoles, STAFF_ROLES } from "./guard.ts";
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

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const Day = z.string().regex(DAY, "a day as YYYY-MM-DD").refine((v) => {
  if (!DAY.test(v)) return true; // the regex already named it
  // Round-tripped, so 2026-02-30 (which Date.parse rolls over) and year 0 are refused too.
  const ms = Date.parse(`${v}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === v && v >= "0001-01-01";
}, "a day as YYYY-MM-DD");

/** The most points `GET /v1/analytics/scores` answers by default, and at most. */
export const SCORE_POINTS = { default: 2_000, max: 10_000 } as const;

const ScoresQuery = z.object({
  limit: z.coerce.number().int().min(1).max(SCORE_POINTS.max).default(SCORE_POINTS.default)
    .openapi({
      description: `At most this many points (default ${SCORE_POINTS.default}, ` +
        `max ${SCORE_POINTS.max}); more leads are thinned evenly over capture time`,
    }),
  from: Day.optional().openapi({
    description: "First local day (inclusive, the tenant's zone) of capture",
  }),
  to: Day.optional().openapi({ description: "Last local day (inclusive) of capture" }),
}).refine((q) => !q.from || !q.to || q.from <= q.to, {
  message: "the last day comes on or after from",
  path: ["to"],
});

/** One live lead of the scatter plot. */
export const ScorePoint = z.object({
  leadId: z.string(),
  score: z.number().int(),
  /** Capture time, epoch ms. */
  capturedAt: z.number(),
  status: LeadStatus,
  /** The deal's value, for won leads whose win the analytics projection has folded in. */
  valueCents: z.number().optional(),
}).openapi("ScorePoint");

/** What `GET /v1/analytics/scores` answers. */
export const ScoreSample = z.object({
  /** Live leads (not merged away) captured in the range. */
  total: z.number().int(),
  /** True when `total` exceeds the limit and `points` is an even sample of them. */
  sampled: z.boolean(),
  limit: z.number().int(),
  /** The zone `from`/`to` were read in (the tenant's). */
  timeZone: z.string(),
  from: z.string().optional(),
  to: z.string().optional(),
  /** In capture order. */
  points: z.array(ScorePoint),
}).openapi("ScoreSample");

/** What `GET /v1/analytics/scores` answers. */
export type ScoreSample = z.infer<typeof ScoreSample>;

const ReportQuery = z.object({
  from: Day.optional().openapi({
    description: "First local day (inclusive) of the capture cohort for leads per day, " +
      "funnel, response rate and time to first response",
  }),
  to: Day.optional().openapi({ description: "Last local day (inclusive) of that cohort" }),
  silentHours: z.coerce.number().int().min(0).max(24 * 365).default(48).openapi({
    description: "An open lead is silent when not heard from for this long (default 48)",
  }),
});

const Rebuilt = z.object({
  /** The stream position the rebuilt projection is exact up to. */
  position: z.number().int(),
}).openapi("AnalyticsRebuilt");

/** The `/v1/analytics` sub-app. */
export function analyticsRoutes(deps: ApiDeps): OpenAPIHono<AuthEnv> {
  const app = apiRouter<AuthEnv>();
  app.use("*", guard(deps, STAFF_ROLES));
  const zoneOf = tenantZoneOf(deps.system);

  app.openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["analytics"],
      summary: "The tenant's analytics: leads per day, funnel, response rate and time, " +
        "channels, campaign ROI, silent leads, score distribution",
      description: "Exact up to `position` of the tenant's stream. For live dashboards: " +
        "subscribe to the tenant's stream and read this again when events arrive.",
      security: bearerOrApiKey,
      request: { query: ReportQuery },
      responses: {
        200: { description: "The report", content: json(AnalyticsReport) },
        ...authErrors,
      },
    }),
    async (c) => {
      const { from, to, silentHours } = c.req.valid("query");
      const report = await readAnalytics(deps.system.journal.sql, c.var.auth.tenant, {
        ...(from ? { from } : {}),
        ...(to ? { to } : {}),
        silentHours,
        now: deps.system.clock.now(),
      });
      return c.json(report, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/rebuild",
      tags: ["analytics"],
      summary: "Rebuild the tenant's analytics from its journal (admin)",
      description: "Drops the projection's rows and folds the journal again from the start, " +
        "counting local days in the zone of the tenant's settings; answers when done.",
      security: bearerOrApiKey,
      middleware: [onlyRoles("admin")],
      responses: {
        200: { description: "Rebuilt", content: json(Rebuilt) },
        ...authErrors,
      },
    }),
    async (c) => {
      const tenant = c.var.auth.tenant;
      const position = await rebuildAnalytics(deps.system.journal.sql, tenant, {
        zone: await zoneOf(tenant),
      });
      return c.json({ position }, 200);
    },
  );

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
      // One pass over the tenant's leads: the silent count rides along as a filtered count.
      const silentBefore = new Date(asOf - silentHours * 3_600_000);
      const groups = await sql<
        { status: LeadStatus; source: LeadSource; n: number; silent: number }[]
      >`
        SELECT status, source, count(*)::int AS n,
               count(*) FILTER (WHERE status IN ${sql(OPEN_STATUSES as LeadStatus[])}
                 AND coalesce(last_inbound, created_at) < ${silentBefore})::int AS silent
        FROM leads
        WHERE tenant = ${tenant} AND merged_into IS NULL ${captured}
        GROUP BY status, source`;
      const byStatus = new Map<string, number>();
      const bySource = Object.fromEntries(LeadSource.options.map((s) => [s, 0])) as Record<
        LeadSource,
        number
      >;
      let total = 0;
      let silent = 0;
      for (const g of groups) {
        total += g.n;
        silent += g.silent;
        byStatus.set(g.status, (byStatus.get(g.status) ?? 0) + g.n);
        bySource[g.source] = (bySource[g.source] ?? 0) + g.n;
      }
      const summary: LeadSummary = {
        total,
        funnel: LeadStatus.options.map((status) => ({ status, count: byStatus.get(status) ?? 0 })),
        bySource,
        silent: { hours: silentHours, count: silent },
        asOf,
      };
      return c.json(summary, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/scores",
      tags: ["analytics"],
      summary: "Live leads' scores against capture time (for a scatter plot), at most `limit`",
      description: "Leads merged into another are left out. When more leads match than " +
        "`limit`, an even spread over capture time is answered (`sampled: true`, `total` " +
        "says how many matched). `from`/`to` are local days in the tenant's zone.",
      security: bearerOrApiKey,
      request: { query: ScoresQuery },
      responses: {
        200: { description: "The points", content: json(ScoreSample) },
        ...authErrors,
      },
    }),
    async (c) => {
      const { limit, from, to } = c.req.valid("query");
      const sql = deps.system.journal.sql;
      const tenant = c.var.auth.tenant;
      const zone = await zoneOf(tenant);
      // Local midnights in the tenant's zone, so the range matches GET /v1/analytics' days.
      const captured = sql`
        ${from ? sql`AND l.created_at >= (${from}::date)::timestamp AT TIME ZONE ${zone}` : sql``}
        ${to ? sql`AND l.created_at < (${to}::date + 1)::timestamp AT TIME ZONE ${zone}` : sql``}`;
      // Row n of N is kept when floor(n·limit/N) steps up: exactly min(limit, N) rows, evenly
      // spread over capture order, the same ones on every read (a live plot does not shuffle).
      const rows = await sql<
        {
          lead_id: string;
          score: number;
          captured_at: Date;
          status: LeadStatus;
          value_cents: string | null;
          total: number;
        }[]
      >`
        WITH ranked AS (
          SELECT l.lead_id, l.score, l.created_at, l.status,
            row_number() OVER (ORDER BY l.created_at, l.lead_id) AS n,
            count(*) OVER () AS total
          FROM leads l
          WHERE l.tenant = ${tenant} AND l.merged_into IS NULL ${captured}
        )
        SELECT r.lead_id, r.score, r.created_at AS captured_at, r.status, r.total::int AS total,
          CASE WHEN r.status = 'won' THEN a.facts->>'valueCents' END AS value_cents
        FROM ranked r
        LEFT JOIN analytics_leads a ON a.tenant = ${tenant} AND a.lead_id = r.lead_id
        WHERE (r.n * ${limit}) / r.total > ((r.n - 1) * ${limit}) / r.total
        ORDER BY r.n`;
      const total = rows[0]?.total ?? 0;
      const sample: ScoreSample = {
        total,
        sampled: total > limit,
        limit,
        timeZone: zone,
        ...(from ? { from } : {}),
        ...(to ? { to } : {}),
        points: rows.map((r) => ({
          leadId: r.lead_id,
          score: r.score,
          capturedAt: r.captured_at.getTime(),
          status: r.status,
          ...(r.value_cents !== null ? { valueCents: Number(r.value_cents) } : {}),
        })),
      };
      return c.json(sample, 200);
    },
  );

  return app;
}
