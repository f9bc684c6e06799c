import assert from "node:assert/strict";
import type { ClaimedMessage } from "../runtime/mod.ts";
import { AiDraftDispatcher } from "./draft_dispatcher.ts";
import { apiError, chatCompletion, type FakeReply, startFakeOpenAi } from "./fake_openai.ts";
import { createOpenAiClient } from "./openai.ts";

// The AI draft channel through the real openai SDK: transient failures are
// retried by the outbox, permanent ones fall back to the template at once.
const message = (payload: unknown): ClaimedMessage => ({
  id: 1,
  key: "k:draft",
  actor: "lead/t1/x",
  type: "lead",
  tenant: "t1",
  channel: "ai",
  payload,
  attempts: 1,
  maxAttempts: 2,
  token: "t",
});
const request = { system: "Write it.", user: '{"template":"Hi"}', maxChars: 320 };

const cases: Array<[string, FakeReply, { ok: boolean; retryable?: boolean }]> = [
  ["a draft", { body: chatCompletion('{"text":"Hi Dana!"}') }, { ok: true }],
  ["a 500", { status: 500, body: apiError("boom", "server_error") }, {
    ok: false,
    retryable: true,
  }],
  ["a 429", { status: 429, body: apiError("slow down", "requests") }, {
    ok: false,
    retryable: true,
  }],
  ["a timeout", { body: chatCompletion('{"text":"late"}'), delayMs: 1_000 }, {
    ok: false,
    retryable: true,
  }],
  ["malformed output", { body: chatCompletion("not json") }, { ok: false, retryable: false }],
  ["a draft too long", { body: chatCompletion(JSON.stringify({ text: "x".repeat(400) })) }, {
    ok: false,
    retryable: false,
  }],
];

for (const [name, reply, expected] of cases) {
  Deno.test(`AI draft channel: ${name}`, async () => {
    await using fake = startFakeOpenAi(() => reply);
    const ai = createOpenAiClient({ apiKey: "sk-test-0000000000", baseURL: fake.baseURL });
    // Only the timeout case needs a short deadline; a loaded machine must not fail the others.
    const timeoutMs = name === "a timeout" ? 200 : 10_000;
    const r = await new AiDraftDispatcher(ai, timeoutMs).send(message(request));
    if (expected.ok) {
      assert.ok("ok" in r && r.ok);
      assert.equal((r.response as { text: string }).text, "Hi Dana!");
    } else {
      assert.ok("ok" in r && !r.ok, JSON.stringify(r));
      assert.equal(r.retryable, expected.retryable);
    }
  });
}

Deno.test("AI draft channel: a bad request is refused without calling the model", async () => {
  await using fake = startFakeOpenAi(() => ({ body: chatCompletion('{"text":"x"}') }));
  const ai = createOpenAiClient({ apiKey: "sk-test-0000000000", baseURL: fake.baseURL });
  const r = await new AiDraftDispatcher(ai).send(message({ system: "x" }));
  assert.ok("ok" in r && !r.ok && !r.retryable);
  assert.equal(fake.requests.length, 0);
});
