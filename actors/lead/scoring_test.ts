import assert from "node:assert/strict";
import {
  DEFAULT_SCORING_RULES,
  parseScoringRules,
  type ScoringFacts,
  type ScoringRules,
} from "../../shared/mod.ts";
import { priorityFor, scoreLead } from "./scoring.ts";

const NOW = Date.UTC(2026, 0, 15);
const DAY = 86_400_000;

function facts(over: Partial<ScoringFacts> = {}): ScoringFacts {
  return { hasWebsite: true, phoneValid: false, tags: [], engagement: [], ...over };
}

// Takes rules as a tenant would save them (JSON, defaults omitted) and validates them.
function rules(over: Record<string, unknown>): ScoringRules {
  return parseScoringRules({ ...DEFAULT_SCORING_RULES, ...over });
}

Deno.test("defaults: a well-rated business with no website and a valid phone is high priority", () => {
  const result = scoreLead(
    facts({ rating: 4.6, hasWebsite: false, phoneValid: true }),
    DEFAULT_SCORING_RULES,
    NOW,
  );
  assert.deepEqual(result, {
    score: 90,
    priority: "high",
    reasons: [
      { ruleId: "highly-rated", points: 30, reason: "highly rated" },
      { ruleId: "no-website", points: 40, reason: "no website: needs one" },
      { ruleId: "valid-phone", points: 20, reason: "valid phone" },
    ],
  });
});

Deno.test("defaults: thresholds are inclusive for gte and exclusive for gt", () => {
  assert.equal(scoreLead(facts({ rating: 4.5 }), DEFAULT_SCORING_RULES, NOW).score, 30);
  assert.equal(scoreLead(facts({ rating: 4.4 }), DEFAULT_SCORING_RULES, NOW).score, 0);
  assert.equal(scoreLead(facts({ emailConfidence: 0.8 }), DEFAULT_SCORING_RULES, NOW).score, 0);
  const email = scoreLead(
    facts({ emailConfidence: 0.81, phoneValid: true }),
    DEFAULT_SCORING_RULES,
    NOW,
  );
  assert.equal(email.score, 30);
  assert.equal(email.priority, "low");
});

Deno.test("defaults: an unknown rating fires no rating rule", () => {
  const result = scoreLead(facts({ hasWebsite: false }), DEFAULT_SCORING_RULES, NOW);
  assert.equal(result.score, 40);
  assert.equal(result.priority, "medium");
  assert.deepEqual(result.reasons.map((r) => r.ruleId), ["no-website"]);
});

Deno.test("engagement decays by half after one half-life", () => {
  const fresh = scoreLead(
    facts({ engagement: [{ kind: "booked", at: NOW }] }),
    DEFAULT_SCORING_RULES,
    NOW,
  );
  assert.equal(fresh.score, 25);
  const old = scoreLead(
    facts({ engagement: [{ kind: "booked", at: NOW - 14 * DAY }] }),
    DEFAULT_SCORING_RULES,
    NOW,
  );
  assert.deepEqual(old.reasons, [{
    ruleId: "engagement.booked",
    points: 12.5,
    reason: "booked ×1",
  }]);
  assert.equal(old.score, 13, "12.5 rounds once, at the end");
  const older = scoreLead(
    facts({ engagement: [{ kind: "booked", at: NOW - 28 * DAY }] }),
    DEFAULT_SCORING_RULES,
    NOW,
  );
  assert.equal(older.reasons[0]?.points, 6.3);
});

Deno.test("engagement is summarized per kind and future timestamps count as fresh", () => {
  const result = scoreLead(
    facts({
      engagement: [
        { kind: "opened", at: NOW },
        { kind: "opened", at: NOW - 14 * DAY },
        { kind: "replied", at: NOW + DAY },
      ],
    }),
    DEFAULT_SCORING_RULES,
    NOW,
  );
  assert.deepEqual(result.reasons, [
    { ruleId: "engagement.replied", points: 15, reason: "replied ×1" },
    { ruleId: "engagement.opened", points: 3, reason: "opened ×2" },
  ]);
  assert.equal(result.score, 18);
});

Deno.test("the sum is clamped to 0..100", () => {
  const booked = Array.from({ length: 5 }, () => ({ kind: "booked" as const, at: NOW }));
  const top = scoreLead(
    facts({ rating: 5, hasWebsite: false, phoneValid: true, engagement: booked }),
    DEFAULT_SCORING_RULES,
    NOW,
  );
  assert.equal(top.score, 100);
  const negative = rules({
    rules: [
      DEFAULT_SCORING_RULES.rules[2],
      { id: "spam", when: { field: "tag", op: "eq", value: "spam" }, points: -100, reason: "spam" },
    ],
  });
  const bottom = scoreLead(facts({ tags: ["Spam "], phoneValid: true }), negative, NOW);
  assert.equal(bottom.score, 0, "20 - 100 clamps to 0");
  assert.deepEqual(bottom.reasons.map((x) => x.points), [20, -100]);
  assert.equal(bottom.priority, "low");
});

Deno.test("text and tag conditions ignore case and test presence", () => {
  const r = rules({
    rules: [
      {
        id: "trade",
        when: { field: "businessType", op: "in", value: ["plumber", "roofer"] },
        points: 10,
        reason: "trade",
      },
      {
        id: "not-csv",
        when: { field: "source", op: "neq", value: "csv" },
        points: 5,
        reason: "not imported",
      },
      {
        id: "no-reviews",
        when: { field: "reviewCount", op: "exists", value: false },
        points: 7,
        reason: "unreviewed",
      },
      { id: "tagged", when: { field: "tag", op: "exists" }, points: 3, reason: "tagged" },
    ],
  });
  const hit = scoreLead(facts({ businessType: "Roofer", source: "widget", tags: ["vip"] }), r, NOW);
  assert.deepEqual(hit.reasons.map((x) => x.ruleId), ["trade", "not-csv", "no-reviews", "tagged"]);
  const miss = scoreLead(facts({ reviewCount: 0 }), r, NOW);
  assert.deepEqual(miss.reasons, [], "a comparison on an unknown fact never holds");
});

Deno.test("extra points count like a rule and are listed", () => {
  const result = scoreLead(facts({ hasWebsite: false }), DEFAULT_SCORING_RULES, NOW, [
    { ruleId: "ai.fit", points: 10, reason: "ai: good fit" },
  ]);
  assert.equal(result.score, 50);
  assert.equal(result.reasons.at(-1)?.reason, "ai: good fit");
});

Deno.test("priority bands follow the tenant's thresholds", () => {
  assert.equal(priorityFor(70, DEFAULT_SCORING_RULES), "high");
  assert.equal(priorityFor(69, DEFAULT_SCORING_RULES), "medium");
  assert.equal(priorityFor(40, DEFAULT_SCORING_RULES), "medium");
  assert.equal(priorityFor(39, DEFAULT_SCORING_RULES), "low");
  assert.equal(priorityFor(50, rules({ priority: { high: 50, medium: 10 } })), "high");
});
