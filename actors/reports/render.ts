/**
 * The weekly report as an email: an HTML part with inline SVG charts (leads
 * per day, the funnel, the score distribution), the figures in tables, and
 * the recommendations; and a plain-text part with the same headline figures.
 * Pure: the same figures always render the same message.
 *
 * @module
 */
import { barChart, columnChart, escapeXml } from "./svg_charts.ts";
import type { WeeklyFigures } from "./weekly_figures.ts";

/** A rendered report. */
export interface RenderedReport {
  subject: string;
  html: string;
  text: string;
  /** Headline figures, for the job log. */
  summary: Record<string, number>;
}

const STAGE_NAMES: Record<string, string> = {
  new: "Captured",
  contacted: "Contacted",
  responded: "Responded",
  meeting: "Meeting",
  won: "Won",
};

const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/** Renders `f` as an email. */
export function renderWeeklyReport(f: WeeklyFigures): RenderedReport {
  const won = f.funnel.find((s) => s.stage === "won")?.count ?? 0;
  const subject = `Weekly report ${f.week.week}: ${f.captured} new lead(s), ${won} won`;
  const perDay = columnChart(
    "Leads captured per day",
    f.leadsPerDay.map((d, i) => ({ label: `${WEEKDAYS[i]} ${d.day.slice(5)}`, value: d.count })),
  );
  const funnel = barChart(
    "Funnel of the week's leads",
    f.funnel.map((s) => ({ label: STAGE_NAMES[s.stage] ?? s.stage, value: s.count })),
  );
  const scores = columnChart(
    "Scores of open leads",
    f.scoreDistribution.map((b) => ({
      label: b.from === 90 ? "90-100" : `${b.from}-${b.from + 9}`,
      value: b.count,
    })),
    { color: "#f59e0b" },
  );
  const rows = (pairs: [string, string | number][]) =>
    pairs.map(([k, v]) =>
      `<tr><td style="padding:2px 12px 2px 0">${escapeXml(k)}</td>` +
      `<td style="text-align:right">${escapeXml(String(v))}</td></tr>`
    ).join("");
  const recs = f.recommendations.length === 0
    ? "<p>No recommendations this week.</p>"
    : `<ul>${
      f.recommendations.map((r) =>
        `<li><strong>${escapeXml(r.kind.replaceAll("_", " "))}</strong>: ${
          escapeXml(r.reason)
        }</li>`
      ).join("")
    }</ul>`;
  const html = `<!DOCTYPE html><html><head><meta charset="utf-8">` +
    `<title>${escapeXml(subject)}</title></head>` +
    `<body style="font-family:Arial,Helvetica,sans-serif;color:#111">` +
    `<h1 style="font-size:20px">Weekly report ${escapeXml(f.week.week)}</h1>` +
    `<p>${escapeXml(f.week.days[0]!)} to ${escapeXml(f.week.days[6]!)} ` +
    `(${escapeXml(f.week.timeZone)})</p>` +
    `<table>${
      rows([
        ["Leads captured", f.captured],
        ["Won", won],
        ["Silent open leads (48 h)", f.silent],
        ...f.bySource.map((s): [string, number] => [`From ${s.source}`, s.count]),
      ])
    }</table>` +
    `<h2 style="font-size:16px">Leads per day</h2>${perDay}` +
    `<h2 style="font-size:16px">Funnel</h2>${funnel}` +
    `<h2 style="font-size:16px">Score distribution</h2>${scores}` +
    `<h2 style="font-size:16px">Recommendations</h2>${recs}` +
    `</body></html>`;
  const text = [
    `Weekly report ${f.week.week} (${f.week.days[0]} to ${f.week.days[6]}, ${f.week.timeZone})`,
    "",
    `Leads captured: ${f.captured}`,
    `Won: ${won}`,
    `Silent open leads (48 h): ${f.silent}`,
    ...f.bySource.map((s) => `From ${s.source}: ${s.count}`),
    "",
    "Per day: " + f.leadsPerDay.map((d) => `${d.day} ${d.count}`).join(", "),
    "Funnel: " + f.funnel.map((s) => `${STAGE_NAMES[s.stage]} ${s.count}`).join(", "),
    "",
    ...(f.recommendations.length
      ? ["Recommendations:", ...f.recommendations.map((r) => `- ${r.kind}: ${r.reason}`)]
      : ["No recommendations this week."]),
  ].join("\n");
  return {
    subject,
    html,
    text,
    summary: {
      captured: f.captured,
      won,
      silent: f.silent,
      recommendations: f.recommendations.length,
    },
  };
}
