import assert from "node:assert/strict";
import { ValidationError } from "./errors.ts";
import {
  AiQualification,
  DEFAULT_SCORING_RULES,
  parseScoringRules,
  Qualification,
  ScoringFacts,
} from "./scoring.ts";

function rulesWith(rule: unknown): unknown {
  return { ...DEFAULT_SCORING_RULES, rules: [rule] };
}

function issuesOf(input: unknown): { path: string; message: string }[] {
  try {
    parseScoringRules(input);
  } catch (err) {
    assert.ok(err instanceof ValidationError);
    assert.equal(err.code, "validation_failed");
    assert.equal(err.status, 400);
    return err.issues;
  }
  assert.fail("expected the rules to be rejected");
}

Deno.test("the default rules pass their own validation unchanged", () => {
  assert.deepEqual(parseScoringRules(DEFAULT_SCORING_RULES), DEFAULT_SCORING_RULES);
});

Deno.test("rules saved without an ai section get the default AI points", () => {
  const { ai: _, ...withoutAi } = DEFAULT_SCORING_RULES;
  assert.deepEqual(parseScoringRules(withoutAi).ai, DEFAULT_SCORING_RULES.ai);
});

Deno.test("an unknown op names rules.N.when.op", () => {
  const issues = issuesOf(
    rulesWith({
      id: "r",
      when: { field: "rating", op: "between", value: 4 },
      points: 5,
      reason: "x",
    }),
  );
  assert.deepEqual(issues.map((i) => i.path), ["rules.0.when.op"]);
  assert.match(issues[0]!.message, /"between" does not fit number field "rating"; use gte/);
});

Deno.test("an op that does not fit the field's type is rejected", () => {
  const issues = issuesOf(
    rulesWith({
      id: "r",
      when: { field: "hasWebsite", op: "gte", value: 1 },
      points: 5,
      reason: "x",
    }),
  );
  assert.deepEqual(issues.map((i) => i.path), ["rules.0.when.op"]);
  assert.match(issues[0]!.message, /does not fit yes\/no field "hasWebsite"; use eq or neq/);
  assert.equal(
    issuesOf(
      rulesWith({
        id: "r",
        when: { field: "tag", op: "lt", value: "vip" },
        points: 1,
        reason: "x",
      }),
    )[0]
      ?.path,
    "rules.0.when.op",
  );
});

Deno.test("a value of the wrong type names rules.N.when.value", () => {
  const issues = issuesOf(
    rulesWith({
      id: "r",
      when: { field: "rating", op: "gte", value: "4.5" },
      points: 5,
      reason: "x",
    }),
  );
  assert.deepEqual(issues.map((i) => i.path), ["rules.0.when.value"]);
  const inIssues = issuesOf(
    rulesWith({
      id: "r",
      when: { field: "source", op: "in", value: "widget" },
      points: 5,
      reason: "x",
    }),
  );
  assert.deepEqual(inIssues.map((i) => i.path), ["rules.0.when.value"]);
});

Deno.test("an unknown field, out-of-range points and stray keys are each named", () => {
  const issues = issuesOf({
    ...DEFAULT_SCORING_RULES,
    rules: [
      { id: "a", when: { field: "revenue", op: "gt", value: 1 }, points: 5, reason: "x" },
      { id: "b", when: { field: "phoneValid", op: "eq", value: true }, points: 150, reason: "x" },
      { id: "c", when: { field: "tag", op: "exists" }, points: 1, reason: "x", pionts: 2 },
    ],
  });
  assert.deepEqual(issues.map((i) => i.path), ["rules.0.when.field", "rules.1.points", "rules.2"]);
  assert.match(issues[2]!.message, /pionts/);
});

Deno.test("duplicate rule ids and inverted priority bands are rejected", () => {
  const rule = DEFAULT_SCORING_RULES.rules[0];
  const issues = issuesOf({
    ...DEFAULT_SCORING_RULES,
    rules: [rule, rule],
    priority: { high: 40, medium: 70 },
  });
  assert.deepEqual(issues.map((i) => i.path), ["rules.1.id", "priority.medium"]);
});

Deno.test("the error message lists each failing field", () => {
  assert.throws(
    () => parseScoringRules({ ...DEFAULT_SCORING_RULES, version: 2, engagement: {} }),
    (err: unknown) =>
      err instanceof ValidationError && /^invalid scoring rules: version: /.test(err.message) &&
      err.message.includes("engagement.halfLifeDays"),
  );
});

Deno.test("scoring facts default tags and engagement to none", () => {
  assert.deepEqual(ScoringFacts.parse({ hasWebsite: true, phoneValid: false }), {
    hasWebsite: true,
    phoneValid: false,
    tags: [],
    engagement: [],
  });
});

Deno.test("the AI's summary is bounded and a qualification round-trips", () => {
  const ai = {
    intent: "buy",
    budget: null,
    timeline: null,
    fit: "good",
    summary: "x".repeat(501),
    recommendedAction: "call",
    confidence: 0.7,
  };
  assert.equal(AiQualification.safeParse(ai).error?.issues[0]?.path[0], "summary");
  const q = {
    source: "rules",
    fallbackReason: "timeout",
    detail: "no answer within 100 ms",
    score: { score: 40, priority: "medium", reasons: [] },
  };
  assert.deepEqual(Qualification.parse(q), q);
});
