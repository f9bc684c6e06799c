import assert from "node:assert/strict";
import { calendar } from "../actors/calendar/mod.ts";
import { lead, leadMigrations, settings } from "../actors/lead/mod.ts";
import { ActorSystem, openDatabase } from "../actors/runtime/mod.ts";
import { team, teamMigrations, teamRef } from "../actors/team/mod.ts";
import { ManualClock } from "../shared/mod.ts";
import { createApp } from "./app.ts";
import { PostgresApiKeyStore } from "./auth.ts";
import { gatewayMigrations } from "./migrations.ts";
import { defaultLimits, MemoryRateLimitStore, rateLimit } from "./rate_limit.ts";
import { type BotReason, widgetRoutes } from "./widget_api.ts";

const SHOP = "https://shop.example.com";
const KEY = "site_test";

/** Monday 2 March 2026, 13:30 UTC (08:30 in New York). */
const T0 = Date.parse("2026-03-02T13:30:00Z");

async function setup(opts: { widgetLimit?: number; widget?: unknown } = {}) {
  const db = await openDatabase({
    migrations: [
      ...await leadMigrations(),
      ...await teamMigrations(),
      ...await gatewayMigrations(),
    ],
  });
  const clock = new ManualClock(T0);
  const system = new ActorSystem({ database: db, types: [lead, settings, team, calendar], clock });
  const sites = new PostgresApiKeyStore(db.sql);
  await sites.putSiteKey({
    key: KEY,
    tenant: "acme",
    allowedOrigins: [SHOP],
    widget: opts.widget ?? null,
  });
  await db.sql`INSERT INTO tenants (id, name) VALUES ('acme', 'Acme Plumbing')`;
  const bots: BotReason[] = [];
  const limiter = rateLimit({
    store: new MemoryRateLimitStore(),
    limitFor: defaultLimits({ limits: { widget: opts.widgetLimit ?? 50 } }),
  });
  const app = createApp({
    health: { ping: () => Promise.resolve(true), isShuttingDown: () => false },
    routes: (a) =>
      a.route("/v1/widget", widgetRoutes({ system, limiter, onBot: (r) => bots.push(r) })),
  });
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    app.request(`/v1/widget/leads?site_key=${KEY}`, {
      method: "POST",
      headers: {
        origin: SHOP,
        "x-site-key": KEY,
        "content-type": "application/json",
        "x-forwarded-for": "203.0.113.7",
        ...headers,
      },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  const leadCount = async () =>
    (await db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM leads WHERE tenant = 'acme'`)[0]!
      .n;
  const close = async () => {
    await system.shutdown();
    await db.close();
  };
  const get = (path: string, headers: Record<string, string> = {}) =>
    app.request(path, { headers: { origin: SHOP, "x-forwarded-for": "203.0.113.7", ...headers } });
  return { app, system, db, sites, post, get, leadCount, bots, close };
}

const form = {
  idempotencyKey: "form-1",
  name: "Dana Reyes",
  email: "dana@example.com",
  company: "Reyes Bakery",
  message: "Need a quote",
  pageUrl: "https://shop.example.com/pricing",
  utm_source: "google",
  utm_campaign: "spring",
  website: "",
  elapsedMs: 8_000,
};

Deno.test("widget: a capture answers 202 with the committed lead, attributed and sourced widget; the same key answers the same lead", async () => {
  const { post, system, leadCount, close } = await setup();
  try {
    const res = await post(form);
    assert.equal(res.status, 202);
    assert.equal(res.headers.get("access-control-allow-origin"), SHOP);
    const body = await res.json();
    assert.deepEqual(Object.keys(body), ["leadId"]);
    assert.equal(typeof body.leadId, "string");
    // 202 comes after the commit: the lead is readable at once.
    const view = await system.ref(lead, "acme", body.leadId).query("view");
    assert.equal(view.exists, true);
    assert.equal(view.source, "widget");
    assert.equal(view.contact.email, "dana@example.com");
    assert.equal(view.attribution?.pageUrl, form.pageUrl);
    assert.deepEqual(view.attribution?.utm, { source: "google", campaign: "spring" });

    const again = await post(form);
    assert.equal(again.status, 202);
    assert.equal((await again.json()).leadId, body.leadId);
    assert.equal(await leadCount(), 1);
  } finally {
    await close();
  }
});

Deno.test("widget: CORS only for the key's origins; the preflight is answered", async () => {
  const { app, post, leadCount, close } = await setup();
  try {
    const preflight = (origin: string) =>
      app.request(`/v1/widget/leads?site_key=${KEY}`, {
        method: "OPTIONS",
        headers: {
          origin,
          "access-control-request-method": "POST",
          "access-control-request-headers": "content-type, x-site-key",
        },
      });
    const ok = await preflight(SHOP);
    assert.equal(ok.status, 204);
    assert.equal(ok.headers.get("access-control-allow-origin"), SHOP);
    assert.match(ok.headers.get("access-control-allow-headers") ?? "", /X-Site-Key/i);
    assert.match(ok.headers.get("access-control-allow-methods") ?? "", /POST/);
    const evil = await preflight("https://evil.example.net");
    assert.equal(evil.headers.get("access-control-allow-origin"), null);

    const refused = await post(form, { origin: "https://evil.example.net" });
    assert.equal(refused.status, 403);
    assert.equal(refused.headers.get("access-control-allow-origin"), null);
    assert.equal((await post(form, { "x-site-key": "site_nope" })).status, 401);
    // A key no site could have is unknown (401), not a database error.
    const nul = await app.request("/v1/widget/leads?site_key=%00", {
      method: "POST",
      headers: { origin: SHOP, "content-type": "application/json" },
      body: JSON.stringify(form),
    });
    assert.equal(nul.status, 401);
    const nulPreflight = await app.request("/v1/widget/leads?site_key=%00", {
      method: "OPTIONS",
      headers: { origin: SHOP, "access-control-request-method": "POST" },
    });
    assert.equal(nulPreflight.status, 204);
    assert.equal(nulPreflight.headers.get("access-control-allow-origin"), null);
    assert.equal(await leadCount(), 0);
  } finally {
    await close();
  }
});

Deno.test("widget: a filled honeypot or a too-fast form creates no lead and answers 202 with leadId null", async () => {
  const { post, leadCount, bots, close } = await setup();
  try {
    const honeypot = await post({ ...form, idempotencyKey: "h", website: "http://spam.example" });
    assert.equal(honeypot.status, 202);
    assert.deepEqual(await honeypot.json(), { leadId: null });
    const fast = await post({ ...form, idempotencyKey: "f", elapsedMs: 400 });
    assert.equal(fast.status, 202);
    assert.deepEqual(await fast.json(), { leadId: null });
    assert.deepEqual(bots, ["honeypot", "too_fast"]);
    assert.equal(await leadCount(), 0);
    // A person just over the threshold gets through.
    const person = await post({ ...form, idempotencyKey: "p", elapsedMs: 2_000 });
    assert.equal(typeof (await person.json()).leadId, "string");
    assert.equal(await leadCount(), 1);
  } finally {
    await close();
  }
});

Deno.test("widget: bad input is a 400 naming the field", async () => {
  const { post, leadCount, close } = await setup();
  try {
    const issues = async (res: Response) => {
      assert.equal(res.status, 400);
      return (await res.json()).error.details.issues.map((i: { path: string }) => i.path);
    };
    const { elapsedMs: _, ...noElapsed } = form;
    assert.deepEqual(await issues(await post(noElapsed)), ["elapsedMs"]);
    const { email: __, ...nobody } = form;
    assert.deepEqual(await issues(await post(nobody)), ["contact"]);
    assert.deepEqual(await issues(await post({ ...form, pageUrl: "not a url" })), ["pageUrl"]);
    assert.equal((await post("{oops")).status, 400);
    assert.equal(await leadCount(), 0);
  } finally {
    await close();
  }
});

Deno.test("widget: limited per IP and site key with 429 and Retry-After", async () => {
  const { app, post, close } = await setup({ widgetLimit: 3 });
  try {
    for (let i = 0; i < 3; i++) {
      assert.equal((await post({ ...form, idempotencyKey: `r${i}` })).status, 202);
    }
    const limited = await post({ ...form, idempotencyKey: "r3" });
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get("retry-after")) >= 1);
    assert.equal(limited.headers.get("access-control-allow-origin"), SHOP);
    assert.match(limited.headers.get("access-control-expose-headers") ?? "", /Retry-After/);
    // The config and the slots count against the same limit.
    for (const path of ["config", "slots"]) {
      const res = await app.request(`/v1/widget/${path}?site_key=${KEY}`, {
        headers: { origin: SHOP, "x-forwarded-for": "203.0.113.7" },
      });
      assert.equal(res.status, 429, path);
    }
    // Another visitor of the same site is counted apart.
    const other = await post({ ...form, idempotencyKey: "r4" }, {
      "x-forwarded-for": "198.51.100.9",
    });
    assert.equal(other.status, 202);
  } finally {
    await close();
  }
});

Deno.test("widget: config names the tenant; the routes are in the OpenAPI document", async () => {
  const { app, close } = await setup();
  try {
    const res = await app.request(`/v1/widget/config?site_key=${KEY}`, {
      headers: { origin: SHOP },
    });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      tenant: "acme",
      name: "Acme Plumbing",
      honeypotField: "website",
      minFillMs: 2000,
      configured: false,
      fields: ["name", "email", "phone", "message"],
      labels: {},
      thankYou: null,
      booking: false,
    });
    const doc = await (await app.request("/openapi.json")).json();
    assert.ok(doc.paths["/v1/widget/leads"].post.responses["202"]);
    assert.deepEqual(doc.paths["/v1/widget/leads"].post.security, [{ siteKey: [] }]);
  } finally {
    await close();
  }
});

// ---------------------------------------------------------------- settings and booking

const nineToFive = [{ start: "09:00", end: "17:00" }];
const BOOKING_WIDGET = {
  fields: ["company", "phone", "name", "email"],
  labels: { company: "Business name" },
  thankYou: "Thanks! Rosa will call you back.",
  booking: true,
};

/** Member `ann` of `tenant`, bookable 9 to 5 on weekdays in New York. */
async function bookableAnn(system: ActorSystem, tenant = "acme") {
  const added = await teamRef(system, tenant).ask("upsertMember", {
    id: "ann",
    name: "Ann Secretname",
    email: "ann.private@acme.test",
    phone: "+14155550199",
    types: ["sales"],
  });
  assert.equal(added.status, "ok");
  await system.ref(calendar, tenant, "ann").ask("setHours", {
    timeZone: "America/New_York",
    weekly: { "1": nineToFive, "2": nineToFive, "3": nineToFive, "4": nineToFive, "5": nineToFive },
  });
}

Deno.test("widget: config answers the key's fields (stable order), labels and thank-you; booking only once someone can be booked", async () => {
  const { get, system, close } = await setup({ widget: BOOKING_WIDGET });
  try {
    const config = async () => await (await get(`/v1/widget/config?site_key=${KEY}`)).json();
    const before = await config();
    assert.equal(before.configured, true);
    assert.deepEqual(before.fields, ["name", "email", "phone", "company"]);
    assert.deepEqual(before.labels, { company: "Business name" });
    assert.equal(before.thankYou, "Thanks! Rosa will call you back.");
    assert.equal(before.booking, false, "enabled, but nobody has working hours yet");
    await bookableAnn(system);
    assert.equal((await config()).booking, true);
    await teamRef(system, "acme").ask("setAvailability", { memberId: "ann", available: false });
    assert.equal((await config()).booking, false, "an unavailable member is not offered");
  } finally {
    await close();
  }
});

Deno.test("widget: slots are times only (no member, no PII), per tenant, CORS-enabled, labelled in the asked zone", async () => {
  const { get, system, sites, close } = await setup({ widget: BOOKING_WIDGET });
  try {
    await bookableAnn(system);
    const res = await get(`/v1/widget/slots?site_key=${KEY}&days=7&tz=Europe/Paris`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("access-control-allow-origin"), SHOP);
    const text = await res.text();
    for (const secret of ["ann", "Secretname", "ann.private", "4155550199"]) {
      assert.ok(!text.toLowerCase().includes(secret.toLowerCase()), `no ${secret} in the answer`);
    }
    const body = JSON.parse(text);
    assert.equal(body.timeZone, "Europe/Paris");
    assert.deepEqual(Object.keys(body.slots[0]).sort(), ["end", "label", "start"]);
    // An hour's notice after 08:30 New York: the first slot is 09:30 there, 15:30 in Paris.
    assert.equal(body.slots[0].start, "2026-03-02T14:30:00Z");
    assert.equal(body.slots[0].end, "2026-03-02T15:00:00Z");
    assert.match(body.slots[0].label, /Mon, Mar 2.*3:30.*4:00\sPM \(Europe\/Paris\)/);
    // Today's 15 half hours left, four full days of 16, and next Monday's 09:00 (13:00 UTC once
    // New York is on summer time, before the week's end at 13:30 UTC).
    assert.equal(body.slots.length, 15 + 4 * 16 + 1);
    assert.ok(body.slots.every((s: { start: string }) => s.start < "2026-03-09T13:30:00Z"));
    const one = await (await get(`/v1/widget/slots?site_key=${KEY}&days=1`)).json();
    assert.equal(one.timeZone, "UTC");
    assert.equal(one.slots.length, 15);

    // Another tenant's key sees its own team only: nobody there yet.
    await sites.putSiteKey({
      key: "site_other",
      tenant: "other",
      allowedOrigins: [SHOP],
      widget: BOOKING_WIDGET,
    });
    const other = await (await get("/v1/widget/slots?site_key=site_other")).json();
    assert.deepEqual(other.slots, []);
    // A key that does not offer times lists none, though the tenant has them.
    await sites.putSiteKey({ key: "site_plain", tenant: "acme", allowedOrigins: [SHOP] });
    assert.deepEqual((await (await get("/v1/widget/slots?site_key=site_plain")).json()).slots, []);

    const evil = await get(`/v1/widget/slots?site_key=${KEY}`, {
      origin: "https://evil.example.net",
    });
    assert.equal(evil.status, 403);
    assert.equal(evil.headers.get("access-control-allow-origin"), null);
    const tooFar = await get(`/v1/widget/slots?site_key=${KEY}&days=30`);
    assert.equal(tooFar.status, 400);
    assert.deepEqual(
      (await tooFar.json()).error.details.issues.map((i: { path: string }) => i.path),
      ["days"],
    );
  } finally {
    await close();
  }
});

Deno.test("widget: a submit with a slot captures the lead and books it once; a retry never books twice; a taken slot still captures", async () => {
  const { post, get, system, leadCount, close } = await setup({ widget: BOOKING_WIDGET });
  try {
    await bookableAnn(system);
    const [slot] = (await (await get(`/v1/widget/slots?site_key=${KEY}`)).json()).slots;
    const withSlot = {
      ...form,
      idempotencyKey: "book-1",
      phone: "(415) 555-0142",
      timeZone: "Europe/Paris",
      slot: { start: slot.start, end: slot.end },
    };
    const res = await post(withSlot);
    assert.equal(res.status, 202);
    const body = await res.json();
    assert.deepEqual(body.booking, { status: "booked", start: slot.start, end: slot.end });
    const bookings = () => system.ref(calendar, "acme", "ann").query("bookings");
    const [booking] = await bookings();
    assert.equal(booking!.leadId, body.leadId);
    assert.deepEqual(booking!.attendee, {
      name: "Dana Reyes",
      email: "dana@example.com",
      phone: "+14155550142",
      timeZone: "Europe/Paris",
    });
    const view = await system.ref(lead, "acme", body.leadId).query("view");
    assert.equal(view.contact.timeZone, "Europe/Paris");

    // The courier's retry (same idempotency key) answers the same lead and booking.
    const again = await (await post(withSlot)).json();
    assert.deepEqual(again, body);
    assert.equal((await bookings()).length, 1);

    // Someone else picked the same time meanwhile: their lead is kept, the time is not booked.
    const late = await post({
      ...withSlot,
      idempotencyKey: "book-2",
      name: "Lee Park",
      email: "lee@example.com",
      phone: undefined,
    });
    assert.equal(late.status, 202);
    const lateBody = await late.json();
    assert.equal(typeof lateBody.leadId, "string");
    assert.notEqual(lateBody.leadId, body.leadId);
    assert.equal(lateBody.booking.status, "unavailable");
    assert.equal((await bookings()).length, 1);
    assert.equal(await leadCount(), 2);
    // And the taken time is no longer offered.
    const after = (await (await get(`/v1/widget/slots?site_key=${KEY}`)).json()).slots;
    assert.ok(!after.some((s: { start: string }) => s.start === slot.start));
  } finally {
    await close();
  }
});

Deno.test("widget: a slot sent to a key without booking is not booked; lead fields the form does not show are still accepted", async () => {
  const { post, system, close } = await setup({
    widget: { fields: ["email"], booking: false },
  });
  try {
    await bookableAnn(system);
    const res = await post({
      ...form,
      idempotencyKey: "old-widget",
      slot: { start: "2026-03-02T15:00:00Z", end: "2026-03-02T15:30:00Z" },
    });
    assert.equal(res.status, 202);
    const body = await res.json();
    assert.equal(body.booking.status, "unavailable");
    assert.deepEqual(await system.ref(calendar, "acme", "ann").query("bookings"), []);
    const view = await system.ref(lead, "acme", body.leadId).query("view");
    assert.equal(view.contact.company, "Reyes Bakery", "an older cached form's field is kept");
    const bad = await post({
      ...form,
      idempotencyKey: "bad-slot",
      slot: { start: "2026-03-02T15:00:00Z", end: "2026-03-02T15:00:30Z" },
    });
    assert.equal(bad.status, 400);
    assert.deepEqual(
      (await bad.json()).error.details.issues.map((i: { path: string }) => i.path),
      ["slot.end"],
    );
  } finally {
    await close();
  }
});
