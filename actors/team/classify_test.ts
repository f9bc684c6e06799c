import assert from "node:assert/strict";
import { type AiClient, createOpenAiClient, disabledAi } from "../ai/mod.ts";
import { classifyByKeywords, classifyMessage, NO_MATCH_CONFIDENCE } from "./classify.ts";

Deno.test("keyword rules: each type from the words that name it", () => {
  const cases: Array<[string, string]> = [
    ["How much would a new website cost? Can you send a quote?", "sales"],
    ["We'd like a redesign, what's your pricing?", "sales"],
    ["Our site is down and shows an error since this morning", "technical"],
    ["I can't log in to the dashboard", "technical"],
    ["The contact form doesn’t work anymore", "technical"],
    ["SSL certificate expired, browsers warn visitors", "technical"],
    ["DNS change for our domain?", "technical"],
    ["Please refund last month's invoice", "support"],
    ["I'd like to cancel my subscription", "support"],
    ["Question about billing", "support"],
    ["my website is down", "technical"],
  ];
  for (const [text, type] of cases) {
    const c = classifyByKeywords(text);
    assert.equal(c.type, type, `${text}: ${c.reason}`);
    assert.equal(c.source, "rules");
    assert.equal(c.fallbackReason, undefined);
  }
});

Deno.test("keyword rules: whole words only, plurals count, case does not matter", () => {
  assert.equal(classifyByKeywords("Downloads page: BUGS everywhere").type, "technical");
  assert.match(classifyByKeywords("Downloads page: BUGS everywhere").reason, /technical bug$/);
  assert.equal(classifyByKeywords("The costume shop next door").confidence, NO_MATCH_CONFIDENCE);
  assert.equal(classifyByKeywords("Send me your PRICES").type, "sales");
});

Deno.test("keyword rules: a tie goes to sales, no match is sales with low confidence", () => {
  const outvoted = classifyByKeywords("A quote for fixing the login bug, please"); // 1 vs 2
  assert.equal(outvoted.type, "technical", "sales wins ties only, not every mention");
  const even = classifyByKeywords("The invoice has an error");
  assert.equal(even.type, "sales");
  assert.match(even.reason, /tie between technical and support goes to sales/);
  assert.equal(even.confidence, 0.5);
  assert.deepEqual(classifyByKeywords("Hello there"), {
    type: "sales",
    confidence: NO_MATCH_CONFIDENCE,
    source: "rules",
    reason: "no keyword matched; sales by default",
  });
});

Deno.test("keyword rules: confidence grows with the winner's share and points", () => {
  assert.equal(classifyByKeywords("refund").confidence, 0.65);
  assert.equal(classifyByKeywords("refund my invoice").confidence, 0.95);
  assert.equal(classifyByKeywords("refund my invoice, the page is broken").confidence, 0.75);
  assert.equal(classifyByKeywords("a question").confidence, 0.5);
});

// A stand-in for the Chat Completions endpoint, so the real `openai` SDK runs
// over a real socket against answers and failures the test chooses.
interface Fake extends AsyncDisposable {
  baseURL: string;
  requests: Array<Record<string, unknown>>;
}

function fakeOpenAi(answer: () => { status?: number; body: unknown; delayMs?: number }): Fake {
  const requests: Array<Record<string, unknown>> = [];
  const closing = new AbortController();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    requests.push(await req.json());
    const a = answer();
    if (a.delayMs) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, a.delayMs);
        closing.signal.addEventListener("abort", () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return Response.json(a.body, { status: a.status ?? 200 });
  });
  return {
    baseURL: `http://127.0.0.1:${server.addr.port}`,
    requests,
    [Symbol.asyncDispose]: () => {
      closing.abort();
      return server.shutdown();
    },
  };
}

const completion = (content: string) => ({
  id: "chatcmpl-1",
  object: "chat.completion",
  created: 1_767_225_600,
  model: "gpt-4o-mini-2024-07-18",
  choices: [{
    index: 0,
    message: { role: "assistant", content, refusal: null },
    finish_reason: "stop",
    logprobs: null,
  }],
});

const client = (fake: Fake): AiClient =>
  createOpenAiClient({ apiKey: "sk-test", baseURL: fake.baseURL });

const TEXT = "Can you send a quote for a new website?";

Deno.test("the AI's answer is taken, and the request asks for strict JSON", async () => {
  const answer = { type: "support", confidence: 0.7, reason: "asks about an existing plan" };
  await using fake = fakeOpenAi(() => ({ body: completion(JSON.stringify(answer)) }));
  assert.deepEqual(await classifyMessage(client(fake), TEXT), { ...answer, source: "ai" });
  const body = fake.requests[0] as {
    messages: Array<{ role: string; content: string }>;
    response_format: { json_schema: { name: string; strict: boolean } };
  };
  assert.equal(body.messages[1]!.content, TEXT);
  assert.equal(body.response_format.json_schema.name, "message_classification");
  assert.equal(body.response_format.json_schema.strict, true);
});

Deno.test("a 429 falls back to the rules and says so", async () => {
  await using fake = fakeOpenAi(() => ({
    status: 429,
    body: { error: { message: "Rate limit reached", type: "requests", param: null, code: null } },
  }));
  const c = await classifyMessage(client(fake), TEXT);
  assert.equal(c.type, "sales");
  assert.equal(c.source, "rules");
  assert.equal(c.fallbackReason, "rate_limited");
  assert.match(c.reason, /^keywords: sales .*\(ai rate_limited: 429 .*Rate limit reached/);
});

Deno.test("no answer in time falls back to the rules", async () => {
  await using fake = fakeOpenAi(() => ({ body: completion("{}"), delayMs: 5_000 }));
  const c = await classifyMessage(client(fake), "the site is down", { timeoutMs: 100 });
  assert.equal(c.type, "technical");
  assert.equal(c.source, "rules");
  assert.equal(c.fallbackReason, "timeout");
  assert.match(c.reason, /no answer within 100 ms/);
});

Deno.test("an answer that is not JSON, or not the schema, falls back to the rules", async () => {
  for (
    const content of ["sales!", JSON.stringify({ type: "billing", confidence: 2, reason: "" })]
  ) {
    await using fake = fakeOpenAi(() => ({ body: completion(content) }));
    const c = await classifyMessage(client(fake), "refund please");
    assert.equal(c.type, "support");
    assert.equal(c.source, "rules");
    assert.equal(c.fallbackReason, "malformed", c.reason);
  }
});

Deno.test("without an AI configured the rules decide, saying why", async () => {
  const c = await classifyMessage(disabledAi, TEXT);
  assert.equal(c.source, "rules");
  assert.equal(c.fallbackReason, "unavailable");
  assert.match(c.reason, /no OPENAI_API_KEY configured/);
});
