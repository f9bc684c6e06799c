import assert from "node:assert/strict";
import { lead, leadMigrations, settings } from "../actors/lead/mod.ts";
import { ActorSystem, openDatabase } from "../actors/runtime/mod.ts";
import { createApp } from "./app.ts";
import { createTokenService } from "./auth.ts";
import { leadRoutes } from "./leads_api.ts";

async function setup() {
  const db = await openDatabase({ migrations: await leadMigrations() });
  const system = new ActorSystem({ database: db, types: [lead, settings] });
  const tokens = createTokenService({ secret: "x".repeat(32) });
  const app = createApp({
    health: { ping: () => Promise.resolve(true), isShuttingDown: () => false },
    routes: (a) => a.route("/v1/leads", leadRoutes({ system, tokens })),
  });
  const bearer = async (tenant: string, role: "admin" | "agent" | "widget" = "agent") =>
    `Bearer ${(await tokens.issue({ sub: "u", tenant, role })).accessToken}`;
  const close = async () => {
    await system.shutdown();
    await db.close();
  };
  return { app, bearer, close };
}

const dana = { idempotencyKey: "k1", contact: { name: "Dana Reyes", email: "dana@example.com" } };

Deno.test("leads API: create, list, get and timeline, each within the caller's tenant", async () => {
  const { app, bearer, close } = await setup();
  try {
    const a = await bearer("tenant-a");
    const post = (body: unknown, auth = a) =>
      app.request("/v1/leads", {
        method: "POST",
        headers: { authorization: auth, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const created = await post(dana);
    assert.equal(created.status, 201);
    const { leadId } = await created.json();
    const again = await post(dana);
    assert.equal(again.status, 200);
    assert.equal((await again.json()).outcome, "repeated");
    for (let i = 0; i < 3; i++) {
      await post({ idempotencyKey: `p${i}`, contact: { email: `p${i}@example.com` } });
    }
    const page1 = await (await app.request("/v1/leads?limit=2", { headers: { authorization: a } }))
      .json();
    assert.equal(page1.items.length, 2);
    const page2 = await (await app.request(`/v1/leads?limit=2&cursor=${page1.next}`, {
      headers: { authorization: a },
    })).json();
    assert.equal(page2.items.length, 2);
    assert.equal(page2.next, null);
    const ids = [...page1.items, ...page2.items].map((l: { lead_id: string }) => l.lead_id);
    assert.equal(new Set(ids).size, 4);
    const found = await (await app.request("/v1/leads?q=dana", { headers: { authorization: a } }))
      .json();
    assert.deepEqual(found.items.map((l: { lead_id: string }) => l.lead_id), [leadId]);
    const one = await app.request(`/v1/leads/${leadId}`, { headers: { authorization: a } });
    assert.equal((await one.json()).contact.email, "dana@example.com");
    const timeline = await app.request(`/v1/leads/${leadId}/timeline`, {
      headers: { authorization: a },
    });
    assert.equal((await timeline.json()).items[0].summary, "captured from rest");

    // Another tenant's token sees none of it.
    const b = await bearer("tenant-b");
    for (const path of [`/v1/leads/${leadId}`, `/v1/leads/${leadId}/timeline`]) {
      assert.equal((await app.request(path, { headers: { authorization: b } })).status, 404);
    }
    const listB = await (await app.request("/v1/leads", { headers: { authorization: b } })).json();
    assert.deepEqual(listB.items, []);
  } finally {
    await close();
  }
});

Deno.test("leads API: bad input is a 4xx naming the field, never a 500", async () => {
  const { app, bearer, close } = await setup();
  try {
    const a = await bearer("tenant-a");
    const post = (body: string, auth: string | null = a) =>
      app.request("/v1/leads", {
        method: "POST",
        headers: { ...(auth ? { authorization: auth } : {}), "content-type": "application/json" },
        body,
      });
    assert.equal((await post(JSON.stringify(dana), null)).status, 401);
    assert.equal((await post(JSON.stringify(dana), "Bearer nope")).status, 401);
    assert.equal(
      (await post(JSON.stringify(dana), await bearer("tenant-a", "widget"))).status,
      403,
    );
    const bad = await post("{not json");
    assert.equal(bad.status, 400);
    const noEmail = await post(JSON.stringify({ idempotencyKey: "x", contact: { email: "nope" } }));
    assert.equal(noEmail.status, 400);
    assert.deepEqual(
      (await noEmail.json()).error.details.issues.map((i: { path: string }) => i.path),
      ["contact.email"],
    );
    for (const q of ["limit=0", "limit=abc", "cursor=%%%", "cursor=bm90IGEgY3Vyc29y"]) {
      const r = await app.request(`/v1/leads?${q}`, { headers: { authorization: a } });
      assert.equal(r.status, 400, q);
    }
    assert.equal(
      (await app.request("/v1/leads/nobody", { headers: { authorization: a } })).status,
      404,
    );
  } finally {
    await close();
  }
});

Deno.test("OpenAPI: /openapi.json documents the mounted routes from their schemas; /docs renders it", async () => {
  const { app, close } = await setup();
  try {
    const res = await app.request("/openapi.json");
    assert.equal(res.status, 200);
    const doc = await res.json();
    assert.equal(doc.openapi, "3.1.0");
    assert.ok(doc.paths["/v1/leads"].post, "POST /v1/leads documented");
    assert.ok(doc.paths["/v1/leads/{id}/timeline"].get, "timeline documented");
    const body = doc.paths["/v1/leads"].post.requestBody.content["application/json"].schema;
    const captureSchema = body.$ref ? doc.components.schemas[body.$ref.split("/").at(-1)] : body;
    assert.ok(captureSchema.properties.idempotencyKey, "body schema comes from the zod schema");
    assert.ok(doc.components.securitySchemes.bearer);
    const page = await app.request("/docs");
    assert.equal(page.status, 200);
    assert.match(await page.text(), /\/v1\/leads\/\{id\}\/timeline/);
  } finally {
    await close();
  }
});
