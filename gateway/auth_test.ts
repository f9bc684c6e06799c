import assert from "node:assert/strict";
import { Hono } from "hono";
import { SignJWT, UnsecuredJWT } from "jose";
import { openTestDatabase, testBackends, testName } from "../actors/runtime/mod.ts";
import { ManualClock } from "../shared/mod.ts";
import { createApp, type ErrorBody } from "./app.ts";
import {
  type ApiKeyStore,
  type AuthEnv,
  createApiKey,
  createTokenService,
  hashApiKey,
  MemoryApiKeyStore,
  PostgresApiKeyStore,
  requireAuth,
  requireTenant,
  siteKeyAuth,
  type SiteKeyStore,
  type TokenService,
} from "./auth.ts";
import { gatewayMigrations } from "./migrations.ts";

const SECRET = "0123456789abcdef0123456789abcdef-test-secret";
const health = { ping: () => Promise.resolve(true), isShuttingDown: () => false };

/** The real app (and so the real error boundary) with a tenant route behind requireAuth. */
function testApp(opts: { tokens?: TokenService; apiKeys?: ApiKeyStore; sites?: SiteKeyStore }) {
  return createApp({
    health,
    routes: (app) => {
      const t = new Hono<AuthEnv>();
      t.use("*", requireAuth({ roles: ["admin", "agent"], ...opts }));
      t.get("/:tenant/x", (c) => {
        const auth = requireTenant(c, c.req.param("tenant"));
        return c.json({ ok: true, auth });
      });
      app.route("/t", t);
      if (opts.sites) {
        const w = new Hono<AuthEnv>();
        w.use("*", siteKeyAuth(opts.sites));
        w.post("/leads", (c) => c.json({ tenant: c.var.auth.tenant }));
        app.route("/w", w);
      }
    },
  });
}

async function errorOf(res: Response): Promise<ErrorBody["error"]> {
  return ((await res.json()) as ErrorBody).error;
}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

Deno.test("tokens: issued access token opens its tenant's route", async () => {
  const clock = new ManualClock();
  const tokens = createTokenService({ secret: SECRET, clock });
  const pair = await tokens.issue({ sub: "u1", tenant: "acme", role: "agent" });
  assert.equal(pair.expiresIn, 900);
  const claims = await tokens.verify(pair.accessToken, { typ: "access" });
  assert.deepEqual(
    { ...claims },
    {
      sub: "u1",
      tenant: "acme",
      role: "agent",
      typ: "access",
      iat: clock.now() / 1000,
      exp: clock.now() / 1000 + 900,
    },
  );
  const res = await testApp({ tokens }).request("/t/acme/x", { headers: bearer(pair.accessToken) });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), {
    ok: true,
    auth: { sub: "u1", tenant: "acme", role: "agent" },
  });
});

Deno.test("tokens: expiry, refresh, and a refresh token is not an access token", async () => {
  const clock = new ManualClock();
  const tokens = createTokenService({
    secret: SECRET,
    clock,
    accessTtlSec: 60,
    refreshTtlSec: 600,
  });
  const pair = await tokens.issue({ sub: "u1", tenant: "acme", role: "admin" });
  await assert.rejects(tokens.verify(pair.refreshToken, { typ: "access" }), {
    code: "unauthorized",
    message: "expected an access token, got a refresh token",
  });
  await assert.rejects(tokens.refresh(pair.accessToken), { code: "unauthorized" });
  clock.advance(61_000);
  await assert.rejects(tokens.verify(pair.accessToken, { typ: "access" }), {
    status: 401,
    message: "token expired",
  });
  const renewed = await tokens.refresh(pair.refreshToken);
  assert.equal((await tokens.verify(renewed.accessToken, { typ: "access" })).tenant, "acme");
  clock.advance(600_000);
  await assert.rejects(tokens.refresh(pair.refreshToken), { message: "token expired" });
});

Deno.test("tokens: a secret shorter than 32 bytes is refused at start", () => {
  assert.throws(() => createTokenService({ secret: "short" }), { code: "config_invalid" });
});

Deno.test("tokens: alg none, another secret, another alg, tampering, junk and unknown typ are 401", async () => {
  const clock = new ManualClock();
  const tokens = createTokenService({ secret: SECRET, clock });
  const app = testApp({ tokens });
  const now = clock.now() / 1000;
  const claims = { tenant: "acme", role: "admin", typ: "access" };
  const none = new UnsecuredJWT(claims).setSubject("u1").setIssuedAt(now).setExpirationTime(
    now + 60,
  )
    .encode();
  const other = await new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).setSubject("u1")
    .setIssuedAt(now).setExpirationTime(now + 60)
    .sign(new TextEncoder().encode("another-secret-another-secret-another-secret"));
  const hs512 = await new SignJWT(claims).setProtectedHeader({ alg: "HS512" }).setSubject("u1")
    .setIssuedAt(now).setExpirationTime(now + 60)
    .sign(new TextEncoder().encode(SECRET + SECRET));
  const unknownTyp = await new SignJWT({ ...claims, typ: "magic" }).setProtectedHeader({
    alg: "HS256",
  })
    .setSubject("u1").setIssuedAt(now).setExpirationTime(now + 60)
    .sign(new TextEncoder().encode(SECRET));
  const { accessToken } = await tokens.issue({ sub: "u1", tenant: "acme", role: "agent" });
  const [h, p, s] = accessToken.split(".");
  const payload = JSON.parse(atob(p!.replace(/-/g, "+").replace(/_/g, "/")));
  const forged = btoa(JSON.stringify({ ...payload, tenant: "other", role: "admin" }))
    .replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  const tampered = `${h}.${forged}.${s}`;

  const cases: Array<[string, string, RegExp]> = [
    ["alg none", none, /algorithm not allowed/],
    ["another secret", other, /bad token signature/],
    ["another alg", hs512, /algorithm not allowed/],
    ["unknown typ", unknownTyp, /malformed token: bad claims typ/],
    ["tampered payload", tampered, /bad token signature/],
    ["junk", "not.a.token", /malformed token/],
  ];
  for (const [name, token, message] of cases) {
    const res = await app.request("/t/other/x", { headers: bearer(token) });
    assert.equal(res.status, 401, name);
    const error = await errorOf(res);
    assert.equal(error.code, "unauthorized", name);
    assert.match(error.message, message, name);
  }
});

Deno.test("requireAuth: missing credentials 401, wrong role 403, other tenant 403", async () => {
  const tokens = createTokenService({ secret: SECRET });
  const app = testApp({ tokens });
  const missing = await app.request("/t/acme/x");
  assert.equal(missing.status, 401);
  assert.match((await errorOf(missing)).message, /missing credentials/);

  const ai = await tokens.issue({ sub: "minerva", tenant: "acme", role: "ai" });
  const wrongRole = await app.request("/t/acme/x", { headers: bearer(ai.accessToken) });
  assert.equal(wrongRole.status, 403);
  assert.match((await errorOf(wrongRole)).message, /role ai may not use this route/);

  const admin = await tokens.issue({ sub: "u1", tenant: "acme", role: "admin" });
  const cross = await app.request("/t/globex/x", { headers: bearer(admin.accessToken) });
  assert.equal(cross.status, 403);
  assert.equal((await errorOf(cross)).code, "forbidden");
});

for (const backend of testBackends()) {
  Deno.test({
    name: testName("api keys", backend, "accepted, cross-tenant refused, revoked refused"),
    ignore: backend.skip !== undefined,
    async fn() {
      const db = await openTestDatabase(backend, await gatewayMigrations());
      try {
        for (const store of [new MemoryApiKeyStore(), new PostgresApiKeyStore(db.sql)]) {
          const clock = new ManualClock();
          const app = testApp({ apiKeys: store });
          const { id, key } = await createApiKey(store, { tenant: "acme", role: "agent", clock });
          const ok = await app.request("/t/acme/x", { headers: { "X-Api-Key": key } });
          assert.equal(ok.status, 200);
          const auth = ((await ok.json()) as { auth: unknown }).auth;
          assert.deepEqual(auth, { sub: `key:${id}`, tenant: "acme", role: "agent" });
          const record = await store.findByHash(hashApiKey(key));
          assert.equal(record?.createdAt, clock.now());
          const cross = await app.request("/t/globex/x", { headers: { "X-Api-Key": key } });
          assert.equal(cross.status, 403);
          const unknown = await app.request("/t/acme/x", { headers: { "X-Api-Key": "cove_x_y" } });
          assert.equal((await errorOf(unknown)).message, "unknown API key");
          assert.equal(await store.revoke("globex", id, clock.now()), false);
          assert.equal(await store.revoke("acme", id, clock.now()), true);
          const revoked = await app.request("/t/acme/x", { headers: { "X-Api-Key": key } });
          assert.equal(revoked.status, 401);
          assert.equal((await errorOf(revoked)).message, "API key revoked");
        }
      } finally {
        await db.close();
      }
    },
  });

  Deno.test({
    name: testName("site keys", backend, "CORS only for the key's origins, preflight answered"),
    ignore: backend.skip !== undefined,
    async fn() {
      const db = await openTestDatabase(backend, await gatewayMigrations());
      try {
        for (const store of [new MemoryApiKeyStore(), new PostgresApiKeyStore(db.sql)]) {
          await store.putSiteKey({
            key: "site_abc",
            tenant: "acme",
            allowedOrigins: ["https://shop.example.com", "https://www.example.com"],
          });
          assert.deepEqual((await store.findSiteKey("site_abc"))?.allowedOrigins, [
            "https://shop.example.com",
            "https://www.example.com",
          ]);
          const app = testApp({ sites: store });
          const post = (origin: string | undefined, key = "site_abc") =>
            app.request("/w/leads", {
              method: "POST",
              headers: { "X-Site-Key": key, ...(origin ? { Origin: origin } : {}) },
            });

          const ok = await post("https://shop.example.com");
          assert.equal(ok.status, 200);
          assert.equal(ok.headers.get("Access-Control-Allow-Origin"), "https://shop.example.com");
          assert.deepEqual(await ok.json(), { tenant: "acme" });

          const evil = await post("https://evil.example.net");
          assert.equal(evil.status, 403);
          assert.equal(evil.headers.get("Access-Control-Allow-Origin"), null);
          await evil.body?.cancel();
          assert.equal((await post(undefined)).status, 403);
          assert.equal((await post("https://shop.example.com", "nope")).status, 401);
          // A key no site could have (here a NUL byte, a database error if asked) is unknown: 401.
          const nul = await app.request("/w/leads?site_key=%00", {
            method: "POST",
            headers: { Origin: "https://shop.example.com" },
          });
          assert.equal(nul.status, 401);
          assert.equal((await errorOf(nul)).message, "unknown site key");

          const preflight = (origin: string) =>
            app.request("/w/leads?site_key=site_abc", {
              method: "OPTIONS",
              headers: {
                Origin: origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
              },
            });
          const good = await preflight("https://www.example.com");
          assert.equal(good.status, 204);
          assert.equal(good.headers.get("Access-Control-Allow-Origin"), "https://www.example.com");
          assert.match(good.headers.get("Access-Control-Allow-Methods") ?? "", /POST/);
          assert.match(good.headers.get("Access-Control-Allow-Headers") ?? "", /X-Site-Key/);
          const bad = await preflight("https://evil.example.net");
          assert.equal(bad.status, 204);
          assert.equal(bad.headers.get("Access-Control-Allow-Origin"), null);
          assert.equal(bad.headers.get("Access-Control-Allow-Methods"), null);
        }
      } finally {
        await db.close();
      }
    },
  });
}
