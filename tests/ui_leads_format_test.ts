import assert from "node:assert/strict";
import {
  DEFAULT_QUERY,
  duration,
  isLiveFeed,
  leadsPath,
  refreshFirstPage,
  when,
} from "../ui/dashboard/views/_lead_format.ts";
import { Throttle } from "../ui/dashboard/throttle.ts";
import { tickOf } from "../ui/dashboard/live.ts";

Deno.test("leads query: the REST path names only what differs from the default, encoded", () => {
  assert.equal(leadsPath(DEFAULT_QUERY, 50), "/v1/leads?limit=50");
  assert.equal(
    leadsPath({ sort: "name", status: "won", source: "csv", q: " a&b=c " }, 20, "x+y/z"),
    "/v1/leads?limit=20&sort=name&status=won&source=csv&q=a%26b%3Dc&cursor=x%2By%2Fz",
  );
  assert.equal(leadsPath({ ...DEFAULT_QUERY, q: "   " }, 50), "/v1/leads?limit=50");
});

Deno.test("leads query: only newest-first with nothing filtered is the live feed", () => {
  assert.ok(isLiveFeed(DEFAULT_QUERY));
  assert.ok(!isLiveFeed({ ...DEFAULT_QUERY, sort: "score" }));
  assert.ok(!isLiveFeed({ ...DEFAULT_QUERY, status: "new" }));
  assert.ok(!isLiveFeed({ ...DEFAULT_QUERY, source: "csv" }));
  assert.ok(!isLiveFeed({ ...DEFAULT_QUERY, q: "ana" }));
});

Deno.test("leads list: a re-read first page replaces the rows it covers and keeps later pages", () => {
  const rows = (ids: string) => [...ids].map((lead_id) => ({ lead_id }));
  // Shown: two pages of 2 (a b | c d). The first page now reads x a: b left it.
  assert.deepEqual(refreshFirstPage(rows("abcd"), rows("xa"), 2), rows("xacd"));
  // A row of a later page that moved into the first page is not shown twice.
  assert.deepEqual(refreshFirstPage(rows("abcd"), rows("ca"), 2), rows("cad"));
  assert.deepEqual(refreshFirstPage([], rows("ab"), 2), rows("ab"));
});

Deno.test("durations and times read as people read them", () => {
  assert.equal(duration(30_000), "under a minute");
  assert.equal(duration(-5), "under a minute");
  assert.equal(duration(40 * 60_000), "40 min");
  assert.equal(duration(5 * 3_600_000 + 12 * 60_000), "5 h 12 min");
  assert.equal(duration(2 * 3_600_000), "2 h");
  assert.equal(duration(86_400_000), "1 day");
  assert.equal(duration(3 * 86_400_000 + 4 * 3_600_000), "3 days 4 h");
  assert.equal(when(null), "");
  assert.equal(when("not a time"), "");
  assert.ok(when(Date.UTC(2026, 0, 2)).length > 0);
  assert.ok(when("2026-01-02T00:00:00Z", true).length > when("2026-01-02T00:00:00Z").length);
});

Deno.test("a live tick names an actor by its id, its kind by the name's first part", () => {
  const tick = tickOf(3, [
    { actor: "lead/demo/abc", type: "lead.captured" },
    { actor: "campaign/demo/c1", type: "campaign.launched" },
  ]);
  assert.equal(tick.revision, 3);
  assert.deepEqual([...tick.kinds], ["lead", "campaign"]);
  assert.ok(tick.ids.has("abc"));
  assert.ok(!tick.ids.has("demo/abc"));
  assert.ok(!tick.ids.has("xabc") && !tick.ids.has("bc"));
  assert.deepEqual([...tick.types], ["lead.captured", "campaign.launched"]);
});

Deno.test("live re-reads are throttled: the first at once, the rest joined into one at the end of the quiet time", () => {
  let now = 1_000;
  const timers: { at: number; f: () => void }[] = [];
  const runs: number[] = [];
  const t = new Throttle(() => runs.push(now), 2_000, {
    timers: {
      set: (f, ms) => timers.push({ at: now + ms, f }),
      clear: () => {},
      now: () => now,
    },
  });
  t.request();
  assert.deepEqual(runs, [1_000]);
  now = 1_500;
  t.request();
  t.request();
  assert.deepEqual(runs, [1_000]);
  assert.deepEqual(timers.map((x) => x.at), [3_000]);
  now = 3_000;
  timers.shift()!.f();
  assert.deepEqual(runs, [1_000, 3_000]);
  now = 9_000;
  t.request();
  assert.deepEqual(runs, [1_000, 3_000, 9_000]);
  assert.equal(timers.length, 0);
});
