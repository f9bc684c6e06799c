import assert from "node:assert/strict";
import type { AiClient } from "../actors/ai/mod.ts";
import { lead, leadMigrations, settings } from "../actors/lead/mod.ts";
import {
  ActorSystem,
  openTestDatabase,
  type TestBackend,
  testBackends,
  testName,
} from "../actors/runtime/mod.ts";
import { ManualClock, type Role } from "../shared/mod.ts";
import { createApp } from "./app.ts";
import { createTokenService } from "./auth.ts";
import { leadRoutes } from "./leads_api.ts";

const EMBEDDED = testBackends()[0]!;

async function setup(opts: { backend?: TestBackend; ai?: AiClient } = {}) {
  const db = await openTestDatabase(opts.backend ?? EMBEDDED, await leadMigrations());
  const clock = new ManualClock(Date.UTC(2026, 5, 1, 15));
  const system = new ActorSystem({ database: db, types: [lead, settings], clock });
  const tokens = createTokenService({ secret: "x".repeat(32) });
  const app = createApp({
    health: { ping: () => Promise.resolve(true), isShuttingDown: () => false },
    routes: (a) =>
      a.route("/v1/leads", leadRoutes({ system, tokens, ...(opts.ai ? { ai: opts.ai } : {}) })),
  });
  const bearer = async (tenant: string, role: Role = "agent") =>
    `Bearer ${(await tokens.issue({ sub: "u", tenant, role })).accessToken}`;
  /** `app.request` with a JSON body (when given) as `auth`. */
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
  return { app, system, clock, bearer, send, close, sql: db.sql };
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
    for (
      const [path, method] of [
        ["/v1/leads/{id}", "patch"],
        ["/v1/leads/{id}/merge", "post"],
        ["/v1/leads/{id}/unmerge", "post"],
        ["/v1/leads/{id}/qualify", "post"],
        ["/v1/leads/{id}/assign", "post"],
        ["/v1/leads/{id}/recover", "post"],
        ["/v1/leads/{id}/messages", "post"],
        ["/v1/leads/{id}/state-at", "get"],
        ["/v1/leads/{id}/follow-ups", "get"],
        ["/v1/leads/silent", "get"],
      ] as const
    ) {
      assert.ok(doc.paths[path]?.[method], `${method} ${path} documented`);
    }
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

/** Captures a lead through the API and returns its id. */
async function capture(
  send: (m: string, p: string, a: string, b?: unknown) => Promise<Response>,
  auth: string,
  key: string,
  contact: Record<string, unknown>,
): Promise<string> {
  const res = await send("POST", "/v1/leads", auth, { idempotencyKey: key, contact });
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()).leadId;
}

const paths = async (res: Response) =>
  (await res.json()).error.details.issues.map((i: { path: string }) => i.path);

for (const backend of testBackends()) {
  const test = (name: string, fn: () => Promise<void>) =>
    Deno.test({
      name: testName("leads API", backend, name),
      ignore: backend.skip !== undefined,
      fn,
    });

  test("PATCH changes status, owner, tags and consent through the actor; a move the funnel refuses is a 409 that applies nothing", async () => {
    const { send, bearer, close } = await setup({ backend });
    try {
      const a = await bearer("tenant-a");
      const id = await capture(send, a, "k1", { name: "Dana", email: "dana@example.com" });
      const res = await send("PATCH", `/v1/leads/${id}`, a, {
        status: "qualified",
        reason: "budget confirmed",
        owner: "member-1",
        tags: { add: ["vip", "plumbing"] },
        consent: [{ channel: "email", granted: true, source: "phone call" }],
      });
      assert.equal(res.status, 200);
      const view = await res.json();
      assert.equal(view.leadId, id);
      assert.equal(view.status, "qualified");
      assert.equal(view.owner, "member-1");
      assert.deepEqual(view.tags.sort(), ["plumbing", "vip"]);
      assert.equal(view.consent.email.granted, true);
      const again = await send("PATCH", `/v1/leads/${id}`, a, { tags: { remove: ["vip"] } });
      assert.deepEqual((await again.json()).tags, ["plumbing"]);

      // The journal has each change as the lead's own event.
      const timeline = await (await send("GET", `/v1/leads/${id}/timeline`, a)).json();
      const types = timeline.items.map((e: { type: string }) => e.type);
      for (const t of ["lead.status_changed", "lead.assigned", "lead.tagged"]) {
        assert.ok(types.includes(t), t);
      }

      // qualified → new is backwards: 409, and the owner in the same request is not applied.
      const back = await send("PATCH", `/v1/leads/${id}`, a, { status: "new", owner: "member-2" });
      assert.equal(back.status, 409);
      assert.equal((await back.json()).error.code, "conflict");
      const now = await (await send("GET", `/v1/leads/${id}`, a)).json();
      assert.equal(now.owner, "member-1");
      assert.equal(now.status, "qualified");
    } finally {
      await close();
    }
  });

  test("merge moves the other lead in and unmerge splits it off again", async () => {
    const { send, bearer, close } = await setup({ backend });
    try {
      const a = await bearer("tenant-a");
      const into = await capture(send, a, "k1", { name: "Dana", email: "dana@example.com" });
      const from = await capture(send, a, "k2", { name: "D. Reyes", phone: "+14155552671" });
      const merged = await send("POST", `/v1/leads/${into}/merge`, a, { from, reason: "same" });
      assert.equal(merged.status, 200);
      const m = await merged.json();
      assert.deepEqual({ into: m.into, from: m.from }, { into, from });
      assert.ok(m.movedKeys.includes("phone:+14155552671"), m.movedKeys);
      assert.equal((await (await send("GET", `/v1/leads/${from}`, a)).json()).mergedInto, into);
      // The merged-away phone now finds the surviving lead.
      const byPhone = await send("POST", "/v1/leads", a, {
        idempotencyKey: "k3",
        contact: { phone: "+14155552671" },
      });
      assert.equal((await byPhone.json()).leadId, into);

      const un = await send("POST", `/v1/leads/${into}/unmerge`, a, { from });
      assert.equal(un.status, 200);
      assert.deepEqual((await un.json()).movedKeys, m.movedKeys);
      assert.equal((await (await send("GET", `/v1/leads/${from}`, a)).json()).mergedInto, null);
      // Not merged any more: a second unmerge is a conflict, not a silent success.
      assert.equal((await send("POST", `/v1/leads/${into}/unmerge`, a, { from })).status, 409);
      const self = await send("POST", `/v1/leads/${into}/merge`, a, { from: into });
      assert.equal(self.status, 400);
      assert.deepEqual(await paths(self), ["from"]);
      assert.equal(
        (await send("POST", `/v1/leads/${into}/merge`, a, { from: "nobody" })).status,
        404,
      );
    } finally {
      await close();
    }
  });
}

Deno.test("leads API: assign, recover and recording a message go through the lead", async () => {
  const { app, send, bearer, close, sql } = await setup();
  try {
    const a = await bearer("tenant-a");
    const id = await capture(send, a, "k1", { name: "Dana Reyes", email: "dana@example.com" });

    const assigned = await send("POST", `/v1/leads/${id}/assign`, a, { owner: "member-7" });
    assert.equal(assigned.status, 200);
    assert.deepEqual(await assigned.json(), { owner: "member-7" });
    const unassigned = await send("POST", `/v1/leads/${id}/assign`, a, { owner: null });
    assert.deepEqual(await unassigned.json(), { owner: null });

    // A capture starts the "uncontacted" sequence; recover replaces it with "silent" at once.
    let f = await (await send("GET", `/v1/leads/${id}/follow-ups`, a)).json();
    assert.equal(f.active.sequence, "uncontacted");
    assert.equal(f.sequence.steps[0].channel, "sms");
    const recovered = await send("POST", `/v1/leads/${id}/recover`, a, { reason: "went quiet" });
    assert.equal(recovered.status, 200);
    assert.deepEqual(await recovered.json(), { started: true });
    f = await (await send("GET", `/v1/leads/${id}/follow-ups`, a)).json();
    assert.equal(f.active.sequence, "silent");
    assert.equal(f.active.step, 0);
    assert.equal(f.sequence.steps.length, 2);

    const logged = await send("POST", `/v1/leads/${id}/messages`, a, {
      channel: "call",
      direction: "outbound",
      content: "Called, left a voicemail",
      status: "sent",
    });
    assert.equal(logged.status, 201);
    const view = await (await send("GET", `/v1/leads/${id}`, a)).json();
    assert.equal(view.status, "contacted");
    assert.equal(view.messages.at(-1).content, "Called, left a voicemail");

    // A reply stops the follow-ups.
    await send("POST", `/v1/leads/${id}/messages`, a, {
      channel: "sms",
      direction: "inbound",
      content: "Call me tomorrow",
      status: "received",
    });
    f = await (await send("GET", `/v1/leads/${id}/follow-ups`, a)).json();
    assert.deepEqual(f, { active: null, sequence: null });

    // A value belongs to a win only; with the win it is the revenue on the journal.
    const early = await send("PATCH", `/v1/leads/${id}`, a, { status: "qualified", valueCents: 5 });
    assert.equal(early.status, 400);
    assert.match(JSON.stringify(await early.json()), /valueCents/);
    const won = await send("PATCH", `/v1/leads/${id}`, a, { status: "won", valueCents: 250_000 });
    assert.equal(won.status, 200);
    const [changed] = await sql<{ data: { to: string; valueCents?: number } }[]>`
      SELECT data FROM events WHERE actor = ${`lead/tenant-a/${id}`}
        AND type = 'lead.status_changed' ORDER BY seq DESC LIMIT 1`;
    assert.deepEqual([changed?.data.to, changed?.data.valueCents], ["won", 250_000]);
    // A won lead is past recovering.
    // The body is optional: no body at all is an empty one.
    const late = await app.request(`/v1/leads/${id}/recover`, {
      method: "POST",
      headers: { authorization: a },
    });
    assert.equal(late.status, 409);
    assert.match((await late.json()).error.message, /lead is won/);
  } finally {
    await close();
  }
});

Deno.test("leads API: qualify records the AI's judgement, or the rules' when there is no AI", async () => {
  const judgement = {
    intent: "buy",
    budget: "$5k",
    timeline: "this month",
    fit: "good",
    summary: "Wants a new site",
    recommendedAction: "call",
    confidence: 0.9,
  };
  const ai: AiClient = {
    complete: <T>() => Promise.resolve({ ok: true as const, value: judgement as T, model: "test" }),
  };
  for (const [client, source] of [[undefined, "rules"], [ai, "ai"]] as const) {
    const { send, bearer, close } = await setup(client ? { ai: client } : {});
    try {
      const a = await bearer("tenant-a");
      const id = await capture(send, a, "k1", { name: "Dana", email: "dana@example.com" });
      const res = await send("POST", `/v1/leads/${id}/qualify`, a);
      assert.equal(res.status, 200);
      const q = await res.json();
      assert.equal(q.source, source);
      if (source === "rules") assert.equal(q.fallbackReason, "unavailable");
      else assert.equal(q.ai.fit, "good");
      const view = await (await send("GET", `/v1/leads/${id}`, a)).json();
      assert.equal(view.qualification.source, source);
      assert.equal(view.score, q.score.score);
    } finally {
      await close();
    }
  }
});

Deno.test("leads API: state-at folds the journal up to the moment asked, as ISO time or epoch ms", async () => {
  const { send, bearer, clock, close } = await setup();
  try {
    const a = await bearer("tenant-a");
    const t0 = clock.now();
    const id = await capture(send, a, "k1", { name: "Dana", email: "dana@example.com" });
    clock.advance(3_600_000);
    await send("PATCH", `/v1/leads/${id}`, a, { status: "qualified" });
    clock.advance(3_600_000);
    await send("PATCH", `/v1/leads/${id}`, a, { status: "won" });

    const at = async (q: string) => await send("GET", `/v1/leads/${id}/state-at?at=${q}`, a);
    const early = await (await at(String(t0 + 1_000))).json();
    assert.equal(early.state.status, "new");
    assert.equal(early.at, t0 + 1_000);
    assert.ok(early.seq > 0);
    const middle = await (await at(new Date(t0 + 90 * 60_000).toISOString())).json();
    assert.equal(middle.state.status, "qualified");
    assert.ok(middle.seq > early.seq);
    assert.equal((await (await at(String(clock.now()))).json()).state.status, "won");
    // Before the lead existed: its initial state, no events.
    const before = await (await at(String(t0 - 1))).json();
    assert.deepEqual([before.state.exists, before.seq], [false, 0]);

    for (const q of ["yesterday", "", "2026-13-45T00:00:00Z", "-271821-04-20T00:00:00Z"]) {
      const bad = await at(q);
      assert.equal(bad.status, 400, q);
      assert.deepEqual(await paths(bad), ["at"]);
    }
  } finally {
    await close();
  }
});

Deno.test("leads API: /silent lists open leads quiet for the given hours, and is not read as a lead id", async () => {
  const { send, bearer, clock, close } = await setup();
  try {
    const a = await bearer("tenant-a");
    const quiet = await capture(send, a, "k1", { name: "Quiet", email: "quiet@example.com" });
    clock.advance(80 * 3_600_000);
    await capture(send, a, "k2", { name: "Fresh", email: "fresh@example.com" });
    const res = await send("GET", "/v1/leads/silent?hours=72", a);
    assert.equal(res.status, 200);
    const { items } = await res.json();
    assert.deepEqual(items.map((l: { leadId: string }) => l.leadId), [quiet]);
    assert.equal(items[0].name, "Quiet");
    clock.advance(2 * 3_600_000);
    const all = await (await send("GET", "/v1/leads/silent?hours=1", a)).json();
    assert.equal(all.items.length, 2);
    const other = await (await send("GET", "/v1/leads/silent?hours=1", await bearer("b"))).json();
    assert.deepEqual(other.items, []);
    for (const q of ["hours=0", "hours=x", "limit=0", "minScore=101"]) {
      const bad = await send("GET", `/v1/leads/silent?${q}`, a);
      assert.equal(bad.status, 400, q);
      assert.deepEqual(await paths(bad), [q.split("=")[0]]);
    }
  } finally {
    await close();
  }
});

Deno.test("leads API: bad command input is a 400 naming the field", async () => {
  const { send, bearer, close } = await setup();
  try {
    const a = await bearer("tenant-a");
    const id = await capture(send, a, "k1", { email: "dana@example.com" });
    const cases: Array<[string, string, unknown, string[]]> = [
      ["PATCH", `/v1/leads/${id}`, { status: "hot" }, ["status"]],
      ["PATCH", `/v1/leads/${id}`, { owner: "" }, ["owner"]],
      ["PATCH", `/v1/leads/${id}`, { tags: { add: [""] } }, ["tags.add.0"]],
      ["PATCH", `/v1/leads/${id}`, { consent: [{ channel: "fax", granted: true, source: "x" }] }, [
        "consent.0.channel",
      ]],
      ["PATCH", `/v1/leads/${id}`, {}, [""]],
      ["POST", `/v1/leads/${id}/assign`, { owner: 7 }, ["owner"]],
      ["POST", `/v1/leads/${id}/merge`, {}, ["from"]],
      ["POST", `/v1/leads/${id}/merge`, { from: "a/b" }, ["from"]],
      ["POST", `/v1/leads/${id}/unmerge`, { from: "" }, ["from"]],
      ["POST", `/v1/leads/${id}/recover`, { reason: "x".repeat(201) }, ["reason"]],
      ["POST", `/v1/leads/${id}/messages`, {
        channel: "sms",
        direction: "sideways",
        content: "hi",
        status: "sent",
      }, ["direction"]],
    ];
    for (const [method, path, body, expected] of cases) {
      const res = await send(method, path, a, body);
      assert.equal(res.status, 400, `${method} ${path} ${JSON.stringify(body)}`);
      assert.deepEqual(await paths(res), expected, JSON.stringify(body));
    }
    // Contact details have no command on the lead: refused, naming the field, not dropped.
    const rename = await send("PATCH", `/v1/leads/${id}`, a, { name: "New name" });
    assert.equal(rename.status, 400);
    assert.match((await rename.json()).error.message, /name/);
    const widget = await send("PATCH", `/v1/leads/${id}`, await bearer("tenant-a", "widget"), {
      status: "won",
    });
    assert.equal(widget.status, 403);
  } finally {
    await close();
  }
});

Deno.test("leads API: every route on one lead is a 404 for another tenant, and changes nothing", async () => {
  const { send, bearer, close } = await setup();
  try {
    const a = await bearer("tenant-a");
    const id = await capture(send, a, "k1", { name: "Dana", email: "dana@example.com" });
    const other = await capture(send, a, "k2", { email: "other@example.com" });
    const b = await bearer("tenant-b", "admin");
    const routes: Array<[string, string, unknown?]> = [
      ["GET", `/v1/leads/${id}`],
      ["GET", `/v1/leads/${id}/timeline`],
      ["GET", `/v1/leads/${id}/state-at?at=${Date.now()}`],
      ["GET", `/v1/leads/${id}/follow-ups`],
      ["PATCH", `/v1/leads/${id}`, { status: "lost", owner: "intruder" }],
      ["POST", `/v1/leads/${id}/assign`, { owner: "intruder" }],
      ["POST", `/v1/leads/${id}/merge`, { from: other }],
      ["POST", `/v1/leads/${id}/unmerge`, { from: other }],
      ["POST", `/v1/leads/${id}/qualify`],
      ["POST", `/v1/leads/${id}/recover`, {}],
      ["POST", `/v1/leads/${id}/messages`, {
        channel: "sms",
        direction: "inbound",
        content: "hi",
        status: "received",
      }],
    ];
    for (const [method, path, body] of routes) {
      const res = await send(method, path, b, body);
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.equal((await res.json()).error.code, "not_found");
    }
    const view = await (await send("GET", `/v1/leads/${id}`, a)).json();
    assert.deepEqual([view.status, view.owner, view.qualification], ["new", null, null]);
    const timeline = await (await send("GET", `/v1/leads/${id}/timeline`, a)).json();
    assert.ok(timeline.items.every((e: { type: string }) => !e.type.startsWith("lead.assigned")));
  } finally {
    await close();
  }
});

type Row = { lead_id: string; name: string; score: number; created_at: string; status: string };

/** Every row of `/v1/leads?<query>`, read `limit` at a time by following `next`. */
async function readAll(
  send: (m: string, p: string, a: string) => Promise<Response>,
  auth: string,
  query: string,
  limit: number,
): Promise<Row[]> {
  const rows: Row[] = [];
  let cursor: string | null = null;
  do {
    const path: string = `/v1/leads?${query}&limit=${limit}` +
      (cursor ? `&cursor=${encodeURIComponent(cursor)}` : "");
    const res = await send("GET", path, auth);
    assert.equal(res.status, 200, await res.clone().text());
    const page: { items: Row[]; next: string | null } = await res.json();
    rows.push(...page.items);
    cursor = page.next;
  } while (cursor);
  return rows;
}

Deno.test("leads API: each sort orders the list and its cursor pages through it without gaps or repeats", async () => {
  const { send, bearer, clock, sql, close } = await setup();
  try {
    const a = await bearer("tenant-a");
    const people: Array<[string, Record<string, unknown>]> = [
      ["k1", { name: "carla Díaz", email: "carla@example.com" }],
      ["k2", { name: "Ana Pérez", email: "ana@example.com", phone: "+1 (415) 555-0101" }],
      ["k3", { name: "Bob | Pipe", company: "Acme Web", email: "bob@example.com" }],
      ["k4", { email: "nameless@example.com" }],
      ["k5", {
        name: "Dee",
        email: "dee@example.com",
        company: "Dee's Bakery",
        businessType: "bakery",
        website: null,
        rating: 4.8,
        reviewCount: 120,
        phone: "+14155550199",
      }],
      ["k6", { name: "ana Zed", email: "zed@example.com" }],
    ];
    const ids: string[] = [];
    for (const [key, contact] of people) {
      ids.push(await capture(send, a, key, contact));
      clock.advance(60_000);
    }
    // Activity: the first lead writes again, so it is the latest active.
    const msg = { channel: "sms", direction: "inbound", content: "still keen", status: "received" };
    assert.equal((await send("POST", `/v1/leads/${ids[0]}/messages`, a, msg)).status, 201);

    const newest = await readAll(send, a, "sort=newest", 2);
    assert.deepEqual(newest.map((r) => r.lead_id), ids.toReversed());
    const oldest = await readAll(send, a, "sort=oldest", 4);
    assert.deepEqual(oldest.map((r) => r.lead_id), ids);
    const byName = await readAll(send, a, "sort=name", 2);
    assert.deepEqual(byName.map((r) => r.name), [
      "Ana Pérez",
      "ana Zed",
      "Bob | Pipe",
      "carla Díaz",
      "Dee",
      "",
    ]);
    // Scores as the read model holds them (ties are ordered by lead id, high to low).
    const points = [10, 40, 40, 0, 90, 5];
    for (const [i, id] of ids.entries()) {
      await sql`UPDATE leads SET score = ${points[i]!} WHERE lead_id = ${id}`;
    }
    const byScore = await readAll(send, a, "sort=score", 1);
    const tie = [ids[1]!, ids[2]!].toSorted().toReversed();
    assert.deepEqual(byScore.map((r) => r.lead_id), [ids[4], ...tie, ids[0], ids[5], ids[3]]);
    const byActivity = await readAll(send, a, "sort=activity", 5);
    assert.equal(byActivity[0]!.lead_id, ids[0]);
    assert.deepEqual(byActivity.slice(1).map((r) => r.lead_id), ids.slice(1).toReversed());
    for (const list of [byScore, byActivity]) {
      assert.equal(new Set(list.map((r) => r.lead_id)).size, 6);
    }

    // Search by name, email, company and phone (digits match whatever the punctuation).
    const find = async (q: string) =>
      (await readAll(send, a, `q=${encodeURIComponent(q)}&sort=name`, 50)).map((r) => r.lead_id);
    assert.deepEqual(await find("ana"), [ids[1], ids[5]]);
    assert.deepEqual(await find("acme"), [ids[2]]);
    assert.deepEqual(await find("NAMELESS@"), [ids[3]]);
    assert.deepEqual(await find("555-0199"), [ids[4]]);
    assert.deepEqual(await find("100%"), []);
    // Filters: status (with a sort) and source.
    assert.equal((await send("PATCH", `/v1/leads/${ids[2]}`, a, { status: "lost" })).status, 200);
    const lost = await readAll(send, a, "status=lost&sort=score", 2);
    assert.deepEqual(lost.map((r) => r.lead_id), [ids[2]]);
    assert.equal((await readAll(send, a, "source=rest", 50)).length, 6);
    assert.equal((await readAll(send, a, "source=csv", 50)).length, 0);
  } finally {
    await close();
  }
});

Deno.test("leads API: a bad sort, a cursor of another sort or a forged cursor is a 400 naming the field", async () => {
  const { send, bearer, close } = await setup();
  try {
    const a = await bearer("tenant-a");
    for (let i = 0; i < 3; i++) {
      await capture(send, a, `k${i}`, { name: `P${i}`, email: `p${i}@example.com` });
    }
    const first = await (await send("GET", "/v1/leads?sort=score&limit=1", a)).json();
    assert.ok(first.next);
    const b64 = (v: unknown) =>
      btoa(String.fromCharCode(...new TextEncoder().encode(JSON.stringify(v))));
    const forged = b64(["score", "not a number", "x"]);
    // Keys the database would refuse are the caller's error, not a 500.
    for (
      const [sort, key] of [
        ["score", 1e300],
        ["newest", "-271821-04-20T00:00:00Z"],
        ["name", "a\u0000b"],
        ["activity", 5],
      ]
    ) {
      const res = await send("GET", `/v1/leads?sort=${sort}&cursor=${b64([sort, key, "x"])}`, a);
      assert.equal(res.status, 400, `${sort} ${key}`);
    }
    assert.equal(
      (await send(
        "GET",
        `/v1/leads?cursor=${b64(["newest", "2026-01-01T00:00:00Z", "a\u0000"])}`,
        a,
      )).status,
      400,
    );
    const cases: Array<[string, string, RegExp]> = [
      ["sort=loudest", "sort", /newest/],
      ["status=hot", "status", /new/],
      ["source=fax", "source", /widget/],
      [`sort=name&cursor=${encodeURIComponent(first.next)}`, "cursor", /sort score, not name/],
      [`cursor=${encodeURIComponent(first.next)}`, "cursor", /sort score, not newest/],
      [`sort=score&cursor=${forged}`, "cursor", /not a cursor/],
      ["sort=score&cursor=%%%", "cursor", /not a cursor/],
      [`q=${"x".repeat(201)}`, "q", /200/],
    ];
    for (const [q, field, message] of cases) {
      const res = await send("GET", `/v1/leads?${q}`, a);
      assert.equal(res.status, 400, q);
      const body = await res.json();
      assert.deepEqual(body.error.details.issues.map((i: { path: string }) => i.path), [field], q);
      assert.match(JSON.stringify(body.error), message, q);
    }
  } finally {
    await close();
  }
});

Deno.test("leads API: /messages answers the conversation with direction, channel and delivery status", async () => {
  const { send, bearer, clock, close } = await setup();
  try {
    const a = await bearer("tenant-a");
    const id = await capture(send, a, "k1", { name: "Dana", email: "dana@example.com" });
    const out = { channel: "email", direction: "outbound", content: "Hello Dana", status: "sent" };
    clock.advance(1_000);
    assert.equal((await send("POST", `/v1/leads/${id}/messages`, a, out)).status, 201);
    const res = await send("GET", `/v1/leads/${id}/messages`, a);
    assert.equal(res.status, 200);
    const { items } = await res.json();
    assert.deepEqual(items.at(-1), { ...out, at: clock.now() });
    assert.equal((await send("GET", `/v1/leads/${id}/messages`, await bearer("b"))).status, 404);
    assert.equal((await send("GET", "/v1/leads/nobody/messages", a)).status, 404);
  } finally {
    await close();
  }
});

Deno.test({
  name:
    "leads API (Postgres): at 100,000 leads every sort's first and later pages read an index, not a sort of the tenant",
  ignore: !Deno.env.get("TEST_DATABASE_URL"),
  async fn() {
    const { send, bearer, sql, close } = await setup({ backend: testBackends()[1]! });
    try {
      await sql`
        INSERT INTO leads (actor, tenant, lead_id, name, email, status, score, priority, source,
                           tags, created_at, last_activity)
        SELECT 'lead/big/' || i, 'big', 'L' || lpad(i::text, 6, '0'), 'Name ' || (i * 7919 % 100000),
               'p' || i || '@example.com', (ARRAY['new','contacted','qualified'])[1 + i % 3],
               i * 31 % 101, 'low', 'rest', '{}',
               timestamptz '2026-01-01' + i * interval '1 second',
               timestamptz '2026-01-01' + (i * 7 % 100000) * interval '1 second'
        FROM generate_series(1, 100000) AS i`;
      await sql`ANALYZE leads`;
      const auth = await bearer("big");
      for (const sort of ["newest", "oldest", "score", "name", "activity"]) {
        const first = await (await send("GET", `/v1/leads?sort=${sort}&limit=50`, auth)).json();
        assert.equal(first.items.length, 50, sort);
        const second = await (await send(
          "GET",
          `/v1/leads?sort=${sort}&limit=50&cursor=${encodeURIComponent(first.next)}`,
          auth,
        )).json();
        assert.equal(second.items.length, 50, sort);
        assert.ok(
          second.items.every((r: Row) => !first.items.some((f: Row) => f.lead_id === r.lead_id)),
        );
      }
      // The plans: each order reads its index in order and stops at the page's end.
      const orders: Record<string, string> = {
        newest: "created_at DESC, lead_id DESC",
        oldest: "created_at ASC, lead_id ASC",
        score: "score DESC, lead_id DESC",
        name: "(name = '') ASC, lower(name) ASC, lead_id ASC",
        activity: "last_activity DESC, lead_id DESC",
      };
      for (const [sort, order] of Object.entries(orders)) {
        const plan = (await sql.unsafe(
          `EXPLAIN SELECT lead_id FROM leads WHERE tenant = 'big' AND merged_into IS NULL
           ORDER BY ${order} LIMIT 51`,
        )).map((r) => String(r["QUERY PLAN"])).join("\n");
        assert.match(plan, /Index (Only )?Scan/, `${sort}:\n${plan}`);
        assert.doesNotMatch(plan, /Sort|Seq Scan/, `${sort}:\n${plan}`);
      }
    } finally {
      await close();
    }
  },
});
