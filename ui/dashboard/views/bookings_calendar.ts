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
import { html, nothing } from "lit";
import { baseStyles } from "../_styles.ts";
import type { LiveTick } from "../live.ts";
import { DashboardView } from "./_view.ts";
import {
  addDays,
  dateIn,
  mondayOf,
  slotLabel,
  type Week,
  weekLabel,
  weekStarting,
} from "./_calendar_week.ts";
import {
  bookFailure,
  fillAttendee,
  type LeadChoice,
  type MemberBooking,
  readSlots,
  renderBookForm,
  renderCancel,
  renderReschedule,
  type Slots,
} from "./_calendar_forms.ts";
import { type PanelKind, renderBooking, renderDays } from "./_calendar_cards.ts";
import { calendarStyles } from "./_calendar_styles.ts";
import type { Member } from "./_tasks_model.ts";
import { boardStyles } from "./_tasks_styles.ts";

/** An open action on one booking. */
interface Panel {
  bookingId: string;
  kind: PanelKind;
  /** Sent as the reschedule's idempotency key: a retried click moves it once. */
  key: string;
}

const viewerZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;

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
  static override styles = [baseStyles, boardStyles, calendarStyles];

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
  #slots(memberId: string, minutes: number): Promise<Slots> {
    return readSlots(this.api, memberId, Math.max(Date.now(), this.#week.from), minutes);
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
      const { byField, rest } = bookFailure(error);
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
      ${renderBookForm({
        booking: this.booking,
        zone: this.#zone,
        members: this.members,
        memberFilter: this.memberFilter,
        leads: this.leads,
        slots: this.bookSlots,
        issues: this.bookIssues,
        error: this.bookError,
        // Methods, not closures: lit calls a listener with the view as `this`.
        submit: this.#book,
        resetSlots: () => (this.bookSlots = { state: "idle" }),
        findTimes: this.#findTimes,
        leadPicked: (e: Event) => fillAttendee(e, this.leads),
      })}
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
    return html`
      ${this.loadError ? html`<p class="error" role="alert">${this.loadError}</p>` : nothing}
      ${renderDays(week, this.bookings, this.#zone, (b) => this.#renderBooking(b))}
    `;
  }

  #renderBooking(b: MemberBooking) {
    const panel = {
      zone: this.#zone,
      slots: this.panelSlots,
      error: this.panelError,
      busy: this.panelBusy,
      close: () => this.#closePanel(b),
    };
    return renderBooking(b, {
      zone: this.#zone,
      memberName: this.#memberName(b.memberId),
      open: this.panel?.bookingId === b.id ? this.panel.kind : undefined,
      toggle: (kind) => this.#openPanel(b, kind),
      cancelForm: () =>
        renderCancel(b, { ...panel, submit: (e: SubmitEvent) => this.#cancel(b, e) }),
      rescheduleForm: () =>
        renderReschedule(b, { ...panel, submit: (e: SubmitEvent) => this.#reschedule(b, e) }),
    });
  }
}
