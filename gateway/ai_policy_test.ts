import assert from "node:assert/strict";
import {
  aiModeOf,
  lead,
  leadMigrations,
  LeadSettings,
  settings,
  SETTINGS_ID,
} from "../actors/lead/mod.ts";
import {
  ActorSystem,
  MemoryBus,
  openTestDatabase,
  type TestBackend,
  testBackends,
  testName,
} from "../actors/runtime/mod.ts";
import type { Role, ServerFrame } from "../shared/mod.ts";
import { aiModeFor } from "./ai_policy.ts";
import { createApp } from "./app.ts";
import { createTokenService } from "./auth.ts";
import { leadRoutes } from "./leads_api.ts";
import { settingsRoutes } from "./settings_api.ts";
import { gatewayMigrations } from "./migrations.ts";
import { StreamHub } from "./stream_hub.ts";
import { suggestion } from "./suggestion.ts";
import { aiPolicyRoutes, suggestionRoutes } from "./suggestions_api.ts";

const TENANT = "acme";

/** The leads, suggestions and policy routes as the node mounts them, plus a stream subscriber. */
async function setup(backend: TestBackend) {
  const db = await openTestDatabase(backend, [
    ...await leadMigrations(),
    ...await gatewayMigrations(),
  ]);
  const bus = new MemoryBus();
  const system = new ActorSystem({ database: db, types: [lead, settings, suggestion], bus });
  const tokens = createTokenService({ secret: "x".repeat(32) });
  const deps = { system, tokens };
  const app = createApp({
    health: { ping: () => Promise.resolve(true), isShuttingDown: () => false },
    routes: (a) => {
      a.route("/v1/leads", leadRoutes(deps));
      a.route("/v1/suggestions", suggestionRoutes(deps, a));
      a.route("/v1/ai-policy", aiPolicyRoutes(deps));
      a.route("/v1/settings", settingsRoutes(deps));
    },
  });
  const hub = new StreamHub({ bus, journal: system.journal });
  const frames: ServerFrame[] = [];
  const sub = await hub.subscribe(TENANT, () => true, null, {
    send: (f) => (frames.push(f), "ok"),
    close: () => {},
  });
  assert.equal(sub.state, "ok");
  const bearer = async (role: Role, tenant = TENANT, sub = `${role}-1`) =>
    `Bearer ${(await tokens.issue({ sub, tenant, role })).accessToken}`;
  const send = (
    method: string,
    path: string,
    auth: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) =>
    app.request(path, {
      method,
      headers: {
        authorization: auth,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const events = (type: string) =>
    frames.flatMap((f) => f.type === "event" && f.event.type === type ? [f.event] : []);
  /** Waits until the stream has carried `n` events of `type` (the hub delivers after commit). */
  const streamed = async (type: string, n = 1) => {
    for (let i = 0; i < 200 && events(type).length < n; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    return events(type);
  };
  const leadCount = async () =>
    (await db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM leads WHERE tenant = ${TENANT}`)[
      0
    ]!
      .n;
  const close = async () => {
    await hub.close();
    await system.shutdown();
    await bus.close();
    await db.close();
  };
  return { app, system, db, bearer, send, streamed, leadCount, close };
}

/** Registers `fn` once per database backend (embedded, and Postgres when TEST_DATABASE_URL is set). */
function test(name: string, fn: (backend: TestBackend) => Promise<void>): void {
  for (const backend of testBackends()) {
    Deno.test({
      name: testName("ai policy", backend, name.replace(/^ai policy[:,] /, "")),
      ignore: !!backend.skip,
      fn: () => fn(backend),
    });
  }
}

const dana = { idempotencyKey: "k1", contact: { name: "Dana Reyes", email: "dana@example.com" } };

test("ai policy, suggest mode: an ai POST creates nothing, answers 202 and waits for an admin; approving runs it once", async (backend) => {
  const t = await setup(backend);
  try {
    const ai = await t.bearer("ai");
    const admin = await t.bearer("admin");
    // A new tenant is in suggest mode.
    assert.deepEqual(await (await t.send("GET", "/v1/ai-policy", ai)).json(), { mode: "suggest" });

    const res = await t.send("POST", "/v1/leads", ai, dana);
    assert.equal(res.status, 202);
    const answer = await res.json();
    assert.equal(answer.status, "pending");
    assert.equal(typeof answer.suggestionId, "string");
    assert.equal(await t.leadCount(), 0, "nothing ran");
    // Reads are not suggestions.
    assert.equal((await t.send("GET", "/v1/leads", ai)).status, 200);

    const list = await (await t.send("GET", "/v1/suggestions", admin)).json();
    assert.equal(list.items.length, 1);
    const [item] = list.items;
    assert.equal(item.suggestionId, answer.suggestionId);
    assert.equal(item.status, "pending");
    assert.equal(item.suggestedBy, "ai-1");
    assert.equal(item.method, "POST");
    assert.equal(item.path, "/v1/leads");
    assert.deepEqual(item.body, dana);
    assert.ok(item.createdAt > 0);

    const [created] = await t.streamed("suggestion.created");
    assert.ok(created, "suggestion.created reached the tenant's stream");
    assert.equal(created.actor, `suggestion/${TENANT}/${answer.suggestionId}`);
    assert.deepEqual((created.data as { body: unknown }).body, dana);

    const approved = await t.send("POST", `/v1/suggestions/${answer.suggestionId}/approve`, admin);
    assert.equal(approved.status, 200);
    const view = await approved.json();
    assert.equal(view.status, "approved");
    assert.equal(view.decidedBy, "admin-1");
    assert.equal(view.result.status, 201);
    assert.equal(view.result.body.outcome, "created");
    assert.equal(await t.leadCount(), 1, "the approved request ran");
    const leadId = view.result.body.leadId;
    assert.equal((await t.send("GET", `/v1/leads/${leadId}`, ai)).status, 200);

    // Once only: a second approval (or a late reject) is refused and runs nothing.
    const again = await t.send("POST", `/v1/suggestions/${answer.suggestionId}/approve`, admin);
    assert.equal(again.status, 409);
    assert.equal((await again.json()).error.details.status, "approved");
    const reject = await t.send("POST", `/v1/suggestions/${answer.suggestionId}/reject`, admin);
    assert.equal(reject.status, 409);
    assert.equal(await t.leadCount(), 1);

    assert.equal((await t.streamed("suggestion.approved")).length, 1);
    assert.equal((await t.streamed("lead.captured")).length, 1);
    const one = await (await t.send("GET", `/v1/suggestions/${answer.suggestionId}`, admin)).json();
    assert.equal(one.status, "approved");
    const approvedList = await (await t.send("GET", "/v1/suggestions?status=approved", admin))
      .json();
    assert.equal(approvedList.items[0].result.status, 201);
  } finally {
    await t.close();
  }
});

test("ai policy: two approvals at once run the request once", async (backend) => {
  const t = await setup(backend);
  try {
    const ai = await t.bearer("ai");
    const admin = await t.bearer("admin");
    const { suggestionId } = await (await t.send("POST", "/v1/leads", ai, dana)).json();
    const both = await Promise.all([
      t.send("POST", `/v1/suggestions/${suggestionId}/approve`, admin),
      t.send(
        "POST",
        `/v1/suggestions/${suggestionId}/approve`,
        await t.bearer("admin", TENANT, "b"),
      ),
    ]);
    assert.deepEqual(both.map((r) => r.status).sort(), [200, 409]);
    assert.equal(await t.leadCount(), 1);
  } finally {
    await t.close();
  }
});

test("ai policy: a rejected suggestion never runs; an approval meets the same validation as the admin's own request", async (backend) => {
  const t = await setup(backend);
  try {
    const ai = await t.bearer("ai");
    const admin = await t.bearer("admin");
    const { suggestionId } = await (await t.send("POST", "/v1/leads", ai, dana)).json();
    const rejected = await t.send("POST", `/v1/suggestions/${suggestionId}/reject`, admin, {
      reason: "already called her",
    });
    assert.equal(rejected.status, 200);
    const view = await rejected.json();
    assert.equal(view.status, "rejected");
    assert.equal(view.reason, "already called her");
    assert.equal(
      (await t.send("POST", `/v1/suggestions/${suggestionId}/approve`, admin)).status,
      409,
    );
    assert.equal(await t.leadCount(), 0);
    assert.equal((await t.streamed("suggestion.rejected")).length, 1);

    // Suggestions are not validated by the policy; approving runs the route's own checks.
    const bad = await (await t.send("POST", "/v1/leads", ai, {
      idempotencyKey: "x",
      contact: { email: "not an email" },
    })).json();
    const failed =
      await (await t.send("POST", `/v1/suggestions/${bad.suggestionId}/approve`, admin))
        .json();
    assert.equal(failed.status, "failed");
    assert.equal(failed.result.status, 400);
    assert.equal(failed.result.body.error.code, "validation_failed");
    assert.equal(await t.leadCount(), 0);
    assert.equal((await t.streamed("suggestion.failed")).length, 1);

    // A rejection needs no body; an unknown id is 404.
    const other = await (await t.send("POST", "/v1/leads", ai, { ...dana, idempotencyKey: "k2" }))
      .json();
    assert.equal(
      (await t.send("POST", `/v1/suggestions/${other.suggestionId}/reject`, admin)).status,
      200,
    );
    assert.equal((await t.send("POST", "/v1/suggestions/nope/approve", admin)).status, 404);
    assert.equal((await t.send("GET", "/v1/suggestions/nope", admin)).status, 404);
  } finally {
    await t.close();
  }
});

test("ai policy, autopilot: the ai role's request runs at once and records no suggestion", async (backend) => {
  const t = await setup(backend);
  try {
    const ai = await t.bearer("ai");
    const admin = await t.bearer("admin");
    const set = await t.send("PUT", "/v1/ai-policy", admin, { mode: "autopilot" });
    assert.equal(set.status, 200);
    assert.deepEqual(await set.json(), { mode: "autopilot" });
    assert.deepEqual(await (await t.send("GET", "/v1/ai-policy", ai)).json(), {
      mode: "autopilot",
    });
    const res = await t.send("POST", "/v1/leads", ai, dana);
    assert.equal(res.status, 201);
    assert.equal((await res.json()).outcome, "created");
    assert.equal(await t.leadCount(), 1);
    assert.deepEqual((await (await t.send("GET", "/v1/suggestions", admin)).json()).items, []);
    assert.equal((await t.streamed("settings.ai_mode_set")).length, 1);

    // And back: the next ai request waits again.
    await t.send("PUT", "/v1/ai-policy", admin, { mode: "suggest" });
    assert.equal(
      (await t.send("POST", "/v1/leads", ai, { ...dana, idempotencyKey: "k2" })).status,
      202,
    );
  } finally {
    await t.close();
  }
});

test("ai policy: admin and agent requests are unaffected by suggest mode", async (backend) => {
  const t = await setup(backend);
  try {
    for (const role of ["admin", "agent"] as const) {
      const res = await t.send("POST", "/v1/leads", await t.bearer(role), {
        idempotencyKey: role,
        contact: { email: `${role}@example.com` },
      });
      assert.equal(res.status, 201, role);
    }
    assert.equal(await t.leadCount(), 2);
    assert.deepEqual(
      (await (await t.send("GET", "/v1/suggestions", await t.bearer("admin"))).json()).items,
      [],
    );
  } finally {
    await t.close();
  }
});

test("ai policy: the ai role cannot change its own mode or decide on suggestions (403), in either mode", async (backend) => {
  const t = await setup(backend);
  try {
    const ai = await t.bearer("ai");
    const admin = await t.bearer("admin");
    const agent = await t.bearer("agent");
    const { suggestionId } = await (await t.send("POST", "/v1/leads", ai, dana)).json();
    for (const mode of ["suggest", "autopilot"] as const) {
      await t.send("PUT", "/v1/ai-policy", admin, { mode });
      const flip = mode === "suggest" ? "autopilot" : "suggest";
      const res = await t.send("PUT", "/v1/ai-policy", ai, { mode: flip });
      assert.equal(res.status, 403, mode);
      assert.equal((await res.json()).error.code, "forbidden");
      assert.deepEqual(await (await t.send("GET", "/v1/ai-policy", admin)).json(), { mode });
      assert.equal((await t.send("PUT", "/v1/ai-policy", agent, { mode: flip })).status, 403);
      for (const path of ["/v1/suggestions", `/v1/suggestions/${suggestionId}`]) {
        assert.equal((await t.send("GET", path, ai)).status, 403, path);
      }
      for (const step of ["approve", "reject"]) {
        const r = await t.send("POST", `/v1/suggestions/${suggestionId}/${step}`, ai);
        assert.equal(r.status, 403, step);
      }
    }
    // A route only admins may use (onlyRoles) is refused to ai in suggest mode too.
    await t.send("PUT", "/v1/ai-policy", admin, { mode: "suggest" });
    const patch = await t.send("PATCH", "/v1/settings", ai, { personalize: true });
    assert.equal(patch.status, 403);
    assert.equal((await t.send("PATCH", "/v1/settings", admin, { personalize: true })).status, 200);
    // The refused attempts were not recorded as suggestions either.
    const list = await (await t.send("GET", "/v1/suggestions", admin)).json();
    assert.deepEqual(list.items.map((s: { path: string }) => s.path), ["/v1/leads"]);
    assert.equal(list.items[0].status, "pending");
    assert.equal((await t.send("PUT", "/v1/ai-policy", admin, { mode: "manual" })).status, 400);
  } finally {
    await t.close();
  }
});

test("ai policy: another tenant's admin neither sees nor decides a suggestion", async (backend) => {
  const t = await setup(backend);
  try {
    const ai = await t.bearer("ai");
    const other = await t.bearer("admin", "globex");
    const { suggestionId } = await (await t.send("POST", "/v1/leads", ai, dana)).json();
    assert.deepEqual((await (await t.send("GET", "/v1/suggestions", other)).json()).items, []);
    for (
      const [method, path] of [
        ["GET", `/v1/suggestions/${suggestionId}`],
        ["POST", `/v1/suggestions/${suggestionId}/approve`],
        ["POST", `/v1/suggestions/${suggestionId}/reject`],
      ] as const
    ) {
      assert.equal((await t.send(method, path, other)).status, 404, path);
    }
    assert.equal(await t.leadCount(), 0);
  } finally {
    await t.close();
  }
});

test("ai policy: a retried request with the same Idempotency-Key is one suggestion; the key on another request is 409", async (backend) => {
  const t = await setup(backend);
  try {
    const ai = await t.bearer("ai");
    const key = { "idempotency-key": "retry-1" };
    const first = await (await t.send("POST", "/v1/leads", ai, dana, key)).json();
    const second = await t.send("POST", "/v1/leads", ai, dana, key);
    assert.equal(second.status, 202);
    assert.deepEqual(await second.json(), first);
    const list = await (await t.send("GET", "/v1/suggestions", await t.bearer("admin"))).json();
    assert.equal(list.items.length, 1);
    const reused = await t.send("POST", "/v1/leads", ai, { ...dana, idempotencyKey: "k9" }, key);
    assert.equal(reused.status, 409);
    assert.equal((await reused.json()).error.code, "idempotency_key_reused");
    // No such route: 404 as for anyone, nothing recorded.
    assert.equal((await t.send("POST", "/v1/leads/x/nothing-here", ai, {})).status, 404);
    assert.equal((await t.send("DELETE", "/v1/leads", ai)).status, 404);
    const after = await (await t.send("GET", "/v1/suggestions", await t.bearer("admin"))).json();
    assert.equal(after.items.length, 1);
    // Not JSON: refused, not recorded.
    const notJson = await t.app.request("/v1/leads", {
      method: "POST",
      headers: { authorization: ai, "content-type": "application/json" },
      body: "{nope",
    });
    assert.equal(notJson.status, 400);
  } finally {
    await t.close();
  }
});

test("a settings snapshot written before aiMode existed still loads, and the tenant reads as suggest", async (backend) => {
  const db = await openTestDatabase(backend, await leadMigrations());
  try {
    const first = new ActorSystem({ database: db, types: [settings] });
    const before = await first.ref(settings, "old", SETTINGS_ID).ask("setPersonalize", {
      personalize: true,
    });
    assert.equal(before, undefined);
    const { aiMode: _, ...oldState } = await first.ref(settings, "old", SETTINGS_ID).query(
      "current",
    );
    await first.shutdown();
    // What an older node left behind: a snapshot at the last event, without the field.
    await db.sql`
      INSERT INTO snapshots (actor, seq, version, epoch, state)
      VALUES ('settings/old/main', 1, 1, 1, ${db.sql.json(oldState as never)})
      ON CONFLICT (actor) DO UPDATE SET seq = 1, version = 1, state = EXCLUDED.state`;
    const second = new ActorSystem({ database: db, types: [settings] });
    try {
      const loaded = await second.ref(settings, "old", SETTINGS_ID).query("current");
      assert.equal("aiMode" in loaded, false, "loaded from the old snapshot");
      assert.equal(loaded.personalize, true);
      assert.equal(await aiModeFor(second, "old"), "suggest");
      await second.ref(settings, "old", SETTINGS_ID).ask("setAiMode", { mode: "autopilot" });
      assert.equal(await aiModeFor(second, "old"), "autopilot");
    } finally {
      await second.shutdown();
    }
  } finally {
    await db.close();
  }
});

Deno.test("settings: state written before aiMode existed parses, and reads as suggest", () => {
  const old = {
    scoring: settings.options.initial().scoring,
    followUps: settings.options.initial().followUps,
    defaultCountry: "US",
    personalize: false,
  };
  assert.ok(LeadSettings.safeParse(old).success);
  assert.equal(aiModeOf(old), "suggest");
  assert.equal(aiModeOf({ ...old, aiMode: "autopilot" }), "autopilot");
});
