/**
 * The campaign wizard's form logic: the definition a form becomes (what the
 * gateway's schema accepts), and where each issue the gateway names is shown.
 *
 * @module
 */
import assert from "node:assert/strict";
import { CampaignDefinition } from "../shared/campaign.ts";
import {
  delayMinutes,
  describeAudience,
  describeDelay,
  initialForm,
  issuesByField,
  issueTarget,
  newStep,
  parseTags,
  toDefinition,
  withAbTest,
  withChannel,
} from "../ui/dashboard/views/_campaign_form.ts";

Deno.test("campaign form: a filled-in form is a definition the gateway's schema accepts", () => {
  const form = {
    ...initialForm(),
    name: "Spring VIPs",
    channel: "email" as const,
    steps: [
      {
        ...newStep(true, 1),
        variants: [{ templateId: "t1", subject: "Hi", body: "Hi {{firstName}}" }],
      },
      {
        ...newStep(false, 1),
        variants: [{ templateId: "", subject: "Again", body: "Still there?" }],
      },
    ],
    tagsAny: " vip, bakery ,vip,, ",
    minScore: "40",
    silentForHours: "72",
    statuses: ["new" as const, "contacted" as const],
  };
  const d = toDefinition(form);
  const parsed = CampaignDefinition.parse(d);
  assert.deepEqual(parsed.audience, {
    statuses: ["new", "contacted"],
    tagsAny: ["vip", "bakery"],
    minScore: 40,
    silentForHours: 72,
  });
  assert.equal(parsed.steps[1]!.delayMinutes, 2 * 1440, "a follow-up waits two days by default");
  assert.equal(parsed.steps[0]!.variants[0]!.subject, "Hi");
  assert.deepEqual(parsed.split, [100]);
  assert.deepEqual(parsed.window, { start: "09:00", end: "20:00" });
  assert.equal(parsed.throttlePerMinute, 60);
});

Deno.test("campaign form: SMS steps carry no subject; no window when it is off", () => {
  const form = { ...initialForm(), name: "x", useWindow: false };
  form.steps[0]!.variants[0] = { templateId: "", subject: "left over", body: "Hi" };
  const d = toDefinition(form);
  assert.equal("subject" in d.steps[0]!.variants[0]!, false);
  assert.equal("window" in d, false);
  assert.equal(CampaignDefinition.safeParse(d).success, true);
});

Deno.test("campaign form: A/B gives every step two versions and the split as typed", () => {
  const form = withAbTest({ ...initialForm(), name: "x", splitA: "70", splitB: "20" }, true);
  form.steps[0]!.variants[0]!.body = "A";
  const d = toDefinition(form);
  assert.equal(d.steps[0]!.variants.length, 2);
  assert.deepEqual(d.split, [70, 20]);
  const r = CampaignDefinition.safeParse(d);
  assert.equal(r.success, false, "70 + 20 is not 100");
  const paths = r.error!.issues.map((i) => i.path.join("."));
  assert.ok(paths.includes("split"));
  assert.equal(issueTarget("split").field, "split-a");
  assert.equal(withAbTest(form, false).steps[0]!.variants.length, 1);
});

Deno.test("campaign form: text that is not a number reaches the gateway as typed, to be named", () => {
  const form = { ...initialForm(), name: "x", throttlePerMinute: "lots", minScore: "high" };
  form.steps[0]!.delay = "soon";
  const d = toDefinition(form);
  assert.equal(d.throttlePerMinute as unknown, "lots");
  assert.equal(d.audience.minScore as unknown, "high");
  assert.equal(delayMinutes(form.steps[0]!), "soon");
  const r = CampaignDefinition.safeParse(d);
  const paths = r.error!.issues.map((i) => i.path.join("."));
  assert.ok(paths.includes("throttlePerMinute") && paths.includes("audience.minScore"));
});

Deno.test("campaign form: each issue path the gateway names has its step and input", () => {
  assert.deepEqual(issueTarget("name"), { step: "channel", field: "name" });
  assert.deepEqual(issueTarget("steps.0.variants.0.template"), {
    step: "message",
    field: "body-0-0",
  });
  assert.deepEqual(issueTarget("steps.2.variants.1.subject"), {
    step: "message",
    field: "subject-2-1",
  });
  assert.deepEqual(issueTarget("steps.1.variants"), { step: "message", field: "" });
  assert.deepEqual(issueTarget("steps.1.delayMinutes"), { step: "timing", field: "delay-1" });
  assert.deepEqual(issueTarget("window.end"), { step: "timing", field: "window-end" });
  assert.deepEqual(issueTarget("throttlePerMinute"), { step: "timing", field: "throttle" });
  assert.deepEqual(issueTarget("audience.minScore"), { step: "audience", field: "aud-minScore" });
  assert.deepEqual(issueTarget("audience"), { step: "audience", field: "" });
  assert.deepEqual(issueTarget("costCents.sms"), { step: "launch", field: "" });

  const { byField, firstStep } = issuesByField([
    { path: "audience.minScore", message: "too big" },
    { path: "steps.0.variants.0.template", message: "unknown variable {{first_name}}" },
    { path: "steps.0.variants.0.template", message: "another" },
    { path: "steps.0.variants", message: "1 variants for a split of 2" },
  ]);
  assert.equal(firstStep, "message", "the earliest step holding an issue");
  assert.deepEqual(byField.get("body-0-0"), ["unknown variable {{first_name}}", "another"]);
  assert.deepEqual(byField.get("step:message"), ["1 variants for a split of 2"]);
  assert.deepEqual(byField.get("aud-minScore"), ["too big"]);
});

Deno.test("campaign form: tags, delays and audiences as people read them", () => {
  assert.deepEqual(parseTags(""), []);
  assert.deepEqual(parseTags("a, b,a ,"), ["a", "b"]);
  assert.equal(describeDelay(0), "at once");
  assert.equal(describeDelay(1440), "1 day");
  assert.equal(describeDelay(2880), "2 days");
  assert.equal(describeDelay(120), "2 hours");
  assert.equal(describeDelay(90), "90 minutes");
  assert.deepEqual(describeAudience({}), []);
  assert.deepEqual(
    describeAudience({ statuses: ["meeting_scheduled"], sources: ["csv"], maxScore: 50 }),
    ["Status is meeting scheduled", "Came from CSV import", "Score at most 50"],
  );
});

Deno.test("campaign form: another channel drops each version's saved template but keeps its text", () => {
  const form = {
    ...initialForm(),
    channel: "sms" as const,
    steps: [{
      ...newStep(true, 1),
      variants: [{ templateId: "t-sms", subject: "", body: "Hi {{firstName}}" }],
    }],
  };
  assert.equal(withChannel(form, "sms"), form, "the same channel changes nothing");
  const email = withChannel(form, "email");
  assert.equal(email.channel, "email");
  assert.equal(email.steps[0]!.variants[0]!.templateId, "");
  assert.equal(email.steps[0]!.variants[0]!.body, "Hi {{firstName}}");
  assert.equal(form.steps[0]!.variants[0]!.templateId, "t-sms", "the old form is left as it was");
});
