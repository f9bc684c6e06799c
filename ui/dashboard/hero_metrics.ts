/**
 * `<cove-hero-metrics>`: the headline counters (leads, new, qualified, won,
 * silent) from `GET /v1/analytics/summary`, re-read by the dashboard as
 * events arrive. Renders its pending and failed states explicitly.
 *
 * @module
 */
import { css, html, LitElement } from "lit";
import { baseStyles } from "./_styles.ts";

/**
 * The fields of `GET /v1/analytics/summary` (gateway/analytics_api.ts) the
 * counters read. Not imported from the gateway: the bundle would then count
 * the whole server as its input.
 */
export interface LeadSummary {
  total: number;
  funnel: { status: string; count: number }[];
  silent: { hours: number; count: number };
}

/** What the counters show: a summary, not yet one, or why not. */
export type SummaryView =
  | { state: "pending" }
  | { state: "ready"; summary: LeadSummary }
  | { state: "error"; message: string };

/** See the module doc. */
export class CoveHeroMetrics extends LitElement {
  static override properties = { view: { attribute: false } };
  static override styles = [
    baseStyles,
    css`
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: 0.75rem;
        grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr));
      }
      li {
        background: #fff;
        border: 1px solid #c4c6cc;
        border-radius: 0.5rem;
        padding: 0.75rem 1rem;
      }
      .label {
        font-size: 0.875rem;
        color: #505056;
      }
      .value {
        font-size: 1.75rem;
        font-weight: 700;
        font-variant-numeric: tabular-nums;
      }
    `,
  ];

  /** The summary to show. */
  declare view: SummaryView;

  constructor() {
    super();
    this.view = { state: "pending" };
  }

  override render() {
    if (this.view.state === "pending") return html`<p class="muted">Loading figures...</p>`;
    if (this.view.state === "error") {
      return html`<p class="error" role="alert">Figures unavailable: ${this.view.message}</p>`;
    }
    const s = this.view.summary;
    const count = (status: string) => s.funnel.find((f) => f.status === status)?.count ?? 0;
    const cards: [string, string, number][] = [
      ["total", "Leads", s.total],
      ["new", "New", count("new")],
      ["qualified", "Qualified", count("qualified")],
      ["won", "Won", count("won")],
      ["silent", `Silent ${s.silent.hours} h`, s.silent.count],
    ];
    return html`<ul aria-label="Headline figures">${
      cards.map(([id, label, value]) =>
        html`
          <li data-metric=${id}>
            <div class="label">${label}</div>
            <div class="value">${value.toLocaleString()}</div>
          </li>
        `
      )
    }</ul>`;
  }
}
