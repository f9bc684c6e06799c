import assert from "node:assert/strict";
import {
  addDays,
  formatDuration,
  formatPercent,
  funnelRows,
  leadsPerDaySeries,
  localDay,
  MAX_FILLED_DAYS,
  memoLast,
  moneyFormatter,
  presetRange,
  ratio,
  roi,
  roiRows,
  scoreGroups,
  statusGroup,
} from "../ui/dashboard/views/_analytics_data.ts";
import { Throttle, type ThrottleTimers } from "../ui/dashboard/throttle.ts";

const none = { leads: 0, won: 0, revenueCents: 0, costCents: 0 };

Deno.test("charts: divisions by zero answer null, never NaN or Infinity", () => {
  assert.equal(ratio(1, 4), 0.25);
  assert.equal(ratio(3, 0), null);
  assert.equal(ratio(0, 0), null);
  assert.equal(ratio(Number.NaN, 2), null);
  assert.equal(ratio(2, Number.POSITIVE_INFINITY), null);
  assert.equal(roi(30_000, 10_000), 2, "revenue three times the cost is +200%");
  assert.equal(roi(5_000, 10_000), -0.5);
  assert.equal(roi(0, 10_000), -1, "spent and earned nothing: -100%");
  assert.equal(roi(10_000, 0), null, "nothing spent: no ROI");
});

Deno.test("charts: the funnel's stage-to-stage and overall conversion", () => {
  const rows = funnelRows([
    { stage: "new", count: 12 },
    { stage: "contacted", count: 9 },
    { stage: "responded", count: 3 },
    { stage: "meeting", count: 0 },
    { stage: "won", count: 0 },
  ]);
  assert.deepEqual(rows.map((r) => r.label), ["New", "Contacted", "Responded", "Meeting", "Won"]);
  assert.deepEqual(rows.map((r) => r.fromPrevious), [null, 0.75, 1 / 3, 0, null]);
  assert.deepEqual(rows.map((r) => r.ofAll), [1, 0.75, 0.25, 0, 0]);
  const empty = funnelRows([{ stage: "new", count: 0 }, { stage: "contacted", count: 0 }]);
  assert.deepEqual(empty.map((r) => [r.fromPrevious, r.ofAll]), [[null, null], [null, null]]);
  assert.deepEqual(funnelRows([]), []);
});

Deno.test("charts: ROI rows per channel and campaign, first- or last-touch", () => {
  const report = {
    channels: [{
      channel: "sms",
      sent: 10,
      delivered: 9,
      failed: 1,
      replied: 2,
      firstTouch: { leads: 4, won: 1, revenueCents: 50_000, costCents: 2_000 },
      lastTouch: { leads: 2, won: 0, revenueCents: 0, costCents: 1_000 },
    }],
    campaigns: [{
      campaignId: "cmp_1",
      firstTouch: none,
      lastTouch: { leads: 3, won: 2, revenueCents: 90_000, costCents: 30_000 },
    }],
  };
  const first = roiRows(report, "first");
  assert.deepEqual(first.channels, [{
    key: "channel:sms",
    kind: "channel",
    name: "sms",
    leads: 4,
    won: 1,
    revenueCents: 50_000,
    costCents: 2_000,
    costPerLeadCents: 500,
    costPerWonCents: 2_000,
    roi: 24,
  }]);
  const idle = first.campaigns[0]!;
  assert.deepEqual(
    [idle.key, idle.costPerLeadCents, idle.costPerWonCents, idle.roi],
    ["campaign:cmp_1", null, null, null],
    "no leads, no cost: every division is null",
  );
  const last = roiRows(report, "last");
  assert.equal(last.channels[0]!.costPerWonCents, null, "none won");
  assert.equal(last.channels[0]!.roi, -1);
  assert.equal(last.campaigns[0]!.roi, 2);
  assert.equal(last.campaigns[0]!.costPerWonCents, 15_000);
});

Deno.test("charts: leads per day fill every day of the range, sources by their totals", () => {
  const rows = [
    { day: "2026-03-02", source: "widget", count: 2 },
    { day: "2026-03-04", source: "csv", count: 5 },
    { day: "2026-03-04", source: "widget", count: 1 },
    { day: "2026-02-01", source: "rest", count: 9 },
  ];
  const ranged = leadsPerDaySeries(rows, { from: "2026-03-01", to: "2026-03-05" });
  assert.deepEqual(ranged.days, [
    "2026-03-01",
    "2026-03-02",
    "2026-03-03",
    "2026-03-04",
    "2026-03-05",
  ]);
  assert.deepEqual(ranged.sources, [
    { source: "csv", counts: [0, 0, 0, 5, 0] },
    { source: "widget", counts: [0, 2, 0, 1, 0] },
  ], "a day outside the range is left out");
  const open = leadsPerDaySeries(rows.slice(0, 3));
  assert.deepEqual(open.days, ["2026-03-02", "2026-03-03", "2026-03-04"], "the data's own days");
  assert.deepEqual(leadsPerDaySeries([]), { days: [], sources: [] });
  const long = leadsPerDaySeries(rows, { from: "2020-01-01", to: "2026-12-31" });
  assert.ok(long.days.length < MAX_FILLED_DAYS, "years of days: only those with leads");
  assert.deepEqual(long.days, ["2026-02-01", "2026-03-02", "2026-03-04"]);
});

Deno.test("charts: days of a range in the tenant's zone, across month and DST ends", () => {
  assert.equal(addDays("2026-03-01", -1), "2026-02-28");
  assert.equal(addDays("2024-02-28", 1), "2024-02-29");
  assert.equal(addDays("2026-11-01", 1), "2026-11-02", "a DST change is still one day");
  assert.deepEqual(presetRange(7, "2026-03-03"), { from: "2026-02-25", to: "2026-03-03" });
  assert.deepEqual(presetRange(1, "2026-03-03"), { from: "2026-03-03", to: "2026-03-03" });
  const t = Date.parse("2026-03-03T03:00:00Z");
  assert.equal(localDay(t, "UTC"), "2026-03-03");
  assert.equal(localDay(t, "America/New_York"), "2026-03-02", "still the evening before");
  assert.equal(localDay(t, "Asia/Tokyo"), "2026-03-03");
});

Deno.test("charts: scatter points grouped by status, in legend order", () => {
  assert.deepEqual(
    ["new", "qualified", "meeting_scheduled", "won", "lost", "unsubscribed", "odd"].map(
      statusGroup,
    ),
    ["open", "open", "meeting", "won", "lost", "unsubscribed", "open"],
  );
  const groups = scoreGroups([
    { leadId: "a", score: 40, capturedAt: 1, status: "lost" },
    { leadId: "b", score: 90, capturedAt: 2, status: "won", valueCents: 1_000 },
    { leadId: "c", score: 10, capturedAt: 3, status: "new" },
    { leadId: "d", score: 20, capturedAt: 4, status: "contacted" },
  ]);
  assert.deepEqual(groups.map((g) => g.group), ["open", "won", "lost"], "empty groups left out");
  assert.deepEqual(groups[0]!.points, [
    { x: 3, y: 10, leadId: "c", status: "new" },
    { x: 4, y: 20, leadId: "d", status: "contacted" },
  ]);
  assert.deepEqual(groups[1]!.points, [
    { x: 2, y: 90, leadId: "b", status: "won", valueCents: 1_000 },
  ]);
  assert.deepEqual(scoreGroups([]), []);
});

Deno.test("charts: durations, percentages and money read well; null says so", () => {
  assert.equal(formatDuration(null), "no data");
  assert.equal(formatDuration(44_000), "44 s");
  assert.equal(formatDuration(12 * 60_000), "12 min");
  assert.equal(formatDuration(3 * 3_600_000 + 5 * 60_000), "3 h 5 min");
  assert.equal(formatDuration(2 * 3_600_000), "2 h");
  assert.equal(formatDuration(52 * 3_600_000), "2 d 4 h");
  assert.equal(formatPercent(0.41666, "en-US"), "41.7%");
  assert.equal(formatPercent(null), "n/a");
  assert.equal(formatPercent(Number.NaN), "n/a");
  const eur = moneyFormatter("EUR", "en-US");
  assert.equal(eur(150_050), "€1,500.50");
  assert.equal(eur(null), "n/a");
  assert.equal(moneyFormatter("JPY", "en-US")(1_500), "¥1,500", "a currency without cents");
  const cents = moneyFormatter(undefined, "en-US");
  assert.equal(cents(150_050), "150,050", "no currency: a count of cents");
  assert.equal(moneyFormatter("not a currency", "en-US")(12), "12");
});

Deno.test("charts: the throttle runs once per interval, at its end, and can be dropped", () => {
  const due: { fn: () => void; at: number }[] = [];
  let now = 0;
  const timers: ThrottleTimers = {
    set: (fn, ms) => {
      const t = { fn, at: now + ms };
      due.push(t);
      return t;
    },
    clear: (h) => due.splice(due.indexOf(h as (typeof due)[number]), 1),
    now: () => now,
  };
  const advance = (ms: number) => {
    now += ms;
    for (const t of due.filter((t) => t.at <= now)) {
      due.splice(due.indexOf(t), 1);
      t.fn();
    }
  };
  let runs = 0;
  const throttle = new Throttle(() => runs++, 2_000, { trailing: true, timers });
  throttle.request();
  advance(500);
  throttle.request();
  throttle.request();
  assert.equal(runs, 0, "trailing: nothing before the interval ends");
  advance(1_500);
  assert.equal(runs, 1, "a burst costs one run");
  throttle.request();
  advance(1_999);
  assert.equal(runs, 1, "the next one waits a whole interval");
  advance(1);
  assert.equal(runs, 2);
  throttle.request();
  throttle.cancel();
  advance(5_000);
  assert.equal(runs, 2, "a dropped run does not happen");
});

Deno.test("charts: a memo answers the same object until an argument changes", () => {
  let calls = 0;
  const build = memoLast((report: object, touch: string) => ({ report, touch, n: ++calls }));
  const report = {};
  const first = build(report, "first");
  assert.equal(build(report, "first"), first, "same arguments: the same configuration");
  assert.notEqual(build(report, "last"), first);
  assert.notEqual(build({}, "last"), first, "a new report (equal or not) is built anew");
  assert.equal(calls, 3);
});
