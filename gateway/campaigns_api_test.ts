import assert from "node:assert/strict";
import { projectOnce } from "../actors/analytics/mod.ts";
import { campaignDispatchers } from "../actors/campaign/mod.ts";
import {
  type ClaimedMessage,
  type DispatchResult,
  OutboxWorker,
  ReminderPoller,
} from "../actors/runtime/mod.ts";
import { type ApiTestContext, issuePaths, withApi } from "./_api_test_support.ts";

const HOUR = 3_600_000;

const definition = (extra: Record<string, unknown> = {}) => ({
  name: "Spring promo",
  audience: { tagsAny: ["vip"] },
  steps: [{
    channel: "email",
    delayMinutes: 0,
    variants: [{ template: "Hi {{firstName}}, spring offer inside", subject: "Spring" }],
  }],
  throttlePerMinute: 600,
  ...extra,
});

async function capture(t: ApiTestContext, auth: string, key: string, tags: string[]) {
  const r = await t.send("POST", "/v1/leads", auth, {
    idempotencyKey: key,
    contact: { name: `Lead ${key}`, email: `${key}@example.com` },
    tags,
  });
  const text = await r.text();
  assert.equal(r.status, 201, `capture ${key}: ${text}`);
  return JSON.parse(text).leadId as string;
}

Deno.test("campaigns API: audience preview, create, read, edit, list and the whole life", async () => {
  await withApi(async (t) => {
    const { send, bearer, clock } = t;
    const agent = await bearer("tenant-a", "agent");
    for (const [key, tags] of [["a", ["vip"]], ["b", ["vip", "x"]], ["c", []]] as const) {
      await capture(t, agent, key, [...tags]);
    }
    const preview = await send("POST", "/v1/campaigns/preview-audience", agent, {
      audience: { tagsAny: ["vip"] },
      sample: 1,
    });
    assert.equal(preview.status, 200);
    const p = await preview.json();
    assert.equal(p.count, 2);
    assert.equal(p.sample.length, 1);
    assert.ok(p.sample[0].tags.includes("vip"));
    const everyone = await (await send("POST", "/v1/campaigns/preview-audience", agent, {
      audience: {},
    })).json();
    assert.equal(everyone.count, 3);

    const created = await send("POST", "/v1/campaigns", agent, definition());
    assert.equal(created.status, 201);
    const c = (await created.json()).campaign;
    assert.equal(c.status, "draft");
    assert.equal(c.definition.split[0], 100, "defaults filled in");
    const path = `/v1/campaigns/${c.id}`;
    assert.equal((await (await send("GET", path, agent)).json()).campaign.id, c.id);
    const edited = await send("PUT", path, agent, definition({ name: "Spring promo v2" }));
    assert.equal(edited.status, 200);
    assert.equal((await edited.json()).campaign.definition.name, "Spring promo v2");

    clock.advance(1_000);
    const other = (await (await send("POST", "/v1/campaigns", agent, definition({ name: "B" })))
      .json()).campaign;
    clock.advance(1_000);
    const third = (await (await send("POST", "/v1/campaigns", agent, definition({ name: "C" })))
      .json()).campaign;
    const page1 = await (await send("GET", "/v1/campaigns?limit=2", agent)).json();
    assert.deepEqual(page1.items.map((i: { id: string }) => i.id), [third.id, other.id]);
    assert.equal(page1.items[0].name, "C");
    const page2 = await (await send("GET", `/v1/campaigns?limit=2&cursor=${page1.next}`, agent))
      .json();
    assert.deepEqual(page2.items.map((i: { id: string }) => i.id), [c.id]);
    assert.equal(page2.next, null);

    const launched = await send("POST", `${path}/launch`, agent);
    assert.equal(launched.status, 200);
    assert.equal((await launched.json()).campaign.status, "running");
    const late = await send("PUT", path, agent, definition({ name: "too late" }));
    assert.equal(late.status, 409, "a launched campaign cannot be edited");
    assert.match((await late.json()).error.message, /running campaign cannot be edited/);
    const again = await send("POST", `${path}/launch`, agent);
    assert.equal(again.status, 409);
    for (const [cmd, status] of [["pause", "paused"], ["resume", "running"], ["stop", "stopped"]]) {
      const r = await send("POST", `${path}/${cmd}`, agent);
      assert.equal(r.status, 200, cmd);
      assert.equal((await r.json()).campaign.status, status);
    }
    assert.equal((await send("POST", `${path}/resume`, agent)).status, 409);
    const listed = await (await send("GET", "/v1/campaigns", agent)).json();
    assert.equal(listed.items.find((i: { id: string }) => i.id === c.id).status, "stopped");
  });
});

Deno.test("campaigns API: bad definitions are a 400 naming the field", async () => {
  await withApi(async ({ send, bearer }) => {
    const admin = await bearer("tenant-a");
    const split = await send("POST", "/v1/campaigns", admin, definition({ split: [60, 30] }));
    assert.equal(split.status, 400);
    const paths = await issuePaths(split);
    assert.ok(paths.includes("split"), paths.join());
    const variable = await send("POST", "/v1/campaigns", admin, {
      ...definition(),
      steps: [{
        channel: "sms",
        delayMinutes: 0,
        variants: [{ template: "Hi {{first_name}}" }],
      }],
    });
    assert.deepEqual(await issuePaths(variable), ["steps.0.variants.0.template"]);
    const noSubject = await send("POST", "/v1/campaigns", admin, {
      ...definition(),
      steps: [{ channel: "email", delayMinutes: 0, variants: [{ template: "Hi" }] }],
    });
    assert.deepEqual(await issuePaths(noSubject), ["steps.0.variants.0.subject"]);
    const subjectVariable = await send("POST", "/v1/campaigns", admin, {
      ...definition(),
      steps: [{
        channel: "email",
        delayMinutes: 0,
        variants: [{ template: "Hi", subject: "For {{first_name}}" }],
      }],
    });
    assert.deepEqual(await issuePaths(subjectVariable), ["steps.0.variants.0.subject"]);
    const audience = await send("POST", "/v1/campaigns/preview-audience", admin, {
      audience: { minScore: 80, maxScore: 20 },
    });
    assert.deepEqual(await issuePaths(audience), ["audience.minScore"]);
    assert.equal((await send("GET", "/v1/campaigns/a:b", admin)).status, 400);
    assert.equal((await send("GET", "/v1/campaigns?cursor=bm9wZQ", admin)).status, 400);
    assert.equal((await send("GET", "/v1/campaigns/nope", admin)).status, 404);
    assert.equal((await send("POST", "/v1/campaigns/nope/launch", admin)).status, 404);
    assert.deepEqual((await (await send("GET", "/v1/campaigns", admin)).json()).items, []);
    const widget = await bearer("tenant-a", "widget");
    assert.equal((await send("GET", "/v1/campaigns", widget)).status, 403);
  });
});

Deno.test("campaigns API: another tenant's campaign is a 404 and stays as it was", async () => {
  await withApi(async ({ send, bearer }) => {
    const a = await bearer("tenant-a");
    const c = (await (await send("POST", "/v1/campaigns", a, definition())).json()).campaign;
    const b = await bearer("tenant-b");
    const path = `/v1/campaigns/${c.id}`;
    assert.equal((await send("GET", path, b)).status, 404);
    assert.equal((await send("GET", `${path}/stats`, b)).status, 404);
    assert.equal((await send("PUT", path, b, definition({ name: "b" }))).status, 404);
    for (const cmd of ["launch", "pause", "resume", "stop"]) {
      assert.equal((await send("POST", `${path}/${cmd}`, b)).status, 404, cmd);
    }
    assert.deepEqual((await (await send("GET", "/v1/campaigns", b)).json()).items, []);
    const mine = (await (await send("GET", path, a)).json()).campaign;
    assert.equal(mine.status, "draft");
    assert.equal(mine.definition.name, "Spring promo");
  });
});

Deno.test("campaigns API: the ai role's launch waits for approval in suggest mode; its audience preview runs", async () => {
  await withApi(async ({ send, bearer }) => {
    const admin = await bearer("tenant-a");
    const c = (await (await send("POST", "/v1/campaigns", admin, definition())).json()).campaign;
    const ai = await bearer("tenant-a", "ai");
    const launch = await send("POST", `/v1/campaigns/${c.id}/launch`, ai);
    assert.equal(launch.status, 202);
    assert.equal((await launch.json()).status, "pending");
    assert.equal(
      (await (await send("GET", `/v1/campaigns/${c.id}`, admin)).json()).campaign.status,
      "draft",
    );
    const preview = await send("POST", "/v1/campaigns/preview-audience", ai, { audience: {} });
    assert.equal(preview.status, 200);
  });
});

Deno.test("campaigns API: stats follow the campaign's enrollment and sends", async () => {
  await withApi(async (t) => {
    const { send, bearer, system, db, clock } = t;
    const admin = await bearer("tenant-a");
    for (const key of ["a", "b", "c"]) await capture(t, admin, key, ["vip"]);
    await capture(t, admin, "d", []);
    const c = (await (await send("POST", "/v1/campaigns", admin, definition())).json()).campaign;
    const sent: string[] = [];
    const email = {
      channel: "email",
      send: (m: ClaimedMessage): Promise<DispatchResult> => {
        sent.push(m.key);
        return Promise.resolve({ ok: true, response: { providerId: m.key } });
      },
    };
    const outbox = new OutboxWorker(system, [...campaignDispatchers(system, db.sql), email]);
    const reminders = new ReminderPoller(system);
    const pump = async () => {
      for (let i = 0; i < 100 && (await reminders.tick()) + (await outbox.tick()) > 0; i++);
    };
    assert.equal((await send("POST", `/v1/campaigns/${c.id}/launch`, admin)).status, 200);
    await pump();
    // 08:30 in New York: the first step waits for the send window, then goes out.
    clock.advance(2 * HOUR);
    await pump();
    assert.equal(sent.filter((k) => k.includes(`:campaign:${c.id}:`)).length, 3);
    while ((await projectOnce(db.sql, "tenant-a", "UTC")).state === "advanced");
    const stats = await send("GET", `/v1/campaigns/${c.id}/stats`, admin);
    assert.equal(stats.status, 200);
    const s = await stats.json();
    assert.equal(s.enrolled, 3);
    assert.equal(s.sent, 3);
    assert.equal(s.byVariant[0].enrolled, 3);
    const view = (await (await send("GET", `/v1/campaigns/${c.id}`, admin)).json()).campaign;
    assert.equal(view.enrolled, 3);
  });
});

Deno.test("campaigns API: a create sent twice with one Idempotency-Key makes one draft", async () => {
  await withApi(async ({ app, send, bearer }) => {
    const admin = await bearer("tenant-a");
    const post = (key: string, body: unknown) =>
      app.request("/v1/campaigns", {
        method: "POST",
        headers: {
          authorization: admin,
          "content-type": "application/json",
          "idempotency-key": key,
        },
        body: JSON.stringify(body),
      });
    const [a, b] = await Promise.all([
      post("wizard-1", definition()),
      post("wizard-1", definition()),
    ]);
    assert.equal(a.status, 201);
    assert.equal(b.status, 201);
    const first = (await a.json()).campaign;
    assert.equal((await b.json()).campaign.id, first.id);
    const other = await post("wizard-1", definition({ name: "Another" }));
    assert.equal(other.status, 409, "another definition under the same key");
    const fresh = await post("wizard-2", definition());
    assert.notEqual((await fresh.json()).campaign.id, first.id);
    const listed = await (await send("GET", "/v1/campaigns", admin)).json();
    assert.equal(listed.items.length, 2);
  });
});
