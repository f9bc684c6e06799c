/**
 * `<cove-analytics-view>` (`#/analytics`): the tenant's analytics over a date
 * range of its own days (from/to, or the last 7, 30 or 90): leads per day by
 * source, the lead-score scatter plot (`GET /v1/analytics/scores`; a point or
 * its table row opens the lead), the score distribution, and return on
 * investment per channel and campaign, first-touch or last-touch. Each chart
 * has its figures as a table.
 *
 * The range is sent as the API reads it, in the tenant's zone (from its
 * settings); a range the gateway refuses is shown next to the field it names.
 * Live: lead and campaign events re-read at most every {@link ANALYTICS_THROTTLE_MS}.
 *
 * @module
 */
import { html, nothing } from "lit";
import { ApiError } from "../api.ts";
import { baseStyles } from "../_styles.ts";
import { href } from "../router.ts";
import {
  type AnalyticsReport,
  leadsPerDaySeries,
  localDay,
  memoLast,
  presetRange,
  scoreGroups,
  type ScoreSample,
  type Touch,
} from "./_analytics_data.ts";
import { Throttle } from "../throttle.ts";
import {
  capturedText,
  distributionConfig,
  GROUP_STYLES,
  perDayConfig,
  scatterConfig,
  SOURCE_LABELS,
} from "./_analytics_charts.ts";
import { renderRoi, renderRoiToggle, roiFigures } from "./_analytics_roi.ts";
import { analyticsStyles } from "./_analytics_styles.ts";
import type { LiveTick } from "../live.ts";
import { DashboardView } from "./_view.ts";

/**
 * The least time between two live re-reads: each costs two requests, and a
 * busy tenant's stream must not spend the person's REST rate limit on them.
 */
export const ANALYTICS_THROTTLE_MS = 5_000;
/** The range presets, in days. */
export const PRESETS = [7, 30, 90] as const;

type Loaded<T> = { state: "pending" } | { state: "ready"; value: T } | {
  state: "error";
  message: string;
};

/** The fields of `GET /v1/settings` read here: the zone days are counted in, a currency if any. */
interface TenantSettings {
  followUps?: { defaultTimeZone?: string };
  currency?: string;
}

/** Capture times are shown in the browser's zone (and say so). */
const BROWSER_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;

/** See the module doc. */
export class CoveAnalyticsView extends DashboardView {
  static override properties = {
    ...DashboardView.properties,
    from: { state: true },
    to: { state: true },
    fieldErrors: { state: true },
    report: { state: true },
    scores: { state: true },
    touch: { state: true },
    zone: { state: true },
    currency: { state: true },
    campaignNames: { state: true },
  };
  static override styles = [baseStyles, analyticsStyles];

  /** First and last day of the range (`YYYY-MM-DD`, the tenant's days). */
  declare from: string;
  declare to: string;
  /** What the gateway (or the form) said is wrong with `from` or `to`. */
  declare fieldErrors: { from?: string; to?: string };
  declare report: Loaded<AnalyticsReport>;
  declare scores: Loaded<ScoreSample>;
  declare touch: Touch;
  /** The tenant's zone (from its settings, then from each report); empty until known. */
  declare zone: string;
  declare currency: string;
  /** Campaign names by id, for the ROI rows (ids until read). */
  declare campaignNames: ReadonlyMap<string, string>;
  readonly #throttle = new Throttle(() => void this.reload(), ANALYTICS_THROTTLE_MS, {
    trailing: true,
  });
  #settingsRead = false;
  readonly #namesAsked = new Set<string>();
  /** The query of the figures shown. */
  #shownQuery = "";
  // Figures and chart configurations, rebuilt only when what they are drawn from changes.
  readonly #perDayFigures = memoLast((report: AnalyticsReport) => {
    const series = leadsPerDaySeries(report.leadsPerDay, report);
    return { series, config: perDayConfig(series) };
  });
  readonly #scatterFigures = memoLast((sample: ScoreSample) => {
    const groups = scoreGroups(sample.points);
    return { groups, config: scatterConfig(groups, BROWSER_ZONE) };
  });
  readonly #distributionFigures = memoLast((report: AnalyticsReport) => {
    const rows = report.scoreDistribution.map((b) => ({
      label: b.from >= 90 ? `${b.from}–100` : `${b.from}–${b.from + 9}`,
      count: b.count,
    }));
    return { rows, config: distributionConfig(rows) };
  });
  readonly #roiFigures = memoLast(roiFigures);

  constructor() {
    super();
    this.from = "";
    this.to = "";
    this.fieldErrors = {};
    this.report = { state: "pending" };
    this.scores = { state: "pending" };
    this.touch = "first";
    this.zone = "";
    this.currency = "";
    this.campaignNames = new Map();
  }

  protected override wants(tick: LiveTick): boolean {
    if (tick.kinds.has("lead") || tick.kinds.has("campaign")) this.#throttle.request();
    return false;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#throttle.cancel();
  }

  protected override async load(): Promise<void> {
    if (!this.#settingsRead) await this.#readSettings();
    if (!this.from || !this.to) Object.assign(this, presetRange(30, this.#today()));
    const q = `from=${this.from}&to=${this.to}`;
    const [report, scores] = await Promise.allSettled([
      this.api.get<AnalyticsReport>(`/v1/analytics?${q}`),
      this.api.get<ScoreSample>(`/v1/analytics/scores?${q}`),
    ]);
    const errors: { from?: string; to?: string } = {};
    const settle = <T>(r: PromiseSettledResult<T>, shown: Loaded<T>): Loaded<T> => {
      if (r.status === "fulfilled") return { state: "ready", value: r.value };
      const e = r.reason;
      for (const issue of e instanceof ApiError ? e.issues : []) {
        if (issue.path === "from" || issue.path === "to") errors[issue.path] = issue.message;
      }
      // A failed live re-read keeps the figures shown if they are of this range; else say why.
      return shown.state === "ready" && this.#shownQuery === q
        ? shown
        : { state: "error", message: (e as Error).message };
    };
    this.report = settle(report, this.report);
    this.scores = settle(scores, this.scores);
    this.fieldErrors = errors;
    if (report.status === "fulfilled") {
      this.zone = report.value.timeZone;
      await this.#readCampaignNames(report.value);
    }
    this.#shownQuery = q;
  }

  /** Reads the campaigns' names when the report names a campaign not asked about yet. */
  async #readCampaignNames(report: AnalyticsReport): Promise<void> {
    const ids = report.campaigns.map((c) => c.campaignId);
    if (ids.every((id) => this.#namesAsked.has(id))) return;
    for (const id of ids) this.#namesAsked.add(id);
    try {
      const page = await this.api.get<{ items: { id: string; name: string }[] }>(
        "/v1/campaigns?limit=100",
      );
      this.campaignNames = new Map(page.items.map((c) => [c.id, c.name]));
    } catch {
      // Ids stand in for names; the figures are what matters.
    }
  }

  async #readSettings(): Promise<void> {
    try {
      const s = await this.api.get<TenantSettings>("/v1/settings");
      this.zone = s.followUps?.defaultTimeZone || this.zone;
      this.currency = typeof s.currency === "string" ? s.currency : "";
      this.#settingsRead = true;
    } catch {
      // Read again with the next load; meanwhile the report names the zone its days are in.
    }
  }

  /** Today in the tenant's zone (the browser's until the tenant's is known). */
  #today(): string {
    try {
      return localDay(Date.now(), this.zone || BROWSER_ZONE);
    } catch {
      return localDay(Date.now(), BROWSER_ZONE);
    }
  }

  #preset(days: number): void {
    Object.assign(this, presetRange(days, this.#today()));
    this.fieldErrors = {};
    void this.reload();
  }

  #changed(field: "from" | "to", value: string): void {
    this[field] = value;
    if (!value) {
      this.fieldErrors = { [field]: "choose a day" };
      return;
    }
    if (this.from && this.to && this.from > this.to) {
      this.fieldErrors = { to: "the last day comes on or after the first" };
      return;
    }
    this.fieldErrors = {};
    void this.reload();
  }

  #presetDays(): number | null {
    for (const days of PRESETS) {
      const p = presetRange(days, this.#today());
      if (p.from === this.from && p.to === this.to) return days;
    }
    return null;
  }

  override render() {
    return html`
      <h2>Analytics</h2>
      ${this.#rangeForm()}
      ${this.report.state === "error"
        ? html`<p class="error" role="alert">The analytics could not be loaded: ${this.report.message}</p>`
        : nothing}
      ${this.scores.state === "error"
        ? html`<p class="error" role="alert">The lead scores could not be loaded: ${this.scores.message}</p>`
        : nothing}
      <div class="grid">
        ${this.#perDay()} ${this.#distribution()} ${this.#scatter()} ${this.#roi()}
      </div>
    `;
  }

  #rangeForm() {
    const active = this.#presetDays();
    const field = (id: "from" | "to", label: string) => {
      const error = this.fieldErrors[id];
      return html`
        <div class="field">
          <label for=${id}>${label}</label>
          <input type="date" id=${id} .value=${this[id]} aria-invalid=${error ? "true" : "false"}
            aria-describedby=${error ? `${id}-error` : nothing}
            @change=${(e: Event) => this.#changed(id, (e.target as HTMLInputElement).value)}>
          ${error ? html`<p id="${id}-error" class="error" role="alert">${error}</p>` : nothing}
        </div>
      `;
    };
    return html`
      <form class="range" @submit=${(e: Event) => e.preventDefault()}>
        <fieldset>
          <legend>Leads captured between (days in ${this.zone || "the tenant's zone"})</legend>
          <div class="presets" role="group" aria-label="Quick ranges">
            ${PRESETS.map((d) =>
              html`
                <button type="button" class="quiet" aria-pressed=${active === d ? "true" : "false"}
                  @click=${() => this.#preset(d)}>Last ${d} days</button>
              `
            )}
          </div>
          ${field("from", "From")} ${field("to", "To")}
        </fieldset>
      </form>
    `;
  }

  #perDay() {
    const body = () => {
      if (this.report.state !== "ready") return this.#pending(this.report, "leads per day");
      const { series, config } = this.#perDayFigures(this.report.value);
      if (series.sources.length === 0) {
        return html`<p class="muted">No leads were captured in this range.</p>`;
      }
      const label = (s: string) => SOURCE_LABELS[s] ?? s;
      const totals = series.sources.map((s) => `${label(s.source)} ${sum(s.counts)}`).join(", ");
      return html`
        <cove-chart class="per-day" .config=${config}
          label=${`Leads per day by source, ${series.days[0]} to ${series.days.at(-1)}: ${totals}`}>
          <div slot="table" class="scroll" tabindex="0" role="region"
            aria-label="Leads captured per day and source">
            <table>
              <caption>Leads captured per day and source</caption>
              <thead>
                <tr><th scope="col">Day</th>${series.sources.map((s) =>
                  html`<th scope="col">${label(s.source)}</th>`
                )}<th scope="col">Total</th></tr>
              </thead>
              <tbody>${series.days.map((day, i) =>
                html`<tr><th scope="row">${day}</th>${
                  series.sources.map((s) => html`<td class="n">${s.counts[i]}</td>`)
                }<td class="n">${sum(series.sources.map((s) => s.counts[i]!))}</td></tr>`
              )}</tbody>
            </table>
          </div>
        </cove-chart>
      `;
    };
    return this.#section("per-day", "Leads per day by source", body());
  }

  #scatter() {
    const body = () => {
      if (this.scores.state !== "ready") return this.#pending(this.scores, "lead scores");
      const sample = this.scores.value;
      if (sample.points.length === 0) {
        return html`<p class="muted">No live leads were captured in this range.</p>`;
      }
      const { groups, config } = this.#scatterFigures(sample);
      const zone = BROWSER_ZONE;
      const counts = groups.map((g) => `${GROUP_STYLES[g.group].label} ${g.points.length}`);
      return html`
        <p class="muted" data-total=${sample.total}>
          ${sample.sampled
            ? `${sample.points.length} of ${sample.total} leads, evenly spread over the range.`
            : `${sample.total} ${sample.total === 1 ? "lead" : "leads"}.`}
          Select a point, or a lead in the table, to open it.
        </p>
        <cove-chart class="scores" .config=${config}
          label=${`Lead score against capture time, by status: ${counts.join(", ")}`}>
          <div slot="table" class="scroll" tabindex="0" role="region" aria-label="Leads by score">
            <table>
              <caption>Leads by score (capture times in your zone, ${zone})</caption>
              <thead>
                <tr>
                  <th scope="col">Lead</th>
                  <th scope="col">Score</th>
                  <th scope="col">Status</th>
                  <th scope="col">Captured</th>
                </tr>
              </thead>
              <tbody>${sample.points.map((p) =>
                html`
                  <tr data-lead-id=${p.leadId}>
                    <th scope="row"><a href=${href("lead", { id: p.leadId })}>${p.leadId}</a></th>
                    <td class="n">${p.score}</td>
                    <td>${p.status}</td>
                    <td>${capturedText(p.capturedAt)}</td>
                  </tr>
                `
              )}</tbody>
            </table>
          </div>
        </cove-chart>
      `;
    };
    return this.#section("scores", "Lead scores", body());
  }

  #distribution() {
    const body = () => {
      if (this.report.state !== "ready") return this.#pending(this.report, "score distribution");
      const { rows, config } = this.#distributionFigures(this.report.value);
      if (sum(rows.map((r) => r.count)) === 0) {
        return html`<p class="muted">No live leads have a score yet.</p>`;
      }
      return html`
        <p class="muted">Every live lead now, whatever the range.</p>
        <cove-chart class="distribution" .config=${config}
          label=${`Live leads by score: ${rows.map((r) => `${r.label} ${r.count}`).join(", ")}`}>
          <table slot="table">
            <caption>Live leads per score bucket</caption>
            <thead>
              <tr>
                <th scope="col">Score</th>
                <th scope="col">Leads</th>
              </tr>
            </thead>
            <tbody>${rows.map((r) =>
              html`
                <tr>
                  <th scope="row">${r.label}</th>
                  <td class="n">${r.count}</td>
                </tr>
              `
            )}</tbody>
          </table>
        </cove-chart>
      `;
    };
    return this.#section("distribution", "Score distribution", body());
  }

  #roi() {
    const body = this.report.state === "ready"
      ? renderRoi(
        this.#roiFigures(this.report.value, this.touch, this.currency, this.campaignNames),
        this.touch,
        renderRoiToggle(this.touch, this.currency, (t) => this.touch = t),
      )
      : this.#pending(this.report, "return on investment");
    return this.#section("roi", "Return on investment", body);
  }

  #section(id: string, title: string, body: unknown) {
    return html`
      <section aria-labelledby="${id}-title" class=${id}>
        <h3 id="${id}-title">${title}</h3>
        ${body}
      </section>
    `;
  }

  #pending(state: Loaded<unknown>, what: string) {
    // The reason is said once, above the sections.
    return state.state === "error"
      ? html`<p class="muted">Not available (see the error above).</p>`
      : html`<p class="muted">Loading the ${what}…</p>`;
  }
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
