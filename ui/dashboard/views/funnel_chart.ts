/**
 * `<cove-funnel-chart>`: the conversion funnel of `GET /v1/analytics` (new →
 * contacted → responded → meeting → won, a lead counted in every stage it
 * reached) as horizontal bars labelled with each stage's count and its
 * conversion from the stage before; the response rate and the mean time to
 * first response in words; the same figures as a table.
 *
 * Live: lead events ask for a re-read at most every {@link FUNNEL_THROTTLE_MS},
 * at the end of the interval, so a burst of captures costs one read and the
 * read comes after the analytics projection has folded them.
 *
 * @module
 */
import { css, html, nothing } from "lit";
import { baseStyles } from "../_styles.ts";
import { type CoveChartConfig, PALETTE } from "../charts.ts";
import {
  type AnalyticsReport,
  formatDuration,
  formatPercent,
  type FunnelRow,
  funnelRows,
  memoLast,
} from "./_analytics_data.ts";
import { Throttle } from "../throttle.ts";
import type { LiveTick } from "../live.ts";
import { DashboardView } from "./_view.ts";

/** The least time between two live re-reads of the funnel. */
export const FUNNEL_THROTTLE_MS = 2_000;

type FunnelState =
  | { state: "pending" }
  | { state: "ready"; report: AnalyticsReport }
  | { state: "error"; message: string };

/** See the module doc. */
export class CoveFunnelChart extends DashboardView {
  static override properties = { ...DashboardView.properties, view: { state: true } };
  static override styles = [
    baseStyles,
    css`
      section {
        background: #fff;
        border: 1px solid #c4c6cc;
        border-radius: 0.5rem;
        padding: 1rem 1.25rem;
      }
      h3 {
        margin: 0 0 0.5rem;
        font-size: 1.125rem;
      }
      .figures {
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem 1.5rem;
        margin: 0 0 0.75rem;
      }
      table {
        border-collapse: collapse;
        width: 100%;
      }
      caption {
        text-align: left;
        font-weight: 600;
        padding-bottom: 0.25rem;
      }
      th,
      td {
        text-align: left;
        padding: 0.375rem 0.5rem;
        border-bottom: 1px solid #e0e0e4;
      }
      td.n {
        text-align: right;
        font-variant-numeric: tabular-nums;
      }
    `,
  ];

  declare view: FunnelState;
  readonly #throttle = new Throttle(() => void this.reload(), FUNNEL_THROTTLE_MS, {
    trailing: true,
  });
  // Rebuilt only for a new report: a tick that changed nothing leaves the chart alone.
  readonly #figures = memoLast((report: AnalyticsReport) => {
    const rows = funnelRows(report.funnel);
    return { rows, config: funnelConfig(rows), label: funnelLabel(rows) };
  });

  constructor() {
    super();
    this.view = { state: "pending" };
  }

  /** Lead events re-read through the throttle, never straight away. */
  protected override wants(tick: LiveTick): boolean {
    if (tick.kinds.has("lead")) this.#throttle.request();
    return false;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#throttle.cancel();
  }

  protected override async load(): Promise<void> {
    try {
      const report = await this.api.get<AnalyticsReport>("/v1/analytics");
      this.view = { state: "ready", report };
    } catch (error) {
      // A live re-read that fails keeps the figures already shown.
      if (this.view.state !== "ready") {
        this.view = { state: "error", message: (error as Error).message };
      }
    }
  }

  override render() {
    return html`
      <section aria-labelledby="funnel-title">
        <h3 id="funnel-title">Conversion funnel</h3>
        ${this.#body()}
      </section>
    `;
  }

  #body() {
    const v = this.view;
    if (v.state === "pending") return html`<p class="muted">Loading the funnel…</p>`;
    if (v.state === "error") {
      return html`<p class="error" role="alert">The funnel could not be loaded: ${v.message}</p>`;
    }
    const { rows, config, label } = this.#figures(v.report);
    const ttfr = v.report.timeToFirstResponse;
    const figures = html`
      <p class="figures">
        <span>Response rate: ${v.report.responseRate === null
          ? html`<span class="muted">none yet (no lead has been written to)</span>`
          : html`
            <strong data-figure="response-rate">${formatPercent(
              v.report.responseRate,
            )}</strong>
            <span class="muted">of leads we wrote to replied</span>
          `}</span>
        <span>Mean time to first response: <strong>${formatDuration(ttfr.meanMs)}</strong>
          ${ttfr.count > 0
            ? html`<span class="muted">over ${ttfr.count} ${
              ttfr.count === 1 ? "lead" : "leads"
            }</span>`
            : nothing}</span>
      </p>
    `;
    if ((rows[0]?.count ?? 0) === 0) {
      return html`${figures}<p class="muted">No leads yet: the funnel fills as leads arrive.</p>`;
    }
    return html`
      ${figures}
      <cove-chart .config=${config} label=${label}>
        <table slot="table">
          <caption>Conversion funnel: leads that reached each stage</caption>
          <thead>
            <tr>
              <th scope="col">Stage</th>
              <th scope="col">Leads</th>
              <th scope="col">From the stage before</th>
              <th scope="col">Of all leads</th>
            </tr>
          </thead>
          <tbody>
            ${rows.map((r) =>
              html`
                <tr data-stage=${r.stage}>
                  <th scope="row">${r.label}</th>
                  <td class="n">${r.count}</td>
                  <td class="n">${r.fromPrevious === null
                    ? "n/a"
                    : formatPercent(r.fromPrevious)}</td>
                  <td class="n">${formatPercent(r.ofAll)}</td>
                </tr>
              `
            )}
          </tbody>
        </table>
      </cove-chart>
    `;
  }
}

/** The funnel in words, for the canvas's `aria-label`. */
function funnelLabel(rows: FunnelRow[]): string {
  return "Conversion funnel, leads per stage: " +
    rows.map((r) =>
      `${r.label} ${r.count}${r.fromPrevious === null ? "" : ` (${formatPercent(r.fromPrevious)})`}`
    ).join(", ");
}

/** Horizontal bars, each stage's label carrying its count and conversion. */
function funnelConfig(rows: FunnelRow[]): CoveChartConfig {
  const color = PALETTE[0]!.color;
  return {
    type: "bar",
    data: {
      labels: rows.map((r) => [
        r.label,
        r.fromPrevious === null
          ? `${r.count}`
          : `${r.count} · ${formatPercent(r.fromPrevious)} of ${
            rows[rows.indexOf(r) - 1]!.label.toLowerCase()
          }`,
      ]),
      datasets: [{
        label: "Leads",
        data: rows.map((r) => r.count),
        backgroundColor: color,
        borderColor: color,
      }],
    },
    options: {
      indexAxis: "y",
      plugins: { legend: { display: false } },
      scales: {
        x: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "Leads" } },
      },
    },
  };
}
