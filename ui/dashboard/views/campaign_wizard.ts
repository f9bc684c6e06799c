/**
 * `<cove-campaign-wizard>`: the campaign builder, one step at a time
 * (channel, message, timing, audience, launch) as one real form: Enter goes
 * on, focus moves to each step's heading, every input has its label. The
 * message step previews the text as a sample contact would get it; the
 * audience step counts the leads it matches. "Create and launch" sends the
 * definition with an idempotency key (a double click or a retry makes one
 * campaign), then launches it; whatever the gateway refuses is shown next to
 * the input it names, on the step that holds it.
 *
 * @module
 */
import { html, nothing, type TemplateResult } from "lit";
import { ApiError, type FieldIssue } from "../api.ts";
import { href } from "../router.ts";
import { baseStyles, tableStyles } from "../_styles.ts";
import type { LiveTick } from "../live.ts";
import { DashboardView } from "./_view.ts";
import { campaignStyles, wizardStyles } from "./_campaign_styles.ts";
import type { CampaignReply, MessageTemplate, TemplatePreview } from "./_campaign_shapes.ts";
import {
  type CampaignForm,
  initialForm,
  issuesByField,
  newStep,
  STEP_TITLES,
  type StepForm,
  toDefinition,
  type VariantForm,
  withChannel,
  WIZARD_STEPS,
  type WizardStep,
} from "./_campaign_form.ts";
import {
  type AudienceState,
  type ChannelHandlers,
  renderAudienceStep,
  renderChannelStep,
  renderLaunchStep,
  renderTimingStep,
} from "./_campaign_wizard_steps.ts";
import {
  type MessageStepHandlers,
  type PreviewState,
  renderMessageStep,
} from "./_campaign_message_step.ts";
import { type FieldKit, fieldKit } from "./_campaign_fields.ts";

/** How long typing pauses before the preview is asked for. */
const PREVIEW_DEBOUNCE_MS = 300;

/** A random idempotency key (also where `crypto.randomUUID` is missing: plain-HTTP origins). */
function newKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return "wizard-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** See the module doc. */
export class CoveCampaignWizard extends DashboardView {
  static override properties = {
    ...DashboardView.properties,
    form: { state: true },
    step: { state: true },
    templates: { state: true },
    templatesError: { state: true },
    issues: { state: true },
    previewIssues: { state: true },
    preview: { state: true },
    previewFor: { state: true },
    audience: { state: true },
    busy: { state: true },
    submitError: { state: true },
    suggested: { state: true },
  };
  static override styles = [
    baseStyles,
    tableStyles,
    campaignStyles,
    wizardStyles,
  ];

  declare form: CampaignForm;
  declare step: WizardStep;
  declare templates: MessageTemplate[] | null;
  declare templatesError: string;
  /** Problems by input id (see `issueTarget`), from the gateway or the step's own checks. */
  declare issues: Map<string, string[]>;
  /** Problems the preview found (unknown variables), by input id. */
  declare previewIssues: Map<string, string[]>;
  declare preview: PreviewState;
  /** The message the preview shows: step and version. */
  declare previewFor: readonly [number, number];
  declare audience: AudienceState;
  declare busy: boolean;
  declare submitError: string;
  /** Set when the gateway took the request as a suggestion (the `ai` role in suggest mode). */
  declare suggested: string;

  /** One key per campaign being made: a double click or a retry creates it once. */
  readonly #key = newKey();
  /** The campaign once created, so a retry after a failed launch edits it instead. */
  #createdId: string | null = null;
  #previewTimer: ReturnType<typeof setTimeout> | undefined;
  #previewSeq = 0;
  // What the step renderers call back: one object each, made once.
  readonly #channelHandlers: ChannelHandlers = {
    patch: (p) => this.#patch(p),
    setChannel: (c) => this.form = withChannel(this.form, c),
  };
  readonly #messageHandlers: MessageStepHandlers = {
    patch: (p) => this.#patch(p),
    replace: (form) => this.form = form,
    patchVariant: (i, j, p) => this.#patchVariant(i, j, p),
    clearIssue: (id) => this.#clearIssue(id),
    addFollowUp: () => void this.#addFollowUp(),
    removeStep: (i) => this.#removeStep(i),
    focusVariant: (i, j) => {
      if (this.previewFor[0] !== i || this.previewFor[1] !== j) this.#schedulePreview(i, j);
    },
  };

  constructor() {
    super();
    this.form = initialForm();
    this.step = "channel";
    this.templates = null;
    this.templatesError = "";
    this.issues = new Map();
    this.previewIssues = new Map();
    this.preview = { state: "empty" };
    this.previewFor = [0, 0];
    this.audience = { state: "idle" };
    this.busy = false;
    this.submitError = "";
    this.suggested = "";
  }

  protected override wants(tick: LiveTick): boolean {
    return tick.kinds.has("template_library");
  }

  protected override async load(): Promise<void> {
    try {
      const r = await this.api.get<{ items: MessageTemplate[] }>("/v1/templates");
      this.templates = r.items;
      this.templatesError = "";
    } catch (error) {
      this.templates ??= [];
      this.templatesError = (error as Error).message;
    }
  }

  override disconnectedCallback(): void {
    clearTimeout(this.#previewTimer);
    super.disconnectedCallback();
  }

  // ------------------------------------------------------------- form state

  #patch(p: Partial<CampaignForm>): void {
    this.form = { ...this.form, ...p };
  }

  #patchStep(i: number, p: Partial<StepForm>): void {
    this.#patch({ steps: this.form.steps.map((s, k) => k === i ? { ...s, ...p } : s) });
  }

  #patchVariant(i: number, j: number, p: Partial<VariantForm>): void {
    const s = this.form.steps[i]!;
    this.#patchStep(i, { variants: s.variants.map((v, k) => k === j ? { ...v, ...p } : v) });
    this.#schedulePreview(i, j);
  }

  #clearIssue(id: string): void {
    if (!this.issues.has(id) && !this.submitError) return;
    const next = new Map(this.issues);
    next.delete(id);
    this.issues = next;
    this.submitError = "";
  }

  /** Input helpers bound to this wizard's issues. */
  get #kit(): FieldKit {
    return fieldKit(
      (id) => [...new Set([...this.issues.get(id) ?? [], ...this.previewIssues.get(id) ?? []])],
      (id) => this.#clearIssue(id),
    );
  }

  // ------------------------------------------------------------- navigation

  async #go(step: WizardStep, focusField = ""): Promise<void> {
    this.step = step;
    await this.updateComplete;
    const target = focusField && this.renderRoot.querySelector<HTMLElement>(`#${focusField}`);
    (target || this.renderRoot.querySelector<HTMLElement>("#step-title"))?.focus();
    if (step === "message") this.#schedulePreview(...this.previewFor);
  }

  /** The step's own checks: what is missing before the next step makes sense. */
  #check(step: WizardStep): Map<string, string[]> {
    const found = new Map<string, string[]>();
    if (step === "channel" && !this.form.name.trim()) {
      found.set("name", ["Give the campaign a name."]);
    }
    if (step === "message") {
      this.form.steps.forEach((s, i) =>
        s.variants.forEach((v, j) => {
          if (this.form.channel === "email" && !v.subject.trim()) {
            found.set(`subject-${i}-${j}`, ["An email needs a subject."]);
          }
          if (!v.body.trim()) {
            found.set(`body-${i}-${j}`, ["Write the message, or start from a saved template."]);
          }
        })
      );
    }
    return found;
  }

  #onSubmit(e: SubmitEvent): void {
    e.preventDefault();
    if (this.step === "launch") {
      void this.#save(true);
      return;
    }
    const found = this.#check(this.step);
    if (found.size > 0) {
      this.issues = new Map([...this.issues, ...found]);
      void this.#go(this.step, [...found.keys()][0]);
      return;
    }
    void this.#go(WIZARD_STEPS[WIZARD_STEPS.indexOf(this.step) + 1]!);
  }

  #back(): void {
    void this.#go(WIZARD_STEPS[Math.max(0, WIZARD_STEPS.indexOf(this.step) - 1)]!);
  }

  // ------------------------------------------------------------- gateway calls

  #schedulePreview(i: number, j: number): void {
    this.previewFor = [i, j];
    clearTimeout(this.#previewTimer);
    this.#previewTimer = setTimeout(() => void this.#runPreview(i, j), PREVIEW_DEBOUNCE_MS);
  }

  async #runPreview(i: number, j: number): Promise<void> {
    const v = this.form.steps[i]?.variants[j];
    if (!v || !v.body.trim()) {
      this.preview = { state: "empty" };
      return;
    }
    const seq = ++this.#previewSeq;
    const email = this.form.channel === "email";
    this.preview = { state: "loading" };
    try {
      const preview = await this.api.send<TemplatePreview>("POST", "/v1/templates/preview", {
        template: {
          name: "Preview",
          channel: this.form.channel,
          // An email cannot be previewed without a subject; the missing one is said elsewhere.
          ...(email ? { subject: v.subject.trim() || "(no subject yet)" } : {}),
          body: v.body,
        },
      });
      if (seq !== this.#previewSeq) return;
      this.preview = { state: "ready", preview };
      this.previewIssues = new Map();
    } catch (error) {
      if (seq !== this.#previewSeq) return;
      const issues = error instanceof ApiError ? error.issues : [];
      const byField = new Map<string, string[]>();
      for (const issue of issues) {
        const field = issue.path.endsWith("subject") ? "subject" : "body";
        const id = `${field}-${i}-${j}`;
        byField.set(id, [...byField.get(id) ?? [], issue.message]);
      }
      this.previewIssues = byField;
      this.preview = {
        state: "error",
        message: issues.length ? issues.map((x) => x.message).join("; ") : (error as Error).message,
      };
    }
  }

  async #previewAudience(): Promise<void> {
    this.audience = { state: "busy" };
    try {
      const { audience } = toDefinition(this.form);
      const r = await this.api.send<{ count: number; sample: { name: string }[] }>(
        "POST",
        "/v1/campaigns/preview-audience",
        { audience, sample: 5 },
      );
      this.audience = { state: "ready", count: r.count, names: r.sample.map((l) => l.name) };
    } catch (error) {
      this.#showIssues(error, "audience");
      this.audience = { state: "error", message: (error as Error).message };
    }
  }

  /** Shows what the gateway named next to each input; answers the first step holding one. */
  #showIssues(error: unknown, fallback: WizardStep): WizardStep | null {
    const issues: readonly FieldIssue[] = error instanceof ApiError ? error.issues : [];
    if (issues.length === 0) return null;
    const { byField, firstStep } = issuesByField(issues);
    this.issues = byField;
    return firstStep ?? fallback;
  }

  async #save(launch: boolean): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.submitError = "";
    try {
      const definition = toDefinition(this.form);
      let id = this.#createdId;
      if (id === null) {
        const r = await this.api.send<CampaignReply>("POST", "/v1/campaigns", definition, {
          idempotencyKey: this.#key,
        });
        if (!r.campaign) {
          this.suggested = "The new campaign was sent to an admin for approval.";
          return;
        }
        id = this.#createdId = r.campaign.id;
      } else {
        await this.api.send("PUT", `/v1/campaigns/${encodeURIComponent(id)}`, definition);
      }
      if (launch) {
        const r = await this.api.send<CampaignReply>(
          "POST",
          `/v1/campaigns/${encodeURIComponent(id)}/launch`,
          undefined,
          { idempotencyKey: `${this.#key}-launch` },
        );
        if (!r.campaign) {
          this.suggested = "The campaign is saved; its launch was sent to an admin for approval.";
          return;
        }
      }
      location.hash = href("campaign", { id });
    } catch (error) {
      const step = this.#showIssues(error, "launch");
      if (step) {
        const first = [...this.issues.keys()].find((k) => !k.startsWith("step:")) ?? "";
        await this.#go(step, first);
      } else {
        this.submitError = (error as Error).message;
      }
    } finally {
      this.busy = false;
    }
  }

  // ------------------------------------------------------------- rendering

  override render() {
    const index = WIZARD_STEPS.indexOf(this.step);
    const stepIssues = this.issues.get(`step:${this.step}`);
    return html`
      <h2>New campaign</h2>
      <ol class="progress" aria-label="Steps">
        ${WIZARD_STEPS.map((s, k) =>
          html`<li aria-current=${s === this.step ? "step" : nothing} ?data-done=${k < index}>
            <span class="num" aria-hidden="true">${k < index ? "✓" : k + 1}</span>
            ${STEP_TITLES[s]}${
            k < index ? html`<span class="visually-hidden">(done)</span>` : nothing
          }
          </li>`
        )}
      </ol>
      <form class="panel" novalidate @submit=${this.#onSubmit} aria-labelledby="step-title">
        <h3 id="step-title" tabindex="-1">Step ${index + 1} of ${WIZARD_STEPS
          .length}: ${STEP_TITLES[this.step]}</h3>
        ${stepIssues ? html`<p class="error" role="alert">${stepIssues.join("; ")}</p>` : nothing}
        ${this.#renderStep()}
        ${this.submitError
          ? html`<p class="error" role="alert">Not saved: ${this.submitError}</p>`
          : nothing}
        ${this.suggested ? html`<p role="status">${this.suggested}</p>` : nothing}
        <div class="actions">
          ${index > 0
            ? html`<button type="button" class="quiet" @click=${this.#back}>Back</button>`
            : nothing}
          ${this.step === "launch"
            ? html`
              <button type="submit" ?disabled=${this.busy}>${this.busy
                ? "Working..."
                : "Create and launch"}</button>
              <button type="button" class="quiet" ?disabled=${this.busy}
                @click=${() => void this.#save(false)}>Save as draft</button>
            `
            : html`<button type="submit">Next</button>`}
        </div>
      </form>
    `;
  }

  #renderStep(): TemplateResult {
    const kit = this.#kit;
    switch (this.step) {
      case "channel":
        return renderChannelStep(this.form, kit, this.#channelHandlers);
      case "message":
        return renderMessageStep(this.form, kit, {
          templates: this.templates,
          templatesError: this.templatesError,
          preview: this.preview,
          previewFor: this.previewFor,
        }, this.#messageHandlers);
      case "timing":
        return renderTimingStep(this.form, kit, {
          patch: (p) => this.#patch(p),
          patchStep: (i, p) => this.#patchStep(i, p),
        });
      case "audience":
        return renderAudienceStep(this.form, kit, this.audience, {
          patch: (p) => {
            this.#patch(p);
            this.audience = { state: "idle" };
          },
          preview: () => void this.#previewAudience(),
        });
      case "launch":
        return renderLaunchStep(this.form, this.audience);
    }
  }

  async #addFollowUp(): Promise<void> {
    const i = this.form.steps.length;
    this.#patch({
      steps: [...this.form.steps, newStep(false, this.form.abTest ? 2 : 1)],
    });
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(`#message-${i} legend`)?.scrollIntoView();
    this.renderRoot.querySelector<HTMLElement>(`#body-${i}-0`)?.focus();
  }

  #removeStep(i: number): void {
    this.#patch({ steps: this.form.steps.filter((_, k) => k !== i) });
    this.issues = new Map();
    void this.updateComplete.then(() =>
      this.renderRoot.querySelector<HTMLElement>("#step-title")?.focus()
    );
  }
}
