/**
 * `<cove-lead-form site-key="..." endpoint="https://cove.example.com">`: the
 * capture form, in shadow DOM so the host page's styles and ours never mix.
 * It shows the fields, labels and thank-you message its site key's settings
 * name (read once per page; the `fields` attribute or the defaults when the
 * key has none or they cannot be read) and, when the tenant offers them, free meeting times. It
 * checks fields with the server's rules, fills nothing a bot would not
 * (honeypot) and holds a too-quick submit until the server's minimum fill
 * time has passed, then hands the lead (with the chosen time, which the
 * gateway books in the same request) to the page's {@link Courier}, which
 * keeps it until the gateway accepted it. When the time was taken meanwhile,
 * the thank-you offers the times free now and books the one picked.
 *
 * @module
 */
import { html, LitElement, nothing, type PropertyValues } from "lit";
import {
  DEFAULT_FIELDS,
  fetchConfig,
  type FormField,
  getJson,
  readConfig,
  type WidgetConfig,
} from "./config.ts";
import type { Courier, DeliveryOutcome, PendingLead, WidgetLeadBody } from "./pending.ts";
import { BOT_CHECKS, type LeadFormField, type LeadFormInput, validateLeadForm } from "./rules.ts";
import {
  type BookingResult,
  bookingSentence,
  groupSlotsByDay,
  readSlots,
  SLOT_DAYS,
  type SlotDay,
  visitorTimeZone,
} from "./slots.ts";
import { widgetStyles } from "./_styles.ts";

const AUTOCOMPLETE: Record<string, string> = {
  name: "name",
  email: "email",
  phone: "tel",
  company: "organization",
};

/** The picker's free times: loading, listed by day, or could not be read. */
type SlotsState = { state: "loading" } | { state: "ok"; days: SlotDay[] } | { state: "error" };

/**
 * Where the form is: waiting for its settings, then editing, sending, queued or
 * done; "rebooking" while a thank-you's newly picked time is on its way.
 */
type FormState = "loading" | "editing" | "sending" | "queued" | "done" | "rebooking";

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
    slots: { state: true },
    booking: { state: true },
    rebookError: { state: true },
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
  declare slots: SlotsState;
  /** What became of the meeting time asked for with the last submit. */
  declare booking: BookingResult | undefined;
  /** Why a time picked after a taken one could not be booked (shown in the thank-you). */
  declare rebookError: string;
  #config: WidgetConfig = readConfig(null);
  readonly #zone = visitorTimeZone();

  #shownAt = performance.now();
  #key = crypto.randomUUID();
  /** The last submit's body: a time picked after a taken one is sent with the same contact. */
  #sent: WidgetLeadBody | undefined;
  readonly #onOutcome = (lead: PendingLead, outcome: DeliveryOutcome) => {
    if (lead.body.idempotencyKey !== this.#key) return;
    if (outcome.state === "accepted") this.#thank(outcome.booking);
    else if (outcome.state === "refused") this.#refused(outcome.message);
  };

  constructor() {
    super();
    this.siteKey = "";
    this.endpoint = "";
    this.heading = "Get in touch";
    this.fields = DEFAULT_FIELDS;
    this.state = "loading";
    this.errors = {};
    this.notice = "";
    this.slots = { state: "loading" };
    this.booking = undefined;
    this.rebookError = "";
  }

  override connectedCallback(): void {
    super.connectedCallback();
    listeners.add(this.#onOutcome);
    if (this.state === "loading") void this.#load();
  }

  /** The gateway's origin, without a trailing slash. */
  #base(): string {
    return (this.endpoint || location.origin).replace(/\/+$/, "");
  }

  async #load(): Promise<void> {
    const raw = await fetchConfig(this.#base(), this.siteKey);
    this.#config = readConfig(raw, this.fields);
    if (this.#config.booking) void this.#loadSlots();
    this.state = "editing";
    // The bot threshold counts from when a person could start typing.
    this.#shownAt = performance.now();
  }

  async #loadSlots(): Promise<void> {
    this.slots = { state: "loading" };
    const raw = await getJson(
      `${this.#base()}/v1/widget/slots?site_key=${encodeURIComponent(this.siteKey)}` +
        `&days=${SLOT_DAYS}`,
    );
    this.slots = raw === null
      ? { state: "error" }
      : { state: "ok", days: groupSlotsByDay(readSlots(raw), this.#zone) };
  }

  override disconnectedCallback(): void {
    listeners.delete(this.#onOutcome);
    super.disconnectedCallback();
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has("state") && this.state === "done" && changed.get("state") !== "done") {
      this.renderRoot.querySelector<HTMLElement>(".thanks")?.focus();
    }
  }

  override render() {
    const config = this.#config;
    if (this.state === "loading") {
      return html`
        <div class="card" aria-busy="true">
          <h2>${this.heading}</h2>
          <p>Loading the form...</p>
        </div>
      `;
    }
    if (this.state === "done" || this.state === "rebooking") {
      const s = this.slots;
      const taken = this.booking?.status === "unavailable" && this.#config.booking;
      const offer = taken && s.state === "ok" && s.days.length > 0 ? s.days : null;
      const meeting = taken && s.state === "loading"
        ? "The time you picked is no longer free. Looking for other free times..."
        : bookingSentence(this.booking, this.#zone, undefined, offer !== null);
      return html`<div class="card thanks" tabindex="-1">
        <div role="status"><h2>Thank you!</h2><p>${config.thankYou}</p>
        ${meeting ? html`<p class="meeting">${meeting}</p>` : nothing}</div>
        ${offer ? this.#rebookForm(offer) : nothing}
        <button type="button" class="link" @click=${this.#again}>Send another</button></div>`;
    }
    const busy = this.state === "sending";
    return html`<form class="card" novalidate @submit=${this.#submit} aria-busy=${busy}>
      <h2>${this.heading}</h2>
      ${config.fields.map((f) => this.#field(f))}
      ${config.booking ? this.#picker() : nothing}
      <div class="trap" aria-hidden="true">
        <label for="f-trap">Leave this empty</label>
        <input id="f-trap" name=${BOT_CHECKS.honeypotField} tabindex="-1" autocomplete="off">
      </div>
      <p id="f-form-error" class="error" ?hidden=${!this.errors.form}>${this.errors.form ?? ""}</p>
      <button type="submit" ?disabled=${busy}>${busy ? "Sending..." : "Send"}</button>
      <p class="notice" role="status" aria-live="polite">${this.notice}</p>
    </form>`;
  }

  /**
   * Free times as one radio group (arrow keys move through every time, across
   * days), each radio named by its day and time; "no call" is the default, so
   * booking stays a choice.
   */
  #picker() {
    const s = this.slots;
    const body = s.state === "loading"
      ? html`<p>Loading free times...</p>`
      : s.state === "error"
      ? html`<p>Free times could not be loaded. Send your details and we will get back to you.</p>`
      : s.days.length === 0
      ? html`<p>No free times in the next ${SLOT_DAYS} days. Send your details and we will get
        back to you.</p>`
      : html`
        <label class="choice"><input type="radio" name="slot" value="" checked>
                  No call for now</label>
        ${this.#times(s.days)}
      `;
    return this.#slotSet("Book a call (optional)", body);
  }

  #slotSet(legend: string, body: unknown) {
    return html`<fieldset class="slots" aria-describedby="f-zone">
      <legend>${legend}</legend>
      <p id="f-zone" class="hint">Times are in your time zone, ${this.#zone}.</p>
      ${body}
    </fieldset>`;
  }

  /** The times of `days`, each day a group named by its heading. */
  #times(days: SlotDay[]) {
    return html`<div class="days">${
      days.map((day) =>
        html`
          <div role="group" aria-labelledby="d-${day.date}">
            <h3 id="d-${day.date}">${day.label}</h3>
            <div class="times">${day.slots.map((slot) =>
              html`<label class="choice time"><input type="radio" name="slot"
              value=${`${slot.start}/${slot.end}`} aria-label=${slot.full}>${slot.time}</label>`
            )}</div>
          </div>
        `
      )
    }</div>`;
  }

  /** The next free times after a taken one, and the button that books the one picked. */
  #rebookForm(days: SlotDay[]) {
    const busy = this.state === "rebooking";
    const error = this.rebookError;
    return html`<form novalidate @submit=${this.#rebook} aria-busy=${busy}>
      ${this.#slotSet("Pick another time", this.#times(days))}
      <p class="error" role="alert">${error}</p>
      <button type="submit" ?disabled=${busy}>${busy ? "Booking..." : "Book this time"}</button>
    </form>`;
  }

  #field(name: FormField) {
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
      <label for=${id}>${this.#config.labels[name]}</label>
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

  #values(form: HTMLFormElement): LeadFormInput & { trap: string; slot: string } {
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
      slot: get("slot") ?? "",
    };
  }

  async #submit(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    if (this.state === "sending") return;
    const form = e.currentTarget as HTMLFormElement;
    const values = this.#values(form);
    const check = validateLeadForm(values);
    if (!check.ok) {
      const reach = this.#config.fields.filter((f) => f === "email" || f === "phone");
      // A form showing only one way to reach a person asks for that one.
      if (check.errors.form && reach.length === 1) {
        check.errors.form = `Give ${reach[0] === "email" ? "an email" : "a phone number"} so we ` +
          "can reach you.";
      }
      this.errors = check.errors;
      const count = Object.keys(check.errors).length;
      this.notice = `${count === 1 ? "One field needs" : `${count} fields need`} attention: ` +
        Object.values(check.errors).join(" ");
      await this.updateComplete;
      const fields = this.#config.fields;
      const first = fields.find((f) => check.errors[f]) ??
        (check.errors.form ? fields.find((f) => f === "email" || f === "phone") : undefined);
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
    const [start, end] = values.slot.split("/");
    const body: WidgetLeadBody = {
      idempotencyKey: this.#key,
      ...check.fields,
      ...pageContext(),
      elapsedMs: Math.round(performance.now() - this.#shownAt),
      ...(values.trap ? { [BOT_CHECKS.honeypotField]: values.trap } : {}),
      ...(start && end ? { slot: { start, end }, timeZone: this.#zone } : {}),
    };
    if ((await this.#deliver(body)) === "retry") {
      this.state = "queued";
      this.notice = "You seem to be offline. Your details are saved on this device and will be " +
        "sent as soon as the connection is back.";
    }
  }

  /** Hands `body` to the courier (stored until the gateway answers); the first post's state. */
  async #deliver(body: WidgetLeadBody): Promise<DeliveryOutcome["state"]> {
    this.#sent = body;
    const endpoint = `${this.#base()}/v1/widget/leads`;
    if (!courierOf) throw new Error("cove-lead-form: widget entry not loaded");
    return (await courierOf().submit({ endpoint, siteKey: this.siteKey, body })).state;
  }

  /**
   * Books a time picked after a taken one: the same contact again under a new
   * idempotency key (the capture finds the same lead by email or phone, then
   * books the time), through the courier like any submit, so a retry reuses
   * the key and books nothing twice.
   */
  async #rebook(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    if (this.state === "rebooking" || !this.#sent) return;
    const form = e.currentTarget as HTMLFormElement;
    const [start, end] = String(new FormData(form).get("slot") ?? "").split("/");
    if (!start || !end) {
      this.rebookError = "Pick a time first.";
      form.querySelector<HTMLElement>("input[name=slot]")?.focus();
      return;
    }
    this.rebookError = "";
    this.state = "rebooking";
    this.#key = crypto.randomUUID();
    const body: WidgetLeadBody = {
      ...this.#sent,
      idempotencyKey: this.#key,
      elapsedMs: Math.round(performance.now() - this.#shownAt),
      slot: { start, end },
      timeZone: this.#zone,
    };
    if ((await this.#deliver(body)) === "retry") {
      this.rebookError = "You seem to be offline. Your choice is saved on this device and will " +
        "be sent as soon as the connection is back.";
    }
  }

  #thank(booking: BookingResult | undefined): void {
    this.booking = booking;
    this.rebookError = "";
    this.state = "done";
    this.notice = "";
    // Taken meanwhile: offer the times that are free now.
    if (booking?.status === "unavailable" && this.#config.booking) void this.#loadSlots();
  }

  #refused(message: string): void {
    if (this.state === "rebooking") {
      this.state = "done";
      this.rebookError = `We could not book this: ${message}`;
      return;
    }
    this.state = "editing";
    this.errors = { form: `We could not send this: ${message}` };
    this.notice = this.errors.form!;
  }

  #again(): void {
    this.#key = crypto.randomUUID();
    this.#shownAt = performance.now();
    this.booking = undefined;
    this.state = "editing";
    // The time just booked (or taken by someone else) is no longer free.
    if (this.#config.booking) void this.#loadSlots();
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
