/**
 * The analytics views' figures, as pure functions of what the gateway
 * answers (so `tests/ui_charts_*_test.ts` hold them without a browser): the
 * funnel with stage-to-stage conversion, ROI rows per channel and campaign,
 * leads per day filled to whole days, the scatter plot's points grouped by
 * status and date ranges in the tenant's days. Every division answers null rather than NaN or Infinity when its
 * divisor is zero.
 *
 * The response shapes are declared here rather than imported from
 * `shared/analytics.ts`, which pulls `shared/lead.ts` (and more) into the bundle.
 *
 * @module
 */

/** First- or last-touch figures of a channel or campaign (`TouchAttribution`). */
export interface Attribution {
  leads: number;
  won: number;
  revenueCents: number;
  costCents: number;
}

/** The fields of `GET /v1/analytics` (shared/analytics.ts `AnalyticsReport`) the views read. */
export interface AnalyticsReport {
  position: number;
  timeZone: string;
  from?: string;
  to?: string;
  leadsPerDay: { day: string; source: string; count: number }[];
  funnel: { stage: string; count: number }[];
  responseRate: number | null;
  timeToFirstResponse: { count: number; meanMs: number | null };
  channels: {
    channel: string;
    sent: number;
    delivered: number;
    failed: number;
    replied: number;
    firstTouch: Attribution;
    lastTouch: Attribution;
  }[];
  campaigns: { campaignId: string; firstTouch: Attribution; lastTouch: Attribution }[];
  scoreDistribution: { from: number; count: number }[];
}

/** One point of `GET /v1/analytics/scores`. */
export interface ScorePoint {
  leadId: string;
  score: number;
  /** Epoch ms. */
  capturedAt: number;
  status: string;
  valueCents?: number;
}

/** What `GET /v1/analytics/scores` answers. */
export interface ScoreSample {
  total: number;
  sampled: boolean;
  limit: number;
  timeZone: string;
  points: ScorePoint[];
}

/** `part / whole`, or null when `whole` is zero (or either is not a finite number). */
export function ratio(part: number, whole: number): number | null {
  if (!Number.isFinite(part) || !Number.isFinite(whole) || whole === 0) return null;
  return part / whole;
}

/** ROI as a ratio: (revenue − cost) / cost; null when nothing was spent. */
export function roi(revenueCents: number, costCents: number): number | null {
  return ratio(revenueCents - costCents, costCents);
}

/** The funnel's stages as people read them. */
export const STAGE_LABELS: Readonly<Record<string, string>> = {
  new: "New",
  contacted: "Contacted",
  responded: "Responded",
  meeting: "Meeting",
  won: "Won",
};

/** One funnel stage with its conversions. */
export interface FunnelRow {
  stage: string;
  label: string;
  count: number;
  /** Share of the previous stage's leads that reached this one; null for the first or after 0. */
  fromPrevious: number | null;
  /** Share of all leads (the first stage) that reached this one. */
  ofAll: number | null;
}

/** The report's funnel with stage-to-stage and overall conversion. */
export function funnelRows(funnel: AnalyticsReport["funnel"]): FunnelRow[] {
  const first = funnel[0]?.count ?? 0;
  return funnel.map((f, i) => ({
    stage: f.stage,
    label: STAGE_LABELS[f.stage] ?? f.stage,
    count: f.count,
    fromPrevious: i === 0 ? null : ratio(f.count, funnel[i - 1]!.count),
    ofAll: ratio(f.count, first),
  }));
}

/** Which attribution the ROI tables show. */
export type Touch = "first" | "last";

/** One channel or campaign of the ROI tables. */
export interface RoiRow {
  /** `channel:<name>` or `campaign:<id>`: unique across both kinds. */
  key: string;
  kind: "channel" | "campaign";
  /** The channel's name or the campaign's id. */
  name: string;
  leads: number;
  won: number;
  revenueCents: number;
  costCents: number;
  costPerLeadCents: number | null;
  costPerWonCents: number | null;
  /** (revenue − cost) / cost; null when nothing was spent. */
  roi: number | null;
}

function roiRow(kind: RoiRow["kind"], name: string, a: Attribution): RoiRow {
  return {
    key: `${kind}:${name}`,
    kind,
    name,
    leads: a.leads,
    won: a.won,
    revenueCents: a.revenueCents,
    costCents: a.costCents,
    costPerLeadCents: ratio(a.costCents, a.leads),
    costPerWonCents: ratio(a.costCents, a.won),
    roi: roi(a.revenueCents, a.costCents),
  };
}

/** The ROI rows of `touch` attribution: channels, then campaigns. */
export function roiRows(
  report: Pick<AnalyticsReport, "channels" | "campaigns">,
  touch: Touch,
): { channels: RoiRow[]; campaigns: RoiRow[] } {
  const pick = <T extends { firstTouch: Attribution; lastTouch: Attribution }>(x: T) =>
    touch === "first" ? x.firstTouch : x.lastTouch;
  return {
    channels: report.channels.map((c) => roiRow("channel", c.channel, pick(c))),
    campaigns: report.campaigns.map((c) => roiRow("campaign", c.campaignId, pick(c))),
  };
}

const DAY_MS = 86_400_000;
/** The most days {@link leadsPerDaySeries} fills; longer ranges keep only the days with leads. */
export const MAX_FILLED_DAYS = 400;

/** `day` (`YYYY-MM-DD`) moved by `n` days. */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/** The local day (`YYYY-MM-DD`) of instant `ms` in `timeZone`. */
export function localDay(ms: number, timeZone: string): string {
  // en-CA writes dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(ms);
}

/** The last `days` days up to and including `today`. */
export function presetRange(days: number, today: string): { from: string; to: string } {
  return { from: addDays(today, -(days - 1)), to: today };
}

/** Leads per day as chart series: every day of the range (or of the data), one series per source. */
export interface DaySeries {
  days: string[];
  sources: { source: string; counts: number[] }[];
}

/**
 * Leads per day and source as series over whole days: from `from` (or the
 * first day with leads) to `to` (or the last), days without leads as zeros,
 * sources in the order of their totals, largest first.
 */
export function leadsPerDaySeries(
  rows: AnalyticsReport["leadsPerDay"],
  range: { from?: string; to?: string } = {},
): DaySeries {
  const seen = [...new Set(rows.map((r) => r.day))].sort();
  const first = range.from ?? seen[0];
  const last = range.to ?? seen.at(-1);
  let days = seen;
  if (first && last && first <= last) {
    const span = Math.round((Date.parse(last) - Date.parse(first)) / DAY_MS) + 1;
    if (span <= MAX_FILLED_DAYS) days = Array.from({ length: span }, (_, i) => addDays(first, i));
  }
  const index = new Map(days.map((d, i) => [d, i]));
  const bySource = new Map<string, number[]>();
  for (const r of rows) {
    const i = index.get(r.day);
    if (i === undefined) continue;
    let counts = bySource.get(r.source);
    if (!counts) bySource.set(r.source, counts = days.map(() => 0));
    counts[i]! += r.count;
  }
  const total = (c: number[]) => c.reduce((a, b) => a + b, 0);
  const sources = [...bySource].map(([source, counts]) => ({ source, counts }))
    .sort((a, b) => total(b.counts) - total(a.counts) || a.source.localeCompare(b.source));
  return { days, sources };
}

/** The scatter plot's groups of statuses, in legend order. */
export const STATUS_GROUPS = ["open", "meeting", "won", "lost", "unsubscribed"] as const;
/** A group of statuses. */
export type StatusGroup = typeof STATUS_GROUPS[number];

/** The group a lead status is plotted in (every still-open status is `open`). */
export function statusGroup(status: string): StatusGroup {
  switch (status) {
    case "meeting_scheduled":
      return "meeting";
    case "won":
    case "lost":
    case "unsubscribed":
      return status;
    default:
      return "open";
  }
}

/** One point of the scatter plot: x capture time (ms), y score. */
export interface PlotPoint {
  x: number;
  y: number;
  leadId: string;
  status: string;
  valueCents?: number;
}

/** The sample's points by status group, in {@link STATUS_GROUPS} order, empty groups left out. */
export function scoreGroups(points: readonly ScorePoint[]): {
  group: StatusGroup;
  points: PlotPoint[];
}[] {
  const by = new Map<StatusGroup, PlotPoint[]>();
  for (const p of points) {
    const g = statusGroup(p.status);
    let list = by.get(g);
    if (!list) by.set(g, list = []);
    list.push({
      x: p.capturedAt,
      y: p.score,
      leadId: p.leadId,
      status: p.status,
      ...(p.valueCents !== undefined ? { valueCents: p.valueCents } : {}),
    });
  }
  return STATUS_GROUPS.flatMap((group) => {
    const list = by.get(group);
    return list ? [{ group, points: list }] : [];
  });
}

/** A duration for people: `45 s`, `12 min`, `3 h 5 min`, `2 d 4 h`; null as `no data`. */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return "no data";
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 24) return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/** A ratio as a percentage in `locale` (0.4167 → `41.7%`); null as `n/a`. */
export function formatPercent(r: number | null, locale?: string): string {
  if (r === null || !Number.isFinite(r)) return "n/a";
  return new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 }).format(r);
}

/**
 * Formats amounts kept in the currency's minor unit: with `currency` (ISO
 * 4217) as money in `locale`; without one, as a plain count of cents (the
 * minor unit's size is unknown), which the view says in words.
 */
export function moneyFormatter(
  currency?: string,
  locale?: string,
): (cents: number | null) => string {
  let money: Intl.NumberFormat | null = null;
  if (currency) {
    try {
      money = new Intl.NumberFormat(locale, { style: "currency", currency });
    } catch {
      money = null; // not a currency Intl knows: fall back to cents
    }
  }
  const plain = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const digits = money?.resolvedOptions().maximumFractionDigits ?? 2;
  return (cents) => {
    if (cents === null || !Number.isFinite(cents)) return "n/a";
    return money ? money.format(cents / 10 ** digits) : plain.format(cents);
  };
}

/**
 * `fn` remembering its last answer: it runs again only when an argument
 * changed (by identity), so a view re-rendered for an unrelated reason hands
 * its charts the same configuration and they are not redrawn.
 */
export function memoLast<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  let last: { args: A; value: R } | null = null;
  return (...args) => {
    if (last && last.args.length === args.length && last.args.every((a, i) => a === args[i])) {
      return last.value;
    }
    const value = fn(...args);
    last = { args, value };
    return value;
  };
}
