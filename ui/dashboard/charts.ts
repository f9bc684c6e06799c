/**
 * The dashboard's charts: the one module that imports chart.js, registering
 * only the parts the dashboard draws (bar and scatter controllers, their
 * elements, linear and category scales, tooltip and legend), so the bundle
 * stays small and nothing else reaches for chart.js directly.
 *
 * `<cove-chart>` mounts one chart in its shadow DOM:
 *
 * ```ts
 * html`<cove-chart .config=${{ type: "bar", data, options }} label="Leads per stage: New 12, ...">
 *   <table slot="table">...the same figures...</table>
 * </cove-chart>`
 * ```
 *
 * - `config`: a chart.js configuration; a new one updates the chart in place
 *   (no flicker on live re-reads), unless its `type` changed.
 * - `label`: what the chart shows, in words: the canvas is `role="img"` with it
 *   as `aria-label`.
 * - the `table` slot: the text alternative, behind a "Show as table" toggle
 *   (no toggle when the slot is empty, e.g. when tables beside the chart hold the figures).
 *
 * Charts resize with their container (`--chart-height`, default 18rem), have
 * no animation when the person prefers reduced motion, and are destroyed when
 * the element leaves the page. The element sets `data-points` to the number of
 * points it draws (tests read it). {@link PALETTE} gives each series a colour
 * with at least 4.5:1 contrast on white and a point style, so series stay
 * apart without colour.
 *
 * @module
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartConfiguration,
  Legend,
  LinearScale,
  PointElement,
  ScatterController,
  Tooltip,
} from "chart.js";
import { css, html, LitElement, type PropertyValues } from "lit";
import { baseStyles } from "./_styles.ts";

Chart.register(
  BarController,
  ScatterController,
  BarElement,
  PointElement,
  CategoryScale,
  LinearScale,
  Tooltip,
  Legend,
);

/** A series' look: a colour readable on white (≥ 4.5:1) and a point style that tells it apart. */
export interface SeriesStyle {
  color: string;
  pointStyle: "circle" | "triangle" | "rect" | "rectRot" | "crossRot" | "star";
}

/** Series looks in order; the n-th series takes `PALETTE[n % PALETTE.length]`. */
export const PALETTE: readonly SeriesStyle[] = [
  { color: "#0b57d0", pointStyle: "circle" },
  { color: "#146c2e", pointStyle: "triangle" },
  { color: "#b3261e", pointStyle: "crossRot" },
  { color: "#8c5000", pointStyle: "rectRot" },
  { color: "#6a1b9a", pointStyle: "rect" },
  { color: "#505056", pointStyle: "star" },
];

/** Any chart configuration `<cove-chart>` takes. */
// deno-lint-ignore no-explicit-any
export type CoveChartConfig = ChartConfiguration<any, any, any>;

/** Whether the person asked for less motion (animations are then off). */
function reducedMotion(): boolean {
  return globalThis.matchMedia?.("(prefers-reduced-motion: reduce)").matches ?? false;
}

// Text inside charts: the page's font, in a colour with enough contrast.
Chart.defaults.color = "#1c1b1f";
Chart.defaults.font.family = "system-ui, sans-serif";
Chart.defaults.borderColor = "#c4c6cc";

/** See the module doc. */
export class CoveChart extends LitElement {
  static override properties = {
    config: { attribute: false },
    label: {},
    hasTable: { state: true },
  };
  static override styles = [
    baseStyles,
    css`
      .frame {
        position: relative;
        height: var(--chart-height, 18rem);
        min-width: 0;
      }
      details {
        margin-top: 0.5rem;
      }
      summary {
        cursor: pointer;
        min-height: 44px;
        display: flex;
        align-items: center;
        color: #0b57d0;
        font-weight: 600;
      }
    `,
  ];

  /** The chart.js configuration to draw. */
  declare config: CoveChartConfig | null;
  /** The chart's `aria-label`: what it shows, in words. */
  declare label: string;
  /** Whether the `table` slot holds anything (the toggle is offered only then). */
  declare hasTable: boolean;
  #chart: Chart | null = null;

  constructor() {
    super();
    this.config = null;
    this.label = "";
    this.hasTable = false;
  }

  override render() {
    return html`
      <div class="frame">
        <canvas role="img" aria-label=${this.label}>
          <p>${this.label}</p>
        </canvas>
      </div>
      <details ?hidden=${!this.hasTable}>
        <summary>Show as table</summary>
        <slot name="table" @slotchange=${(e: Event) =>
          this.hasTable = (e.target as HTMLSlotElement).assignedElements().length > 0}></slot>
      </details>
    `;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has("config")) this.#draw();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Back on the page after a move: draw again (the chart was destroyed on the way out).
    if (this.hasUpdated) this.#draw();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#chart?.destroy();
    this.#chart = null;
  }

  /** The chart drawn now (for tests and for callers that need its scales); null before data. */
  get chart(): Chart | null {
    return this.#chart;
  }

  #draw(): void {
    const config = this.config;
    const canvas = this.renderRoot.querySelector("canvas");
    if (!config || !canvas || !this.isConnected) return;
    const options = {
      ...config.options,
      responsive: true,
      maintainAspectRatio: false,
      ...(reducedMotion() ? { animation: false } : {}),
    };
    const points = config.data.datasets.reduce(
      (n: number, d: { data: unknown[] }) => n + d.data.length,
      0,
    );
    this.dataset.points = String(points);
    const chart = this.#chart;
    if (chart && (chart.config as { type?: string }).type === config.type) {
      chart.data = config.data;
      chart.options = options;
      chart.update();
      return;
    }
    chart?.destroy();
    this.#chart = new Chart(canvas, { ...config, options });
  }
}

// Defined here rather than in mod.ts so any view importing the helper gets it registered.
if (globalThis.customElements && !customElements.get("cove-chart")) {
  customElements.define("cove-chart", CoveChart);
}
