/**
 * `<cove-campaign-stats>`: one campaign: what it sends to whom (its
 * definition), its state with launch, pause, resume and stop (stop asks
 * first: it cannot be undone), and its figures as a table and a bar chart
 * (the table is the chart's text alternative), per A/B version too. Events
 * of this campaign or of leads re-read it, at most once every two seconds:
 * a running campaign moves many leads at once.
 *
 * @module
 */
import { css, html, nothing, type PropertyValues, type TemplateResult } from "lit";
import { BarController, BarElement, CategoryScale, Chart, LinearScale } from "chart.js";
import { ApiError } from "../api.ts";
import { href } from "../router.ts";
import { baseStyles, tableStyles } from "../_styles.ts";
import type { LiveTick } from "../live.ts";
import { DashboardView } from "./_view.ts";
import { campaignStyles } from "./_campaign_styles.ts";
import {
  type CampaignReply,
  type CampaignStats,
  type CampaignView,
  formatTime,
  STATUS_LABELS,
} from "./_campaign_shapes.ts";
import { describeAudience, describeDelay } from "./_campaign_form.ts";

Chart.register(BarController, BarElement, CategoryScale, LinearScale);

/** The least time between two re-reads caused by live events. */
export const STATS_RELOAD_MS = 2_000;

/** The figures the table and chart show, in funnel order: key, label. */
const FIGURES: readonly (readonly [keyof CampaignStats, string])[] = [
  ["enrolled", "Enrolled"],
  ["sent", "Messages sent"],
  ["delivered", "Messages delivered"],
  ["opened", "Opened"],
  ["clicked", "Clicked"],
  ["replied", "Replied"],
  ["booked", "Booked a meeting"],
  ["won", "Won"],
];

type Command = "launch" | "pause" | "resume" | "stop";

type Loaded =
  | { state: "pending" }
  | { state: "missing" }
  | { state: "error"; message: string }
  | { state: "ready"; campaign: CampaignView; stats: CampaignStats | null; statsError: string };

/** Money in cents as the browser's locale writes it. */
function money(cents: number): string {
  return (cents / 100).toLocaleString(undefined, { minimumFractionDigits: 2 });
}

/** See the module doc. */
export class CoveCampaignStats extends DashboardView {
  static override properties = {
    ...DashboardView.properties,
    loaded: { state: true },
    busy: { state: true },
    actionError: { state: true },
    confirmStop: { state: true },
    notice: { state: true },
  };
  static override styles = [
    baseStyles,
    tableStyles,
    campaignStyles,
    css`
      .chart {
        position: relative;
        height: 16rem;
        min-width: 0;
      }
      .grid {
        display: grid;
        gap: 1rem;
      }
      @media (min-width: 56rem) {
        .grid {
          grid-template-columns: minmax(0, 1fr) minmax(0, 1fr);
          align-items: start;
        }
      }
      .confirm {
        border: 2px solid #b3261e;
      }
      button.danger {
        background: #b3261e;
      }
    `,
  ];

  declare loaded: Loaded;
  declare busy: boolean;
  declare actionError: string;
  declare confirmStop: boolean;
  declare notice: string;
  #chart: Chart<"bar"> | null = null;
  #lastLoad = { id: "", at: 0 };

  constructor() {
    super();
    this.loaded = { state: "pending" };
    this.busy = false;
    this.actionError = "";
    this.confirmStop = false;
    this.notice = "";
  }

  protected override wants(tick: LiveTick): boolean {
    return (tick.kinds.has("campaign") && tick.ids.has(this.params.id ?? "")) ||
      tick.kinds.has("lead");
  }

  protected override async load(): Promise<void> {
    const id = this.params.id ?? "";
    // Live re-reads of the same campaign wait out the rest of the interval; reload() gathers
    // the ticks that arrive meanwhile into the one read that follows.
    const wait = this.#lastLoad.id === id ? this.#lastLoad.at + STATS_RELOAD_MS - Date.now() : 0;
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    this.#lastLoad = { id, at: Date.now() };
    if (this.loaded.state === "ready" && this.loaded.campaign.id !== id) {
      this.loaded = { state: "pending" };
    }
    const path = `/v1/campaigns/${encodeURIComponent(id)}`;
    try {
      const [reply, stats] = await Promise.all([
        this.api.get<CampaignReply>(path),
        this.api.get<CampaignStats>(`${path}/stats`).then(
          (s) => ({ s, e: "" }),
          (e: Error) => ({ s: null, e: e.message }),
        ),
      ]);
      this.loaded = {
        state: "ready",
        campaign: reply.campaign!,
        stats: stats.s,
        statsError: stats.e,
      };
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) this.loaded = { state: "missing" };
      else if (this.loaded.state !== "ready") {
        this.loaded = { state: "error", message: (error as Error).message };
      }
    }
  }

  override disconnectedCallback(): void {
    this.#chart?.destroy();
    this.#chart = null;
    super.disconnectedCallback();
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    const canvas = this.renderRoot.querySelector<HTMLCanvasElement>("canvas");
    if (!canvas || this.loaded.state !== "ready" || !this.loaded.stats) {
      this.#chart?.destroy();
      this.#chart = null;
      return;
    }
    const stats = this.loaded.stats;
    const data = FIGURES.map(([k]) => stats[k] as number);
    if (this.#chart && this.#chart.canvas === canvas) {
      this.#chart.data.datasets[0]!.data = data;
      this.#chart.update();
      return;
    }
    this.#chart?.destroy();
    this.#chart = new Chart(canvas, {
      type: "bar",
      data: {
        labels: FIGURES.map(([, label]) => label),
        datasets: [{ label: "Count", data, backgroundColor: "#0b57d0" }],
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        indexAxis: "y",
        // The chart registry is shared: whatever another view registered stays off here.
        plugins: { legend: { display: false }, title: { display: false } },
        scales: {
          x: { beginAtZero: true, ticks: { precision: 0, color: "#3c3c42" } },
          y: { ticks: { color: "#1c1b1f" } },
        },
      },
    });
  }

  async #act(command: Command): Promise<void> {
    if (this.busy || this.loaded.state !== "ready") return;
    this.busy = true;
    this.actionError = "";
    this.confirmStop = false;
    const id = this.loaded.campaign.id;
    try {
      const r = await this.api.send<CampaignReply>(
        "POST",
        `/v1/campaigns/${encodeURIComponent(id)}/${command}`,
      );
      if (r.campaign && this.loaded.state === "ready") {
        this.loaded = { ...this.loaded, campaign: r.campaign };
        this.notice = `Campaign ${STATUS_LABELS[r.campaign.status].toLowerCase()}.`;
      } else if (r.suggestionId) {
        this.notice = "Sent to an admin for approval.";
      }
    } catch (error) {
      this.actionError = (error as Error).message;
    } finally {
      this.busy = false;
    }
  }

  async #askStop(): Promise<void> {
    this.confirmStop = true;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>("#keep")?.focus();
  }

  async #cancelStop(): Promise<void> {
    this.confirmStop = false;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>("#stop")?.focus();
  }

  override render() {
    const back = html`<a href=${href("campaigns")}>All campaigns</a>`;
    const l = this.loaded;
    switch (l.state) {
      case "pending":
        return html`
          <h2>Campaign</h2>
          <p class="muted" role="status">Loading the campaign...</p>
        `;
      case "missing":
        return html`
          <h2>Campaign not found</h2>
          <p>There is no campaign with this address. ${back}</p>
        `;
      case "error":
        return html`<h2>Campaign</h2>
          <p class="error" role="alert">The campaign could not be loaded: ${l.message}</p>${back}`;
      case "ready":
        return this.#renderReady(l.campaign, l.stats, l.statsError, back);
    }
  }

  #renderReady(
    c: CampaignView,
    stats: CampaignStats | null,
    statsError: string,
    back: TemplateResult,
  ): TemplateResult {
    const name = c.definition?.name ?? c.id;
    return html`
      <p>${back}</p>
      <div class="bar">
        <h2>${name}</h2>
        <span class="status" data-status=${c.status}>${STATUS_LABELS[c.status]}</span>
      </div>
      ${this.#renderActions(c, name)}
      ${statsError
        ? html`<p class="error" role="alert">Figures could not be loaded: ${statsError}</p>`
        : nothing}
      ${stats ? this.#renderStats(c, stats) : nothing}
      ${this.#renderDefinition(c)}
    `;
  }

  #renderActions(c: CampaignView, name: string): TemplateResult {
    const b = (cmd: Command, label: string) =>
      html`<button type="button" ?disabled=${this.busy} @click=${() =>
        void this.#act(cmd)}>${label}</button>`;
    const live = c.status === "running" || c.status === "paused";
    return html`
      <div class="actions">
        ${c.status === "draft" ? b("launch", "Launch") : nothing}
        ${c.status === "running" ? b("pause", "Pause") : nothing}
        ${c.status === "paused" ? b("resume", "Resume") : nothing}
        ${live
          ? html`
            <button type="button" id="stop" class="quiet" ?disabled=${this.busy}
              aria-expanded=${this.confirmStop ? "true" : "false"} @click=${this
                .#askStop}>Stop…</button>
          `
          : nothing}
        <span role="status" class="muted">${this.notice}</span>
      </div>
      ${this.confirmStop
        ? html`
          <div class="panel confirm" role="group" aria-labelledby="stop-question">
            <p id="stop-question"><strong>Stop “${name}” for good?</strong> No further messages are
                      sent to anyone in it, and it cannot be started again.</p>
            <div class="actions">
              <button type="button" class="danger" @click=${() => void this.#act("stop")}>
                        Stop the campaign</button>
              <button type="button" id="keep" class="quiet" @click=${this
                .#cancelStop}>Keep it ${c.status === "paused" ? "paused" : "running"}</button>
            </div>
          </div>
        `
        : nothing}
      ${this.actionError ? html`<p class="error" role="alert">${this.actionError}</p>` : nothing}
    `;
  }

  #renderStats(c: CampaignView, s: CampaignStats): TemplateResult {
    const variants = (c.definition?.split.length ?? 1) > 1 && s.byVariant.length > 0;
    const summary = FIGURES.map(([k, label]) => `${label} ${s[k]}`).join(", ");
    return html`
      <div class="grid">
        <div class="scroll" tabindex="0" role="region" aria-label="Figures">
          <table data-stats>
            <caption>Figures</caption>
            <thead>
              <tr>
                <th scope="col">Figure</th>
                <th scope="col" class="num">Count</th>
              </tr>
            </thead>
            <tbody>
              ${FIGURES.map(([k, label]) =>
                html`
                  <tr data-figure=${k}>
                    <th scope="row">${label}</th>
                    <td class="num">${(s[k] as number).toLocaleString()}</td>
                  </tr>
                `
              )}
              <tr><th scope="row">Cost</th><td class="num">${money(s.costCents)}</td></tr>
              <tr><th scope="row">Revenue</th><td class="num">${money(s.revenueCents)}</td></tr>
            </tbody>
          </table>
        </div>
        <div class="panel">
          <h3>Funnel</h3>
          <div class="chart">
            <canvas role="img"
              aria-label="Bar chart of the campaign's figures: ${summary}. The same figures are in the table."></canvas>
          </div>
        </div>
      </div>
      ${variants
        ? html`
          <div class="scroll" tabindex="0" role="region" aria-label="A/B versions">
            <table data-variants>
              <caption>A/B versions</caption>
              <thead>
                <tr>
                  <th scope="col">Version</th>
                  <th scope="col" class="num">Share</th>
                  <th scope="col" class="num">Enrolled</th>
                  <th scope="col" class="num">Sent</th>
                  <th scope="col" class="num">Replied</th>
                  <th scope="col" class="num">Booked</th>
                </tr>
              </thead>
              <tbody>${s.byVariant.map((v) =>
                html`
                  <tr>
                    <th scope="row">${String.fromCharCode(65 + v.variant)}</th>
                    <td class="num">${c.definition?.split[v.variant] ?? "?"}%</td>
                    <td class="num">${v.enrolled}</td>
                    <td class="num">${v.sent}</td>
                    <td class="num">${v.replied}</td>
                    <td class="num">${v.booked}</td>
                  </tr>
                `
              )}</tbody>
            </table>
          </div>
        `
        : nothing}
    `;
  }

  #renderDefinition(c: CampaignView): TemplateResult {
    const d = c.definition;
    if (!d) return html`<p class="muted">This campaign has no definition.</p>`;
    const channels = [...new Set(d.steps.map((s) => s.channel === "sms" ? "SMS" : "Email"))];
    const criteria = describeAudience(d.audience);
    return html`
      <section class="panel" aria-labelledby="definition-title">
        <h3 id="definition-title">What it sends</h3>
        <dl data-definition>
          <dt>Channel</dt><dd data-channel>${channels.join(", ")}</dd>
          <dt>Messages</dt>
          <dd><ol>${d.steps.map((s, i) =>
            html`<li>
              <span>${i === 0 && s.delayMinutes === 0 ? "At once" : describeDelay(s.delayMinutes)}${
              s.delayMinutes === 0 ? "" : i === 0 ? " after joining" : " after the one before"
            }${
              s.when ? `, only if the lead ${s.when.is ? "has" : "has not"} ${s.when.signal}` : ""
            }:</span>
              ${
              s.variants.map((v, j) =>
                html`<div class="message-text">${
                  d.split.length > 1
                    ? html`
                      <strong>Version ${String.fromCharCode(65 + j)}:</strong>
                    `
                    : nothing
                }${
                  v.subject
                    ? html`
                      <em>${v.subject}</em> —
                    `
                    : nothing
                }${v.template}</div>`
              )
            }
            </li>`
          )}</ol></dd>
          <dt>Audience</dt>
          <dd data-audience>${criteria.length
            ? html`<ul>${criteria.map((x) => html`<li>${x}</li>`)}</ul>`
            : "Every lead"}</dd>
          <dt>Send window</dt>
          <dd>${d.window
            ? `${d.window.start} to ${d.window.end}, each lead's local time`
            : "The team's follow-up hours"}</dd>
          <dt>Throttle</dt><dd>At most ${d.throttlePerMinute} messages a minute</dd>
          <dt>Replies</dt><dd>${d.stopOnReply
            ? "A lead who replies leaves the campaign"
            : "Replies do not stop the messages"}</dd>
          <dt>Created</dt><dd>${formatTime(c.createdAt)}</dd>
          ${c.launchedAt
            ? html`
              <dt>Launched</dt>
              <dd>${formatTime(c.launchedAt)}</dd>
            `
            : nothing}
          ${c.pausedAt && c.status === "paused"
            ? html`
              <dt>Paused</dt>
              <dd>${formatTime(c.pausedAt)}</dd>
            `
            : nothing}
          ${c.stoppedAt
            ? html`
              <dt>Stopped</dt>
              <dd>${formatTime(c.stoppedAt)}</dd>
            `
            : nothing}
        </dl>
      </section>
    `;
  }
}
