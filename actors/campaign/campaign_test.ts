import assert from "node:assert/strict";
import { type CampaignDefinitionInput, campaignMessageKey } from "../../shared/campaign.ts";
import { NotFoundError, ValidationError } from "../../shared/errors.ts";
import { lead } from "../lead/mod.ts";
import { assignVariant, campaign, CampaignConflictError } from "./mod.ts";
import { campaignTest, leadCampaignEvents, START } from "./_test_support.ts";

const HOUR = 3_600_000;
const ny = "America/New_York";
const smsYes = [{ channel: "sms" as const, granted: true, source: "form" }];

/** SMS, then email an hour later, then (to repliers only) SMS, then a last email a day later. */
const SPRING: CampaignDefinitionInput = {
  name: "Spring offer",
  audience: { tagsAny: ["spring"] },
  split: [50, 50],
  stopOnReply: false,
  steps: [
    {
      channel: "sms",
      delayMinutes: 0,
      variants: [{ template: "A: Hi {{firstName}}, spring deal!" }, {
        template: "B: {{firstName}}, 20% off this spring",
      }],
    },
    {
      channel: "email",
      delayMinutes: 60,
      variants: [
        { template: "A: Dear {{name}}", subject: "Spring A" },
        { template: "B: Dear {{name}}", subject: "Spring B" },
      ],
    },
    {
      channel: "sms",
      delayMinutes: 60,
      when: { signal: "replied", is: true },
      variants: [{ template: "Thanks for your reply!" }, { template: "Thanks!" }],
    },
    {
      channel: "email",
      delayMinutes: 24 * 60,
      variants: [
        { template: "Last call", subject: "Last call" },
        { template: "Last call", subject: "Last call" },
      ],
    },
  ],
};

campaignTest("a campaign's whole life, from draft to stopped", async (w) => {
  const { s, sent } = w;
  const ana = await w.capture("ana", {
    name: "Ana Ruiz",
    phone: "+14155550101",
    email: "ana@example.com",
    timeZone: ny,
  }, { tags: ["spring"], consent: smsYes });
  const ben = await w.capture("ben", { name: "Ben Ode", email: "ben@example.com", timeZone: ny }, {
    tags: ["spring"],
  });
  const cy = await w.capture("cy", {
    name: "Cy Vance",
    phone: "+14155550103",
    email: "cy@example.com",
    timeZone: ny,
  }, { tags: ["spring"] });
  const dee = await w.capture("dee", { name: "Dee Park", phone: "+14155550104", timeZone: ny }, {
    tags: ["spring"],
    consent: smsYes,
  });
  // Not in the audience: no tag; unsubscribed.
  const eve = await w.capture("eve", { name: "Eve", email: "eve@example.com", timeZone: ny });
  const fay = await w.capture("fay", { name: "Fay", email: "fay@example.com", timeZone: ny }, {
    tags: ["spring"],
    consent: [
      { channel: "sms", granted: false, source: "form" },
      { channel: "email", granted: false, source: "form" },
    ],
  });

  const ref = s.ref(campaign, "t1", "spring");
  const draft = await ref.ask("create", { definition: SPRING });
  assert.equal(draft.status, "draft");
  assert.equal(draft.createdAt, START);
  assert.deepEqual(await ref.query("view"), draft, "the reply is the view");
  assert.equal((await ref.query("definition"))?.status, "draft");

  const running = await ref.ask("launch", {});
  assert.deepEqual([running.status, running.launchedAt], ["running", START]);
  await w.advance(60_000, 5_000); // first steps are spread a second apart (60 a minute)
  let view = await ref.query("view");
  assert.equal(view.enrolled, 4, "ana, ben, cy, dee; not eve (no tag), not fay (unsubscribed)");
  assert.deepEqual(view.scan, { cursor: null, initialPassDone: true, lastScanAt: START });

  // Step 0 (SMS): ana and dee have consent; ben has no phone, cy no consent.
  const variantOf = (id: string) => assignVariant("spring", id, [50, 50]);
  const step0 = sent.filter((m) => m.key.endsWith(":0"));
  assert.deepEqual(step0.map((m) => [m.channel, m.payload.to]).sort(), [
    ["sms", "+14155550101"],
    ["sms", "+14155550104"],
  ]);
  const toAna = step0.find((m) => m.payload.leadId === ana)!;
  assert.equal(toAna.key, campaignMessageKey(ana, "spring", 0));
  assert.equal(
    toAna.payload.body,
    variantOf(ana) === 0 ? "A: Hi Ana, spring deal!" : "B: Ana, 20% off this spring",
  );
  assert.deepEqual(toAna.payload.campaign, { id: "spring", perMinute: 60 });
  const skipped0 = async (id: string) =>
    (await leadCampaignEvents(w, id)).find((e) => e.type === "lead.campaign_step_skipped")?.data;
  assert.equal((await skipped0(ben))?.reason, "no phone number");
  assert.equal((await skipped0(cy))?.reason, "no SMS consent");
  const anaView = await s.ref(lead, "t1", ana).query("view");
  const onConversation = anaView.messages.find((m) => m.externalId === toAna.key);
  assert.equal(onConversation?.status, "sent", "the provider's answer reached the conversation");
  assert.equal(anaView.status, "contacted");
  assert.equal(anaView.campaigns.spring?.step, 1);
  assert.deepEqual(await leadCampaignEvents(w, eve), []);
  assert.deepEqual(await leadCampaignEvents(w, fay), []);

  // Dee replies; the campaign does not stop on replies, so she takes the reply branch later.
  await s.ref(lead, "t1", dee).ask("recordMessage", {
    channel: "sms",
    direction: "inbound",
    content: "Yes please",
    status: "received",
  });

  // Paused before step 1 falls due: nothing goes out while paused, however long.
  const paused = await ref.ask("pause", {});
  assert.deepEqual([paused.status, paused.pausedAt], ["paused", START + 60_000]);
  const before = sent.length;
  await w.advance(3 * HOUR, 5 * 60_000);
  assert.equal(sent.length, before, "paused holds every due step");
  assert.equal((await ref.query("definition"))?.status, "paused");

  const resumed = await ref.ask("resume", {});
  assert.deepEqual([resumed.status, resumed.pausedAt], ["running", null]);
  await w.advance(5 * 60_000);
  const step1 = sent.filter((m) => m.key.endsWith(":1"));
  assert.deepEqual(step1.map((m) => [m.channel, m.payload.to]).sort(), [
    ["email", "ana@example.com"],
    ["email", "ben@example.com"],
    ["email", "cy@example.com"],
  ], "the held step goes out on resume; dee has no email");
  const benMail = step1.find((m) => m.payload.leadId === ben)!;
  assert.equal(benMail.payload.subject, variantOf(ben) === 0 ? "Spring A" : "Spring B");
  assert.equal((await skipped0(dee))?.reason, "no email address");

  // Step 2 branches on a reply: dee replied, the others did not.
  await w.advance(HOUR);
  const step2 = sent.filter((m) => m.key.endsWith(":2"));
  assert.deepEqual(step2.map((m) => m.payload.leadId), [dee]);
  const anaSkips = (await leadCampaignEvents(w, ana)).filter((e) =>
    e.type === "lead.campaign_step_skipped"
  );
  assert.deepEqual(anaSkips.map((e) => [e.data.step, e.data.reason]), [[2, "branch: replied"]]);

  // Stopped before the last step: the leads enrolled are told at once, in a batch.
  const stopped = await ref.ask("stop", {});
  assert.equal(stopped.status, "stopped");
  await w.pump();
  const waiting = await w.db.sql`SELECT actor FROM reminders WHERE name = 'campaign:spring'`;
  assert.equal(waiting.length, 0, "no lead waits for a step of a stopped campaign");
  for (const id of [ana, ben, cy, dee]) {
    const events = await leadCampaignEvents(w, id);
    assert.deepEqual(events.at(-1), {
      type: "lead.campaign_left",
      data: { campaignId: "spring", reason: "campaign_stopped" },
    }, id);
    assert.equal(events.filter((e) => e.type === "lead.campaign_enrolled").length, 1);
    assert.equal((await s.ref(lead, "t1", id).query("view")).campaigns.spring?.active, false);
  }
  await w.advance(25 * HOUR, HOUR);
  assert.equal(sent.filter((m) => m.key.endsWith(":3")).length, 0);
  view = await ref.query("view");
  assert.deepEqual([view.status, view.enrolled, view.stoppedAt !== null], ["stopped", 4, true]);
});

campaignTest("a lead runs to the end of a campaign and leaves it finished", async (w) => {
  const id = await w.capture("zed", { name: "Zed", email: "zed@example.com", timeZone: ny }, {
    tags: ["short"],
  });
  await w.launch("short", {
    name: "Short",
    audience: { tagsAll: ["short"] },
    steps: [{ channel: "email", delayMinutes: 0, variants: [{ template: "Hi", subject: "Hi" }] }],
  });
  const events = await leadCampaignEvents(w, id);
  assert.deepEqual(events.map((e) => e.type), [
    "lead.campaign_enrolled",
    "lead.campaign_step_sent",
    "lead.campaign_left",
  ]);
  assert.equal(events[2]!.data.reason, "finished");
  assert.equal(events[1]!.data.costCents, 0, "email costs 0 cents by default");
  const [row] = await w.db.sql`SELECT campaigns FROM leads WHERE lead_id = ${id}`;
  assert.deepEqual(row!.campaigns, ["short"], "the read model remembers the campaign");
});

campaignTest("a step due at night waits for the window in the lead's zone", async (w) => {
  // 19:45 in New York: enrolled now, first step at 20:15 (window closed) waits until 09:00.
  w.clock.set(Date.parse("2026-06-01T23:45:00Z"));
  const id = await w.capture("owl", { name: "Owl", email: "owl@example.com", timeZone: ny }, {
    tags: ["night"],
  });
  await w.launch("night", {
    name: "Night",
    audience: { tagsAny: ["night"] },
    steps: [{ channel: "email", delayMinutes: 30, variants: [{ template: "Hi", subject: "Hi" }] }],
  });
  await w.advance(14 * HOUR, 15 * 60_000);
  const sent = w.sent.filter((m) => m.payload.leadId === id);
  assert.equal(sent.length, 1);
  assert.equal(sent[0]!.at, Date.parse("2026-06-02T13:00:00Z"), "09:00 EDT the next morning");
});

campaignTest("bad input is refused naming the field; lifecycle misuse is a conflict", async (w) => {
  const ref = w.s.ref(campaign, "t1", "bad");
  const step = { channel: "sms" as const, delayMinutes: 0, variants: [{ template: "Hi" }] };
  const cases: Array<[CampaignDefinitionInput, string]> = [
    [
      {
        name: "x",
        audience: {},
        steps: [{ ...step, variants: [{ template: "Hi {{first_name}}" }] }],
      },
      "definition.steps.0.variants.0.template",
    ],
    [{ name: "x", audience: {}, steps: [step], split: [60, 50] }, "definition.split"],
    [{ name: "x", audience: {}, steps: [step], split: [50, 50] }, "definition.steps.0.variants"],
    [
      { name: "x", audience: {}, steps: [{ ...step, channel: "email" }] },
      "definition.steps.0.variants.0.subject",
    ],
    [
      { name: "x", audience: { minScore: 80, maxScore: 20 }, steps: [step] },
      "definition.audience.minScore",
    ],
  ];
  for (const [definition, path] of cases) {
    const err = await ref.ask("create", { definition }).catch((e) => e);
    assert.ok(err instanceof ValidationError, `${path}: ${err}`);
    assert.ok(err.issues.some((i) => i.path === path), `${path}: ${err.message}`);
  }
  assert.equal((await ref.query("view")).exists, false, "nothing was created");

  const colon = await w.s.ref(campaign, "t1", "a:b").ask("create", {
    definition: { name: "x", audience: {}, steps: [step] },
  }).catch((e) => e);
  assert.ok(colon instanceof ValidationError);
  assert.deepEqual(colon.issues.map((i) => i.path), ["id"]);

  const missing = await ref.ask("launch", {}).catch((e) => e);
  assert.ok(missing instanceof NotFoundError, String(missing));
  assert.equal(await ref.query("definition"), null);

  const good = { name: "Good", audience: {}, steps: [step] };
  await ref.ask("create", { definition: good });
  assert.equal((await ref.ask("create", { definition: good })).status, "draft", "a retry is fine");
  const other = await ref.ask("create", { definition: { ...good, name: "Other" } }).catch((e) => e);
  assert.ok(other instanceof CampaignConflictError);
  const edited = await ref.ask("update", { definition: { ...good, name: "Better" } });
  assert.equal(edited.definition?.name, "Better");
  await ref.ask("launch", {});
  for (const [command, input] of [["update", { definition: good }], ["launch", {}]] as const) {
    const err = await ref.ask(command, input as never).catch((e) => e);
    assert.ok(err instanceof CampaignConflictError, `${command}: ${err}`);
    assert.equal(err.status, 409);
    assert.match(err.message, /running campaign cannot be/);
  }
  await ref.ask("stop", {});
  const resume = await ref.ask("resume", {}).catch((e) => e);
  assert.ok(resume instanceof CampaignConflictError, "stopped is terminal");
  assert.equal((await ref.query("view")).definition?.name, "Better");
});
