/**
 * The analytics view's return-on-investment section: the first/last-touch
 * toggle, revenue against cost as a chart, and the per-channel and
 * per-campaign tables with the same figures. Functions of the report and the
 * view's choices; the view keeps the state and memoises the figures.
 *
 * @module
 */
import { html, nothing, type TemplateResult } from "lit";
import { href } from "../router.ts";
import {
  type AnalyticsReport,
  formatPercent,
  moneyFormatter,
  type RoiRow,
  roiRows,
  type Touch,
} from "./_analytics_data.ts";
import { roiConfig } from "./_analytics_charts.ts";

const CHANNEL_LABELS: Record<string, string> = { sms: "SMS", email: "Email" };

/** A channel or campaign as people read it: the campaign's name when known. */
function roiName(r: RoiRow, campaigns: ReadonlyMap<string, string>): string {
  if (r.kind === "channel") return CHANNEL_LABELS[r.name] ?? r.name;
  return campaigns.get(r.name) ?? `Campaign ${r.name}`;
}

/** The rows, their formatting and the chart of one report, touch, currency and set of names. */
export function roiFigures(
  report: AnalyticsReport,
  touch: Touch,
  currency: string,
  names: ReadonlyMap<string, string>,
) {
  const money = moneyFormatter(currency || undefined);
  const name = (r: RoiRow) => roiName(r, names);
  const { channels, campaigns } = roiRows(report, touch);
  const rows = [...channels, ...campaigns];
  return { money, name, channels, campaigns, rows, config: roiConfig(rows, name, money) };
}

/** What {@link roiFigures} answers. */
export type RoiFigures = ReturnType<typeof roiFigures>;

/** The first/last-touch toggle and what the amounts mean. */
export function renderRoiToggle(
  touch: Touch,
  currency: string,
  onTouch: (touch: Touch) => void,
): TemplateResult {
  return html`
    <div class="presets" role="group" aria-label="Attribution">
      ${(["first", "last"] as const).map((t) =>
        html`
          <button type="button" class="quiet" aria-pressed=${touch === t ? "true" : "false"}
            @click=${() => onTouch(t)}>${t === "first" ? "First touch" : "Last touch"}</button>
        `
      )}
    </div>
    <p class="muted">
      ${touch === "first"
        ? "Each lead counts for the channel and campaign that first reached it."
        : "Each lead counts for the channel and campaign that last reached it before it was won."}
      All time, whatever the range.
      ${currency
        ? `Amounts in ${currency}.`
        : "Amounts are in cents of the tenant's currency (no currency is set)."}
    </p>
  `;
}

/** The section's body once the report is read: the toggle, the chart and the two tables. */
export function renderRoi(f: RoiFigures, touch: Touch, toggle: TemplateResult): TemplateResult {
  const { money, name, channels, campaigns, rows, config } = f;
  if (rows.every((r) => r.leads === 0 && r.costCents === 0)) {
    return html`${toggle}<p class="muted">No channel or campaign has reached a lead yet.</p>`;
  }
  const table = (caption: string, head: string, list: RoiRow[]) =>
    list.length === 0 ? nothing : html`
      <div class="scroll" tabindex="0" role="region" aria-label=${caption}>
        <table class="roi" data-kind=${list[0]!.kind}>
          <caption>${caption} (${touch}-touch)</caption>
          <thead>
            <tr>
              <th scope="col">${head}</th>
              <th scope="col">Leads</th>
              <th scope="col">Won</th>
              <th scope="col">Revenue</th>
              <th scope="col">Cost</th>
              <th scope="col">Cost per lead</th>
              <th scope="col">Cost per won</th>
              <th scope="col">ROI</th>
            </tr>
          </thead>
          <tbody>${list.map((r) =>
            html`
              <tr data-key=${r.key}>
                <th scope="row">${r.kind === "campaign"
                  ? html`<a href=${href("campaign", { id: r.name })}>${name(r)}</a>`
                  : name(r)}</th>
                <td class="n">${r.leads}</td>
                <td class="n">${r.won}</td>
                <td class="n">${money(r.revenueCents)}</td>
                <td class="n">${money(r.costCents)}</td>
                <td class="n">${money(r.costPerLeadCents)}</td>
                <td class="n">${money(r.costPerWonCents)}</td>
                <td class="n">${formatPercent(r.roi)}</td>
              </tr>
            `
          )}</tbody>
        </table>
      </div>
    `;
  const label = rows.map((r) =>
    `${name(r)}: revenue ${money(r.revenueCents)}, cost ${money(r.costCents)}`
  ).join("; ");
  return html`
    ${toggle}
    <cove-chart class="roi" .config=${config} label=${`Revenue and cost. ${label}`}></cove-chart>
    ${table("Return on investment per channel", "Channel", channels)}
    ${table("Return on investment per campaign", "Campaign", campaigns)}
  `;
}
