/**
 * The campaign wizard's message step: each message and its versions (written
 * or started from a saved template of the channel), follow-ups, the A/B split,
 * and the preview of the message being edited. Functions of the form that
 * report changes through callbacks; the wizard keeps the state, the focus and
 * the preview's requests.
 *
 * @module
 */
import { html, nothing, type TemplateResult } from "lit";
import {
  type CampaignForm,
  type StepForm,
  TEMPLATE_VARIABLES,
  type VariantForm,
  withAbTest,
} from "./_campaign_form.ts";
import type { FieldKit } from "./_campaign_fields.ts";
import type { MessageTemplate, TemplatePreview } from "./_campaign_shapes.ts";

/** The preview pane's state. */
export type PreviewState =
  | { state: "empty" }
  | { state: "loading" }
  | { state: "ready"; preview: TemplatePreview }
  | { state: "error"; message: string };

/** What the message step shows besides the form. */
export interface MessageStepState {
  /** The saved templates; `null` while they load. */
  templates: MessageTemplate[] | null;
  templatesError: string;
  preview: PreviewState;
  /** The message the preview shows: step and version. */
  previewFor: readonly [number, number];
}

/** How the message step reports changes. */
export interface MessageStepHandlers {
  patch(p: Partial<CampaignForm>): void;
  /** Replaces the whole form (turning the A/B test on or off reshapes every message). */
  replace(form: CampaignForm): void;
  patchVariant(i: number, j: number, p: Partial<VariantForm>): void;
  clearIssue(id: string): void;
  addFollowUp(): void;
  removeStep(i: number): void;
  /** Focus entered version `j` of message `i`: the preview should show it. */
  focusVariant(i: number, j: number): void;
}

/** The messages, the A/B test and the preview beside them. */
export function renderMessageStep(
  f: CampaignForm,
  kit: FieldKit,
  state: MessageStepState,
  on: MessageStepHandlers,
): TemplateResult {
  return html`
    <p class="hint" id="variables">Variables you can use: ${TEMPLATE_VARIABLES.map((v, k) =>
      html`${k ? ", " : ""}<code>{{${v}}}</code>`
    )}.</p>
    ${state.templatesError
      ? html`<p class="error" role="alert">Saved templates could not be loaded
        (${state.templatesError}); you can still write the message.</p>`
      : nothing}
    <div class="columns">
      <div>
        ${f.steps.map((s, i) => renderMessage(f, kit, state, on, s, i))}
        <div class="actions">
          ${f.steps.length < 20
            ? html`<button type="button" class="quiet" @click=${on.addFollowUp}>
              Add a follow-up message</button>`
            : nothing}
        </div>
        <fieldset>
          <legend>A/B test</legend>
          <label class="choice"><input type="checkbox" id="ab-test" .checked=${f.abTest}
            @change=${(e: Event) =>
              on.replace(withAbTest(f, (e.target as HTMLInputElement).checked))}>
            Test two versions of each message</label>
          ${f.abTest
            ? html`
              <div class="split">
                ${kit.text("split-a", "Version A, % of leads", f.splitA, (v) =>
                  on.patch({ splitA: v }), { type: "number", min: 1, max: 99 })}
                ${kit.text("split-b", "Version B, % of leads", f.splitB, (v) =>
                  on.patch({ splitB: v }), { type: "number", min: 1, max: 99 })}
              </div>
              <p class="hint">The two shares add up to 100. A lead keeps its version for the
                whole campaign.</p>
            `
            : nothing}
        </fieldset>
      </div>
      ${renderPreview(state.preview, state.previewFor, f.abTest)}
    </div>
  `;
}

/** One message: its versions and, for a follow-up, the button that removes it. */
function renderMessage(
  form: CampaignForm,
  kit: FieldKit,
  state: MessageStepState,
  on: MessageStepHandlers,
  s: StepForm,
  i: number,
): TemplateResult {
  const title = i === 0 ? "First message" : `Follow-up ${i}`;
  return html`
    <fieldset id="message-${i}" @focusin=${(e: FocusEvent) =>
      on.focusVariant(
        i,
        Number(
          (e.target as HTMLElement).closest("[data-variant]")?.getAttribute("data-variant") ?? 0,
        ),
      )}>
      <legend>${title}</legend>
      ${s.variants.map((v, j) => renderVariant(form, kit, state, on, v, i, j))}
      ${i > 0
        ? html`<button type="button" class="quiet" @click=${() => on.removeStep(i)}>
          Remove ${title.toLowerCase()}</button>`
        : nothing}
    </fieldset>
  `;
}

/** One version of a message: where it starts from, its subject (email) and its text. */
function renderVariant(
  f: CampaignForm,
  kit: FieldKit,
  state: MessageStepState,
  on: MessageStepHandlers,
  v: VariantForm,
  i: number,
  j: number,
): TemplateResult {
  const saved = (state.templates ?? []).filter((t) => t.channel === f.channel);
  const version = f.abTest ? ` (version ${j === 0 ? "A" : "B"})` : "";
  const pick = (t: MessageTemplate | null) => {
    if (!t) return on.patchVariant(i, j, { templateId: "" });
    on.clearIssue(`body-${i}-${j}`);
    on.clearIssue(`subject-${i}-${j}`);
    on.patchVariant(i, j, { templateId: t.id, body: t.body, subject: t.subject ?? "" });
  };
  const group = `tpl-${i}-${j}`;
  return html`
    <div data-variant=${j}>
      ${f.abTest ? html`<h4>Version ${j === 0 ? "A" : "B"}</h4>` : nothing}
      <fieldset class="templates">
        <legend>Start from${version}</legend>
        ${state.templates === null
          ? html`<p class="muted" role="status">Loading saved templates...</p>`
          : nothing}
        <label class="choice"><input type="radio" name=${group} id="${group}-own"
          .checked=${v.templateId === ""} @change=${() => pick(null)}>Write my own</label>
        ${saved.map((t) =>
          html`<label class="choice"><input type="radio" name=${group} id="${group}-${t.id}"
            .checked=${v.templateId === t.id} @change=${() => pick(t)}>
            Saved template: ${t.name}</label>`
        )}
        ${state.templates !== null && saved.length === 0
          ? html`<p class="hint">No saved ${f.channel === "sms" ? "SMS" : "email"} templates
            yet.</p>`
          : nothing}
      </fieldset>
      ${f.channel === "email"
        ? kit.text(
          `subject-${i}-${j}`,
          `Subject${version}`,
          v.subject,
          (s) => on.patchVariant(i, j, { subject: s }),
          { describedBy: "variables" },
        )
        : nothing}
      ${kit.area(
        `body-${i}-${j}`,
        `Message${version}`,
        v.body,
        (b) => on.patchVariant(i, j, { body: b }),
        "variables",
      )}
    </div>
  `;
}

/** The message being edited as a sample contact would get it, or why it cannot be shown. */
function renderPreview(
  p: PreviewState,
  [i, j]: readonly [number, number],
  abTest: boolean,
): TemplateResult {
  const which = `${i === 0 ? "first message" : `follow-up ${i}`}${
    abTest ? `, version ${j === 0 ? "A" : "B"}` : ""
  }`;
  let body: TemplateResult;
  if (p.state === "empty") {
    body = html`<p class="muted">Write the message or pick a saved template to see it here.</p>`;
  } else if (p.state === "loading") {
    body = html`<p class="muted">Rendering...</p>`;
  } else if (p.state === "error") {
    body = html`<p class="error">Cannot preview: ${p.message}</p>`;
  } else {
    const c = p.preview.contact;
    const missing = [...p.preview.emptyVariables, ...p.preview.fallbackVariables];
    body = html`
      <p class="hint">As ${c.name ?? "a sample contact"}${c.company ? ` of ${c.company}` : ""}
        would get it.</p>
      ${p.preview.subject ? html`<p><strong>Subject:</strong> ${p.preview.subject}</p>` : nothing}
      <div class="bubble message-text" data-preview-body>${p.preview.body}</div>
      ${missing.length
        ? html`<p class="hint">A lead without a value for ${missing.join(", ")} gets a
          fallback word or nothing there.</p>`
        : nothing}
    `;
  }
  return html`
    <aside class="panel preview" aria-labelledby="preview-title">
      <h4 id="preview-title">Preview of the ${which}</h4>
      <div aria-live="polite">${body}</div>
    </aside>
  `;
}
