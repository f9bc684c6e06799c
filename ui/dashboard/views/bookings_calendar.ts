/**
 * `<cove-bookings-calendar>`: a week of meetings, Monday to Sunday in the
 * viewer's time zone (named on the page), one section per day with its
 * bookings in time order: seven columns on a wide screen, a day list on a
 * phone, headings per day for screen readers either way. Each booking
 * names its lead (a link), the team member and its status in words, and
 * can be cancelled or moved to a free slot the member's calendar offers;
 * "Book a meeting" books a lead into one. Re-read on live `calendar`
 * events (every booking change is one) and `team` events.
 *
 * @module
 */
import { css, html, nothing } from "lit";
import { ApiError } from "../api.ts";
import { href } from "../router.ts";
import { baseStyles } from "../_styles.ts";
import { DashboardView, type LiveTick } from "./_view.ts";
import {
  addDays,
  byDay,
  dateIn,
  dayLabel,
  mondayOf,
  slotLabel,
  timeSpan,
  type Week,
  weekLabel,
  weekStarting,
} from "./_calendar_week.ts";
import { type Member, splitIssues } from "./_tasks_model.ts";
import { boardStyles } from "./_tasks_styles.ts";

/** A booking as `GET /v1/bookings` lists it (instants are UTC ISO strings). */
export interface MemberBooking {
  id: string;
  start: string;
  end: string;
  leadId: string;
  attendee: { name: string; email?: string; phone?: string; timeZone?: string };
  status: "confirmed" | "cancelled";
  createdAt: string;
  cancelReason?: string;
  memberId: string;
}

interface Slot {
  start: string;
  end: string;
}

/** Free slots as read from `/v1/availability`, or why there are none. */
type Slots =
  | { state: "idle" }
  | { state: "loading" }
  | { state: "ok"; slots: Slot[] }
  | { state: "no_hours" }
  | { state: "error"; message: string };

interface LeadChoice {
  lead_id: string;
  name: string | null;
  email: string | null;
}

/** An open action on one booking. */
interface Panel {
  bookingId: string;
  kind: "cancel" | "reschedule";
  /** Sent as the reschedule's idempotency key: a retried click moves it once. */
  key: string;
}

/** How far ahead free slots are offered. */
const SLOT_DAYS = 14;
const BOOK_FIELDS = [
  "memberId",
  "start",
  "durationMinutes",
  "leadId",
  "attendee.name",
  "attendee.email",
] as const;

/** The gateway's refusals of a slot (409) belong next to the time picked. */
const SLOT_CONFLICTS = new Set([
  "slot_taken",
  "in_the_past",
  "too_soon",
  "beyond_horizon",
  "outside_working_hours",
  "misaligned",
  "no_working_hours",
]);

const viewerZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** Field messages of a failed call: the fields it names, slot refusals on `start`, the rest. */
function failure(error: unknown, fields: readonly string[]) {
  if (!(error instanceof ApiError)) {
    return { byField: {} as Record<string, string>, rest: [(error as Error).message] };
  }
  if (SLOT_CONFLICTS.has(error.code)) {
    return { byField: { start: error.message } as Record<string, string>, rest: [] };
  }
  const split = splitIssues(error.issues, fields);
  return error.issues.length === 0 ? { byField: split.byField, rest: [error.message] } : split;
}

/** See the module doc. */
export class CoveBookingsCalendar extends DashboardView {
  static override properties = {
    ...DashboardView.properties,
    monday: { state: true },
    memberFilter: { state: true },
    phase: { state: true },
    loadError: { state: true },
    bookings: { state: true },
    members: { state: true },
    leads: { state: true },
    panel: { state: true },
    panelSlots: { state: true },
    panelError: { state: true },
    panelBusy: { state: true },
    booking: { state: true },
    bookSlots: { state: true },
    bookIssues: { state: true },
    bookError: { state: true },
    announcement: { state: true },
  };
  static override styles = [
    baseStyles,
    boardStyles,
    css`
      .week {
        display: grid;
        gap: 0.75rem;
        grid-template-columns: minmax(0, 1fr);
      }
      @media (min-width: 64rem) {
        .week {
          grid-template-columns: repeat(7, minmax(0, 1fr));
        }
      }
      .day {
        background: #f3f3f6;
        border-radius: 0.5rem;
        padding: 0.625rem;
        display: grid;
        gap: 0.5rem;
        align-content: start;
      }
      .day[aria-current="date"] {
        outline: 2px solid #0b57d0;
      }
      .day h4 {
        margin: 0;
        font-size: 1rem;
      }
      .nav {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
      }
      .day .card {
        padding: 0.5rem;
      }
      .card .actions button {
        flex: 1 1 auto;
        padding: 0.5rem 0.375rem;
        /* Whole words: a narrow day column must not break "Reschedule" mid-word. */
        overflow-wrap: normal;
      }
      .panel-inline {
        display: grid;
        gap: 0.5rem;
        border-top: 1px solid #c4c6cc;
        padding-top: 0.5rem;
      }
      .panel-inline select,
      .panel-inline input {
        width: 100%;
      }
    `,
  ];

  /** The shown week's Monday (`YYYY-MM-DD` in the viewer's zone). */
  declare monday: string;
  declare memberFilter: string;
  declare phase: "pending" | "ready" | "error";
  declare loadError: string;
  declare bookings: MemberBooking[];
  declare members: Member[];
  declare leads: LeadChoice[];
  declare panel: Panel | null;
  declare panelSlots: Slots;
  declare panelError: string;
  declare panelBusy: boolean;
  /** The "Book a meeting" form: closed, open, or sending. */
  declare booking: "closed" | "open" | "submitting";
  declare bookSlots: Slots;
  declare bookIssues: Record<string, string>;
  declare bookError: string;
  declare announcement: string;
  readonly #zone = viewerZone();
  #bookKey = crypto.randomUUID();
  #leadsRead = false;
  /** Whether the team may have changed since it was read (first load, a `team` tick). */
  #teamStale = true;

  constructor() {
    super();
    this.monday = mondayOf(dateIn(Date.now(), this.#zone));
    this.memberFilter = "";
    this.phase = "pending";
    this.loadError = "";
    this.bookings = [];
    this.members = [];
    this.leads = [];
    this.panel = null;
    this.panelSlots = { state: "idle" };
    this.panelError = "";
    this.panelBusy = false;
    this.booking = "closed";
    this.bookSlots = { state: "idle" };
    this.bookIssues = {};
    this.bookError = "";
    this.announcement = "";
  }

  protected override wants(tick: LiveTick): boolean {
    if (tick.kinds.has("team")) this.#teamStale = true;
    return tick.kinds.has("calendar") || tick.kinds.has("team");
  }

  get #week(): Week {
    return weekStarting(this.monday, this.#zone);
  }

  protected override async load(): Promise<void> {
    const { monday, memberFilter } = this;
    const week = this.#week;
    const q = new URLSearchParams({
      from: new Date(week.from).toISOString(),
      to: new Date(week.to).toISOString(),
    });
    if (memberFilter) q.set("member", memberFilter);
    // The team only when it may have changed: a live tick then costs one request.
    const readTeam = this.#teamStale;
    this.#teamStale = false;
    const [team, list] = await Promise.allSettled([
      readTeam ? this.api.get<{ members: Member[] }>("/v1/team") : null,
      this.api.get<{ items: MemberBooking[] }>(`/v1/bookings?${q}`),
    ]);
    // Another week or member was asked for meanwhile; its load follows this one.
    if (monday !== this.monday || memberFilter !== this.memberFilter) return;
    if (team.status === "rejected") this.#teamStale = true;
    else if (team.value) this.members = team.value.members;
    if (list.status === "fulfilled") {
      this.bookings = list.value.items;
      this.loadError = team.status === "rejected"
        ? `The team could not be read: ${(team.reason as Error).message}`
        : "";
      this.phase = "ready";
    } else {
      this.loadError = (list.reason as Error).message;
      if (this.phase !== "ready") this.phase = "error";
    }
  }

  #showWeek(monday: string): void {
    this.monday = monday;
    this.panel = null;
    this.phase = "pending";
    void this.reload();
  }

  #filterMember(memberId: string): void {
    this.memberFilter = memberId;
    this.panel = null;
    this.phase = "pending";
    void this.reload();
  }

  #memberName(id: string): string {
    return this.members.find((m) => m.id === id)?.name ?? id;
  }

  /** Free slots of `memberId` for a meeting of `minutes`, from the shown week (or now) on. */
  async #slots(memberId: string, minutes: number): Promise<Slots> {
    const from = Math.max(Date.now(), this.#week.from);
    const q = new URLSearchParams({
      member: memberId,
      from: new Date(from).toISOString(),
      to: new Date(from + SLOT_DAYS * 86_400_000).toISOString(),
      durationMinutes: String(minutes),
    });
    try {
      const a = await this.api.get<{ status: "ok"; slots: Slot[] } | { status: "no_hours" }>(
        `/v1/availability?${q}`,
      );
      return a.status === "ok" ? { state: "ok", slots: a.slots } : { state: "no_hours" };
    } catch (error) {
      return { state: "error", message: (error as Error).message };
    }
  }

  async #openPanel(b: MemberBooking, kind: Panel["kind"]): Promise<void> {
    if (this.panel?.bookingId === b.id && this.panel.kind === kind) {
      this.panel = null;
      return;
    }
    this.panel = { bookingId: b.id, kind, key: crypto.randomUUID() };
    this.panelError = "";
    if (kind === "cancel") return;
    this.panelSlots = { state: "loading" };
    const minutes = Math.round((Date.parse(b.end) - Date.parse(b.start)) / 60_000);
    const slots = await this.#slots(b.memberId, minutes);
    if (this.panel?.bookingId === b.id) this.panelSlots = slots;
  }

  /** Closes a booking's action, the keyboard back on its card (the panel's buttons are gone). */
  async #closePanel(b: MemberBooking): Promise<void> {
    this.panel = null;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(`#booking-${CSS.escape(b.id)}`)?.focus();
  }

  /** Replaces the booking as the gateway answered it and keeps the keyboard on its card. */
  async #replace(b: MemberBooking, message: string): Promise<void> {
    this.bookings = [...this.bookings.filter((x) => x.id !== b.id), b]
      .sort((x, y) => Date.parse(x.start) - Date.parse(y.start));
    this.panel = null;
    this.announcement = message;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(`#booking-${CSS.escape(b.id)}`)?.focus();
  }

  async #cancel(b: MemberBooking, e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const reason = String(new FormData(e.currentTarget as HTMLFormElement).get("reason") ?? "")
      .trim();
    this.panelBusy = true;
    try {
      const reply = await this.api.send<{ booking: MemberBooking }>(
        "POST",
        `/v1/bookings/${encodeURIComponent(b.id)}/cancel`,
        { memberId: b.memberId, ...(reason ? { reason } : {}) },
      );
      await this.#replace(reply.booking, `Cancelled the meeting with ${b.attendee.name}.`);
    } catch (error) {
      this.panelError = (error as Error).message;
    } finally {
      this.panelBusy = false;
    }
  }

  async #reschedule(b: MemberBooking, e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const start = String(new FormData(e.currentTarget as HTMLFormElement).get("start") ?? "");
    if (!start) {
      this.panelError = "Choose a new time.";
      return;
    }
    this.panelBusy = true;
    try {
      const reply = await this.api.send<{ booking: MemberBooking }>(
        "POST",
        `/v1/bookings/${encodeURIComponent(b.id)}/reschedule`,
        { memberId: b.memberId, start, idempotencyKey: this.panel?.key ?? crypto.randomUUID() },
      );
      await this.#replace(
        reply.booking,
        `Moved the meeting with ${b.attendee.name} to ${slotLabel(start, this.#zone)}.`,
      );
    } catch (error) {
      this.panelError = (error as Error).message;
    } finally {
      this.panelBusy = false;
    }
  }

  async #toggleBooking(): Promise<void> {
    this.booking = this.booking === "closed" ? "open" : "closed";
    if (this.booking === "closed") return;
    void this.updateComplete.then(() =>
      this.renderRoot.querySelector<HTMLElement>("#book-member")?.focus()
    );
    if (this.#leadsRead) return;
    this.#leadsRead = true;
    try {
      const page = await this.api.get<{ items: LeadChoice[] }>("/v1/leads?limit=200");
      this.leads = page.items;
    } catch {
      // Without suggestions the lead field still takes a lead's id.
      this.#leadsRead = false;
    }
  }

  async #findTimes(): Promise<void> {
    const form = this.renderRoot.querySelector<HTMLFormElement>("#book-form");
    if (!form) return;
    const data = new FormData(form);
    const memberId = String(data.get("memberId") ?? "");
    if (!memberId) {
      this.bookIssues = { memberId: "Choose a team member." };
      return;
    }
    this.bookIssues = {};
    this.bookSlots = { state: "loading" };
    this.bookSlots = await this.#slots(memberId, Number(data.get("durationMinutes")));
  }

  #leadPicked(e: Event): void {
    const input = e.target as HTMLInputElement;
    const lead = this.leads.find((l) => l.lead_id === input.value.trim());
    const form = input.form;
    if (!lead || !form) return;
    const name = form.elements.namedItem("attendeeName") as HTMLInputElement | null;
    const email = form.elements.namedItem("attendeeEmail") as HTMLInputElement | null;
    if (name && !name.value && lead.name) name.value = lead.name;
    if (email && !email.value && lead.email) email.value = lead.email;
  }

  async #book(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const text = (name: string) => String(data.get(name) ?? "").trim();
    if (!text("start")) {
      this.bookIssues = { start: "Choose a time: pick a member and show their free times." };
      return;
    }
    const email = text("attendeeEmail");
    this.booking = "submitting";
    try {
      const reply = await this.api.send<{ booking: MemberBooking }>("POST", "/v1/bookings", {
        memberId: text("memberId"),
        start: text("start"),
        durationMinutes: Number(text("durationMinutes")),
        leadId: text("leadId"),
        attendee: { name: text("attendeeName"), ...(email ? { email } : {}) },
        idempotencyKey: this.#bookKey,
      }, { idempotencyKey: this.#bookKey });
      this.#bookKey = crypto.randomUUID();
      this.bookIssues = {};
      this.bookError = "";
      this.bookSlots = { state: "idle" };
      this.booking = "closed";
      const b = reply.booking;
      const when = slotLabel(b.start, this.#zone);
      const week = this.#week;
      const shown = Date.parse(b.start) >= week.from && Date.parse(b.start) < week.to &&
        (!this.memberFilter || this.memberFilter === b.memberId);
      if (shown) await this.#replace(b, `Booked ${b.attendee.name} on ${when}.`);
      else this.announcement = `Booked ${b.attendee.name} on ${when} (another week).`;
    } catch (error) {
      const { byField, rest } = failure(error, BOOK_FIELDS);
      this.bookIssues = byField;
      this.bookError = rest.join("; ");
      this.booking = "open";
    } finally {
      if (this.booking === "submitting") this.booking = "open";
    }
  }

  override render() {
    const week = this.#week;
    const today = mondayOf(dateIn(Date.now(), this.#zone));
    return html`
      <h2>Bookings</h2>
      <p class="visually-hidden" role="status" aria-live="polite">${this.announcement}</p>
      <div class="toolbar">
        <div class="nav" role="group" aria-label="Choose the week">
          <button class="quiet" @click=${() => this.#showWeek(addDays(this.monday, -7))}>
            Previous week</button>
          <button class="quiet" ?disabled=${this.monday === today}
            @click=${() => this.#showWeek(today)}>This week</button>
          <button class="quiet" @click=${() => this.#showWeek(addDays(this.monday, 7))}>
            Next week</button>
        </div>
        <div class="field">
          <label for="member-filter">Team member</label>
          <select id="member-filter" @change=${(e: Event) =>
            this.#filterMember((e.target as HTMLSelectElement).value)}>
            <option value="" ?selected=${!this.memberFilter}>Everyone</option>
            ${this.members.map((m) =>
              html`<option value=${m.id} ?selected=${this.memberFilter === m.id}>${m.name}</option>`
            )}
          </select>
        </div>
        <button aria-expanded=${this.booking !== "closed"} aria-controls="book-panel"
          @click=${this.#toggleBooking}>Book a meeting</button>
      </div>
      ${this.#renderBookForm()}
      <h3 id="week-title" data-monday=${week.monday}>Week of ${weekLabel(week)}</h3>
      <p class="muted">Times are in your time zone, ${this.#zone}.</p>
      ${this.#renderWeek(week)}
    `;
  }

  #renderWeek(week: Week) {
    if (this.phase === "pending") {
      return html`<p class="muted" role="status">Loading bookings...</p>`;
    }
    if (this.phase === "error") {
      return html`
        <div role="alert">
          <p class="error">The bookings could not be read: ${this.loadError}</p>
          <button @click=${() => this.reload()}>Try again</button>
        </div>
      `;
    }
    const days = byDay(this.bookings, week);
    const todayDate = dateIn(Date.now(), this.#zone);
    return html`
      ${this.loadError ? html`<p class="error" role="alert">${this.loadError}</p>` : nothing}
      <div class="week">
        ${week.days.map(({ date }) => {
          const items = days.get(date) ?? [];
          const isToday = date === todayDate;
          return html`
            <section class="day" data-date=${date} aria-labelledby="day-${date}"
              aria-current=${isToday ? "date" : nothing}>
              <h4 id="day-${date}">${dayLabel(date)}${isToday ? " (today)" : ""}</h4>
              ${items.length === 0
                ? html`<p class="muted">No meetings</p>`
                : html`<ul class="plain">${
                  items.map((b) => html`<li>${this.#renderBooking(b)}</li>`)
                }</ul>`}
            </section>
          `;
        })}
      </div>
    `;
  }

  #renderBooking(b: MemberBooking) {
    const open = this.panel?.bookingId === b.id ? this.panel : null;
    const changeable = b.status === "confirmed" && Date.parse(b.start) > Date.now();
    const when = timeSpan(b.start, b.end, this.#zone);
    const who = `${b.attendee.name}, ${when}`;
    return html`
      <article class="card" id="booking-${b.id}" tabindex="-1" data-booking-id=${b.id}
        data-status=${b.status} aria-label="Meeting with ${who}">
        <p><strong><time datetime=${b.start}>${when}</time></strong></p>
        <p>Lead: <a href=${href("lead", { id: b.leadId })}>${b.attendee.name}</a></p>
        ${b.attendee.timeZone && b.attendee.timeZone !== this.#zone
          ? html`<p class="muted">Their time: ${
            timeSpan(b.start, b.end, b.attendee.timeZone)
          } (${b.attendee.timeZone})</p>`
          : nothing}
        <p>With ${this.#memberName(b.memberId)}</p>
        <p><span class="badge ${b.status}">${b.status === "confirmed"
          ? "Confirmed"
          : "Cancelled"}</span>${b.cancelReason
          ? html`
            <span class="muted">${b.cancelReason}</span>
          `
          : nothing}</p>
        ${changeable
          ? html`
            <div class="actions">
              <button class="quiet" aria-expanded=${open?.kind === "reschedule"}
                aria-label="Reschedule the meeting with ${who}"
                @click=${() => this.#openPanel(b, "reschedule")}>Reschedule</button>
              <button class="quiet" aria-expanded=${open?.kind === "cancel"}
                aria-label="Cancel the meeting with ${who}"
                @click=${() => this.#openPanel(b, "cancel")}>Cancel</button>
            </div>
          `
          : nothing}
        ${open?.kind === "cancel" ? this.#renderCancel(b) : nothing}
        ${open?.kind === "reschedule" ? this.#renderReschedule(b) : nothing}
      </article>
    `;
  }

  #renderPanelError(id: string) {
    return this.panelError
      ? html`<p id=${id} class="field-error" role="alert">${this.panelError}</p>`
      : nothing;
  }

  #renderCancel(b: MemberBooking) {
    return html`
      <form class="panel-inline" @submit=${(e: SubmitEvent) => this.#cancel(b, e)}>
        <label for="reason-${b.id}">Reason (optional, sent to ${b.attendee.name})</label>
        <input id="reason-${b.id}" name="reason" maxlength="500"
          aria-describedby=${this.panelError ? `panel-error-${b.id}` : nothing}>
        <button type="submit" ?disabled=${this.panelBusy}>Confirm cancellation</button>
        <button type="button" class="quiet" @click=${() => this.#closePanel(b)}>Keep it</button>
        ${this.#renderPanelError(`panel-error-${b.id}`)}
      </form>
    `;
  }

  #renderReschedule(b: MemberBooking) {
    const id = `slot-${b.id}`;
    return html`
      <form class="panel-inline" @submit=${(e: SubmitEvent) => this.#reschedule(b, e)}>
        ${this.#renderSlotPicker(
          this.panelSlots,
          id,
          "New time",
          this.panelError ? `panel-error-${b.id}` : undefined,
        )}
        <button type="submit" ?disabled=${this.panelBusy || this.panelSlots.state !== "ok"}>
          Move meeting</button>
        <button type="button" class="quiet" @click=${() => this.#closePanel(b)}>Close</button>
        ${this.#renderPanelError(`panel-error-${b.id}`)}
      </form>
    `;
  }

  /** A `start` select of free slots grouped by day, or why there are none. */
  #renderSlotPicker(slots: Slots, id: string, label: string, describedBy?: string) {
    switch (slots.state) {
      case "idle":
        return nothing;
      case "loading":
        return html`<p class="muted" role="status">Finding free times...</p>`;
      case "no_hours":
        return html`<p class="error" role="alert">This member has no working hours set, so no
          time can be offered.</p>`;
      case "error":
        return html`<p class="error" role="alert">Free times could not be read: ${slots.message}</p>`;
      case "ok": {
        if (slots.slots.length === 0) {
          return html`<p class="error" role="alert">No free time in the next ${SLOT_DAYS} days.</p>`;
        }
        const groups = new Map<string, Slot[]>();
        for (const s of slots.slots) {
          const day = dateIn(Date.parse(s.start), this.#zone);
          groups.set(day, [...(groups.get(day) ?? []), s]);
        }
        return html`
          <div class="field">
            <label for=${id}>${label}</label>
            <select id=${id} name="start" aria-describedby=${describedBy ?? nothing}>
              ${[...groups].map(([day, list]) =>
                html`<optgroup label=${dayLabel(day)}>${
                  list.map((s) =>
                    html`<option value=${s.start}>${slotLabel(s.start, this.#zone)}</option>`
                  )
                }</optgroup>`
              )}
            </select>
          </div>
        `;
      }
    }
  }

  #renderBookForm() {
    if (this.booking === "closed") return nothing;
    const issue = (f: string) => this.bookIssues[f];
    const errId = (f: string) => `book-${f.replace(".", "-")}-error`;
    const described = (f: string) => issue(f) ? errId(f) : nothing;
    const error = (f: string) =>
      issue(f) ? html`<p id=${errId(f)} class="field-error" role="alert">${issue(f)}</p>` : nothing;
    return html`
      <section id="book-panel" class="panel" aria-labelledby="book-title">
        <h3 id="book-title">Book a meeting</h3>
        <form id="book-form" @submit=${this.#book} novalidate>
          <div class="field">
            <label for="book-member">Team member</label>
            <select id="book-member" name="memberId" aria-describedby=${described("memberId")}
              @change=${() => (this.bookSlots = { state: "idle" })}>
              ${this.members.map((m) =>
                html`<option value=${m.id} ?selected=${
                  m.id === this.memberFilter
                }>${m.name}</option>`
              )}
            </select>
            ${error("memberId")}
          </div>
          <div class="field">
            <label for="book-duration">Length</label>
            <select id="book-duration" name="durationMinutes"
              aria-describedby=${described("durationMinutes")}
              @change=${() => (this.bookSlots = { state: "idle" })}>
              ${[15, 30, 45, 60, 90].map((m) =>
                html`<option value=${m} ?selected=${m === 30}>${m} minutes</option>`
              )}
            </select>
            ${error("durationMinutes")}
          </div>
          <div class="field">
            <button type="button" class="quiet" @click=${this.#findTimes}>Show free times</button>
          </div>
          ${this.#renderSlotPicker(
            this.bookSlots,
            "book-start",
            "Time",
            issue("start") ? errId("start") : undefined,
          )}
          ${error("start")}
          <div class="field">
            <label for="book-lead">Lead</label>
            <input id="book-lead" name="leadId" list="book-leads" autocomplete="off"
              aria-describedby=${described("leadId")} @input=${this.#leadPicked}>
            <datalist id="book-leads">${this.leads.map((l) =>
              html`<option value=${l.lead_id}>${l.name ?? l.email ?? l.lead_id}</option>`
            )}</datalist>
            ${error("leadId")}
          </div>
          <div class="field">
            <label for="book-name">Attendee name</label>
            <input id="book-name" name="attendeeName" autocomplete="off"
              aria-describedby=${described("attendee.name")}>
            ${error("attendee.name")}
          </div>
          <div class="field">
            <label for="book-email">Attendee email (for the confirmation)</label>
            <input id="book-email" name="attendeeEmail" type="email" autocomplete="off"
              aria-describedby=${described("attendee.email")}>
            ${error("attendee.email")}
          </div>
          <div class="field">
            <button type="submit" ?disabled=${this.booking === "submitting"}>Book</button>
          </div>
        </form>
        ${this.bookError ? html`<p class="error" role="alert">${this.bookError}</p>` : nothing}
      </section>
    `;
  }
}
