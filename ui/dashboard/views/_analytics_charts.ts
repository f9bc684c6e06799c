/**
 * The chart.js configurations of `<cove-analytics-view>`, one function per
 * chart, built from the figures of `_analytics_data.ts`: leads per day as
 * stacked bars, the lead-score scatter plot (one dataset per status group,
 * each with its own point style; a click opens the lead), the score
 * distribution and revenue against cost.
 *
 * @module
 */
import { type CoveChartConfig, PALETTE, type SeriesStyle } from "../charts.ts";
import { href } from "../router.ts";
import type { DaySeries, PlotPoint, RoiRow, StatusGroup } from "./_analytics_data.ts";

/** How each status group looks in the scatter plot (won a green triangle, lost a red cross...). */
export const GROUP_STYLES: Readonly<Record<StatusGroup, SeriesStyle & { label: string }>> = {
  open: { ...PALETTE[0]!, label: "Open" },
  meeting: { ...PALETTE[4]!, label: "Meeting" },
  won: { ...PALETTE[1]!, label: "Won" },
  lost: { ...PALETTE[2]!, label: "Lost" },
  unsubscribed: { ...PALETTE[5]!, label: "Unsubscribed" },
};

/** Lead sources as people read them. */
export const SOURCE_LABELS: Readonly<Record<string, string>> = {
  widget: "Widget",
  rest: "API",
  csv: "CSV import",
  inbound_sms: "Inbound SMS",
  inbound_email: "Inbound email",
};

/** Leads per day, one stacked series per source. */
export function perDayConfig(series: DaySeries): CoveChartConfig {
  return {
    type: "bar",
    data: {
      labels: series.days,
      datasets: series.sources.map((s, i) => {
        const style = PALETTE[i % PALETTE.length]!;
        return {
          label: SOURCE_LABELS[s.source] ?? s.source,
          data: s.counts,
          backgroundColor: style.color,
          borderColor: "#fff",
          borderWidth: 1,
        };
      }),
    },
    options: {
      plugins: { legend: { position: "bottom" } },
      scales: {
        x: { stacked: true },
        y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } },
      },
    },
  };
}

/** A capture time in the browser's locale and zone. */
export const capturedText = (ms: number): string =>
  new Date(ms).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });

/** Score (y) against capture time (x); clicking a point opens its lead. */
export function scatterConfig(
  groups: { group: StatusGroup; points: PlotPoint[] }[],
  zone: string,
): CoveChartConfig {
  const xs = groups.flatMap((g) => g.points.map((p) => p.x));
  const span = Math.max(...xs) - Math.min(...xs);
  // The ticks say as much as tells them apart: seconds within an hour, the time within two days.
  const tickFormat: Intl.DateTimeFormatOptions = span < 3_600_000
    ? { timeStyle: "medium" }
    : span < 2 * 86_400_000
    ? { dateStyle: "short", timeStyle: "short" }
    : { dateStyle: "medium" };
  const tick = (ms: number) => new Date(ms).toLocaleString(undefined, tickFormat);
  return {
    type: "scatter",
    data: {
      datasets: groups.map(({ group, points }) => {
        const style = GROUP_STYLES[group];
        return {
          label: style.label,
          data: points,
          pointStyle: style.pointStyle,
          backgroundColor: style.color,
          borderColor: style.color,
          pointRadius: 5,
          pointHoverRadius: 7,
          // Scores of 0 and 100 sit on the axes: draw their points whole.
          clip: 8,
        };
      }),
    },
    options: {
      parsing: false,
      onClick: (_event: unknown, elements: { datasetIndex: number; index: number }[]) => {
        const hit = elements[0];
        const point = hit ? groups[hit.datasetIndex]?.points[hit.index] : undefined;
        if (point) location.hash = href("lead", { id: point.leadId });
      },
      onHover: (event: { native: Event | null }, elements: unknown[]) => {
        const target = event.native?.target as HTMLElement | null;
        if (target) target.style.cursor = elements.length > 0 ? "pointer" : "default";
      },
      plugins: {
        legend: { position: "bottom", labels: { usePointStyle: true } },
        tooltip: {
          callbacks: {
            label: (item: { raw: PlotPoint }) =>
              `${item.raw.status}, score ${item.raw.y}, captured ${capturedText(item.raw.x)}`,
          },
        },
      },
      scales: {
        x: {
          type: "linear",
          title: { display: true, text: `Captured (your time, ${zone})` },
          ticks: { callback: (v: number | string) => tick(Number(v)), maxTicksLimit: 6 },
        },
        y: { min: 0, max: 100, title: { display: true, text: "Score" } },
      },
    },
  };
}

/** Live leads per score bucket. */
export function distributionConfig(rows: { label: string; count: number }[]): CoveChartConfig {
  const color = PALETTE[0]!.color;
  return {
    type: "bar",
    data: {
      labels: rows.map((r) => r.label),
      datasets: [{ label: "Leads", data: rows.map((r) => r.count), backgroundColor: color }],
    },
    options: {
      plugins: { legend: { display: false } },
      scales: {
        x: { title: { display: true, text: "Score" } },
        y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "Leads" } },
      },
    },
  };
}

/**
 * Revenue against cost per channel and campaign: revenue as filled bars, cost
 * as outlined ones, so the two differ by more than colour.
 */
export function roiConfig(
  rows: RoiRow[],
  label: (row: RoiRow) => string,
  money: (cents: number) => string,
): CoveChartConfig {
  const revenue = PALETTE[1]!.color;
  const cost = PALETTE[2]!.color;
  return {
    type: "bar",
    data: {
      labels: rows.map(label),
      datasets: [
        {
          label: "Revenue (filled)",
          data: rows.map((r) => r.revenueCents),
          backgroundColor: revenue,
          borderColor: revenue,
          borderWidth: 2,
        },
        {
          label: "Cost (outlined)",
          data: rows.map((r) => r.costCents),
          backgroundColor: "#fff",
          borderColor: cost,
          borderWidth: 3,
        },
      ],
    },
    options: {
      plugins: {
        legend: { position: "bottom" },
        tooltip: {
          callbacks: {
            label: (item: { dataset: { label?: string }; raw: number }) =>
              `${item.dataset.label}: ${money(item.raw)}`,
          },
        },
      },
      scales: {
        y: { beginAtZero: true, ticks: { callback: (v: number | string) => money(Number(v)) } },
      },
    },
  };
}
