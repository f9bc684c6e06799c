import assert from "node:assert/strict";
import { SaveTemplate, type TemplateBrief } from "../../shared/mod.ts";
import {
  apiError,
  chatCompletion,
  createOpenAiClient,
  disabledAi,
  type FakeReply,
  startFakeOpenAi,
} from "../ai/mod.ts";
import { AiDraftFailedError, AiNotConfiguredError, draftTemplate, fixVariables } from "./mod.ts";

async function draftWith(
  reply: FakeReply,
  brief: TemplateBrief = { channel: "email", goal: "win back" },
) {
  await using fake = startFakeOpenAi(() => reply);
  const ai = createOpenAiClient({ apiKey: "sk-test", baseURL: fake.baseURL });
  try {
    return { draft: await draftTemplate(ai, brief, 2_000), requests: fake.requests };
  } catch (e) {
    return { error: e, requests: fake.requests };
  }
}

const answer = (v: { name: string; subject: string | null; body: string }) => ({
  body: chatCompletion(JSON.stringify(v)),
});

Deno.test("a draft with known variables comes back as a valid template, asked with the brief", async () => {
  const { draft, requests } = await draftWith(
    answer({
      name: "Win-back",
      subject: "Still thinking about {{company}}'s site?",
      body: "Hi {{firstName}}, shall we pick up where we left off?",
    }),
    { channel: "email", goal: "win back quiet leads", tone: "warm", businessType: "bakery" },
  );
  assert.ok(draft);
  assert.deepEqual(draft.fixes, []);
  assert.equal(draft.model, "gpt-4o-mini-2024-07-18");
  assert.ok(SaveTemplate.safeParse(draft.template).success);
  assert.equal(draft.template.subject, "Still thinking about {{company}}'s site?");
  const body = requests[0] as { messages: { content: string }[]; response_format: unknown };
  assert.deepEqual(JSON.parse(body.messages[1]!.content), {
    channel: "email",
    goal: "win back quiet leads",
    tone: "warm",
    businessType: "bakery",
  });
  assert.match(body.messages[0]!.content, /\{\{firstName\}\}/, "the prompt lists the variables");
});

Deno.test("unknown variables in a draft are replaced by the one meant or removed, and listed", async () => {
  const { draft } = await draftWith(
    answer({
      name: "Hello",
      subject: "For {{ company_name }}",
      body:
        "Hi {{first_name}}, we love {{Industry}} shops like yours {{city}}. Talk soon, {{agent}}!",
    }),
  );
  assert.ok(draft);
  assert.equal(draft.template.subject, "For {{company}}");
  assert.equal(
    draft.template.body,
    "Hi {{firstName}}, we love {{businessType}} shops like yours. Talk soon!",
  );
  assert.deepEqual(draft.fixes, [
    { field: "subject", variable: "company_name", action: "replaced", replacement: "company" },
    { field: "body", variable: "first_name", action: "replaced", replacement: "firstName" },
    { field: "body", variable: "Industry", action: "replaced", replacement: "businessType" },
    { field: "body", variable: "city", action: "removed" },
    { field: "body", variable: "agent", action: "removed" },
  ]);
});

Deno.test("an SMS draft drops the subject the model wrote anyway", async () => {
  const { draft } = await draftWith(
    answer({ name: "Ping", subject: "Hey", body: "Hi {{firstName}}! Reply YES for a quote." }),
    { channel: "sms", goal: "quote follow-up" },
  );
  assert.ok(draft);
  assert.equal(draft.template.channel, "sms");
  assert.equal(draft.template.subject, undefined);
});

Deno.test("without an AI configured there is no draft: a 503 saying so", async () => {
  for (const ai of [undefined, disabledAi]) {
    await assert.rejects(
      draftTemplate(ai, { channel: "sms", goal: "hello" }),
      (e: unknown) => {
        assert.ok(e instanceof AiNotConfiguredError);
        assert.equal(e.status, 503);
        assert.equal(e.code, "ai_not_configured");
        return true;
      },
    );
  }
});

Deno.test("a provider failure or an empty draft is an error naming the reason", async () => {
  const limited = await draftWith({
    status: 429,
    body: apiError("Rate limit reached", "requests"),
  });
  assert.ok(limited.error instanceof AiDraftFailedError);
  assert.equal(limited.error.details.reason, "rate_limited");
  assert.equal(limited.error.status, 502);
  const empty = await draftWith(answer({ name: "x", subject: "y", body: "{{junk}}" }));
  assert.ok(empty.error instanceof AiDraftFailedError);
  assert.equal(empty.error.details.reason, "malformed");
  assert.match(empty.error.message, /body/);
});

Deno.test("fixVariables leaves known variables and plain text alone", () => {
  const text = "Hi {{ firstName }}, 50% off {{company}}.";
  assert.deepEqual(fixVariables(text, "body"), { text, fixes: [] });
});
