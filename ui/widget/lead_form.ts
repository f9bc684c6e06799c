/**
 * `<cove-lead-form site-key="..." endpoint="https://cove.example.com">`: the
 * capture form, in shadow DOM so the host page's styles and ours never mix.
 * It checks fields with the server's rules, fills nothing a bot would not
 * (honeypot) and holds a too-quick submit until the server's minimum fill
 * time has passed, then hands the lead to the page's {@link Courier}, which
 * keeps it until the gateway accepted it.
 *
 * @module
 */
import { html, LitElement, nothing, type PropertyValues } from "lit";
import type { Courier, DeliveryOutcome, PendingLead, WidgetLeadBody } from "./pending.ts";
import { BOT_CHECKS, type LeadFormField, type LeadFormInput, validateLeadForm } from "./rules.ts";
import { widgetStyles } from "./_styles.ts";

/** Fields a form can show; `fields="name,email,phone,company,message"` picks and orders them. */
export const FORM_FIELDS = ["name", "email", "phone", "company", "message"] as const;

const DEFAULT_FIELDS = "name,email,phone,message";

const LABELS: Record<(typeof FORM_FIELDS)[number], string> = {
  name: "Name",
  email: "Email",
  phone: "Phone",
  company: "Company",
  message: "How can we help?",
};

const AUTOCOMPLETE: Record<string, string> = {
  name: "name",
  email: "email",
  phone: "tel",
  company: "organization",
};

/** Where the form is. */
type FormState = "editing" | "sending" | "queued" | "done";

/** Gives the form the page's courier; set once by the widget's entry. */
export type CourierSource = () => Courier;

let courierOf: CourierSource | undefined;
const listeners = new Set<(lead: PendingLead, outcome: DeliveryOutcome) => void>();

/** Wires the page's courier into every form (the entry calls this before any form renders). */
export function useCourier(source: CourierSource): void {
  courierOf = source;
}

/** Tells every form on the page how a post ended (the courier's `onOutcome`). */
export function announceOutcome(lead: PendingLead, outcome: DeliveryOutcome): void {
  for (const l of listeners) l(lead, outcome);
}

/** The capture form element; see the module doc. */
export class CoveLeadForm extends LitElement {
  static override properties = {
    siteKey: { type: String, attribute: "site-key" },
    endpoint: { type: String },
    heading: { type: String },
    fields: { type: String },
    state: { state: true },
    errors: { state: true },
    notice: { state: true },
  };
  static override styles = widgetStyles;

  /** The tenant's public site key. */
  declare siteKey: string;
  /** Base URL of the gateway (default: where widget.js was loaded from). */
  declare endpoint: string;
  declare heading: string;
  declare fields: string;
  declare state: FormState;
  declare errors: Partial<Record<LeadFormField, string>>;
  /** What the live region says (announced to screen readers). */
  declare notice: string;

  #shownAt = performance.now();
  #key = crypto.randomUUID();
  readonly #onOutcome = (lead: PendingLead, outcome: DeliveryOutcome) => {
    if (lead.body.idempotencyKey !== this.#key) return;
    if (outcome.state === "accepted") this.#thank();
    else if (outcome.state === "refused") this.#refused(outcome.message);
  };

  constructor() {
    super();
    this.siteKey = "";
    this.endpoint = "";
    this.heading = "Get in touch";
    this.fields = DEFAULT_FIELDS;
    this.state = "editing";
    this.errors = {};
    this.notice = "";
  }

  override connectedCallback(): void {
    super.connectedCallback();
    listeners.add(this.#onOutcome);
    this.#shownAt = performance.now();
  }

  override disconnectedCallback(): void {
    listeners.delete(this.#onOutcome);
    super.disconnectedCallback();
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has("state") && this.state === "done") {
      this.renderRoot.querySelector<HTMLElement>(".thanks")?.focus();
    }
  }

  #fieldList(): (typeof FORM_FIELDS)[number][] {
    const wanted = this.fields.split(",").map((f) => f.trim());
    const list = FORM_FIELDS.filter((f) => wanted.includes(f));
    return list.length > 0 ? list : [...FORM_FIELDS];
  }

  override render() {
    if (this.state === "done") {
      return html`<div class="card thanks" tabindex="-1" role="status">
        <h2>Thank you!</h2><p>We got your details and will be in touch soon.</p>
        <button type="button" class="link" @click=${this.#again}>Send another</button></div>`;
    }
    const busy = this.state === "sending";
    return html`<form class="card" novalidate @submit=${this.#submit} aria-busy=${busy}>
      <h2>${this.heading}</h2>
      ${this.#fieldList().map((f) => this.#field(f))}
      <div class="trap" aria-hidden="true">
        <label for="f-trap">Leave this empty</label>
        <input id="f-trap" name=${BOT_CHECKS.honeypotField} tabindex="-1" autocomplete="off">
      </div>
      <p id="f-form-error" class="error" ?hidden=${!this.errors.form}>${this.errors.form ?? ""}</p>
      <button type="submit" ?disabled=${busy}>${busy ? "Sending..." : "Send"}</button>
      <p class="notice" role="status" aria-live="polite">${this.notice}</p>
    </form>`;
  }

  #field(name: (typeof FORM_FIELDS)[number]) {
    const error = this.errors[name];
    const id = `f-${name}`;
    const describedBy = [error ? `${id}-error` : "", this.errors.form ? "f-form-error" : ""]
      .filter(Boolean).join(" ");
    const common = {
      id,
      invalid: error ? "true" : "false",
      describedBy: describedBy || nothing,
    };
    return html`<div class="field">
      <label for=${id}>${LABELS[name]}</label>
      ${
      name === "message"
        ? html`
          <textarea id=${common.id} name=${name} rows="3" aria-invalid=${common.invalid}
            aria-describedby=${common.describedBy}></textarea>
        `
        : html`
          <input id=${common.id} name=${name} type=${name === "email"
            ? "email"
            : name === "phone"
            ? "tel"
            : "text"} autocomplete=${AUTOCOMPLETE[name]!}
            aria-invalid=${common.invalid}
            aria-describedby=${common.describedBy}>
        `
    }
      ${error ? html`<p id="${id}-error" class="error">${error}</p>` : nothing}
    </div>`;
  }

  #values(form: HTMLFormElement): LeadFormInput & { trap: string } {
    const data = new FormData(form);
    const get = (k: string) => {
      const v = data.get(k);
      return typeof v === "string" ? v : undefined;
    };
    return {
      name: get("name"),
      email: get("email"),
      phone: get("phone"),
      company: get("company"),
      message: get("message"),
      trap: get(BOT_CHECKS.honeypotField) ?? "",
    };
  }

  async #submit(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    if (this.state === "sending") return;
    const form = e.currentTarget as HTMLFormElement;
    const values = this.#values(form);
    const check = validateLeadForm(values);
    if (!check.ok) {
      this.errors = check.errors;
      const count = Object.keys(check.errors).length;
      this.notice = `${count === 1 ? "One field needs" : `${count} fields need`} attention: ` +
        Object.values(check.errors).join(" ");
      await this.updateComplete;
      const first = this.#fieldList().find((f) => check.errors[f]) ??
        (check.errors.form ? "email" : undefined);
      this.renderRoot.querySelector<HTMLElement>(`#f-${first}`)?.focus();
      return;
    }
    this.errors = {};
    this.state = "sending";
    this.notice = "Sending...";
    // A person this quick is still a person: wait out the server's bot threshold rather than
    // have the lead dropped as a bot.
    const early = BOT_CHECKS.minFillMs + 50 - (performance.now() - this.#shownAt);
    if (early > 0) await new Promise((r) => setTimeout(r, early));
    const body: WidgetLeadBody = {
      idempotencyKey: this.#key,
      ...check.fields,
      ...pageContext(),
      elapsedMs: Math.round(performance.now() - this.#shownAt),
      ...(values.trap ? { [BOT_CHECKS.honeypotField]: values.trap } : {}),
    };
    const endpoint = `${(this.endpoint || location.origin).replace(/\/+$/, "")}/v1/widget/leads`;
    if (!courierOf) throw new Error("cove-lead-form: widget entry not loaded");
    const outcome = await courierOf().submit({ endpoint, siteKey: this.siteKey, body });
    if (outcome.state === "retry") {
      this.state = "queued";
      this.notice = "You seem to be offline. Your details are saved on this device and will be " +
        "sent as soon as the connection is back.";
    }
  }

  #thank(): void {
    this.state = "done";
    this.notice = "";
  }

  #refused(message: string): void {
    this.state = "editing";
    this.errors = { form: `We could not send this: ${message}` };
    this.notice = this.errors.form!;
  }

  #again(): void {
    this.#key = crypto.randomUUID();
    this.#shownAt = performance.now();
    this.state = "editing";
  }
}

/** Where the lead was captured: the page, its referrer and its UTM parameters, within limits. */
function pageContext(): Partial<WidgetLeadBody> {
  const out: Partial<WidgetLeadBody> = {};
  const page = location.href;
  if (/^https?:/.test(page) && page.length <= 2000) out.pageUrl = page;
  if (document.referrer && document.referrer.length <= 2000) out.referrer = document.referrer;
  const params = new URLSearchParams(location.search);
  for (const k of ["source", "medium", "campaign", "term", "content"]) {
    const v = params.get(`utm_${k}`)?.trim();
    if (v) out[`utm_${k}`] = v.slice(0, 200);
  }
  return out;
}
