/**
 * Lead scoring: a tenant's rules applied to a lead's facts. Pure, so the lead
 * actor can rescore inside its turn and tests need no clock but a number.
 *
 * @module
 */
import type {
  Condition,
  EngagementKind,
  Priority,
  ScoreReason,
  ScoreResult,
  ScoringFacts,
  ScoringRules,
} from "../../shared/mod.ts";

const DAY_MS = 86_400_000;
const ENGAGEMENT_KINDS: readonly EngagementKind[] = ["booked", "replied", "clicked", "opened"];

/**
 * Scores a lead: the points of every rule whose condition holds, plus its
 * engagement decayed by age (`points × 0.5^(ageDays / halfLifeDays)`, so old
 * opens stop propping up a cold lead), plus `extra` points from outside the
 * rules (the AI's judgement of fit). The sum is clamped to 0..100 and rounded
 * once, at the end, so decayed fractions are not lost rule by rule.
 */
export function scoreLead(
  facts: ScoringFacts,
  rules: ScoringRules,
  now: number,
  extra: readonly ScoreReason[] = [],
): ScoreResult {
  const reasons: ScoreReason[] = [];
  let total = 0;
  for (const rule of rules.rules) {
    if (!conditionHolds(rule.when, facts)) continue;
    total += rule.points;
    reasons.push({ ruleId: rule.id, points: rule.points, reason: rule.reason });
  }
  for (const kind of ENGAGEMENT_KINDS) {
    const perEvent = rules.engagement[kind];
    const events = facts.engagement.filter((e) => e.kind === kind);
    if (perEvent === 0 || events.length === 0) continue;
    const decayed = events.reduce(
      (sum, e) => sum + perEvent * decay(now - e.at, rules.engagement.halfLifeDays),
      0,
    );
    total += decayed;
    reasons.push({
      ruleId: `engagement.${kind}`,
      points: Math.round(decayed * 10) / 10,
      reason: `${kind} ×${events.length}`,
    });
  }
  for (const r of extra) {
    total += r.points;
    reasons.push(r);
  }
  const score = Math.round(Math.min(100, Math.max(0, total)));
  return { score, priority: priorityFor(score, rules), reasons };
}

/** The priority band of a score under a tenant's thresholds (at or above `high`, then `medium`). */
export function priorityFor(score: number, rules: ScoringRules): Priority {
  if (score >= rules.priority.high) return "high";
  if (score >= rules.priority.medium) return "medium";
  return "low";
}

// Engagement stamped in the future (clock skew between nodes) counts as fresh, never as more.
function decay(ageMs: number, halfLifeDays: number): number {
  return 0.5 ** (Math.max(0, ageMs) / DAY_MS / halfLifeDays);
}

// A comparison on a fact the lead lacks never holds; `exists` is how a rule asks about absence.
function conditionHolds(when: Condition, facts: ScoringFacts): boolean {
  switch (when.field) {
    case "rating":
    case "reviewCount":
    case "emailConfidence": {
      const actual = facts[when.field];
      if (when.op === "exists") return (actual !== undefined) === when.value;
      if (actual === undefined) return false;
      return compare(actual, when.op, when.value);
    }
    case "hasWebsite":
    case "phoneValid":
      return when.op === "eq" ? facts[when.field] === when.value : facts[when.field] !== when.value;
    case "businessType":
    case "source": {
      const actual = facts[when.field];
      if (when.op === "exists") return (actual !== undefined && actual !== "") === when.value;
      if (actual === undefined) return false;
      return matchText([actual], when);
    }
    case "tag":
      if (when.op === "exists") return (facts.tags.length > 0) === when.value;
      return matchText(facts.tags, when);
  }
}

function compare(actual: number, op: "gte" | "gt" | "lte" | "lt" | "eq" | "neq", value: number) {
  switch (op) {
    case "gte":
      return actual >= value;
    case "gt":
      return actual > value;
    case "lte":
      return actual <= value;
    case "lt":
      return actual < value;
    case "eq":
      return actual === value;
    case "neq":
      return actual !== value;
  }
}

// Text facts come from scraped listings and typed forms, so case and
// surrounding spaces carry no meaning: "Plumber " matches "plumber".
function matchText(
  actual: readonly string[],
  when: { op: "eq" | "neq"; value: string } | { op: "in"; value: string[] },
): boolean {
  const have = new Set(actual.map(norm));
  if (when.op === "in") return when.value.some((v) => have.has(norm(v)));
  return have.has(norm(when.value)) === (when.op === "eq");
}

function norm(s: string): string {
  return s.trim().toLowerCase();
}
