import assert from "node:assert/strict";
import { lead, leadMigrations, settings } from "../actors/lead/mod.ts";
import { ActorSystem, openDatabase } from "../actors/runtime/mod.ts";
import { createApp } from "./app.ts";
import { PostgresApiKeyStore } from "./auth.ts";
import { gatewayMigrations } from "./migrations.ts";
import { defaultLimits, MemoryRateLimitStore, rateLimit } from "./rate_limit.ts";
import { type BotReason, widgetRoutes } from "./widget_api.ts";

const SHOP = "https://shop.example.com";
const KEY = "site_test";

async function setup(opts: { widgetLimit?: number } = {}) {
  const db = await openDatabase({
    migrations: [...await leadMigrations(), ...await gatewayMigrations()],
  });
  const system = new ActorSystem({ database: db, types: [lead, settings] });
  await new PostgresApiKeyStore(db.sql).putSiteKey({
    key: KEY,
    tenant: "acme",
    allowedOrigins: [SHOP],
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
  return { app, system, post, leadCount, bots, close };
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
  const { post, close } = await setup({ widgetLimit: 3 });
  try {
    for (let i = 0; i < 3; i++) {
      assert.equal((await post({ ...form, idempotencyKey: `r${i}` })).status, 202);
    }
    const limited = await post({ ...form, idempotencyKey: "r3" });
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get("retry-after")) >= 1);
    assert.equal(limited.headers.get("access-control-allow-origin"), SHOP);
    assert.match(limited.headers.get("access-control-expose-headers") ?? "", /Retry-After/);
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
    });
    const doc = await (await app.request("/openapi.json")).json();
    assert.ok(doc.paths["/v1/widget/leads"].post.responses["202"]);
    assert.deepEqual(doc.paths["/v1/widget/leads"].post.security, [{ siteKey: [] }]);
  } finally {
    await close();
  }
});
