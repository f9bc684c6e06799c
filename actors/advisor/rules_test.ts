import assert from "node:assert/strict";
import { Recommendation } from "../../shared/analytics.ts";
import type { PipelineFigures } from "./figures.ts";
import {
  bestSegments,
  lowResponseRate,
  pipelineRunningLow,
  recommend,
  silentHighScoreLeads,
  weakestStep,
} from "./rules.ts";

/** A healthy pipeline: plenty uncontacted, a good response rate, nobody silent. */
function healthy(over: Partial<PipelineFigures> = {}): PipelineFigures {
  return {
    asOf: 0,
    openLeads: 100,
    uncontacted: 40,
    written: 50,
    replied: 20,
    steps: [],
    silentHighScore: [],
    segments: [],
    ...over,
  };
}

Deno.test("rules: a healthy pipeline gets no recommendation", () => {
  assert.deepEqual(recommend(healthy()), []);
});

Deno.test("rules: pipeline running low fires under 20% uncontacted, not at 20%", () => {
  assert.equal(pipelineRunningLow(healthy({ uncontacted: 20 })), undefined);
  const r = pipelineRunningLow(healthy({
    uncontacted: 19,
    segments: [
      { kind: "city", value: "Austin", leads: 10, converted: 1 },
      { kind: "city", value: "Denver", leads: 4, converted: 2 },
      { kind: "postcode", value: "78701", leads: 3, converted: 1 },
      { kind: "businessType", value: "plumber", leads: 5, converted: 3 },
      { kind: "businessType", value: "bakery", leads: 8, converted: 0 },
      { kind: "source", value: "widget", leads: 30, converted: 6 },
    ],
  }));
  assert.ok(r);
  assert.equal(r.kind, "generate_leads");
  assert.deepEqual(r.metric, { name: "uncontacted_share", value: 0.19, threshold: 0.2 });
  assert.match(r.reason, /19 of 100 open leads \(19\.0%\)/);
  // Best converting first: Denver (50%) before Austin (10%); bakery never converted, still listed last.
  assert.deepEqual(r.suggested.locations, ["Denver", "Austin", "78701"]);
  assert.deepEqual(r.suggested.businessTypes, ["plumber", "bakery"]);
  assert.deepEqual(r.suggested.sources, ["widget"]);
  assert.equal(r.suggested.count, 10);
  assert.ok(Recommendation.safeParse(r).success);
});

Deno.test("rules: an empty pipeline is running low", () => {
  const r = pipelineRunningLow(healthy({ openLeads: 0, uncontacted: 0 }));
  assert.equal(r?.kind, "generate_leads");
  assert.match(r!.reason, /no open leads/);
});

Deno.test("rules: low response rate fires under 10% once ten leads were written to", () => {
  assert.equal(lowResponseRate(healthy({ written: 9, replied: 0 })), undefined);
  assert.equal(lowResponseRate(healthy({ written: 100, replied: 10 })), undefined);
  const steps = [
    { sequence: "no_reply", step: 0, sent: 60, replied: 6 },
    { sequence: "no_reply", step: 1, sent: 30, replied: 1 },
    { sequence: "silent", step: 0, sent: 0, replied: 0 },
  ];
  const r = lowResponseRate(healthy({ written: 100, replied: 9, steps }));
  assert.ok(r);
  assert.equal(r.kind, "optimize_templates");
  assert.equal(r.metric.value, 0.09);
  assert.match(r.reason, /weakest step is no_reply step 1/);
  assert.deepEqual(r.suggested.abTest, {
    sequence: "no_reply",
    step: 1,
    sent: 30,
    replied: 1,
    variants: ["current template", "new variant"],
    split: 0.5,
  });
});

Deno.test("rules: silent high-score leads are listed for recovery", () => {
  assert.equal(silentHighScoreLeads(healthy()), undefined);
  const r = silentHighScoreLeads(healthy({
    silentHighScore: [
      { leadId: "a", score: 90, silentSince: 0 },
      { leadId: "b", score: 70, silentSince: 0 },
    ],
  }));
  assert.equal(r?.kind, "recover_silent_leads");
  assert.deepEqual(r!.suggested.leadIds, ["a", "b"]);
  assert.equal(r!.metric.value, 2);
});

Deno.test("rules: every rule at once, in a fixed order", () => {
  const kinds = recommend(healthy({
    uncontacted: 5,
    written: 50,
    replied: 1,
    silentHighScore: [{ leadId: "x", score: 80, silentSince: 0 }],
  })).map((r) => r.kind);
  assert.deepEqual(kinds, ["generate_leads", "optimize_templates", "recover_silent_leads"]);
});

Deno.test("rules: ties between segments and steps are broken stably", () => {
  const segs = bestSegments([
    { kind: "city", value: "b", leads: 2, converted: 1 },
    { kind: "city", value: "a", leads: 2, converted: 1 },
    { kind: "city", value: "c", leads: 4, converted: 2 },
    { kind: "city", value: "z", leads: 0, converted: 0 },
  ], "city").map((s) => s.value);
  assert.deepEqual(segs, ["c", "a", "b"]);
  assert.equal(weakestStep([]), undefined);
  assert.deepEqual(
    weakestStep([
      { sequence: "a", step: 0, sent: 10, replied: 0 },
      { sequence: "a", step: 1, sent: 20, replied: 0 },
    ]),
    { sequence: "a", step: 1, sent: 20, replied: 0 },
  );
});
