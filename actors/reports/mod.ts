/**
 * The weekly report: ISO weeks in a tenant's zone, the week's figures read
 * with SQL, inline SVG charts, and the rendered email (HTML and text).
 *
 * ```ts
 * const week = reportWeek("2026-W23", "Europe/Paris");
 * const { subject, html } = renderWeeklyReport(await readWeeklyFigures(sql, tenant, week));
 * ```
 *
 * @module
 */
export * from "./week.ts";
export * from "./weekly_figures.ts";
export * from "./svg_charts.ts";
export * from "./render.ts";
