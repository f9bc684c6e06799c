/**
 * Reading the analytics projection: a tenant's whole report and one
 * campaign's figures. Every figure is a sum over small aggregate tables, read
 * in one snapshot so a report is exact up to the position it names; only the
 * silent count depends on the time asked for, and it adds up whole hours of a
 * histogram plus the leads of the one boundary hour.
 *
 * @module
 */
import type postgres from "postgres";
import type { AnalyticsReport, CampaignStats } from "../../shared/mod.ts";
import { ValidationError } from "../../shared/errors.ts";
import type { Sql } from "../runtime/mod.ts";
import { FUNNEL, HOUR_MS, SCORE_BUCKETS } from "./_facts.ts";

/** What {@link readAnalytics} is asked for. */
export interface AnalyticsQuery {
  /** First local day (`YYYY-MM-DD`, inclusive) of the capture cohort; all days when omitted. */
  from?: string;
  /** Last local day (`YYYY-MM-DD`, inclusive) of the capture cohort. */
  to?: string;
  /** An open lead is silent when not heard from for this many hours. */
  silentHours: number;
  /** When silence is measured, epoch ms. */
  now: number;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const n = (v: unknown) => Number(v ?? 0);

function checkDay(name: string, v: string | undefined): void {
  if (v === undefined) return;
  const ms = Date.parse(`${v}T00:00:00Z`);
  // Round-tripped, so 2026-02-30 (which Date.parse rolls over) and year 0 are refused too.
  if (
    !DAY.test(v) || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== v ||
    v < "0001-01-01"
  ) {
    throw new ValidationError("analytics query", [{ path: name, message: "a day as YYYY-MM-DD" }]);
  }
}

/**
 * The tenant's analytics. `from`/`to` select the capture cohort (local days):
 * they narrow leads per day, the funnel, the response rate and the time to
 * first response; channels, campaigns, silent leads and scores are the
 * tenant's whole current figures.
 */
export async function readAnalytics(
  sql: Sql,
  tenant: string,
  q: AnalyticsQuery,
): Promise<AnalyticsReport> {
  checkDay("from", q.from);
  checkDay("to", q.to);
  if (!Number.isInteger(q.silentHours) || q.silentHours < 0) {
    throw new ValidationError("analytics query", [{
      path: "silentHours",
      message: "a whole number of hours, 0 or more",
    }]);
  }
  const cutoff = q.now - q.silentHours * HOUR_MS;
  const hour = Math.floor(cutoff / HOUR_MS);
  return await sql.begin("isolation level repeatable read read only", async (tx) => {
    const t = tx as unknown as postgres.Sql;
    const days = t`
      ${q.from ? t`AND day >= ${q.from}::date` : t``}
      ${q.to ? t`AND day <= ${q.to}::date` : t``}`;
    // Issued together: the driver pipelines them on the transaction's one connection.
    const [[cp], perDay, [sums], channels, campaigns, [silent], scores] = await Promise.all([
      t<{ position: number; time_zone: string }[]>`
        SELECT position, time_zone FROM analytics_checkpoints WHERE tenant = ${tenant}`,
      t<{ day: string; source: string; captured: number }[]>`
        SELECT to_char(day, 'YYYY-MM-DD') AS day, source, captured FROM analytics_days
        WHERE tenant = ${tenant} AND captured <> 0 ${days}
        ORDER BY analytics_days.day, analytics_days.source`,
      t<Record<string, string>[]>`
        SELECT sum(captured) AS new, sum(contacted) AS contacted, sum(responded) AS responded,
               sum(meeting) AS meeting, sum(won) AS won, sum(wrote) AS wrote,
               sum(replied_after) AS replied_after, sum(ttfr_count) AS ttfr_count,
               sum(ttfr_sum_ms) AS ttfr_sum_ms
        FROM analytics_days WHERE tenant = ${tenant} ${days}`,
      t<Record<string, string>[]>`
        SELECT * FROM analytics_channels WHERE tenant = ${tenant}`,
      t<Record<string, string>[]>`
        SELECT * FROM analytics_campaigns WHERE tenant = ${tenant}
          AND (first_leads <> 0 OR last_leads <> 0 OR sent <> 0 OR enrolled <> 0)
        ORDER BY campaign_id`,
      t<{ whole: string; edge: string }[]>`
        SELECT (SELECT coalesce(sum(count), 0) FROM analytics_silence
                WHERE tenant = ${tenant} AND hour < ${hour}) AS whole,
               (SELECT count(*) FROM analytics_leads
                WHERE tenant = ${tenant} AND silent_since >= ${hour * HOUR_MS}
                  AND silent_since < ${cutoff}) AS edge`,
      t<{ bucket: number; count: string }[]>`
        SELECT bucket, count FROM analytics_scores WHERE tenant = ${tenant}`,
    ]);

    const s = sums ?? {};
    const wrote = n(s.wrote);
    const ttfr = n(s.ttfr_count);
    const byChannel = new Map(channels.map((c) => [c.channel, c]));
    const byBucket = new Map(scores.map((b) => [b.bucket, n(b.count)]));
    const attribution = (leads: unknown, won: unknown, revenue: unknown, cost: number) => ({
      leads: n(leads),
      won: n(won),
      revenueCents: n(revenue),
      costCents: cost,
      costPerLeadCents: n(leads) > 0 ? cost / n(leads) : null,
      costPerWonCents: n(won) > 0 ? cost / n(won) : null,
    });
    return {
      tenant,
      position: n(cp?.position),
      timeZone: cp?.time_zone ?? "UTC",
      ...(q.from ? { from: q.from } : {}),
      ...(q.to ? { to: q.to } : {}),
      leadsPerDay: perDay.map((r) => ({
        day: r.day,
        source: r.source as AnalyticsReport["leadsPerDay"][number]["source"],
        count: n(r.captured),
      })),
      funnel: FUNNEL.map((stage) => ({ stage, count: n(s[stage]) })),
      responseRate: wrote > 0 ? n(s.replied_after) / wrote : null,
      timeToFirstResponse: { count: ttfr, meanMs: ttfr > 0 ? n(s.ttfr_sum_ms) / ttfr : null },
      channels: (["sms", "email"] as const).map((channel) => {
        const c = byChannel.get(channel);
        return {
          channel,
          sent: n(c?.sent),
          delivered: n(c?.delivered),
          failed: n(c?.failed),
          replied: n(c?.replied),
          firstTouch: attribution(
            c?.first_leads,
            c?.first_won,
            c?.first_revenue_cents,
            n(c?.cost_cents),
          ),
          lastTouch: attribution(
            c?.last_leads,
            c?.last_won,
            c?.last_revenue_cents,
            n(c?.cost_cents),
          ),
        };
      }),
      campaigns: campaigns.map((c) => ({
        campaignId: c.campaign_id!,
        firstTouch: attribution(c.first_leads, c.first_won, c.first_revenue_cents, n(c.cost_cents)),
        lastTouch: attribution(c.last_leads, c.last_won, c.last_revenue_cents, n(c.cost_cents)),
      })),
      silent: {
        hours: q.silentHours,
        count: n(silent?.whole) + n(silent?.edge),
        asOf: q.now,
      },
      scoreDistribution: SCORE_BUCKETS.map((from) => ({ from, count: byBucket.get(from) ?? 0 })),
    };
  });
}

/** One campaign's figures (all zero for a campaign nothing was folded for yet). */
export async function readCampaignStats(
  sql: Sql,
  tenant: string,
  campaignId: string,
): Promise<CampaignStats> {
  const [[c], variants] = await Promise.all([
    sql<Record<string, string>[]>`
      SELECT * FROM analytics_campaigns WHERE tenant = ${tenant} AND campaign_id = ${campaignId}`,
    sql<Record<string, string>[]>`
      SELECT variant, enrolled, sent, replied, booked FROM analytics_campaign_variants
      WHERE tenant = ${tenant} AND campaign_id = ${campaignId} ORDER BY variant`,
  ]);
  return {
    enrolled: n(c?.enrolled),
    sent: n(c?.sent),
    delivered: n(c?.delivered),
    opened: n(c?.opened),
    clicked: n(c?.clicked),
    replied: n(c?.replied),
    booked: n(c?.booked),
    won: n(c?.won),
    costCents: n(c?.cost_cents),
    revenueCents: n(c?.revenue_cents),
    byVariant: variants.map((v) => ({
      variant: n(v.variant),
      enrolled: n(v.enrolled),
      sent: n(v.sent),
      replied: n(v.replied),
      booked: n(v.booked),
    })),
  };
}
