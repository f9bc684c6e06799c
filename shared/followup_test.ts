import assert from "node:assert/strict";
import {
  DEFAULT_FOLLOW_UP_PLAN,
  FollowUpPlan,
  renderTemplate,
  Template,
  templateVariables,
  unknownVariables,
} from "./followup.ts";

Deno.test("templates are checked when the plan is saved, not when it sends", () => {
  const plan = {
    sequences: {
      uncontacted: {
        afterMinutes: 5,
        steps: [{ channel: "sms", delayMinutes: 0, template: "Hi {{firstName}} from {{compnay}}" }],
      },
    },
  };
  const r = FollowUpPlan.safeParse(plan);
  assert.equal(r.success, false);
  assert.deepEqual(r.error!.issues.map((i) => i.path.join(".")), [
    "sequences.uncontacted.steps.0.template",
  ]);
  assert.match(r.error!.issues[0]!.message, /\{\{compnay\}\}/);
});

Deno.test("templates render known variables with a friendly fallback", () => {
  assert.deepEqual(templateVariables("Hi {{ firstName }}, about {{company}}"), [
    "firstName",
    "company",
  ]);
  assert.equal(renderTemplate("Hi {{firstName}}!", {}), "Hi there!");
  assert.equal(
    renderTemplate("Hi {{firstName}} at {{company}}", { firstName: "Dana", company: "Acme" }),
    "Hi Dana at Acme",
  );
  assert.ok(DEFAULT_FOLLOW_UP_PLAN.sequences.uncontacted, "the default plan nudges new leads");
});

Deno.test("a placeholder with underscores or digits is an unknown variable, not literal text", () => {
  const r = Template.safeParse("Hi {{first_name}}, {{ firstName }} and {{company2}}");
  assert.equal(r.success, false);
  assert.deepEqual(r.error!.issues.map((i) => i.message.split(";")[0]), [
    "unknown variable {{first_name}}",
    "unknown variable {{company2}}",
  ]);
  assert.deepEqual(unknownVariables("{{x}} {{x}} {{name}}"), ["x"], "each unknown once");
});
