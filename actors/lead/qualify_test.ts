import assert from "node:assert/strict";
import {
  type AiFailureReason,
  type AiQualification,
  DEFAULT_SCORING_RULES,
  type ScoringFacts,
} from "../../shared/mod.ts";
import { type AiClient, type AiResult, createOpenAiClient, disabledAi } from "../ai/mod.ts";
import { type LeadProfile, qualificationRequest, qualifyLead } from "./qualify.ts";

const NOW = Date.UTC(2026, 0, 15);
const LEAD: LeadProfile = {
  name: "Rosa's Bakery",
  businessType: "bakery",
  message: "We need a website before the holidays, budget around $3k.",
  rating: 4.6,
  reviewCount: 212,
  source: "widget",
};
// 30 (rating) + 40 (no website) + 20 (valid phone) under the default rules.
const FACTS: ScoringFacts = {
  rating: 4.6,
  reviewCount: 212,
  hasWebsite: false,
  phoneValid: true,
  tags: [],
  engagement: [],
};
const SMALL: ScoringFacts = { hasWebsite: false, phoneValid: false, tags: [], engagement: [] };

function qualification(over: Partial<AiQualification> = {}): AiQualification {
  return {
    intent: "buy",
    budget: "$3k",
    timeline: "before the holidays",
    fit: "good",
    summary: "Well-reviewed bakery without a website, ready to buy.",
    recommendedAction: "Call today with the starter package.",
    confidence: 0.9,
    ...over,
  };
}

/** An AI client that always gives `result`. */
function fakeAi(result: AiResult<AiQualification>): AiClient {
  return { complete: <T>() => Promise.resolve(result as AiResult<T>) };
}

Deno.test("an AI answer is kept and a confident good fit adds its points as a reason", async () => {
  const ai = qualification();
  const q = await qualifyLead(
    fakeAi({ ok: true, value: ai, model: "m" }),
    LEAD,
    DEFAULT_SCORING_RULES,
    SMALL,
    NOW,
  );
  assert.equal(q.source, "ai");
  assert.deepEqual(q.source === "ai" && q.ai, ai);
  assert.equal(q.score.score, 50);
  assert.equal(q.score.priority, "medium");
  assert.deepEqual(q.score.reasons.at(-1), {
    ruleId: "ai.fit",
    points: 10,
    reason: "ai: good fit",
  });
});

Deno.test("a poor fit subtracts, a fair or hesitant one changes nothing", async () => {
  const score = async (over: Partial<AiQualification>) => {
    const ai = fakeAi({ ok: true, value: qualification(over), model: "m" });
    return (await qualifyLead(ai, LEAD, DEFAULT_SCORING_RULES, FACTS, NOW)).score;
  };
  const poor = await score({ fit: "poor" });
  assert.equal(poor.score, 80);
  assert.equal(poor.reasons.at(-1)?.reason, "ai: poor fit");
  assert.equal((await score({ fit: "fair" })).score, 90);
  assert.equal((await score({ fit: "poor", confidence: 0.59 })).score, 90);
  assert.equal((await score({ fit: "good" })).score, 100, "rules plus AI still clamp at 100");
});

Deno.test("every AI failure falls back to the rules' score, saying why", async () => {
  const reasons: AiFailureReason[] = [
    "timeout",
    "rate_limited",
    "refused",
    "malformed",
    "unavailable",
  ];
  for (const reason of reasons) {
    const ai = fakeAi({ ok: false, reason, detail: `because ${reason}` });
    const q = await qualifyLead(ai, LEAD, DEFAULT_SCORING_RULES, FACTS, NOW);
    assert.deepEqual(q, {
      source: "rules",
      fallbackReason: reason,
      detail: `because ${reason}`,
      score: { score: 90, priority: "high", reasons: q.score.reasons },
    });
    assert.deepEqual(q.score.reasons.map((r) => r.ruleId), [
      "highly-rated",
      "no-website",
      "valid-phone",
    ]);
  }
});

Deno.test("with no provider configured the lead is scored by the rules", async () => {
  const q = await qualifyLead(disabledAi, LEAD, DEFAULT_SCORING_RULES, FACTS, NOW);
  assert.equal(q.source, "rules");
  assert.equal(q.source === "rules" && q.fallbackReason, "unavailable");
  assert.equal(q.score.score, 90);
});

Deno.test("the prompt carries only the lead's profile fields, as JSON", () => {
  const extra = {
    ...LEAD,
    email: "rosa@example.com",
    phone: "+15550100",
    message: "x".repeat(5_000),
  };
  const req = qualificationRequest(extra, 1_234);
  const sent = JSON.parse(req.user);
  assert.equal(sent.email, undefined);
  assert.equal(sent.phone, undefined);
  assert.equal(sent.name, "Rosa's Bakery");
  assert.equal(sent.message.length, 2_000);
  assert.equal(req.timeoutMs, 1_234);
  assert.equal(req.schemaName, "lead_qualification");
});

// End to end: the real SDK over a socket to a local Chat Completions server.
function serveCompletions(answer: () => Response) {
  const bodies: { messages: { role: string; content: string }[] }[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    bodies.push(await req.json());
    return answer();
  });
  return { baseURL: `http://127.0.0.1:${server.addr.port}`, bodies, server };
}

function completion(content: string): Response {
  return Response.json({
    id: "chatcmpl-1",
    object: "chat.completion",
    created: 1_767_225_600,
    model: "gpt-4o-mini-2024-07-18",
    choices: [{
      index: 0,
      message: { role: "assistant", content, refusal: null },
      finish_reason: "stop",
    }],
    usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
  });
}

Deno.test("end to end through the OpenAI SDK: success, then a malformed answer", async () => {
  let content = JSON.stringify(qualification());
  const { baseURL, bodies, server } = serveCompletions(() => completion(content));
  try {
    const ai = createOpenAiClient({ apiKey: "sk-test", baseURL });
    const ok = await qualifyLead(ai, LEAD, DEFAULT_SCORING_RULES, SMALL, NOW);
    assert.equal(ok.source, "ai");
    assert.equal(ok.score.score, 50);
    assert.equal(JSON.parse(bodies[0]!.messages[1]!.content).name, "Rosa's Bakery");

    content = JSON.stringify({ ...qualification(), fit: "excellent" });
    const bad = await qualifyLead(ai, LEAD, DEFAULT_SCORING_RULES, SMALL, NOW);
    assert.equal(bad.source, "rules");
    assert.equal(bad.source === "rules" && bad.fallbackReason, "malformed");
    assert.match(bad.source === "rules" ? bad.detail : "", /fit: /);
    assert.equal(bad.score.score, 40);
  } finally {
    await server.shutdown();
  }
});

Deno.test("end to end through the OpenAI SDK: a 429 falls back as rate_limited", async () => {
  const { baseURL, server } = serveCompletions(() =>
    Response.json({ error: { message: "slow down", type: "requests" } }, {
      status: 429,
      headers: { "retry-after": "2" },
    })
  );
  try {
    const ai = createOpenAiClient({ apiKey: "sk-test", baseURL });
    const q = await qualifyLead(ai, LEAD, DEFAULT_SCORING_RULES, FACTS, NOW);
    assert.equal(q.source === "rules" && q.fallbackReason, "rate_limited");
    assert.equal(q.score.priority, "high");
  } finally {
    await server.shutdown();
  }
});
