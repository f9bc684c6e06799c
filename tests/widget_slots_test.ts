import assert from "node:assert/strict";
import { bookingSentence, describeSlot, groupSlotsByDay, readSlots } from "../ui/widget/slots.ts";

const slot = (start: string, minutes = 30) => ({
  start,
  end: new Date(Date.parse(start) + minutes * 60_000).toISOString().replace(".000", ""),
});

/** Spaces of any kind as plain ones: ICU versions differ on the one before AM/PM. */
const plain = (s: string) => s.replace(/\s/g, " ");

Deno.test("widget slots: grouped by the visitor's day, in time order, each named by day and time", () => {
  const slots = [
    slot("2026-03-03T22:30:00Z"), // 23:30 Tuesday in Paris
    slot("2026-03-03T09:00:00Z"),
    slot("2026-03-03T23:00:00Z"), // midnight: Wednesday in Paris, still Tuesday in UTC
  ];
  const paris = groupSlotsByDay(slots, "Europe/Paris", "en-US");
  assert.deepEqual(paris.map((d) => [d.date, d.label]), [
    ["2026-03-03", "Tuesday, March 3"],
    ["2026-03-04", "Wednesday, March 4"],
  ]);
  assert.deepEqual(paris[0]!.slots.map((s) => plain(s.time)), ["10:00 AM", "11:30 PM"]);
  assert.equal(plain(paris[1]!.slots[0]!.full), "Wednesday, March 4, 12:00 AM");
  assert.equal(paris[0]!.slots[0]!.start, "2026-03-03T09:00:00Z");
  const utc = groupSlotsByDay(slots, "UTC", "en-US");
  assert.deepEqual(utc.map((d) => d.date), ["2026-03-03"]);
  assert.deepEqual(groupSlotsByDay([], "UTC"), []);
});

Deno.test("widget slots: a malformed answer gives no slots rather than a broken picker", () => {
  assert.deepEqual(readSlots(null), []);
  assert.deepEqual(readSlots({ slots: "soon" }), []);
  assert.deepEqual(
    readSlots({
      slots: [
        { start: "2026-03-03T09:00:00Z", end: "2026-03-03T09:30:00Z", label: "x" },
        { start: "tomorrow", end: "2026-03-03T09:30:00Z" },
        { start: 1 },
        null,
      ],
    }),
    [{ start: "2026-03-03T09:00:00Z", end: "2026-03-03T09:30:00Z" }],
  );
});

Deno.test("widget slots: the thank-you names the booked time and its zone, or says it was taken", () => {
  assert.equal(
    plain(describeSlot("2026-03-03T15:00:00Z", "America/New_York", "en-US")),
    "Tuesday, March 3 at 10:00 AM (America/New_York)",
  );
  const booked = bookingSentence(
    { status: "booked", start: "2026-03-03T15:00:00Z", end: "2026-03-03T15:30:00Z" },
    "Europe/Paris",
    "en-US",
  );
  assert.equal(
    plain(booked!),
    "Your call is booked for Tuesday, March 3 at 4:00 PM (Europe/Paris).",
  );
  assert.match(bookingSentence({ status: "unavailable" }, "UTC")!, /no longer free/);
  assert.match(
    bookingSentence({ status: "unavailable" }, "UTC", "en-US", true)!,
    /no longer free.*pick another below/,
  );
  assert.equal(bookingSentence(undefined, "UTC"), null);
});
