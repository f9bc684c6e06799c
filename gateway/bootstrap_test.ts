import assert from "node:assert/strict";
import { loadMigrations, migrate } from "../actors/runtime/mod.ts";
import { openTestDatabase, testBackends, testName } from "../actors/runtime/testing.ts";
import { createApiKey, PostgresApiKeyStore } from "./auth.ts";
import { OneTimeCodes } from "./auth_api.ts";
import { DEMO_TENANT, demoOrigins, firstStart } from "./bootstrap.ts";
import { gatewayMigrations } from "./migrations.ts";

const ORIGINS = demoOrigins(["http://127.0.0.1:4321"]);
const options = { publicUrl: "http://localhost:4321/", allowedOrigins: ORIGINS };

for (const backend of testBackends()) {
  Deno.test({
    name: testName(
      "bootstrap",
      backend,
      "an empty database gets tenant demo, a site key and a sign-in code that works once; a restart does nothing",
    ),
    ignore: backend.skip !== undefined,
    async fn() {
      const db = await openTestDatabase(backend, await gatewayMigrations());
      try {
        const made = await firstStart({ sql: db.sql, ...options });
        assert.equal(made.state, "created");
        if (made.state !== "created") return;
        assert.equal(made.tenant, DEMO_TENANT);
        const m = /^http:\/\/localhost:4321\/signin#code=([\w-]+)$/.exec(made.signinUrl);
        assert.ok(m, made.signinUrl);
        const site = await new PostgresApiKeyStore(db.sql).findSiteKey(made.siteKey);
        assert.deepEqual(site, { key: made.siteKey, tenant: DEMO_TENANT, allowedOrigins: ORIGINS });

        const codes = new OneTimeCodes(db.sql);
        assert.deepEqual(await codes.redeem("signin", m[1]!), {
          sub: "demo-admin",
          tenant: DEMO_TENANT,
          role: "admin",
        });
        assert.equal(await codes.redeem("signin", m[1]!), null);

        assert.deepEqual(await firstStart({ sql: db.sql, ...options }), { state: "existing" });
        const [counts] = await db.sql<{ tenants: number; sites: number; codes: number }[]>`
          SELECT (SELECT count(*)::int FROM tenants) AS tenants,
                 (SELECT count(*)::int FROM site_keys) AS sites,
                 (SELECT count(*)::int FROM one_time_codes) AS codes`;
        assert.deepEqual(counts, { tenants: 1, sites: 1, codes: 1 });
      } finally {
        await db.close();
      }
    },
  });

  Deno.test({
    name: testName(
      "bootstrap",
      backend,
      "nodes starting at once create one demo tenant between them",
    ),
    ignore: backend.skip !== undefined,
    async fn() {
      const db = await openTestDatabase(backend, await gatewayMigrations());
      try {
        // On Postgres each call runs in a transaction on its own pooled connection.
        const outcomes = await Promise.all(
          [1, 2, 3, 4].map(() => firstStart({ sql: db.sql, ...options })),
        );
        assert.equal(outcomes.filter((o) => o.state === "created").length, 1);
        const [counts] = await db.sql<{ tenants: number; sites: number; codes: number }[]>`
          SELECT (SELECT count(*)::int FROM tenants) AS tenants,
                 (SELECT count(*)::int FROM site_keys) AS sites,
                 (SELECT count(*)::int FROM one_time_codes) AS codes`;
        assert.deepEqual(counts, { tenants: 1, sites: 1, codes: 1 });
      } finally {
        await db.close();
      }
    },
  });

  Deno.test({
    name: testName(
      "bootstrap",
      backend,
      "a database that had credentials before tenants were recorded is not a first start",
    ),
    ignore: backend.skip !== undefined,
    async fn() {
      const gateway = await gatewayMigrations();
      // As it was before the tenants table: only the first gateway migration.
      const db = await openTestDatabase(backend, gateway.filter((m) => m.version === 501));
      try {
        await createApiKey(new PostgresApiKeyStore(db.sql), { tenant: "acme", role: "admin" });
        // The upgrade: the tenants migration records the tenants that already had keys.
        await migrate(db.sql, [...await loadMigrations(), ...gateway]);
        assert.deepEqual(await firstStart({ sql: db.sql, ...options }), { state: "existing" });
        const tenants = await db.sql<{ id: string }[]>`SELECT id FROM tenants`;
        assert.deepEqual(tenants.map((t) => t.id), ["acme"]);
      } finally {
        await db.close();
      }
    },
  });
}

Deno.test("bootstrap: the demo origins are the node's own and the usual dev servers', once each", () => {
  const origins = demoOrigins(["http://127.0.0.1:4321", "http://127.0.0.1:4321/"]);
  assert.equal(origins[0], "http://127.0.0.1:4321");
  assert.ok(origins.includes("http://localhost:5173"));
  assert.ok(origins.includes("http://127.0.0.1:3000"));
  assert.equal(new Set(origins).size, origins.length);
});
