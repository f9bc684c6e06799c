import assert from "node:assert/strict";
import { lead, leadMigrations, settings } from "../actors/lead/mod.ts";
import {
  ActorSystem,
  openTestDatabase,
  type TestBackend,
  testBackends,
  testName,
} from "../actors/runtime/mod.ts";
import { DEFAULT_SCORING_RULES, type Role } from "../shared/mod.ts";
import { createApp } from "./app.ts";
import { createTokenService } from "./auth.ts";
import { leadRoutes } from "./leads_api.ts";
import { settingsRoutes } from "./settings_api.ts";

async function setup(backend: TestBackend) {
  const db = await openTestDatabase(backend, await leadMigrations());
  const system = new ActorSystem({ database: db, types: [lead, settings] });
  const tokens = createTokenService({ secret: "x".repeat(32) });
  const app = createApp({
    health: { ping: () => Promise.resolve(true), isShuttingDown: () => false },
    routes: (a) => {
      a.route("/v1/settings", settingsRoutes({ system, tokens }));
      a.route("/v1/leads", leadRoutes({ system, tokens }));
    },
  });
  const bearer = async (tenant: string, role: Role) =>
    `Bearer ${(await tokens.issue({ sub: "u", tenant, role })).accessToken}`;
  const send = async (method: string, path: string, auth: string, body?: unknown) =>
    await app.request(path, {
      method,
      headers: { authorization: auth, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const close = async () => {
    await system.shutdown();
    await db.close();
  };
  return { app, send, bearer, close };
}

const paths = async (res: Response) =>
  (await res.json()).error.details.issues.map((i: { path: string }) => i.path);

/** A plan with one sequence, a narrow send window and a template of our own. */
const plan = {
  window: { start: "10:00", end: "16:00" },
  defaultTimeZone: "Europe/London",
  sequences: {
    uncontacted: {
      afterMinutes: 10,
      steps: [{ channel: "email", delayMinutes: 0, subject: "Hello", template: "Hi {{name}}" }],
    },
  },
};

for (const backend of testBackends()) {
  const test = (name: string, fn: () => Promise<void>) =>
    Deno.test({ name: testName("settings API", backend, name), ignore: !!backend.skip, fn });

  test("staff read the settings; an admin changes them with PATCH and PUT; leads use them", async () => {
    const { send, bearer, close } = await setup(backend);
    try {
      const admin = await bearer("t1", "admin");
      for (const role of ["admin", "agent", "ai"] as const) {
        const res = await send("GET", "/v1/settings", await bearer("t1", role));
        assert.equal(res.status, 200, role);
        const s = await res.json();
        assert.equal(s.defaultCountry, "US");
        assert.deepEqual(s.scoring, DEFAULT_SCORING_RULES);
      }

      const patched = await send("PATCH", "/v1/settings", admin, {
        defaultCountry: "gb",
        personalize: true,
      });
      assert.equal(patched.status, 200);
      const p = await patched.json();
      assert.deepEqual([p.defaultCountry, p.personalize], ["GB", true]);
      assert.deepEqual(p.scoring, DEFAULT_SCORING_RULES, "fields not given stay");

      // The lead capture now reads national numbers as British.
      const captured = await send("POST", "/v1/leads", admin, {
        idempotencyKey: "k1",
        contact: { phone: "020 7946 0018" },
      });
      const { leadId } = await captured.json();
      const view = await (await send("GET", `/v1/leads/${leadId}`, admin)).json();
      assert.equal(view.contact.phone, "+442079460018");

      const scoring = {
        ...DEFAULT_SCORING_RULES,
        rules: [{
          id: "has-phone",
          when: { field: "phoneValid", op: "eq", value: true },
          points: 40,
          reason: "has a phone",
        }],
      };
      const put = await send("PUT", "/v1/settings", admin, {
        scoring,
        followUps: plan,
        defaultCountry: "US",
        personalize: false,
      });
      assert.equal(put.status, 200);
      const now = await (await send("GET", "/v1/settings", await bearer("t1", "agent"))).json();
      assert.deepEqual(now.scoring.rules, scoring.rules);
      assert.deepEqual(now.followUps.window, plan.window);
      assert.equal(now.followUps.sequences.uncontacted.steps[0].template, "Hi {{name}}");
      assert.equal(now.followUps.sequences.silent, undefined);
      assert.deepEqual([now.defaultCountry, now.personalize], ["US", false]);

      // Another tenant's settings are untouched.
      const other = await (await send("GET", "/v1/settings", await bearer("t2", "admin"))).json();
      assert.deepEqual([other.defaultCountry, other.personalize], ["US", false]);
      assert.equal(other.followUps.window.start, "09:00");
    } finally {
      await close();
    }
  });
}

Deno.test("settings API: only an admin may change settings (403), and nothing changes", async () => {
  const { send, bearer, close } = await setup(testBackends()[0]!);
  try {
    // The ai role too, in its default (suggest) mode: refused, not recorded as a suggestion.
    for (const role of ["agent", "ai", "widget"] as const) {
      const auth = await bearer("t1", role);
      for (const method of ["PATCH", "PUT"]) {
        const res = await send(method, "/v1/settings", auth, { defaultCountry: "DE" });
        assert.equal(res.status, 403, `${role} ${method}`);
        assert.equal((await res.json()).error.code, "forbidden");
      }
    }
    assert.equal((await send("GET", "/v1/settings", await bearer("t1", "widget"))).status, 403);
    const s = await (await send("GET", "/v1/settings", await bearer("t1", "admin"))).json();
    assert.equal(s.defaultCountry, "US");
  } finally {
    await close();
  }
});

Deno.test("settings API: bad settings are a 400 naming the field, and nothing is written", async () => {
  const { send, bearer, close } = await setup(testBackends()[0]!);
  try {
    const admin = await bearer("t1", "admin");
    const cases: Array<[string, unknown, string[]]> = [
      ["PATCH", { defaultCountry: "USA" }, ["defaultCountry"]],
      ["PATCH", { personalize: "yes" }, ["personalize"]],
      ["PATCH", { followUps: { ...plan, window: { start: "18:00", end: "09:00" } } }, [
        "followUps.window.end",
      ]],
      ["PATCH", {
        followUps: {
          ...plan,
          sequences: {
            uncontacted: {
              afterMinutes: 5,
              steps: [{ channel: "sms", delayMinutes: 0, template: "Hi {{nickname}}" }],
            },
          },
        },
      }, ["followUps.sequences.uncontacted.steps.0.template"]],
      ["PATCH", {
        scoring: { ...DEFAULT_SCORING_RULES, priority: { high: 10, medium: 50 } },
      }, ["scoring.priority.medium"]],
      ["PATCH", {}, [""]],
      ["PUT", { defaultCountry: "US" }, ["scoring", "followUps", "personalize"]],
    ];
    for (const [method, body, expected] of cases) {
      const res = await send(method, "/v1/settings", admin, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.deepEqual((await paths(res)).sort(), expected.sort(), JSON.stringify(body));
    }
    const s = await (await send("GET", "/v1/settings", admin)).json();
    assert.equal(s.defaultCountry, "US");
    assert.equal(s.followUps.window.start, "09:00");
  } finally {
    await close();
  }
});

Deno.test("settings API: the routes are in /openapi.json", async () => {
  const { app, close } = await setup(testBackends()[0]!);
  try {
    const doc = await (await app.request("/openapi.json")).json();
    for (const method of ["get", "put", "patch"]) {
      assert.ok(doc.paths["/v1/settings"]?.[method], method);
    }
  } finally {
    await close();
  }
});
