/**
 * The bookings calendar's week as markup: one section per day, each with
 * its bookings' cards (time, lead, member, status in words, and the
 * cancel and reschedule buttons). Kept apart from the view, which owns the
 * state and the calls; these draw only what they are given.
 *
 * @module
 */
import { html, nothing, type TemplateResult } from "lit";
import { href } from "../router.ts";
import { byDay, dateIn, dayLabel, timeSpan, type Week } from "./_calendar_week.ts";
import type { MemberBooking } from "./_calendar_forms.ts";

/** The days of `week` side by side, each listing its bookings drawn by `card`. */
export function renderDays(
  week: Week,
  bookings: MemberBooking[],
  zone: string,
  card: (b: MemberBooking) => TemplateResult,
) {
  const days = byDay(bookings, week);
  const todayDate = dateIn(Date.now(), zone);
  return html`
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
              : html`<ul class="plain">${items.map((b) => html`<li>${card(b)}</li>`)}</ul>`}
          </section>
        `;
      })}
    </div>
  `;
}

/** A booking's action that is open on its card. */
export type PanelKind = "cancel" | "reschedule";

/** What a booking's card shows beyond the booking, and what its buttons do. */
export interface BookingCard {
  zone: string;
  memberName: string;
  /** The action open on this card, if any. */
  open: PanelKind | undefined;
  toggle(kind: PanelKind): void;
  cancelForm(): TemplateResult;
  rescheduleForm(): TemplateResult;
}

/** One booking's card; a future confirmed booking can be rescheduled or cancelled. */
export function renderBooking(b: MemberBooking, c: BookingCard) {
  const changeable = b.status === "confirmed" && Date.parse(b.start) > Date.now();
  const when = timeSpan(b.start, b.end, c.zone);
  const who = `${b.attendee.name}, ${when}`;
  return html`
    <article class="card" id="booking-${b.id}" tabindex="-1" data-booking-id=${b.id}
      data-status=${b.status} aria-label="Meeting with ${who}">
      <p><strong><time datetime=${b.start}>${when}</time></strong></p>
      <p>Lead: <a href=${href("lead", { id: b.leadId })}>${b.attendee.name}</a></p>
      ${b.attendee.timeZone && b.attendee.timeZone !== c.zone
        ? html`<p class="muted">Their time: ${
          timeSpan(b.start, b.end, b.attendee.timeZone)
        } (${b.attendee.timeZone})</p>`
        : nothing}
      <p>With ${c.memberName}</p>
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
            <button class="quiet" aria-expanded=${c.open === "reschedule"}
              aria-label="Reschedule the meeting with ${who}"
              @click=${() => c.toggle("reschedule")}>Reschedule</button>
            <button class="quiet" aria-expanded=${c.open === "cancel"}
              aria-label="Cancel the meeting with ${who}"
              @click=${() => c.toggle("cancel")}>Cancel</button>
          </div>
        `
        : nothing}
      ${c.open === "cancel" ? c.cancelForm() : nothing}
      ${c.open === "reschedule" ? c.rescheduleForm() : nothing}
    </article>
  `;
}
