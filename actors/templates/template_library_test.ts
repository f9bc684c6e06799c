import assert from "node:assert/strict";
import { ManualClock, type SaveTemplate, ValidationError } from "../../shared/mod.ts";
import { captureLead, lead, leadMigrations, settings } from "../lead/mod.ts";
import { ActorSystem, openTestDatabase, testBackends, testName } from "../runtime/mod.ts";
import {
  findTemplate,
  KEEP_ARCHIVED,
  libraryRef,
  previewTemplate,
  renderPreview,
  templateLibrary,
  TemplateNotFound,
} from "./mod.ts";

const T0 = Date.UTC(2026, 5, 1, 15);

const sms: SaveTemplate = {
  name: "Quick hello",
  channel: "sms",
  body: "Hi {{firstName}}, this is Cove. Can we help {{company}} with a new site?",
};
const email: SaveTemplate = {
  name: "Intro email",
  channel: "email",
  subject: "A website for {{company}}",
  body: "Hello {{name}},\n\nWe build sites for {{businessType}} owners.",
};

function test(name: string, fn: (system: ActorSystem, clock: ManualClock) => Promise<void>) {
  for (const backend of testBackends()) {
    Deno.test({
      name: testName("template library", backend, name),
      ignore: backend.skip !== undefined,
      async fn() {
        const db = await openTestDatabase(backend, await leadMigrations());
        const clock = new ManualClock(T0);
        const system = new ActorSystem({
          database: db,
          types: [templateLibrary, lead, settings],
          clock,
        });
        try {
          await fn(system, clock);
        } finally {
          await system.shutdown();
          await db.close();
        }
      },
    });
  }
}

test(
  "create, update, archive and list; a retried create is the same template",
  async (system, clock) => {
    const lib = libraryRef(system, "t1");
    const a = await lib.ask("create", { id: "a", template: sms });
    assert.deepEqual(a, {
      status: "ok",
      created: true,
      template: { id: "a", ...sms, archived: false, createdAt: T0, updatedAt: T0 },
    });
    assert.equal((await lib.ask("create", { id: "a", template: sms })).status, "ok", "retried");
    const clash = await lib.ask("create", { id: "a", template: email });
    assert.equal(clash.status === "refused" && clash.reason, "template_exists");
    clock.advance(1_000);
    await lib.ask("create", { id: "b", template: email });
    const edited = await lib.ask("update", {
      id: "a",
      template: { ...sms, body: "Hi {{firstName}}!" },
    });
    assert.ok(edited.status === "ok");
    assert.equal(edited.template.body, "Hi {{firstName}}!");
    assert.equal(edited.template.createdAt, T0);
    assert.equal(edited.template.updatedAt, T0 + 1_000);
    assert.equal((await lib.ask("update", { id: "zz", template: sms })).status, "not_found");

    assert.equal((await lib.ask("archive", { id: "b" })).status, "ok");
    assert.deepEqual((await lib.query("list")).map((t) => t.id), ["a"]);
    assert.equal((await findTemplate(system, "t1", "b"))?.archived, true, "still readable by id");
    const late = await lib.ask("update", { id: "b", template: email });
    assert.equal(late.status === "refused" && late.reason, "template_archived");
    assert.equal(await findTemplate(system, "t2", "a"), undefined, "another tenant's library");
    assert.deepEqual(
      (await system.history(lib)).map((e) => e.type),
      ["template.created", "template.created", "template.updated", "template.archived"],
    );
  },
);

test("an unknown variable is refused when saved, naming the field and the variable", async (system) => {
  const lib = libraryRef(system, "t1");
  await assert.rejects(
    lib.ask("create", {
      id: "x",
      template: { ...email, subject: "For {{compnay}}", body: "Hi {{first_name}}" },
    }),
    (e: unknown) => {
      assert.ok(e instanceof ValidationError);
      assert.deepEqual(e.issues.map((i) => i.path), ["template.subject", "template.body"]);
      assert.match(e.issues[0]!.message, /\{\{compnay\}\}/);
      assert.match(e.issues[1]!.message, /\{\{first_name\}\}/);
      return true;
    },
  );
  await assert.rejects(
    lib.ask("create", { id: "y", template: { ...email, subject: undefined } }),
    (e: unknown) => e instanceof ValidationError && e.issues[0]!.path === "template.subject",
  );
  assert.deepEqual(await lib.query("all"), [], "nothing was saved");
});

test("archived templates beyond the kept number leave the state", async (system) => {
  const lib = libraryRef(system, "t1");
  for (let i = 0; i <= KEEP_ARCHIVED; i++) {
    await lib.ask("create", { id: `t${i}`, template: sms });
    await lib.ask("archive", { id: `t${i}` });
  }
  const all = await lib.query("all");
  assert.equal(all.length, KEEP_ARCHIVED);
  assert.equal(all[0]!.id, "t1", "the oldest archived one went");
});

test("preview renders for a real lead or the sample contact and names what had no value", async (system) => {
  await libraryRef(system, "t1").ask("create", { id: "e", template: email });
  const { leadId } = await captureLead(system, "t1", {
    source: "rest",
    idempotencyKey: "k1",
    contact: { name: "Dana Wu", email: "dana@example.com" },
  });
  const forLead = await previewTemplate(system, "t1", { templateId: "e", leadId });
  assert.equal(forLead.subject, "A website for ");
  assert.equal(forLead.body, "Hello Dana Wu,\n\nWe build sites for  owners.");
  assert.deepEqual(forLead.contact, { source: "lead", leadId, name: "Dana Wu" });
  assert.deepEqual(forLead.emptyVariables, ["company", "businessType"]);

  const sample = await previewTemplate(system, "t1", { template: sms });
  assert.equal(sample.contact.source, "sample");
  assert.match(sample.body, /^Hi Rosa, this is Cove\. Can we help Rosa's Bakery/);
  assert.deepEqual(sample.emptyVariables, []);

  const unnamed = renderPreview(sms, {}, { source: "sample" });
  assert.equal(unnamed.body, "Hi there, this is Cove. Can we help  with a new site?");
  assert.deepEqual(unnamed.fallbackVariables, ["firstName"]);
  assert.deepEqual(unnamed.emptyVariables, ["company"]);

  await assert.rejects(previewTemplate(system, "t2", { templateId: "e" }), TemplateNotFound);
  await assert.rejects(
    previewTemplate(system, "t2", { template: sms, leadId }),
    /lead .* not found/,
    "another tenant's lead",
  );
});
