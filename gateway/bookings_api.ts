/**
 * The booking REST routes: `/v1/availability` offers a team member's free
 * slots, and `/v1/bookings` books one, lists bookings, cancels and
 * reschedules them. Every change goes through the member's calendar actor,
 * which re-checks the slot in its own turn, so a slot taken meanwhile
 * answers 409 `slot_taken` and is never double-booked. The tenant always
 * comes from the caller's credentials: another tenant's member or booking
 * answers 404.
 *
 * @module
 */
import { availability, calendar } from "../actors/calendar/mod.ts";
import { lead } from "../actors/lead/mod.ts";
import { teamRef } from "../actors/team/mod.ts";
import {
  Availability,
  AvailabilityQuery,
  Booking,
  type BookingConflict,
  BookSlot,
  CancelBooking,
  NotFoundError,
  RescheduleBooking,
} from "../shared/mod.ts";
import { conflict, refusal } from "./_refusal.ts";
import type { AuthEnv } from "./auth.ts";
import { type ApiDeps, guard, STAFF_ROLES } from "./guard.ts";
import {
  apiRouter,
  authErrors,
  bearerOrApiKey,
  createRoute,
  json,
  jsonBody,
  notFound,
  type OpenAPIHono,
  z,
} from "./openapi.ts";
import { MemberIdParam, MemberNotFound } from "./team_api.ts";

const MemberId = MemberIdParam.shape.id;
const tags = ["bookings"];

/** A booking with the member whose calendar holds it. */
export const MemberBooking = Booking.extend({ memberId: z.string() }).openapi("Booking");

const bookingReply = z.object({ booking: MemberBooking });

/** A booking id in a path. */
export const BookingIdParam = z.object({ id: CancelBooking.shape.bookingId });

const AvailabilityParams = z.object({
  member: MemberId.describe("The team member's id"),
  from: AvailabilityQuery.shape.from,
  to: AvailabilityQuery.shape.to,
  durationMinutes: z.coerce.number().int().optional().openapi({
    description: "Length of the meeting to fit (5-480); the member's slot length when absent",
  }),
});

const BookBody = BookSlot.extend({ memberId: MemberId }).openapi("BookSlot", {
  description: "The same `idempotencyKey` again returns the booking it made",
});

const ListQuery = z.object({
  member: MemberId.optional().openapi({ description: "One member; every member when absent" }),
  from: AvailabilityQuery.shape.from.optional().openapi({ description: "Ending after" }),
  to: AvailabilityQuery.shape.to.optional().openapi({ description: "Starting before" }),
  status: Booking.shape.status.optional(),
});

const CancelBody = CancelBooking.omit({ bookingId: true }).extend({ memberId: MemberId });
const RescheduleBody = RescheduleBooking.omit({ bookingId: true }).extend({ memberId: MemberId })
  .openapi("RescheduleBooking", { description: "The booking keeps its duration" });

/** 404 for a lead the caller's tenant does not have, when booking for it. */
class LeadToBookNotFound extends NotFoundError {
  constructor(id: string) {
    super(`lead ${id}`);
  }
}

/** Answers a refused calendar command. */
function refused(r: BookingConflict): never {
  throw refusal(r.reason, r.message);
}

/** The `/v1/availability` sub-app: a member's free slots. */
export function availabilityRoutes(deps: ApiDeps): OpenAPIHono<AuthEnv> {
  const app = apiRouter<AuthEnv>();
  app.use("*", guard(deps, STAFF_ROLES));

  app.openapi(
    createRoute({
      method: "get",
      path: "/",
      tags,
      summary: "A member's free slots starting in [from, to), at most 31 days",
      description: "`status` is `no_hours` until the member's working hours are set " +
        "(`PUT /v1/team/members/{id}/hours`). A slot offered here may be taken before it is " +
        "booked; booking it then answers 409 `slot_taken`.",
      security: bearerOrApiKey,
      request: { query: AvailabilityParams },
      responses: {
        200: { description: "Free slots, UTC instants", content: json(Availability) },
        ...authErrors,
        ...notFound,
      },
    }),
    async (c) => {
      const { member, from, to, durationMinutes } = c.req.valid("query");
      const { tenant } = c.var.auth;
      await mustBeMember(deps, tenant, member);
      const ref = deps.system.ref(calendar, tenant, member);
      const query = { from, to, ...(durationMinutes === undefined ? {} : { durationMinutes }) };
      return c.json(await availability(ref, query, deps.system.clock), 200);
    },
  );

  return app;
}

/** The `/v1/bookings` sub-app: book, list, cancel, reschedule. */
export function bookingRoutes(deps: ApiDeps): OpenAPIHono<AuthEnv> {
  const app = apiRouter<AuthEnv>();
  app.use("*", guard(deps, STAFF_ROLES));
  const calendarOf = (tenant: string, member: string) => deps.system.ref(calendar, tenant, member);

  app.openapi(
    createRoute({
      method: "post",
      path: "/",
      tags,
      summary: "Book a slot on a member's calendar for a lead",
      description: "A slot already taken answers 409 `slot_taken`; other refusals name their " +
        "reason (`outside_working_hours`, `too_soon`, `misaligned`, ...). The attendee is " +
        "sent a confirmation and a reminder.",
      security: bearerOrApiKey,
      request: { body: jsonBody(BookBody) },
      responses: {
        201: {
          description: "Booked (or booked before by the same key)",
          content: json(bookingReply),
        },
        ...authErrors,
        ...notFound,
        ...conflict,
      },
    }),
    async (c) => {
      const { memberId, ...slot } = c.req.valid("json");
      const { tenant } = c.var.auth;
      await mustBeMember(deps, tenant, memberId);
      // The booking tells its lead (stopping its follow-ups): a lead that is not there would be
      // made an empty actor by that message.
      const view = await deps.system.ref(lead, tenant, slot.leadId).query("view");
      if (!view.exists) throw new LeadToBookNotFound(slot.leadId);
      const reply = await calendarOf(tenant, memberId).ask("book", slot);
      if (reply.status !== "booked") refused(reply);
      return c.json({ booking: { ...reply.booking, memberId } }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/",
      tags,
      summary: "Bookings by start time, of one member or the whole team",
      description: "Bookings that ended over 30 days ago are no longer held by the calendar " +
        "and are not listed (their events stay in the journal).",
      security: bearerOrApiKey,
      request: { query: ListQuery },
      responses: {
        200: {
          description: "Bookings",
          content: json(z.object({ items: z.array(MemberBooking) })),
        },
        ...authErrors,
        ...notFound,
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const { tenant } = c.var.auth;
      let members: string[];
      if (q.member) {
        await mustBeMember(deps, tenant, q.member);
        members = [q.member];
      } else {
        members = (await teamRef(deps.system, tenant).query("members")).map((m) => m.id);
      }
      const items = [];
      for (const memberId of members) {
        for (const b of await calendarOf(tenant, memberId).query("bookings")) {
          // Instants are UTC `Z` strings of one form, so they compare as strings.
          if (q.from && b.end <= q.from) continue;
          if (q.to && b.start >= q.to) continue;
          if (q.status && b.status !== q.status) continue;
          items.push({ ...b, memberId });
        }
      }
      items.sort((a, b) => a.start < b.start ? -1 : a.start > b.start ? 1 : 0);
      return c.json({ items }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/{id}/cancel",
      tags,
      summary: "Cancel a booking; the attendee is told",
      description: "Cancelling again answers 200 with the cancelled booking; a meeting that " +
        "has begun answers 409 `booking_started`.",
      security: bearerOrApiKey,
      request: { params: BookingIdParam, body: jsonBody(CancelBody) },
      responses: {
        200: { description: "The cancelled booking", content: json(bookingReply) },
        ...authErrors,
        ...notFound,
        ...conflict,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const { memberId, reason } = c.req.valid("json");
      const { tenant } = c.var.auth;
      await mustBeMember(deps, tenant, memberId);
      const reply = await calendarOf(tenant, memberId).ask("cancel", {
        bookingId: id,
        ...(reason === undefined ? {} : { reason }),
      });
      if (reply.status === "conflict") refused(reply);
      return c.json({ booking: { ...reply.booking, memberId } }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/{id}/reschedule",
      tags,
      summary: "Move a booking to another start; the attendee is told",
      security: bearerOrApiKey,
      request: { params: BookingIdParam, body: jsonBody(RescheduleBody) },
      responses: {
        200: { description: "The moved booking", content: json(bookingReply) },
        ...authErrors,
        ...notFound,
        ...conflict,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const { memberId, start, idempotencyKey } = c.req.valid("json");
      const { tenant } = c.var.auth;
      await mustBeMember(deps, tenant, memberId);
      const reply = await calendarOf(tenant, memberId).ask("reschedule", {
        bookingId: id,
        start,
        idempotencyKey,
      });
      if (reply.status === "conflict") refused(reply);
      return c.json({ booking: { ...reply.booking, memberId } }, 200);
    },
  );

  return app;
}

/** 404 unless `memberId` is on the tenant's team: calendars exist only for members. */
async function mustBeMember(deps: ApiDeps, tenant: string, memberId: string): Promise<void> {
  const found = await teamRef(deps.system, tenant).ask("findMember", { memberId });
  if (found.status !== "ok") throw new MemberNotFound(memberId);
}
