import assert from "node:assert/strict";
import { lead, leadMigrations, settings } from "../actors/lead/mod.ts";
import { ActorSystem, openDatabase } from "../actors/runtime/mod.ts";
import type { Role } from "../shared/mod.ts";
import { createApp } from "./app.ts";
import { createTokenService, PostgresApiKeyStore } from "./auth.ts";
import { authRoutes, OneTimeCodes, TICKET_PREFIX, verifyStreamCredential } from "./auth_api.ts";
import { leadRoutes } from "./leads_api.ts";
import { gatewayMigrations } from "./migrations.ts";
import { widgetRoutes } from "./widget_api.ts";

async function setup() {
  const db = await openDatabase({
    migrations: [...await leadMigrations(), ...await gatewayMigrations()],
  });
  const system = new ActorSystem({ database: db, types: [lead, settings] });
  const tokens = createTokenService({ secret: "s".repeat(32) });
  const deps = { system, tokens, apiKeys: new PostgresApiKeyStore(db.sql) };
  const app = createApp({
    health: { ping: () => Promise.resolve(true), isShuttingDown: () => false },
    routes: (a) => {
      a.route("/v1/leads", leadRoutes(deps));
      a.route("/v1", authRoutes(deps));
      a.route("/v1/widget", widgetRoutes({ system }));
    },
  });
  const bearer = async (tenant: string, role: Role) =>
    `Bearer ${(await tokens.issue({ sub: `u-${role}`, tenant, role })).accessToken}`;
  const call = (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) =>
    app.request(path, {
      method,
      headers: { "content-type": "application/json", ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const close = async () => {
    await system.shutdown();
    await db.close();
  };
  return { app, db, tokens, bearer, call, close };
}

Deno.test("auth API: refresh renews with a refresh token and refuses an access token", async () => {
  const { tokens, call, close } = await setup();
  try {
    const pair = await tokens.issue({ sub: "u", tenant: "acme", role: "agent" });
    const res = await call("POST", "/v1/auth/refresh", { refreshToken: pair.refreshToken });
    assert.equal(res.status, 200);
    const renewed = await res.json();
    assert.equal(renewed.expiresIn, 900);
    const list = await call("GET", "/v1/leads", undefined, {
      authorization: `Bearer ${renewed.accessToken}`,
    });
    assert.equal(list.status, 200);

    const withAccess = await call("POST", "/v1/auth/refresh", { refreshToken: pair.accessToken });
    assert.equal(withAccess.status, 401);
    assert.match((await withAccess.json()).error.message, /expected an refresh token/);
    assert.equal((await call("POST", "/v1/auth/refresh", { refreshToken: "x.y.z" })).status, 401);
    assert.equal((await call("POST", "/v1/auth/refresh", {})).status, 400);
    // A refresh token does not open routes.
    const asBearer = await call("GET", "/v1/leads", undefined, {
      authorization: `Bearer ${pair.refreshToken}`,
    });
    assert.equal(asBearer.status, 401);
  } finally {
    await close();
  }
});

Deno.test("auth API: a sign-in code signs in once, and not after it expires", async () => {
  const { db, call, close } = await setup();
  try {
    let now = Date.now();
    const codes = new OneTimeCodes(db.sql, { now: () => now });
    const admin = { sub: "demo-admin", tenant: "demo", role: "admin" as const };
    const code = await codes.mint("signin", admin, 60_000);
    const first = await call("POST", "/v1/auth/signin", { code });
    assert.equal(first.status, 200);
    const body = await first.json();
    assert.equal(body.tenant, "demo");
    assert.equal(body.role, "admin");
    const leads = await call("GET", "/v1/leads", undefined, {
      authorization: `Bearer ${body.accessToken}`,
    });
    assert.equal(leads.status, 200);

    const second = await call("POST", "/v1/auth/signin", { code });
    assert.equal(second.status, 401);
    assert.match((await second.json()).error.message, /already used or expired/);

    // Only the hash is stored.
    const stored = await db.sql`SELECT 1 FROM one_time_codes WHERE hash = ${code}`;
    assert.equal(stored.length, 0);

    const late = await codes.mint("signin", admin, 60_000);
    now += 61_000;
    assert.equal(await codes.redeem("signin", late), null);
    // A stream ticket is not a sign-in code.
    const ticket = await codes.mint("stream", admin, 60_000);
    assert.equal(await codes.redeem("signin", ticket), null);
    // Racing redeems: exactly one wins.
    const raced = await codes.mint("signin", admin, 60_000);
    const wins = (await Promise.all([1, 2, 3, 4].map(() => codes.redeem("signin", raced))))
      .filter((w) => w !== null);
    assert.equal(wins.length, 1);
  } finally {
    await close();
  }
});

Deno.test("auth API: a stream ticket is minted for people, opens one stream once", async () => {
  const { db, tokens, bearer, call, close } = await setup();
  try {
    const res = await call("POST", "/v1/auth/ticket", undefined, {
      authorization: await bearer("acme", "agent"),
    });
    assert.equal(res.status, 200);
    const { ticket, expiresIn } = await res.json();
    assert.ok(ticket.startsWith(TICKET_PREFIX));
    assert.equal(expiresIn, 60);
    const verify = verifyStreamCredential(
      new OneTimeCodes(db.sql),
      async (t) => ({ tenant: (await tokens.verify(t, { typ: "access" })).tenant }),
    );
    assert.deepEqual(await verify(ticket), { tenant: "acme" });
    assert.equal(await verify(ticket), null);
    // Access tokens still work, and a ticket is no bearer token for REST.
    const access = (await tokens.issue({ sub: "u", tenant: "acme", role: "agent" })).accessToken;
    assert.deepEqual(await verify(access), { tenant: "acme" });
    assert.equal(await verify("garbage"), null);
    const rest = await call("GET", "/v1/leads", undefined, { authorization: `Bearer ${ticket}` });
    assert.equal(rest.status, 401);

    assert.equal((await call("POST", "/v1/auth/ticket")).status, 401);
    const widget = await call("POST", "/v1/auth/ticket", undefined, {
      authorization: await bearer("acme", "widget"),
    });
    assert.equal(widget.status, 403);
  } finally {
    await close();
  }
});

Deno.test("auth API: an admin's API key is shown once, works, and answers 401 once revoked", async () => {
  const { bearer, call, close } = await setup();
  try {
    const admin = await bearer("acme", "admin");
    const agentTry = await call("POST", "/v1/api-keys", { role: "agent" }, {
      authorization: await bearer("acme", "agent"),
    });
    assert.equal(agentTry.status, 403);
    const badRole = await call("POST", "/v1/api-keys", { role: "widget" }, {
      authorization: admin,
    });
    assert.equal(badRole.status, 400);

    const created = await call("POST", "/v1/api-keys", { role: "agent" }, { authorization: admin });
    assert.equal(created.status, 201);
    const { id, key, role } = await created.json();
    assert.equal(role, "agent");
    const withKey = await call("GET", "/v1/leads", undefined, { "x-api-key": key });
    assert.equal(withKey.status, 200);

    // Another tenant's admin cannot revoke it.
    const foreign = await call("DELETE", `/v1/api-keys/${id}`, undefined, {
      authorization: await bearer("other", "admin"),
    });
    assert.equal(foreign.status, 404);
    assert.equal((await call("GET", "/v1/leads", undefined, { "x-api-key": key })).status, 200);

    const revoked = await call("DELETE", `/v1/api-keys/${id}`, undefined, { authorization: admin });
    assert.equal(revoked.status, 204);
    const after = await call("GET", "/v1/leads", undefined, { "x-api-key": key });
    assert.equal(after.status, 401);
    assert.match((await after.json()).error.message, /revoked/);
    const twice = await call("DELETE", `/v1/api-keys/${id}`, undefined, { authorization: admin });
    assert.equal(twice.status, 404);
    const junk = await call("DELETE", "/v1/api-keys/a%00b", undefined, { authorization: admin });
    assert.equal(junk.status, 400);
  } finally {
    await close();
  }
});

Deno.test("auth API: site keys are created by an admin with exact origins, listed per tenant, and usable by the widget", async () => {
  const { bearer, call, close } = await setup();
  try {
    const admin = await bearer("acme", "admin");
    const bad = await call("POST", "/v1/site-keys", {
      allowedOrigins: ["https://ok.example.com", "https://ok.example.com/path"],
    }, { authorization: admin });
    assert.equal(bad.status, 400);
    assert.deepEqual(
      (await bad.json()).error.details.issues.map((i: { path: string }) => i.path),
      ["allowedOrigins.1"],
    );
    const created = await call("POST", "/v1/site-keys", {
      allowedOrigins: ["https://ok.example.com"],
    }, { authorization: admin });
    assert.equal(created.status, 201);
    const site = await created.json();
    assert.deepEqual(site.allowedOrigins, ["https://ok.example.com"]);

    const mine = await (await call("GET", "/v1/site-keys", undefined, { authorization: admin }))
      .json();
    assert.deepEqual(mine.items, [site]);
    const theirs = await (await call("GET", "/v1/site-keys", undefined, {
      authorization: await bearer("other", "admin"),
    })).json();
    assert.deepEqual(theirs.items, []);
    const agent = await call("GET", "/v1/site-keys", undefined, {
      authorization: await bearer("acme", "agent"),
    });
    assert.equal(agent.status, 403);

    const captured = await call("POST", `/v1/widget/leads?site_key=${site.key}`, {
      idempotencyKey: "w1",
      email: "kim@example.com",
      elapsedMs: 5_000,
    }, { origin: "https://ok.example.com", "x-site-key": site.key });
    assert.equal(captured.status, 202);
    assert.equal(typeof (await captured.json()).leadId, "string");
  } finally {
    await close();
  }
});

Deno.test("auth API: a site key's widget settings are validated, set at creation, changed by PATCH and listed", async () => {
  const { bearer, call, close } = await setup();
  try {
    const admin = await bearer("acme", "admin");
    const paths = async (res: Response) => {
      assert.equal(res.status, 400);
      return (await res.json()).error.details.issues.map((i: { path: string }) => i.path);
    };
    const create = (widget: unknown) =>
      call("POST", "/v1/site-keys", { allowedOrigins: ["https://ok.example.com"], widget }, {
        authorization: admin,
      });
    assert.deepEqual(await paths(await create({ fields: ["email", "fax"] })), ["widget.fields.1"]);
    assert.deepEqual(await paths(await create({ fields: ["name", "company"] })), [
      "widget.fields",
    ]);
    assert.deepEqual(await paths(await create({ labels: { fax: "Fax" } })), ["widget.labels.fax"]);
    assert.deepEqual(
      await paths(await create({ fields: ["email"], labels: { phone: "Mobile" } })),
      ["widget.labels.phone"],
    );
    assert.deepEqual(await paths(await create({ booking: "yes" })), ["widget.booking"]);
    assert.deepEqual(await paths(await create({ colour: "red" })), ["widget"]);

    const created = await create({
      fields: ["phone", "email", "company"],
      labels: { phone: "Mobile" },
      thankYou: "Thanks, talk soon.",
      booking: true,
    });
    assert.equal(created.status, 201);
    const site = await created.json();
    assert.deepEqual(site.widget, {
      fields: ["email", "phone", "company"],
      labels: { phone: "Mobile" },
      thankYou: "Thanks, talk soon.",
      booking: true,
    });
    const plain = await (await call("POST", "/v1/site-keys", {
      allowedOrigins: ["https://plain.example.com"],
    }, { authorization: admin })).json();
    assert.deepEqual(plain.widget, {
      fields: ["name", "email", "phone", "message"],
      labels: {},
      booking: false,
    });

    const patch = (id: string, body: unknown, auth = admin) =>
      call("PATCH", `/v1/site-keys/${encodeURIComponent(id)}`, body, { authorization: auth });
    const changed = await patch(site.key, { widget: { fields: ["email", "message"] } });
    assert.equal(changed.status, 200);
    const now = await changed.json();
    assert.deepEqual(now.widget, { fields: ["email", "message"], labels: {}, booking: false });
    assert.deepEqual(now.allowedOrigins, ["https://ok.example.com"], "origins kept");
    const moved = await (await patch(site.key, {
      allowedOrigins: ["https://new.example.com"],
    })).json();
    assert.deepEqual(moved.widget, now.widget, "settings kept");
    assert.deepEqual(moved.allowedOrigins, ["https://new.example.com"]);
    assert.deepEqual(await paths(await patch(site.key, {})), [""]);
    assert.deepEqual(await paths(await patch(site.key, { widget: { fields: [] } })), [
      "widget.fields",
    ]);
    assert.equal(
      (await patch(site.key, { widget: {} }, await bearer("other", "admin"))).status,
      404,
    );
    assert.equal((await patch("site_nope", { widget: {} })).status, 404);
    assert.equal(
      (await patch(site.key, { widget: {} }, await bearer("acme", "agent"))).status,
      403,
    );

    const list = await (await call("GET", "/v1/site-keys", undefined, { authorization: admin }))
      .json();
    const listed = list.items.find((i: { key: string }) => i.key === site.key);
    assert.deepEqual(listed, moved);

    // The widget reads what was set.
    const config = await (await call("GET", `/v1/widget/config?site_key=${site.key}`, undefined, {
      origin: "https://new.example.com",
    })).json();
    assert.deepEqual(config.fields, ["email", "message"]);
  } finally {
    await close();
  }
});
