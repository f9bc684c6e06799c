/**
 * The campaign wizard's name and channel, timing, audience and review steps
 * (the message step has its own file): functions of the form that render the
 * step and report changes through callbacks, so the wizard element keeps the
 * state and its navigation in one place.
 *
 * @module
 */
import { html, nothing, type TemplateResult } from "lit";
import {
  AUDIENCE_SOURCES,
  AUDIENCE_STATUSES,
  type CampaignForm,
  DELAY_UNITS,
  delayMinutes,
  type DelayUnit,
  describeAudience,
  describeDelay,
  statusLabel,
  type StepForm,
  toDefinition,
} from "./_campaign_form.ts";
import type { FieldKit } from "./_campaign_fields.ts";
import type { Audience } from "../../../shared/campaign.ts";

/** The audience preview's state. */
export type AudienceState =
  | { state: "idle" }
  | { state: "busy" }
  | { state: "ready"; count: number; names: string[] }
  | { state: "error"; message: string };

/** How the name and channel step reports changes. */
export interface ChannelHandlers {
  patch(p: Partial<CampaignForm>): void;
  setChannel(channel: "sms" | "email"): void;
}

/** The campaign's name and the one channel all its messages go out on. */
export function renderChannelStep(
  form: CampaignForm,
  kit: FieldKit,
  on: ChannelHandlers,
): TemplateResult {
  const channel = (c: "sms" | "email", label: string) =>
    html`<label class="choice"><input type="radio" name="channel" id="channel-${c}" value=${c}
      .checked=${form.channel === c}
      @change=${() => on.setChannel(c)}>${label}</label>`;
  return html`
    ${kit.text("name", "Campaign name", form.name, (v) => on.patch({ name: v }), {
      autocomplete: "off",
    })}
    <fieldset>
      <legend>Channel</legend>
      <p class="hint">Every message of the campaign goes out on this channel, to leads who
        consented to it.</p>
      ${channel("sms", "SMS")} ${channel("email", "Email")}
    </fieldset>
  `;
}

/** How the timing step reports changes. */
export interface TimingHandlers {
  patch(p: Partial<CampaignForm>): void;
  patchStep(i: number, p: Partial<StepForm>): void;
}

/** Delays of each message, the daily send window, the throttle and stop-on-reply. */
export function renderTimingStep(
  form: CampaignForm,
  kit: FieldKit,
  on: TimingHandlers,
): TemplateResult {
  return html`
    ${form.steps.map((s, i) => {
      const title = i === 0 ? "First message" : `Follow-up ${i}`;
      return html`
        <fieldset>
          <legend>${title}</legend>
          <div class="actions">
                  ${kit.text(`delay-${i}`, "Wait", s.delay, (v) => on.patchStep(i, { delay: v }), {
                    type: "number",
                    min: 0,
                    hint: i === 0
                      ? "after the lead joins the campaign"
                      : "after the message before",
                  })}
                  <div class="field">
                    <label for="delay-unit-${i}">Unit</label>
                    <select id="delay-unit-${i}" .value=${s.delayUnit}
                      @change=${(e: Event) =>
                        on.patchStep(i, {
                          delayUnit: (e.target as HTMLSelectElement).value as DelayUnit,
                        })}>
                      ${Object.keys(DELAY_UNITS).map((u) =>
                        html`<option value=${u} ?selected=${u === s.delayUnit}>${u}</option>`
                      )}
                    </select>
                  </div>
                </div>
        </fieldset>
      `;
    })}
    <fieldset>
      <legend>Send window</legend>
      <label class="choice"><input type="checkbox" id="use-window" .checked=${form.useWindow}
        @change=${(e: Event) => on.patch({ useWindow: (e.target as HTMLInputElement).checked })}>
        Only send between these hours, every day, in each lead's own time zone</label>
      ${form.useWindow
        ? html`<div class="actions">
          ${
          kit.text("window-start", "From", form.windowStart, (v) => on.patch({ windowStart: v }), {
            type: "time",
          })
        }
          ${
          kit.text("window-end", "Until", form.windowEnd, (v) => on.patch({ windowEnd: v }), {
            type: "time",
          })
        }
        </div>`
        : html`<p class="hint">Without a window, the team's follow-up hours apply.</p>`}
    </fieldset>
    ${kit.text(
      "throttle",
      "At most this many messages a minute",
      form.throttlePerMinute,
      (v) => on.patch({ throttlePerMinute: v }),
      {
        type: "number",
        min: 1,
        max: 10000,
        hint: "For the whole campaign; first messages are spread out to keep to it.",
      },
    )}
    <label class="choice"><input type="checkbox" id="stop-on-reply" .checked=${form.stopOnReply}
      @change=${(e: Event) => on.patch({ stopOnReply: (e.target as HTMLInputElement).checked })}>
      A lead who replies leaves the campaign</label>
  `;
}

/** How the audience step reports changes and asks for a preview. */
export interface AudienceHandlers {
  patch(p: Partial<CampaignForm>): void;
  preview(): void;
}

/** The audience's criteria and the "Preview audience" count. */
export function renderAudienceStep(
  form: CampaignForm,
  kit: FieldKit,
  audience: AudienceState,
  on: AudienceHandlers,
): TemplateResult {
  const toggle = <T extends string>(list: readonly T[], value: T, on: boolean): T[] =>
    on ? [...list, value] : list.filter((v) => v !== value);
  return html`
    <p class="hint">Every criterion you give must hold. Leave them all empty for every lead.
      Unsubscribed leads are never included; leads who match later join while it runs.</p>
    <fieldset aria-describedby=${kit.describedBy("aud-statuses")}>
      <legend>Lead status is any of</legend>
      ${AUDIENCE_STATUSES.map((s) =>
        html`<label class="choice"><input type="checkbox" id="aud-status-${s}"
          .checked=${form.statuses.includes(s)}
          @change=${(e: Event) =>
          on.patch({
            statuses: toggle(form.statuses, s, (e.target as HTMLInputElement).checked),
          })}>${statusLabel(s)}</label>`
      )}
      ${kit.errors("aud-statuses")}
    </fieldset>
    <fieldset aria-describedby=${kit.describedBy("aud-sources")}>
      <legend>Came from any of</legend>
      ${AUDIENCE_SOURCES.map(([s, label]) =>
        html`<label class="choice"><input type="checkbox" id="aud-source-${s}"
          .checked=${form.sources.includes(s)}
          @change=${(e: Event) =>
          on.patch({
            sources: toggle(form.sources, s, (e.target as HTMLInputElement).checked),
          })}>${label}</label>`
      )}
      ${kit.errors("aud-sources")}
    </fieldset>
    ${kit.text("aud-tagsAny", "Tagged with any of", form.tagsAny, (v) => on.patch({ tagsAny: v }), {
      hint: "Tags separated by commas, e.g. vip, bakery",
    })}
    ${kit.text("aud-tagsAll", "Tagged with all of", form.tagsAll, (v) => on.patch({ tagsAll: v }), {
      hint: "Tags separated by commas",
    })}
    <div class="actions">
      ${kit.text(
        "aud-minScore",
        "Score at least",
        form.minScore,
        (v) => on.patch({ minScore: v }),
        { type: "number", min: 0, max: 100 },
      )}
      ${kit.text("aud-maxScore", "Score at most", form.maxScore, (v) => on.patch({ maxScore: v }), {
        type: "number",
        min: 0,
        max: 100,
      })}
    </div>
    ${kit.text("aud-silentForHours", "Not heard from for at least (hours)", form.silentForHours, (
      v,
    ) => on.patch({ silentForHours: v }), { type: "number", min: 1 })}
    <div class="actions">
      <button type="button" class="quiet" ?disabled=${audience.state === "busy"}
        @click=${on.preview}>Preview audience</button>
    </div>
    <div role="status" aria-live="polite" data-audience-preview>${renderAudienceCount(
      audience,
    )}</div>
  `;
}

function renderAudienceCount(a: AudienceState): TemplateResult | typeof nothing {
  switch (a.state) {
    case "idle":
      return nothing;
    case "busy":
      return html`<p class="muted">Counting...</p>`;
    case "error":
      return html`<p class="error">The audience could not be counted: ${a.message}</p>`;
    case "ready":
      return html`<p><strong data-count=${a.count}>${a.count.toLocaleString()} ${
        a.count === 1 ? "lead matches" : "leads match"
      }</strong> now.${
        a.names.length
          ? html`
            For example: ${a.names.join(", ")}${a.count > a.names.length ? ", ..." : ""}.
          `
          : nothing
      }</p>`;
  }
}

/** Everything the campaign will be, before it is created. */
export function renderLaunchStep(form: CampaignForm, audience: AudienceState): TemplateResult {
  const d = toDefinition(form);
  const criteria = describeAudience(d.audience as Audience);
  return html`
    <dl data-summary>
      <dt>Name</dt><dd>${form.name}</dd>
      <dt>Channel</dt><dd>${form.channel === "sms" ? "SMS" : "Email"}</dd>
      <dt>Messages</dt>
      <dd><ol>${form.steps.map((s, i) => {
        const m = delayMinutes(s);
        const when = typeof m === "number" ? describeDelay(m) : `${s.delay} ${s.delayUnit}`;
        return html`<li>
          <span>${
          i === 0
            ? (when === "at once" ? "At once" : `${when} after joining`)
            : `${when === "at once" ? "Right" : when} after the message before`
        }:</span>
          ${
          s.variants.map((v, j) =>
            html`<div class="message-text">${
              form.abTest
                ? html`
                  <strong>Version ${j === 0 ? "A" : "B"}:</strong>
                `
                : nothing
            }${
              v.subject && form.channel === "email"
                ? html`
                  <em>${v.subject}</em> —
                `
                : nothing
            }${v.body}</div>`
          )
        }
        </li>`;
      })}</ol></dd>
      ${form.abTest
        ? html`
          <dt>A/B split</dt>
          <dd>Version A ${form.splitA}%, version B ${form.splitB}%</dd>
        `
        : nothing}
      <dt>Send window</dt>
      <dd>${form.useWindow
        ? `${form.windowStart} to ${form.windowEnd}, each lead's local time`
        : "The team's follow-up hours"}</dd>
      <dt>Throttle</dt><dd>At most ${form.throttlePerMinute} messages a minute</dd>
      <dt>Replies</dt><dd>${form.stopOnReply
        ? "A lead who replies leaves the campaign"
        : "Replies do not stop the messages"}</dd>
      <dt>Audience</dt>
      <dd>${criteria.length
        ? html`<ul>${criteria.map((c) => html`<li>${c}</li>`)}</ul>`
        : "Every lead"}
        ${audience.state === "ready"
          ? html`<p>${audience.count.toLocaleString()} ${
            audience.count === 1 ? "lead matches" : "leads match"
          } now.</p>`
          : nothing}</dd>
    </dl>
    <p class="hint">Launching enrolls the matching leads now; each gets the messages in their
      send window, with their consent.</p>
  `;
}
