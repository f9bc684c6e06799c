import assert from "node:assert/strict";
import { failureKindOf, parseRetryAfter, smsSegments } from "./provider.ts";

Deno.test("GSM-7 fits 160 characters in one segment and 153 per segment after", () => {
  assert.equal(smsSegments(""), 1);
  assert.equal(smsSegments("a".repeat(160)), 1);
  assert.equal(smsSegments("a".repeat(161)), 2);
  assert.equal(smsSegments("a".repeat(306)), 2);
  assert.equal(smsSegments("a".repeat(307)), 3);
  assert.equal(smsSegments("Çà la café? £5 — no"), 1, "an em dash is not GSM-7, so UCS-2");
});

Deno.test("GSM-7 extension characters cost two and never split across segments", () => {
  assert.equal(smsSegments("€".repeat(80)), 1, "80 × 2 = 160 septets");
  assert.equal(smsSegments("€".repeat(81)), 2);
  // 152 septets then an escape pair: the pair moves to the next segment, as phones do.
  assert.equal(smsSegments("a".repeat(152) + "€" + "a".repeat(152)), 3);
});

Deno.test("UCS-2 fits 70 in one segment and 67 per segment after; astral characters take two", () => {
  assert.equal(smsSegments("é".repeat(10) + "ж".repeat(60)), 1);
  assert.equal(smsSegments("ж".repeat(71)), 2);
  assert.equal(smsSegments("ж".repeat(134)), 2);
  assert.equal(smsSegments("ж".repeat(135)), 3);
  assert.equal(smsSegments("😀".repeat(35)), 1);
  assert.equal(smsSegments("😀".repeat(36)), 2);
  assert.equal(smsSegments("ж" + "😀".repeat(33)), 1, "67 code units");
  assert.equal(smsSegments("ж".repeat(66) + "😀" + "ж".repeat(4)), 2, "the emoji does not split");
});

Deno.test("HTTP status maps to a failure kind", () => {
  assert.equal(failureKindOf(201), undefined);
  assert.equal(failureKindOf(400), "rejected");
  assert.equal(failureKindOf(404), "rejected");
  assert.equal(failureKindOf(408), "unavailable");
  assert.equal(failureKindOf(429), "rate_limited");
  assert.equal(failureKindOf(500), "unavailable");
  assert.equal(failureKindOf(503), "unavailable");
});

Deno.test("Retry-After is seconds or an HTTP date read against now", () => {
  const now = Date.UTC(2026, 0, 1);
  assert.equal(parseRetryAfter("7", now), 7_000);
  assert.equal(parseRetryAfter("0.5", now), 500);
  assert.equal(parseRetryAfter(new Date(now + 90_000).toUTCString(), now), 90_000);
  assert.equal(parseRetryAfter(new Date(now - 90_000).toUTCString(), now), 0);
  assert.equal(parseRetryAfter(undefined, now), undefined);
  assert.equal(parseRetryAfter("", now), undefined);
  assert.equal(parseRetryAfter("-3", now), undefined);
  assert.equal(parseRetryAfter("soon", now), undefined);
});
