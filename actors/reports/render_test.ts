import assert from "node:assert/strict";
import { renderWeeklyReport } from "./render.ts";
import { reportWeek } from "./week.ts";
import type { WeeklyFigures } from "./weekly_figures.ts";

function figures(over: Partial<WeeklyFigures> = {}): WeeklyFigures {
  const week = reportWeek("2026-W23", "Europe/Paris");
  return {
    tenant: "t1",
    week,
    captured: 17,
    leadsPerDay: week.days.map((day, i) => ({ day, count: [3, 0, 5, 2, 4, 1, 2][i]! })),
    bySource: [{ source: "widget", count: 12 }, { source: "csv", count: 5 }],
    funnel: [
      { stage: "new", count: 17 },
      { stage: "contacted", count: 11 },
      { stage: "responded", count: 6 },
      { stage: "meeting", count: 3 },
      { stage: "won", count: 2 },
    ],
    scoreDistribution: Array.from({ length: 10 }, (_, i) => ({ from: i * 10, count: i })),
    silent: 4,
    recommendations: [{
      kind: "recover_silent_leads",
      reason: "2 lead(s) <scoring> 70 or more",
      metric: { name: "silent_high_score_leads", value: 2, threshold: 1 },
      suggested: { leadIds: ["a", "b"] },
    }],
    ...over,
  };
}

/** Checks that every tag of `xml` is closed in order (a well-formedness check of our output). */
function assertBalanced(xml: string): void {
  const stack: string[] = [];
  for (const m of xml.matchAll(/<(\/?)([a-zA-Z][\w:-]*)[^>]*?(\/?)>/g)) {
    const [, close, name, selfClosing] = m;
    if (selfClosing) continue;
    if (close) assert.equal(stack.pop(), name, `</${name}> closes the wrong element`);
    else stack.push(name!);
  }
  assert.deepEqual(stack, [], "unclosed elements");
}

Deno.test("weekly report: the HTML carries the figures in three well-formed SVG charts", () => {
  const r = renderWeeklyReport(figures());
  assert.equal(r.subject, "Weekly report 2026-W23: 17 new lead(s), 2 won");
  const svgs = [...r.html.matchAll(/<svg[\s\S]*?<\/svg>/g)].map((m) => m[0]);
  assert.equal(svgs.length, 3);
  for (const svg of svgs) {
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assertBalanced(svg);
  }
  // Leads per day: one bar per day, labelled with its count.
  assert.equal(svgs[0]!.match(/<rect /g)?.length, 7);
  assert.match(svgs[0]!, />5<\/text>/);
  assert.match(svgs[1]!, /Won<\/text>.*>2<\/text>/);
  assert.match(svgs[2]!, /90-100/);
  // Bar heights follow the values: the 5-lead day is the tallest bar.
  const heights = [...svgs[0]!.matchAll(/height="(\d+)" fill/g)].map((m) => Number(m[1]));
  assert.equal(Math.max(...heights), heights[2]);
  assert.equal(heights[1], 0);
  // Text from data is escaped, and the document as a whole is balanced.
  assert.match(r.html, /&lt;scoring&gt;/);
  assert.doesNotMatch(r.html, /<scoring>/);
  const body = r.html.replace(/^<!DOCTYPE html>/, "").replace(/<meta[^>]*>/, "");
  assertBalanced(body);
  assert.match(r.text, /Leads captured: 17/);
  assert.deepEqual(r.summary, { captured: 17, won: 2, silent: 4, recommendations: 1 });
});

Deno.test("weekly report: an empty week renders zero bars and says there is nothing to recommend", () => {
  const week = reportWeek("2026-W23", "UTC");
  const r = renderWeeklyReport(figures({
    captured: 0,
    leadsPerDay: week.days.map((day) => ({ day, count: 0 })),
    bySource: [],
    funnel: figures().funnel.map((f) => ({ ...f, count: 0 })),
    scoreDistribution: figures().scoreDistribution.map((b) => ({ ...b, count: 0 })),
    silent: 0,
    recommendations: [],
  }));
  assert.match(r.html, /No recommendations this week/);
  assert.doesNotMatch(r.html, /NaN|Infinity/);
});
