import assert from "node:assert/strict";
import { channelMigrations } from "../actors/channels/mod.ts";
import { captureLead, isOptedOut, lead, leadMigrations, settings } from "../actors/lead/mod.ts";
import { ActorSystem, type Database, openDatabase } from "../actors/runtime/mod.ts";
import { createApp, type GatewayApp } from "./app.ts";
import { unsubscribeRoutes, unsubscribeToken, unsubscribeUrl } from "./unsubscribe.ts";

const SECRET = "unsubscribe-secret";
const PUBLIC_URL = "https://cove.example.com/";

function test(
  name: string,
  fn: (app: GatewayApp, system: ActorSystem, db: Database) => Promise<void>,
) {
  Deno.test(`unsubscribe: ${name}`, async () => {
    const db = await openDatabase({
      migrations: [...await leadMigrations(), ...await channelMigrations()],
    });
    const system = new ActorSystem({ database: db, types: [lead, settings] });
    const app = createApp({
      health: { ping: () => db.ping(), isShuttingDown: () => false },
      routes: (a) => a.route("/u", unsubscribeRoutes({ system, secret: SECRET })),
    });
    try {
      await fn(app, system, db);
    } finally {
      await system.shutdown();
      await db.close();
    }
  });
}

/** The path of an unsubscribe URL, for `app.request()`. */
function pathOf(email: string, tenant = "t1"): string {
  return new URL(unsubscribeUrl(PUBLIC_URL, SECRET, tenant, email)).pathname;
}

Deno.test("unsubscribe: the URL carries the tenant, the address and its token", () => {
  const url = unsubscribeUrl(PUBLIC_URL, SECRET, "t1", " Dana@Example.com");
  const token = unsubscribeToken(SECRET, "t1", "dana@example.com");
  assert.equal(
    url,
    `https://cove.example.com/u/t1/${btoa("dana@example.com").replace(/=+$/, "")}/${token}`,
  );
  assert.notEqual(token, unsubscribeToken(SECRET, "t2", "dana@example.com"));
  assert.notEqual(token, unsubscribeToken("other", "t1", "dana@example.com"));
});

test("GET shows a confirm page and does not opt out", async (app, _system, db) => {
  const res = await app.request(pathOf("dana@example.com"));
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /<form method="post"/);
  assert.ok(html.includes("dana@example.com"));
  assert.equal(await isOptedOut(db.sql, "t1", "email", "dana@example.com"), false);
});

test("one-click POST opts the address and its lead out", async (app, system, db) => {
  const { leadId } = await captureLead(system, "t1", {
    idempotencyKey: "u1",
    source: "widget",
    contact: { name: "Dana Reyes", email: "dana@example.com" },
  });
  const res = await app.request(pathOf("Dana@Example.com"), {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: "List-Unsubscribe=One-Click",
  });
  assert.equal(res.status, 200);
  assert.match(await res.text(), /You are unsubscribed/);
  assert.equal(await isOptedOut(db.sql, "t1", "email", "dana@example.com"), true);
  const view = await system.ref(lead, "t1", leadId).query("view");
  assert.equal(view.consent.email?.granted, false);
  assert.equal(view.consent.email?.source, "unsubscribe link");
});

test("a wrong token is 403 and opts nobody out", async (app, _system, db) => {
  const good = pathOf("dana@example.com");
  const forged = good.replace(/[^/]+$/, unsubscribeToken(SECRET, "t1", "eve@example.com"));
  for (const method of ["GET", "POST"]) {
    const res = await app.request(forged, { method });
    assert.equal(res.status, 403);
    assert.equal((await res.json()).error.code, "forbidden");
  }
  const otherTenant = good.replace("/u/t1/", "/u/t2/");
  const res = await app.request(otherTenant, { method: "POST" });
  assert.equal(res.status, 403);
  await res.body?.cancel();
  assert.equal(await isOptedOut(db.sql, "t1", "email", "dana@example.com"), false);
});
