import assert from "node:assert/strict";
import { z } from "zod";
import { AiQualification } from "../../shared/mod.ts";
import { apiError, chatCompletion, type FakeReply, startFakeOpenAi } from "./fake_openai.ts";
import { type AiRequest, disabledAi } from "./ai.ts";
import { createOpenAiClient } from "./openai.ts";

const GOOD = {
  intent: "buy",
  budget: "$3k",
  timeline: "this month",
  fit: "good",
  summary: "Bakery with no website wants one before the holidays.",
  recommendedAction: "Call today and offer the starter package.",
  confidence: 0.9,
};

const request: AiRequest<AiQualification> = {
  system: "Qualify the lead.",
  user: JSON.stringify({ name: "Rosa's Bakery" }),
  schema: AiQualification,
  schemaName: "lead_qualification",
  timeoutMs: 2_000,
};

async function completeWith(reply: FakeReply, req: Partial<AiRequest<AiQualification>> = {}) {
  await using fake = startFakeOpenAi(() => reply);
  const ai = createOpenAiClient({ apiKey: "sk-test", baseURL: fake.baseURL });
  const result = await ai.complete({ ...request, ...req });
  return { result, requests: fake.requests };
}

Deno.test("a valid answer is parsed with the schema, and the request asks for strict JSON", async () => {
  const { result, requests } = await completeWith({ body: chatCompletion(JSON.stringify(GOOD)) });
  assert.deepEqual(result, {
    ok: true,
    value: AiQualification.parse(GOOD),
    model: "gpt-4o-mini-2024-07-18",
  });
  assert.equal(requests.length, 1);
  const body = requests[0] as {
    model: string;
    messages: { role: string; content: string }[];
    response_format: {
      type: string;
      json_schema: {
        name: string;
        strict: boolean;
        schema: { $schema?: string; additionalProperties: boolean; required: string[] };
      };
    };
  };
  assert.equal(body.model, "gpt-4o-mini");
  assert.deepEqual(body.messages.map((m) => m.role), ["system", "user"]);
  assert.equal(body.response_format.type, "json_schema");
  assert.equal(body.response_format.json_schema.name, "lead_qualification");
  assert.equal(body.response_format.json_schema.strict, true);
  const schema = body.response_format.json_schema.schema;
  assert.equal(schema.$schema, undefined);
  assert.equal(schema.additionalProperties, false);
  assert.deepEqual(schema.required.toSorted(), Object.keys(GOOD).toSorted());
});

Deno.test("no answer within the timeout is a timeout", async () => {
  const { result } = await completeWith(
    { body: chatCompletion(JSON.stringify(GOOD)), delayMs: 5_000 },
    { timeoutMs: 100 },
  );
  assert.equal(result.ok, false);
  assert.equal(!result.ok && result.reason, "timeout");
  assert.match(!result.ok ? result.detail : "", /100 ms/);
});

Deno.test("429 is rate_limited and carries retry-after", async () => {
  const { result, requests } = await completeWith({
    status: 429,
    headers: { "retry-after": "7" },
    body: apiError("Rate limit reached for gpt-4o-mini", "requests"),
  });
  assert.equal(requests.length, 1, "the SDK must not retry by itself");
  assert.ok(!result.ok);
  assert.equal(result.reason, "rate_limited");
  assert.equal(result.retryAfterMs, 7_000);
  assert.match(result.detail, /Rate limit reached/);
});

Deno.test("content that is not JSON is malformed", async () => {
  const { result } = await completeWith({ body: chatCompletion("not json") });
  assert.ok(!result.ok);
  assert.equal(result.reason, "malformed");
  assert.match(result.detail, /not JSON: "not json"/);
});

Deno.test("JSON that fails the schema is malformed and names the field", async () => {
  const { fit: _, ...noFit } = GOOD;
  const { result } = await completeWith({ body: chatCompletion(JSON.stringify(noFit)) });
  assert.ok(!result.ok);
  assert.equal(result.reason, "malformed");
  assert.match(result.detail, /lead_qualification: fit: /);
});

Deno.test("a refusal is refused, with the model's words", async () => {
  const { result } = await completeWith({
    body: chatCompletion(null, { refusal: "I can't help with that." }),
  });
  assert.deepEqual(result, { ok: false, reason: "refused", detail: "I can't help with that." });
});

Deno.test("an answer cut off at the token limit is malformed", async () => {
  const { result } = await completeWith({
    body: chatCompletion('{"intent":"bu', { finishReason: "length" }),
  });
  assert.ok(!result.ok);
  assert.equal(result.reason, "malformed");
});

Deno.test("a server error is unavailable", async () => {
  const { result, requests } = await completeWith({
    status: 500,
    body: apiError("The server had an error", "server_error"),
  });
  assert.equal(requests.length, 1);
  assert.ok(!result.ok);
  assert.equal(result.reason, "unavailable");
  assert.match(result.detail, /^500: /);
});

Deno.test("an unreachable endpoint is unavailable", async () => {
  // Take a free port, then close it, so nothing listens there.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  const ai = createOpenAiClient({ apiKey: "sk-test", baseURL: `http://127.0.0.1:${port}` });
  const result = await ai.complete(request);
  assert.ok(!result.ok);
  assert.equal(result.reason, "unavailable");
  assert.match(result.detail, /^connection: /);
});

Deno.test("maxRetries lets the SDK retry a 500 itself", async () => {
  let calls = 0;
  await using fake = startFakeOpenAi(() =>
    ++calls === 1
      ? { status: 500, headers: { "retry-after-ms": "1" }, body: apiError("boom", "server_error") }
      : { body: chatCompletion(JSON.stringify(GOOD)) }
  );
  const ai = createOpenAiClient({ apiKey: "sk-test", baseURL: fake.baseURL, maxRetries: 1 });
  const result = await ai.complete(request);
  assert.equal(result.ok, true);
  assert.equal(fake.requests.length, 2);
});

Deno.test("any schema works, not just the qualification", async () => {
  await using fake = startFakeOpenAi(() => ({ body: chatCompletion('{"n":3}') }));
  const ai = createOpenAiClient({ apiKey: "sk-test", baseURL: fake.baseURL, model: "gpt-4.1" });
  const result = await ai.complete({
    ...request,
    schema: z.object({ n: z.number().int() }),
    schemaName: "count",
  });
  assert.deepEqual(result, { ok: true, value: { n: 3 }, model: "gpt-4o-mini-2024-07-18" });
  assert.equal(fake.requests[0]?.model, "gpt-4.1");
});

Deno.test("the disabled client says so instead of pretending", async () => {
  assert.deepEqual(await disabledAi.complete(request), {
    ok: false,
    reason: "unavailable",
    detail: "no OPENAI_API_KEY configured",
  });
});
