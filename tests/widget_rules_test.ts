import assert from "node:assert/strict";
import { HONEYPOT_FIELD, MIN_FILL_MS, WidgetLead } from "../gateway/mod.ts";
import { BOT_CHECKS, type LeadFormInput, validateLeadForm } from "../ui/widget/rules.ts";

// The widget's rules and the server's WidgetLead schema over the same inputs: the widget
// accepts exactly what the server accepts, so a person never sees a form go through and then
// fail on the server (or be refused in the browser for something the server would take).
const CASES: LeadFormInput[] = [
  {},
  { name: "Ada" },
  { email: "ada@example.com" },
  { email: "  ada@example.com  " },
  { email: "ada@example" },
  { email: "ada@@example.com" },
  { email: ".ada@example.com" },
  { email: "ada.@example.com" },
  { email: "a.b+c@sub.example.co" },
  { email: "ada@exa_mple.com" },
  { email: `${"a".repeat(250)}@x.co` },
  { phone: "12" },
  { phone: "123" },
  { phone: " 1 2 " },
  { phone: "+1 555 0100" },
  { phone: "5".repeat(41) },
  { phone: "5".repeat(40) },
  { name: "   ", email: "ada@example.com" },
  { name: "x".repeat(201), email: "ada@example.com" },
  { name: "x".repeat(200), email: "ada@example.com" },
  { company: "x".repeat(201), phone: "+1 555 0100" },
  { company: "Acme", phone: "+1 555 0100" },
  { message: "hi", email: "ada@example.com" },
  { message: "x".repeat(5001), email: "ada@example.com" },
  { message: "x".repeat(5000), email: "ada@example.com" },
  { message: "only a message" },
  { email: "bad", phone: "+1 555 0100" },
];

Deno.test("the widget's rules accept exactly what the server's WidgetLead accepts", () => {
  for (const input of CASES) {
    const mine = validateLeadForm(input);
    // What the widget posts: checked fields when valid, else the raw (trimmed-non-empty) input.
    const posted = mine.ok ? mine.fields : Object.fromEntries(
      Object.entries(input).filter(([, v]) => typeof v === "string" && v.trim() !== ""),
    );
    const server = WidgetLead.safeParse({ idempotencyKey: "k", elapsedMs: 5_000, ...posted });
    assert.equal(mine.ok, server.success, `disagree on ${JSON.stringify(input).slice(0, 80)}`);
  }
});

Deno.test("a failing form names each wrong field, and asks for a way to reach the person", () => {
  const r = validateLeadForm({ name: "x".repeat(201), email: "nope" });
  assert.equal(r.ok, false);
  assert.deepEqual(Object.keys(!r.ok ? r.errors : {}).sort(), ["email", "name"]);
  const none = validateLeadForm({ name: "Ada" });
  assert.ok(!none.ok && none.errors.form);
  const ok = validateLeadForm({ name: " Ada ", email: " ada@example.com ", phone: "" });
  assert.deepEqual(ok, { ok: true, fields: { name: "Ada", email: "ada@example.com" } });
});

Deno.test("the widget's bot checks are the server's", () => {
  assert.deepEqual(BOT_CHECKS, { minFillMs: MIN_FILL_MS, honeypotField: HONEYPOT_FIELD });
});
