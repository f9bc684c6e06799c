import assert from "node:assert/strict";
import { DEFAULT_SEND_WINDOW, isInSendWindow, nextSendTime, SendWindow } from "./quiet_hours.ts";

const utc = (iso: string) => Date.parse(iso);

Deno.test("inside the window a send goes now; before or after, at the next opening", () => {
  const ny = "America/New_York";
  // 14:00 EST on a winter day is inside 09:00-20:00.
  assert.equal(
    nextSendTime(utc("2026-01-15T19:00:00Z"), ny, DEFAULT_SEND_WINDOW),
    utc("2026-01-15T19:00:00Z"),
  );
  // 02:00 EST waits for 09:00 EST the same day.
  assert.equal(
    nextSendTime(utc("2026-01-15T07:00:00Z"), ny, DEFAULT_SEND_WINDOW),
    utc("2026-01-15T14:00:00Z"),
  );
  // 21:00 EST waits for 09:00 the next day.
  assert.equal(
    nextSendTime(utc("2026-01-16T02:00:00Z"), ny, DEFAULT_SEND_WINDOW),
    utc("2026-01-16T14:00:00Z"),
  );
  assert.equal(isInSendWindow(utc("2026-01-15T19:00:00Z"), ny, DEFAULT_SEND_WINDOW), true);
});

Deno.test("the window follows local clocks across daylight-saving changes", () => {
  const ny = "America/New_York";
  // Spring forward (8 March 2026): 02:00 does not exist; 03:30 EDT waits for 09:00 EDT = 13:00Z.
  assert.equal(
    nextSendTime(utc("2026-03-08T07:30:00Z"), ny, DEFAULT_SEND_WINDOW),
    utc("2026-03-08T13:00:00Z"),
  );
  // The day before, 09:00 is EST = 14:00Z.
  assert.equal(
    nextSendTime(utc("2026-03-07T07:30:00Z"), ny, DEFAULT_SEND_WINDOW),
    utc("2026-03-07T14:00:00Z"),
  );
  // Fall back (1 November 2026): 01:30 happens twice; either way 09:00 EST = 14:00Z.
  assert.equal(
    nextSendTime(utc("2026-11-01T05:30:00Z"), ny, DEFAULT_SEND_WINDOW),
    utc("2026-11-01T14:00:00Z"),
  );
  assert.equal(
    nextSendTime(utc("2026-11-01T06:30:00Z"), ny, DEFAULT_SEND_WINDOW),
    utc("2026-11-01T14:00:00Z"),
  );
  // London springs forward on 29 March 2026: 09:00 BST = 08:00Z.
  assert.equal(
    nextSendTime(utc("2026-03-29T01:30:00Z"), "Europe/London", DEFAULT_SEND_WINDOW),
    utc("2026-03-29T08:00:00Z"),
  );
});

Deno.test("a window must open before it closes", () => {
  const bad = SendWindow.safeParse({ start: "20:00", end: "09:00" });
  assert.equal(bad.success, false);
  assert.deepEqual(bad.error!.issues.map((i) => i.path.join(".")), ["end"]);
  assert.equal(SendWindow.safeParse({ start: "9am" }).success, false);
});
