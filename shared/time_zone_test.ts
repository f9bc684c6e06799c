import assert from "node:assert/strict";
import { timeZoneOf } from "./time_zone.ts";

Deno.test("a time zone comes from the region where a country spans several", () => {
  assert.equal(timeZoneOf({ country: "US", region: "ca" }), "America/Los_Angeles");
  assert.equal(timeZoneOf({ country: "US", region: "NY" }), "America/New_York");
  assert.equal(timeZoneOf({ country: "CA", region: "BC" }), "America/Vancouver");
  assert.equal(timeZoneOf({ country: "AU", region: "WA" }), "Australia/Perth");
  assert.equal(timeZoneOf({ country: "US" }), undefined, "no guess for a country of many zones");
});

Deno.test("a time zone comes from the country where it is unambiguous", () => {
  assert.equal(timeZoneOf({ country: "GB" }), "Europe/London");
  assert.equal(timeZoneOf({ country: "ie" }), "Europe/Dublin");
  assert.equal(timeZoneOf({ country: "DE" }), "Europe/Berlin");
  assert.equal(timeZoneOf({}), undefined);
  assert.equal(timeZoneOf({ country: "ZZ" }), undefined);
});
