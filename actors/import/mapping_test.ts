import assert from "node:assert/strict";
import { ValidationError } from "../../shared/errors.ts";
import { autoField, columnOf, resolveMapping, rowKey, rowToCapture } from "./mapping.ts";

function throws(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationError) return e;
    throw e;
  }
  throw new Error("did not throw");
}

Deno.test("mapping: common header names map themselves, whatever their case and punctuation", () => {
  const cases: Array<[string, string | undefined]> = [
    ["Email", "contact.email"],
    ["E-mail", "contact.email"],
    ["EMAIL ADDRESS", "contact.email"],
    ["Phone", "contact.phone"],
    ["Mobile", "contact.phone"],
    ["name", "contact.name"],
    ["Full Name", "contact.name"],
    ["First name", "contact.firstName"],
    ["last_name", "contact.lastName"],
    ["Company", "contact.company"],
    ["Business", "contact.company"],
    ["Postcode", "contact.address.postcode"],
    ["ZIP", "contact.address.postcode"],
    ["Zip Code", "contact.address.postcode"],
    ["City", "contact.address.city"],
    ["Country", "contact.address.country"],
    ["Website", "contact.website"],
    ["Rating", "contact.rating"],
    ["Reviews", "contact.reviewCount"],
    ["Tags", "tags"],
    ["Favourite colour", undefined],
  ];
  for (const [header, field] of cases) assert.equal(autoField(header), field, header);
});

Deno.test("mapping: explicit entries win, null leaves a column out, the first column takes a field", () => {
  const header = ["Email", "Phone", "Mobile", "Shoe size", "Plan", "Notes"];
  const m = resolveMapping(header, {
    "Shoe size": "customFields.shoe_size",
    "Plan": "tags",
    "Notes": null,
  });
  assert.deepEqual(m.mapping, {
    "Shoe size": "customFields.shoe_size",
    "Plan": "tags",
    "Email": "contact.email",
    "Phone": "contact.phone",
  });
  assert.deepEqual(m.ignored, ["Mobile", "Notes"]);
});

Deno.test("mapping: an unknown field, a missing column or a field mapped twice names mapping.<column>", () => {
  const header = ["Email", "Phone", "Cell"];
  assert.deepEqual(
    throws(() => resolveMapping(header, { "Nope": "contact.email" })).issues.map((i) => i.path),
    ["mapping.Nope"],
  );
  assert.deepEqual(
    throws(() => resolveMapping(header, { "Phone": "contact.phone", "Cell": "contact.phone" }))
      .issues.map((i) => i.path),
    ["mapping.Cell"],
  );
  const none = throws(() => resolveMapping(["Name", "City"]));
  assert.deepEqual(none.issues.map((i) => i.path), ["mapping"]);
});

Deno.test("mapping: a row becomes a capture input; conversions are lenient, failures left to the schema", () => {
  const header = [
    "First name",
    "Last name",
    "E-mail",
    "Website",
    "Rating",
    "Reviews",
    "ZIP",
    "Country",
    "Tags",
    "Plan",
  ];
  const m = resolveMapping(header, { "Plan": "customFields.plan" });
  const input = rowToCapture([
    " Dana ",
    "Reyes",
    "dana@example.com",
    "www.reyes.example",
    "4.5",
    "1,234",
    "94107",
    "United States",
    "vip; referral|vip",
    "",
  ], m);
  assert.deepEqual(input, {
    source: "csv",
    contact: {
      name: "Dana Reyes",
      email: "dana@example.com",
      website: "https://www.reyes.example",
      rating: 4.5,
      reviewCount: 1234,
      address: { postcode: "94107", country: "US" },
    },
    tags: ["referral", "vip"],
  });
  const bad = rowToCapture(["", "", "x@example.com", "", "great", "", "", "", "", ""], m);
  assert.equal(bad.contact.rating, "great" as unknown as number, "left for zod to name");
  assert.equal(columnOf("contact.name", m), "First name + Last name");
  assert.equal(columnOf("contact.address.postcode", m), "ZIP");
  assert.equal(columnOf("contact", m), undefined);
});

Deno.test("mapping: a row's key does not depend on column order or header names, but on tenant and content", async () => {
  const a = resolveMapping(["Email", "Full name", "Tags"]);
  const b = resolveMapping(["Labels", "First name", "Last name", "E-mail"]);
  const ka = await rowKey("t1", rowToCapture(["d@example.com", "Dana Reyes", "a,b"], a), "US");
  const kb = await rowKey("t1", rowToCapture(["b;a", "Dana", "Reyes", "d@example.com"], b), "US");
  assert.equal(ka, kb);
  assert.match(ka, /^import:[0-9a-f]{64}$/);
  const other = await rowKey("t2", rowToCapture(["d@example.com", "Dana Reyes", "a,b"], a), "US");
  assert.notEqual(other, ka);
  const changed = await rowKey("t1", rowToCapture(["d@example.com", "Dana R.", "a,b"], a), "US");
  assert.notEqual(changed, ka);
});
