import assert from "node:assert/strict";
import {
  chatCompletion,
  createOpenAiClient,
  disabledAi,
  startFakeOpenAi,
} from "../actors/ai/mod.ts";
import { issuePaths, withApi } from "./_api_test_support.ts";

const sms = {
  name: "Hello",
  channel: "sms",
  body: "Hi {{firstName}}, can we help {{company}} online?",
};
const email = {
  name: "Intro",
  channel: "email",
  subject: "A site for {{company}}",
  body: "Hello {{name}}",
};

Deno.test("templates API: create, list, get, replace, delete (archive), preview", async () => {
  await withApi(async ({ send, bearer }) => {
    const agent = await bearer("tenant-a", "agent");
    const created = await send("POST", "/v1/templates", agent, sms);
    assert.equal(created.status, 201);
    const t = (await created.json()).template;
    assert.equal(t.body, sms.body);
    assert.equal(t.archived, false);
    const second = (await (await send("POST", "/v1/templates", agent, email)).json()).template;
    assert.notEqual(second.id, t.id, "ids are generated");

    const list = await (await send("GET", "/v1/templates", agent)).json();
    assert.deepEqual(list.items.map((x: { id: string }) => x.id), [t.id, second.id]);
    const path = `/v1/templates/${t.id}`;
    assert.equal((await (await send("GET", path, agent)).json()).template.name, "Hello");
    const put = await send("PUT", path, agent, { ...sms, name: "Hello again" });
    assert.equal(put.status, 200);
    assert.equal((await put.json()).template.name, "Hello again");

    const { leadId } = await (await send("POST", "/v1/leads", agent, {
      idempotencyKey: "l1",
      contact: { name: "Dana Wu", email: "dana@example.com", company: "Wu Florals" },
    })).json();
    const preview = await send("POST", "/v1/templates/preview", agent, {
      templateId: t.id,
      leadId,
    });
    assert.equal(preview.status, 200);
    const p = await preview.json();
    assert.equal(p.body, "Hi Dana, can we help Wu Florals online?");
    assert.deepEqual(p.emptyVariables, []);
    const inline = await (await send("POST", "/v1/templates/preview", agent, {
      template: { ...email, body: "Hello {{name}}, fellow {{businessType}} fan" },
    })).json();
    assert.equal(inline.subject, "A site for Rosa's Bakery");
    assert.equal(inline.contact.source, "sample");

    const del = await send("DELETE", `/v1/templates/${second.id}`, agent);
    assert.equal((await del.json()).template.archived, true);
    const after = await (await send("GET", "/v1/templates", agent)).json();
    assert.deepEqual(after.items.map((x: { id: string }) => x.id), [t.id]);
    const withArchived = await (await send("GET", "/v1/templates?archived=true", agent)).json();
    assert.equal(withArchived.items.length, 2);
    const late = await send("PUT", `/v1/templates/${second.id}`, agent, email);
    assert.equal(late.status, 409);
    assert.equal((await late.json()).error.code, "template_archived");
  });
});

Deno.test("templates API: an unknown variable is a 400 naming the field and the variable", async () => {
  await withApi(async ({ send, bearer }) => {
    const admin = await bearer("tenant-a");
    const bad = await send("POST", "/v1/templates", admin, {
      ...email,
      subject: "For {{compnay}}",
      body: "Hi {{first_name}}",
    });
    assert.equal(bad.status, 400);
    const body = await bad.json();
    assert.deepEqual(body.error.details.issues.map((i: { path: string }) => i.path), [
      "subject",
      "body",
    ]);
    assert.match(body.error.message, /\{\{compnay\}\}/);
    assert.match(body.error.message, /\{\{first_name\}\}/);
    const noSubject = await send("POST", "/v1/templates", admin, { ...email, subject: undefined });
    assert.deepEqual(await issuePaths(noSubject), ["subject"]);
    const smsSubject = await send("POST", "/v1/templates", admin, { ...sms, subject: "x" });
    assert.deepEqual(await issuePaths(smsSubject), ["subject"]);
    const both = await send("POST", "/v1/templates/preview", admin, {
      templateId: "x",
      template: sms,
    });
    assert.deepEqual(await issuePaths(both), ["templateId"]);
    const inlineBad = await send("POST", "/v1/templates/preview", admin, {
      template: { ...sms, body: "{{nope}}" },
    });
    assert.deepEqual(await issuePaths(inlineBad), ["template.body"]);
    assert.deepEqual((await (await send("GET", "/v1/templates", admin)).json()).items, []);
    const widget = await bearer("tenant-a", "widget");
    assert.equal((await send("GET", "/v1/templates", widget)).status, 403);
  });
});

Deno.test("templates API: another tenant's template or lead is a 404", async () => {
  await withApi(async ({ send, bearer }) => {
    const a = await bearer("tenant-a");
    const t = (await (await send("POST", "/v1/templates", a, sms)).json()).template;
    const { leadId } = await (await send("POST", "/v1/leads", a, {
      idempotencyKey: "l1",
      contact: { name: "Dana", email: "dana@example.com" },
    })).json();
    const b = await bearer("tenant-b");
    const path = `/v1/templates/${t.id}`;
    assert.equal((await send("GET", path, b)).status, 404);
    assert.equal((await send("PUT", path, b, sms)).status, 404);
    assert.equal((await send("DELETE", path, b)).status, 404);
    const preview = await send("POST", "/v1/templates/preview", b, { templateId: t.id });
    assert.equal(preview.status, 404);
    const forLead = await send("POST", "/v1/templates/preview", b, { template: sms, leadId });
    assert.equal(forLead.status, 404);
    assert.deepEqual((await (await send("GET", "/v1/templates", b)).json()).items, []);
    assert.equal(
      (await (await send("GET", path, a)).json()).template.archived,
      false,
      "B's delete did not reach A's template",
    );
  });
});

Deno.test("templates API: a draft without an AI configured is a 503 saying so", async () => {
  for (const extra of [{}, { ai: disabledAi }]) {
    await withApi(async ({ send, bearer }) => {
      const r = await send("POST", "/v1/templates/draft", await bearer("t"), {
        channel: "sms",
        goal: "say hello",
      });
      assert.equal(r.status, 503);
      const body = await r.json();
      assert.equal(body.error.code, "ai_not_configured");
      assert.match(body.error.message, /not configured/);
    }, extra);
  }
});

Deno.test("templates API: an AI draft comes back valid, and the ai role drafts in suggest mode", async () => {
  await using fake = startFakeOpenAi(() => ({
    body: chatCompletion(JSON.stringify({
      name: "Nudge",
      subject: null,
      body: "Hi {{first_name}}, still keen on a site for {{biz}}? Reply YES.",
    })),
  }));
  const ai = createOpenAiClient({ apiKey: "sk-test", baseURL: fake.baseURL });
  await withApi(async ({ send, bearer }) => {
    const brief = { channel: "sms", goal: "nudge quiet leads", tone: "friendly" };
    const r = await send("POST", "/v1/templates/draft", await bearer("t", "ai"), brief);
    assert.equal(r.status, 200, "a draft changes nothing, so the ai role need not ask first");
    const d = await r.json();
    assert.equal(d.template.body, "Hi {{firstName}}, still keen on a site for? Reply YES.");
    assert.deepEqual(d.fixes.map((f: { variable: string; action: string }) => f.action), [
      "replaced",
      "removed",
    ]);
    const saved = await send("POST", "/v1/templates", await bearer("t"), d.template);
    assert.equal(saved.status, 201, "a draft saves as it is");
    const badBrief = await send("POST", "/v1/templates/draft", await bearer("t"), {
      channel: "fax",
    });
    assert.deepEqual((await issuePaths(badBrief)).toSorted(), ["channel", "goal"]);
  }, { ai });
});
