import assert from "node:assert/strict";
import {
  apiError,
  chatCompletion,
  createOpenAiClient,
  type FakeReply,
  startFakeOpenAi,
} from "../actors/ai/mod.ts";
import { captureLead, lead, leadMigrations, requalifyLead, settings } from "../actors/lead/mod.ts";
import { ActorSystem, openDatabase } from "../actors/runtime/mod.ts";

// The real openai SDK against a local server speaking the Chat Completions
// shape: every way the AI can fail leaves the rules' score on the lead, with
// the reason recorded.
const good = JSON.stringify({
  intent: "buy",
  budget: "$3k",
  timeline: "this month",
  fit: "good",
  summary: "A plumber with no website who wants one soon.",
  recommendedAction: "Call today with a quote.",
  confidence: 0.9,
});

const cases: Array<[string, FakeReply, string, number]> = [
  ["success", { body: chatCompletion(good) }, "ai", 100],
  ["timeout", { body: chatCompletion(good), delayMs: 2_000 }, "timeout", 90],
  [
    "429",
    {
      status: 429,
      headers: { "retry-after": "20" },
      body: apiError("Rate limit reached", "requests"),
    },
    "rate_limited",
    90,
  ],
  ["malformed JSON", { body: chatCompletion("{not json") }, "malformed", 90],
];

for (const [name, reply, expected, score] of cases) {
  Deno.test(`qualification through the openai SDK: ${name} → ${expected}, recorded on the lead`, async () => {
    await using fake = startFakeOpenAi(() => reply);
    const db = await openDatabase({ migrations: await leadMigrations() });
    const s = new ActorSystem({ database: db, types: [lead, settings] });
    try {
      const { leadId } = await captureLead(s, "t1", {
        idempotencyKey: "q",
        source: "widget",
        contact: { name: "Dana", phone: "+14155552671", rating: 4.8, website: null },
        message: "I need a website for my plumbing business",
      });
      const ai = createOpenAiClient({ apiKey: "sk-test-0000000000", baseURL: fake.baseURL });
      await requalifyLead(s, ai, "t1", leadId, { timeoutMs: 300 });
      const view = await s.ref(lead, "t1", leadId).query("view");
      const q = view.qualification!;
      assert.equal(q.source === "ai" ? "ai" : q.fallbackReason, expected);
      assert.equal(view.score, score);
      assert.equal(fake.requests.length, 1, "one call, no hidden retries");
    } finally {
      await s.shutdown();
      await db.close();
    }
  });
}
