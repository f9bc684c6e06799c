/**
 * The figures of a weekly report, read with SQL over the `leads` read model:
 * leads captured per local day and by source, how far the week's leads got
 * down the funnel, the score distribution of open leads, silent leads, and
 * the latest recommendations.
 *
 * @module
 */
import type { Recommendation } from "../../shared/analytics.ts";
import { latestHealthCheck } from "../advisor/mod.ts";
import type { Sql } from "../runtime/mod.ts";
import { localDate, type ReportWeek } from "./week.ts";

/** Funnel stages in order, as a report shows them. */
export const REPORT_STAGES = ["new", "contacted", "responded", "meeting", "won"] as const;

/** A weekly report's figures. */
export interface WeeklyFigures {
  tenant: string;
  week: ReportWeek;
  /** Leads captured in the week (merged-away ones excluded). */
  captured: number;
  /** Captures per local day, Monday first, zero days included. */
  leadsPerDay: { day: string; count: number }[];
  /** Captures by source, largest first. */
  bySource: { source: string; count: number }[];
  /** The week's captures that reached each stage (a lead counts in every stage it reached). */
  funnel: { stage: (typeof REPORT_STAGES)[number]; count: number }[];
  /** Current scores of open leads in buckets of ten (0-9, ..., 90-100). */
  scoreDistribution: { from: number; count: number }[];
  /** Open leads not heard from for 48 hours at the week's end. */
  silent: number;
  /** The latest health check's recommendations, if any. */
  recommendations: Recommendation[];
}

/** How far each status got: the stage index reached (lost and unsubscribed use the message times). */
const REACHED: Record<string, number> = {
  new: 0,
  contacted: 1,
  responded: 2,
  qualified: 2,
  meeting_scheduled: 3,
  won: 4,
};

/** Reads the figures of `tenant` for `week`. */
export async function readWeeklyFigures(
  sql: Sql,
  tenant: string,
  week: ReportWeek,
): Promise<WeeklyFigures> {
  const [captures, scores, silent, check] = await Promise.all([
    sql<
      {
        created_at: Date;
        source: string;
        status: string;
        last_inbound: Date | null;
        last_outbound: Date | null;
      }[]
    >`
      SELECT created_at, source, status, last_inbound, last_outbound FROM leads
      WHERE tenant = ${tenant} AND merged_into IS NULL
        AND created_at >= ${new Date(week.start)} AND created_at < ${new Date(week.end)}`,
    sql<{ bucket: number; n: number }[]>`
      SELECT least(score / 10, 9)::int AS bucket, count(*)::int AS n FROM leads
      WHERE tenant = ${tenant} AND merged_into IS NULL
        AND status IN ('new', 'contacted', 'responded', 'qualified')
      GROUP BY 1`,
    sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM leads
      WHERE tenant = ${tenant} AND merged_into IS NULL
        AND status IN ('new', 'contacted', 'responded', 'qualified')
        AND created_at < ${new Date(week.end)}
        AND coalesce(last_inbound, created_at) < ${new Date(week.end - 48 * 3_600_000)}`,
    latestHealthCheck(sql, tenant),
  ]);
  const perDay = new Map(week.days.map((d) => [d, 0]));
  const perSource = new Map<string, number>();
  const reached = REPORT_STAGES.map(() => 0);
  for (const c of captures) {
    const day = localDate(new Date(c.created_at).getTime(), week.timeZone);
    perDay.set(day, (perDay.get(day) ?? 0) + 1);
    perSource.set(c.source, (perSource.get(c.source) ?? 0) + 1);
    const stage = REACHED[c.status] ??
      (c.last_inbound && c.last_outbound ? 2 : c.last_outbound ? 1 : 0);
    for (let i = 0; i <= stage; i++) reached[i]!++;
  }
  const byBucket = new Map(scores.map((s) => [s.bucket, s.n]));
  return {
    tenant,
    week,
    captured: captures.length,
    leadsPerDay: week.days.map((day) => ({ day, count: perDay.get(day) ?? 0 })),
    bySource: [...perSource].map(([source, count]) => ({ source, count }))
      .sort((a, b) => b.count - a.count || a.source.localeCompare(b.source)),
    funnel: REPORT_STAGES.map((stage, i) => ({ stage, count: reached[i]! })),
    scoreDistribution: Array.from({ length: 10 }, (_, i) => ({
      from: i * 10,
      count: byBucket.get(i) ?? 0,
    })),
    silent: silent[0]?.n ?? 0,
    recommendations: check?.recommendations ?? [],
  };
}
