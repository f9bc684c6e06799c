/**
 * The bookings calendar's forms: "Book a meeting", and a booking's cancel
 * and reschedule panels, with the free-slot picker they share, the read of
 * free slots behind it, and the shapes they read and send. Kept apart from
 * the view so that the view holds the state and the booking calls, and
 * this file what the forms show.
 *
 * @module
 */
import { html, nothing } from "lit";
import { type Api, ApiError, splitIssues } from "../api.ts";
import { dateIn, dayLabel, slotLabel } from "./_calendar_week.ts";
import type { Member } from "./_tasks_model.ts";

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

/** A free slot as `/v1/availability` offers it. */
export interface Slot {
  start: string;
  end: string;
}

/** Free slots as read from `/v1/availability`, or why there are none. */
export type Slots =
  | { state: "idle" }
  | { state: "loading" }
  | { state: "ok"; slots: Slot[] }
  | { state: "no_hours" }
  | { state: "error"; message: string };

/** A lead the booking form suggests, as `GET /v1/leads` lists it. */
export interface LeadChoice {
  lead_id: string;
  name: string | null;
  email: string | null;
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

/** Field messages of a failed booking: the fields it names, slot refusals on `start`, the rest. */
export function bookFailure(error: unknown) {
  if (!(error instanceof ApiError)) {
    return { byField: {} as Record<string, string>, rest: [(error as Error).message] };
  }
  if (SLOT_CONFLICTS.has(error.code)) {
    return { byField: { start: error.message } as Record<string, string>, rest: [] };
  }
  const split = splitIssues(error.issues, BOOK_FIELDS);
  return error.issues.length === 0 ? { byField: split.byField, rest: [error.message] } : split;
}

/** Free slots of `memberId` for a meeting of `minutes`, for `SLOT_DAYS` from `from` (epoch ms). */
export async function readSlots(
  api: Api,
  memberId: string,
  from: number,
  minutes: number,
): Promise<Slots> {
  const q = new URLSearchParams({
    member: memberId,
    from: new Date(from).toISOString(),
    to: new Date(from + SLOT_DAYS * 86_400_000).toISOString(),
    durationMinutes: String(minutes),
  });
  try {
    const a = await api.get<{ status: "ok"; slots: Slot[] } | { status: "no_hours" }>(
      `/v1/availability?${q}`,
    );
    return a.status === "ok" ? { state: "ok", slots: a.slots } : { state: "no_hours" };
  } catch (error) {
    return { state: "error", message: (error as Error).message };
  }
}

/** A lead picked in the booking form fills the attendee's empty name and email from it. */
export function fillAttendee(e: Event, leads: readonly LeadChoice[]): void {
  const input = e.target as HTMLInputElement;
  const lead = leads.find((l) => l.lead_id === input.value.trim());
  const form = input.form;
  if (!lead || !form) return;
  const name = form.elements.namedItem("attendeeName") as HTMLInputElement | null;
  const email = form.elements.namedItem("attendeeEmail") as HTMLInputElement | null;
  if (name && !name.value && lead.name) name.value = lead.name;
  if (email && !email.value && lead.email) email.value = lead.email;
}

/** A `start` select of free slots grouped by day, or why there are none. */
function renderSlotPicker(
  slots: Slots,
  zone: string,
  id: string,
  label: string,
  describedBy?: string,
) {
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
        const day = dateIn(Date.parse(s.start), zone);
        groups.set(day, [...(groups.get(day) ?? []), s]);
      }
      return html`
        <div class="field">
          <label for=${id}>${label}</label>
          <select id=${id} name="start" aria-describedby=${describedBy ?? nothing}>
            ${[...groups].map(([day, list]) =>
              html`<optgroup label=${dayLabel(day)}>${
                list.map((s) => html`<option value=${s.start}>${slotLabel(s.start, zone)}</option>`)
              }</optgroup>`
            )}
          </select>
        </div>
      `;
    }
  }
}

/** What a booking's open cancel or reschedule panel shows and does. */
export interface PanelForm {
  zone: string;
  slots: Slots;
  error: string;
  busy: boolean;
  submit(e: SubmitEvent): void;
  close(): void;
}

function renderPanelError(id: string, error: string) {
  return error ? html`<p id=${id} class="field-error" role="alert">${error}</p>` : nothing;
}

/** The form that cancels `b`, with an optional reason for the attendee. */
export function renderCancel(b: MemberBooking, p: PanelForm) {
  return html`
    <form class="panel-inline" @submit=${p.submit}>
      <label for="reason-${b.id}">Reason (optional, sent to ${b.attendee.name})</label>
      <input id="reason-${b.id}" name="reason" maxlength="500"
        aria-describedby=${p.error ? `panel-error-${b.id}` : nothing}>
      <button type="submit" ?disabled=${p.busy}>Confirm cancellation</button>
      <button type="button" class="quiet" @click=${p.close}>Keep it</button>
      ${renderPanelError(`panel-error-${b.id}`, p.error)}
    </form>
  `;
}

/** The form that moves `b` to one of its member's free slots. */
export function renderReschedule(b: MemberBooking, p: PanelForm) {
  const id = `slot-${b.id}`;
  return html`
    <form class="panel-inline" @submit=${p.submit}>
      ${renderSlotPicker(
        p.slots,
        p.zone,
        id,
        "New time",
        p.error ? `panel-error-${b.id}` : undefined,
      )}
      <button type="submit" ?disabled=${p.busy || p.slots.state !== "ok"}>
        Move meeting</button>
      <button type="button" class="quiet" @click=${p.close}>Close</button>
      ${renderPanelError(`panel-error-${b.id}`, p.error)}
    </form>
  `;
}

/** What the "Book a meeting" form shows and does. */
export interface BookForm {
  booking: "closed" | "open" | "submitting";
  zone: string;
  members: Member[];
  memberFilter: string;
  leads: LeadChoice[];
  slots: Slots;
  issues: Record<string, string>;
  error: string;
  submit(e: SubmitEvent): void;
  /** The member or the length changed: the free times shown no longer fit. */
  resetSlots(): void;
  findTimes(): void;
  leadPicked(e: Event): void;
}

/** The "Book a meeting" panel, or nothing while it is closed. */
export function renderBookForm(f: BookForm) {
  if (f.booking === "closed") return nothing;
  const issue = (field: string) => f.issues[field];
  const errId = (field: string) => `book-${field.replace(".", "-")}-error`;
  const described = (field: string) => issue(field) ? errId(field) : nothing;
  const error = (field: string) =>
    issue(field)
      ? html`<p id=${errId(field)} class="field-error" role="alert">${issue(field)}</p>`
      : nothing;
  return html`
    <section id="book-panel" class="panel" aria-labelledby="book-title">
      <h3 id="book-title">Book a meeting</h3>
      <form id="book-form" @submit=${f.submit} novalidate>
        <div class="field">
          <label for="book-member">Team member</label>
          <select id="book-member" name="memberId" aria-describedby=${described("memberId")}
            @change=${f.resetSlots}>
            ${f.members.map((m) =>
              html`<option value=${m.id} ?selected=${m.id === f.memberFilter}>${m.name}</option>`
            )}
          </select>
          ${error("memberId")}
        </div>
        <div class="field">
          <label for="book-duration">Length</label>
          <select id="book-duration" name="durationMinutes"
            aria-describedby=${described("durationMinutes")}
            @change=${f.resetSlots}>
            ${[15, 30, 45, 60, 90].map((m) =>
              html`<option value=${m} ?selected=${m === 30}>${m} minutes</option>`
            )}
          </select>
          ${error("durationMinutes")}
        </div>
        <div class="field">
          <button type="button" class="quiet" @click=${f.findTimes}>Show free times</button>
        </div>
        ${renderSlotPicker(
          f.slots,
          f.zone,
          "book-start",
          "Time",
          issue("start") ? errId("start") : undefined,
        )}
        ${error("start")}
        <div class="field">
          <label for="book-lead">Lead</label>
          <input id="book-lead" name="leadId" list="book-leads" autocomplete="off"
            aria-describedby=${described("leadId")} @input=${f.leadPicked}>
          <datalist id="book-leads">${f.leads.map((l) =>
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
          <button type="submit" ?disabled=${f.booking === "submitting"}>Book</button>
        </div>
      </form>
      ${f.error ? html`<p class="error" role="alert">${f.error}</p>` : nothing}
    </section>
  `;
}
