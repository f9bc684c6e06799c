import assert from "node:assert/strict";
import type { ApiTestContext } from "./_api_test_support.ts";
import { issuePaths, withApi } from "./_api_test_support.ts";

const nine = [{ start: "09:00", end: "17:00" }];
const TEN_NY = "2026-03-02T15:00:00Z"; // Monday 10:00 in New York, 90 minutes after T0

/** Tenant `tenant-a` with member `ann` (9 to 5 on weekdays, New York) and lead `leadId`. */
async function annWithHours({ send, bearer }: ApiTestContext) {
  const admin = await bearer("tenant-a");
  await send("POST", "/v1/team/members", admin, { id: "ann", name: "Ann", types: ["sales"] });
  const put = await send("PUT", "/v1/team/members/ann/hours", admin, {
    timeZone: "America/New_York",
    weekly: { "1": nine, "2": nine, "3": nine, "4": nine, "5": nine },
  });
  assert.equal(put.status, 200);
  const captured = await send("POST", "/v1/leads", admin, {
    idempotencyKey: "c1",
    contact: { name: "Pat Doe", email: "pat@example.com" },
  });
  const leadId = captured.status === 201 ? (await captured.json()).leadId : undefined;
  return { admin, leadId: leadId as string };
}

const book = (leadId: string, start = TEN_NY, key = "b1") => ({
  memberId: "ann",
  leadId,
  start,
  durationMinutes: 30,
  attendee: { name: "Pat Doe", email: "pat@example.com" },
  idempotencyKey: key,
});

Deno.test("bookings API: availability, book, double booking is 409, list, reschedule, cancel", async () => {
  await withApi(async (t) => {
    const { leadId } = await annWithHours(t);
    const agent = await t.bearer("tenant-a", "agent");
    const day = "member=ann&from=2026-03-02T00:00:00Z&to=2026-03-03T00:00:00Z";
    const free = await (await t.send("GET", `/v1/availability?${day}`, agent)).json();
    assert.equal(free.status, "ok");
    assert.equal(free.timeZone, "America/New_York");
    assert.equal(
      free.slots[0].start,
      "2026-03-02T14:30:00Z",
      "09:30: an hour's notice after 08:30",
    );
    assert.equal(free.slots.at(-1).start, "2026-03-02T21:30:00Z", "the last slot ends at 17:00");

    const booked = await t.send("POST", "/v1/bookings", agent, book(leadId));
    assert.equal(booked.status, 201);
    const { booking } = await booked.json();
    assert.equal(booking.memberId, "ann");
    assert.equal(booking.end, "2026-03-02T15:30:00Z");
    const repeat = await t.send("POST", "/v1/bookings", agent, book(leadId));
    assert.equal((await repeat.json()).booking.id, booking.id, "same key, same booking");
    const taken = await t.send("POST", "/v1/bookings", agent, book(leadId, TEN_NY, "b2"));
    assert.equal(taken.status, 409);
    assert.equal((await taken.json()).error.code, "slot_taken");
    const after = await (await t.send("GET", `/v1/availability?${day}`, agent)).json();
    assert.ok(!after.slots.some((s: { start: string }) => s.start === TEN_NY), "slot gone");

    const late = await t.send("POST", "/v1/bookings", agent, {
      ...book(leadId, "2026-03-02T23:00:00Z", "b3"),
    });
    assert.equal(late.status, 409);
    assert.equal((await late.json()).error.code, "outside_working_hours");

    const path = `/v1/bookings/${booking.id}`;
    const moved = await t.send("POST", `${path}/reschedule`, agent, {
      memberId: "ann",
      start: "2026-03-02T16:00:00Z",
      idempotencyKey: "r1",
    });
    assert.equal(moved.status, 200);
    assert.equal((await moved.json()).booking.start, "2026-03-02T16:00:00Z");
    const list = await (await t.send("GET", "/v1/bookings?member=ann", agent)).json();
    assert.deepEqual(list.items.map((b: { start: string }) => b.start), ["2026-03-02T16:00:00Z"]);

    const cancelled = await t.send("POST", `${path}/cancel`, agent, {
      memberId: "ann",
      reason: "lead asked",
    });
    assert.equal(cancelled.status, 200);
    assert.equal((await cancelled.json()).booking.status, "cancelled");
    const again = await t.send("POST", `${path}/cancel`, agent, { memberId: "ann" });
    assert.equal(again.status, 200, "cancelling again is not an error");
    const whole = await (await t.send("GET", "/v1/bookings?status=confirmed", agent)).json();
    assert.deepEqual(whole.items, []);
    const rebook = await t.send("POST", "/v1/bookings", agent, book(leadId, TEN_NY, "b4"));
    assert.equal(rebook.status, 201, "the freed slot books again");
    const teamWide = await (await t.send("GET", "/v1/bookings", agent)).json();
    assert.equal(teamWide.items.length, 2);
  });
});

Deno.test("bookings API: another tenant's member or booking is 404; bad input names the field", async () => {
  await withApi(async (t) => {
    const { leadId } = await annWithHours(t);
    const a = await t.bearer("tenant-a", "agent");
    const { booking } = await (await t.send("POST", "/v1/bookings", a, book(leadId))).json();
    const b = await t.bearer("tenant-b", "admin");
    const day = "member=ann&from=2026-03-02T00:00:00Z&to=2026-03-03T00:00:00Z";
    assert.equal((await t.send("GET", `/v1/availability?${day}`, b)).status, 404);
    assert.equal((await t.send("POST", "/v1/bookings", b, book(leadId, TEN_NY, "x"))).status, 404);
    assert.equal((await t.send("GET", "/v1/bookings?member=ann", b)).status, 404);
    assert.deepEqual((await (await t.send("GET", "/v1/bookings", b)).json()).items, []);
    const path = `/v1/bookings/${booking.id}`;
    assert.equal((await t.send("POST", `${path}/cancel`, b, { memberId: "ann" })).status, 404);
    const kept = await (await t.send("GET", "/v1/bookings?member=ann", a)).json();
    assert.equal(kept.items[0].status, "confirmed", "tenant B's cancel did not reach it");

    assert.equal(
      (await t.send("POST", "/v1/bookings/nope/cancel", a, { memberId: "ann" })).status,
      404,
    );
    const noLead = await t.send("POST", "/v1/bookings", a, book("lead-x", TEN_NY, "y"));
    assert.equal(noLead.status, 404);
    const badStart = await t.send("POST", "/v1/bookings", a, book(leadId, "10am", "z"));
    assert.equal(badStart.status, 400);
    assert.deepEqual(await issuePaths(badStart), ["start"]);
    const noEmail = await t.send("POST", "/v1/bookings", a, {
      ...book(leadId, TEN_NY, "z"),
      attendee: { name: "Pat", email: "nope" },
    });
    assert.deepEqual(await issuePaths(noEmail), ["attendee.email"]);
    const backwards = await t.send(
      "GET",
      "/v1/availability?member=ann&from=2026-03-03T00:00:00Z&to=2026-03-02T00:00:00Z",
      a,
    );
    assert.equal(backwards.status, 400);
    assert.deepEqual(await issuePaths(backwards), ["to"]);
    const noMember = await t.send("GET", "/v1/availability?from=2026-03-03T00:00:00Z", a);
    assert.deepEqual((await issuePaths(noMember)).sort(), ["member", "to"]);
  });
});
