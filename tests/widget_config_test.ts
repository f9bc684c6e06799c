import assert from "node:assert/strict";
import { WIDGET_FIELDS, WidgetSettings } from "../gateway/mod.ts";
import {
  DEFAULT_LABELS,
  DEFAULT_THANK_YOU,
  fetchConfig,
  FORM_FIELDS,
  pickFields,
  readConfig,
} from "../ui/widget/config.ts";
import { postLead } from "../ui/widget/pending.ts";

Deno.test("widget config: the fields a key sets are shown in the server's one order, relabelled", () => {
  const c = readConfig({
    configured: true,
    fields: ["company", "phone", "fax"],
    labels: { company: "Bakery name", fax: "Fax", phone: "  " },
    thankYou: "Thanks! Rosa will call.",
    booking: true,
  });
  assert.deepEqual(c.fields, ["phone", "company"]);
  assert.equal(c.labels.company, "Bakery name");
  assert.equal(c.labels.phone, "Phone", "a blank label keeps the default");
  assert.equal(c.thankYou, "Thanks! Rosa will call.");
  assert.equal(c.booking, true);
});

Deno.test("widget config: no answer (or an old gateway's) gives the attribute's fields or the defaults", () => {
  const none = readConfig(null);
  assert.deepEqual(none.fields, ["name", "email", "phone", "message"]);
  assert.deepEqual(none.labels, DEFAULT_LABELS);
  assert.equal(none.thankYou, DEFAULT_THANK_YOU);
  assert.equal(none.booking, false);
  const old = readConfig({ tenant: "acme", name: "Acme" }, "email,company");
  assert.deepEqual(old.fields, ["email", "company"]);
  // A key without settings answers the defaults: the page's own attribute wins over those.
  const unset = readConfig({ configured: false, fields: ["name", "email"] }, "email,company");
  assert.deepEqual(unset.fields, ["email", "company"]);
  assert.equal(readConfig({ booking: "yes" }).booking, false);
  assert.deepEqual(pickFields("nothing,known"), [...FORM_FIELDS]);
});

Deno.test("widget config: the widget's fields and their order are the server's", () => {
  assert.deepEqual([...FORM_FIELDS], [...WIDGET_FIELDS]);
  const all = WidgetSettings.parse({ fields: [...FORM_FIELDS].reverse() });
  assert.deepEqual(all.fields, [...FORM_FIELDS]);
});

Deno.test("widget config: asked once per page and key, however many forms; a failure or a hang gives null", async () => {
  let calls = 0;
  const ok = (() => {
    calls++;
    return Promise.resolve(Response.json({ fields: ["email"] }));
  }) as typeof fetch;
  const a = await fetchConfig("https://gw.test", "site_once", ok);
  const b = await fetchConfig("https://gw.test", "site_once", ok);
  assert.deepEqual(a, { fields: ["email"] });
  assert.equal(b, a);
  assert.equal(calls, 1);

  const down = (() => Promise.reject(new TypeError("Failed to fetch"))) as typeof fetch;
  assert.equal(await fetchConfig("https://gw.test", "site_down", down), null);
  const refused = (() => Promise.resolve(new Response("{}", { status: 401 }))) as typeof fetch;
  assert.equal(await fetchConfig("https://gw.test", "site_401", refused), null);
  const hang =
    ((_url: string, init: RequestInit) =>
      new Promise((_, reject) =>
        init.signal!.addEventListener("abort", () => reject(new DOMException("aborted")))
      )) as typeof fetch;
  assert.equal(await fetchConfig("https://gw.test", "site_hang", hang, 20), null);
});

Deno.test("widget config: an accepted post carries the booking the gateway made", async () => {
  const answer = (body: unknown) =>
    (() => Promise.resolve(Response.json(body, { status: 202 }))) as typeof fetch;
  const lead = {
    endpoint: "https://gw.test/v1/widget/leads",
    siteKey: "site_x",
    body: { idempotencyKey: "k", email: "a@b.co", elapsedMs: 3_000 },
    attempts: 0,
  };
  const booked = { status: "booked", start: "2026-03-03T15:00:00Z", end: "2026-03-03T15:30:00Z" };
  assert.deepEqual(await postLead(lead, answer({ leadId: "l1", booking: booked })), {
    state: "accepted",
    leadId: "l1",
    booking: booked,
  });
  assert.deepEqual(await postLead(lead, answer({ leadId: "l1" })), {
    state: "accepted",
    leadId: "l1",
  });
});
