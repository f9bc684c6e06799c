/**
 * Tenant isolation over every REST operation in `/openapi.json` and over the
 * streams. Tenant A creates one of each kind of resource; tenant B then
 * calls every documented operation (read at test time, so new routes are
 * covered or the test fails naming them) with A's ids in the path, the
 * query and the body, by bearer token and by API key. B never gets a 2xx
 * carrying A's data, a route naming A's resource answers 404 or 403, B's
 * lists never hold A's ids, and A's resources are unchanged afterwards.
 * B's WebSocket and SSE subscriptions to `tenant` and `lead:<A's id>` never
 * see an event of A's.
 *
 * @module
 */
import assert from "node:assert/strict";
import { startCove } from "../node.ts";
import { createTokenService, tokenSecret } from "../gateway/mod.ts";
import { newId } from "../shared/ids.ts";
import { loadConfig, type Role } from "../shared/mod.ts";
import { connectSse, connectWs, until } from "./_cluster.ts";

/** A's resources, by kind. */
interface Ids {
  lead: string;
  lead2: string;
  member: string;
  task: string;
  booking: string;
  import: string;
  suggestion: string;
  apiKey: string;
  siteKey: string;
  template: string;
  campaign: string;
  /** No dead letter can be made on demand: an id that would be A's if it existed. */
  deadLetter: string;
  /** A word in A's free-text fields, for B to search for. */
  mark: string;
}

/** How B calls one operation: path parameters, query and body, most naming A's resources. */
interface Call {
  params?: Record<string, string>;
  query?: string;
  body?: unknown;
  /** Widget routes authenticate by site key and origin instead. */
  siteKey?: boolean;
  /**
   * "refused": the path names A's resource, so only 404/403 will do (the default when the path
   * has parameters). "own": the call acts on B's own tenant, so any status will do, but a 2xx
   * must carry none of A's data.
   */
  expect?: "refused" | "own";
  /** A 503 is by design here (an AI route on a node without AI), not a failure. */
  unavailable?: boolean;
}

const soon = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();

/**
 * Every documented operation, keyed `METHOD /path`. A route missing here fails the test:
 * add a row naming how to aim it at A's data.
 */
const TABLE: Record<string, (ids: Ids) => Call> = {
  "POST /v1/leads": (ids) => ({
    body: { idempotencyKey: ids.lead, contact: { email: "b@example.com" } },
  }),
  "GET /v1/leads": (ids) => ({ query: `q=${ids.mark}` }),
  "GET /v1/leads/silent": () => ({ query: "hours=1" }),
  "GET /v1/leads/{id}": (ids) => ({ params: { id: ids.lead } }),
  "PATCH /v1/leads/{id}": (ids) => ({
    params: { id: ids.lead },
    body: { status: "lost", reason: "b was here", tags: { add: ["b"] } },
  }),
  "GET /v1/leads/{id}/timeline": (ids) => ({ params: { id: ids.lead } }),
  "GET /v1/leads/{id}/state-at": (ids) => ({
    params: { id: ids.lead },
    query: `at=${encodeURIComponent(new Date().toISOString())}`,
  }),
  "GET /v1/leads/{id}/follow-ups": (ids) => ({ params: { id: ids.lead } }),
  "GET /v1/leads/{id}/messages": (ids) => ({ params: { id: ids.lead } }),
  "POST /v1/leads/{id}/assign": (ids) => ({ params: { id: ids.lead }, body: { owner: "b" } }),
  "POST /v1/leads/{id}/merge": (ids) => ({ params: { id: ids.lead }, body: { from: ids.lead2 } }),
  "POST /v1/leads/{id}/unmerge": (ids) => ({ params: { id: ids.lead }, body: { from: ids.lead2 } }),
  "POST /v1/leads/{id}/qualify": (ids) => ({ params: { id: ids.lead } }),
  "POST /v1/leads/{id}/recover": (ids) => ({ params: { id: ids.lead }, body: {} }),
  "POST /v1/leads/{id}/messages": (ids) => ({
    params: { id: ids.lead },
    body: { channel: "note", direction: "inbound", content: "b", status: "received" },
  }),
  "POST /v1/auth/refresh": () => ({ expect: "own" }), // body: B's refresh token, added below
  "POST /v1/auth/signin": () => ({ body: { code: "not-a-code-of-anyone" }, expect: "own" }),
  "POST /v1/auth/ticket": () => ({ expect: "own" }),
  "POST /v1/api-keys": () => ({ body: { role: "agent" }, expect: "own" }),
  "DELETE /v1/api-keys/{id}": (ids) => ({ params: { id: ids.apiKey } }),
  "POST /v1/site-keys": () => ({ body: { allowedOrigins: ["https://b.example"] }, expect: "own" }),
  "GET /v1/site-keys": () => ({ expect: "own" }),
  "PATCH /v1/site-keys/{id}": (ids) => ({
    params: { id: ids.siteKey },
    body: { widget: { fields: ["email"] } },
  }),
  "GET /v1/suggestions": () => ({ expect: "own" }),
  "GET /v1/suggestions/{id}": (ids) => ({ params: { id: ids.suggestion } }),
  "POST /v1/suggestions/{id}/approve": (ids) => ({ params: { id: ids.suggestion } }),
  "POST /v1/suggestions/{id}/reject": (ids) => ({ params: { id: ids.suggestion }, body: {} }),
  "GET /v1/ai-policy": () => ({ expect: "own" }),
  "PUT /v1/ai-policy": () => ({ body: { mode: "autopilot" }, expect: "own" }),
  "GET /v1/settings": () => ({ expect: "own" }),
  "PATCH /v1/settings": () => ({
    body: { personalize: false, defaultCountry: "DE" },
    expect: "own",
  }),
  "PUT /v1/settings": () => ({ body: "B's own settings, read below", expect: "own" }),
  "POST /v1/imports": (ids) => ({
    query: `importId=${ids.import}`,
    body: { csv: "name,email\nB,b-import@example.com\n" },
    expect: "own",
  }),
  "GET /v1/imports": () => ({ expect: "own" }),
  "POST /v1/imports/preview": () => ({ body: { header: ["name", "email"] }, expect: "own" }),
  "GET /v1/imports/{id}": (ids) => ({ params: { id: ids.import } }),
  "POST /v1/imports/{id}/cancel": (ids) => ({ params: { id: ids.import } }),
  "GET /v1/team": () => ({ expect: "own" }),
  "POST /v1/team/members": () => ({
    body: { id: "b-member", name: "B", types: ["sales"] },
    expect: "own",
  }),
  "GET /v1/team/members/{id}": (ids) => ({ params: { id: ids.member } }),
  "PATCH /v1/team/members/{id}": (ids) => ({ params: { id: ids.member }, body: { weight: 7 } }),
  "DELETE /v1/team/members/{id}": (ids) => ({ params: { id: ids.member } }),
  "GET /v1/team/members/{id}/hours": (ids) => ({ params: { id: ids.member } }),
  "PUT /v1/team/members/{id}/hours": (ids) => ({
    params: { id: ids.member },
    body: { timeZone: "UTC", weekly: { "1": [{ start: "10:00", end: "11:00" }] } },
  }),
  "GET /v1/tasks": (ids) => ({ query: `leadId=${ids.lead}`, expect: "own" }),
  "GET /v1/tasks/board": (ids) => ({ query: `leadId=${ids.lead}`, expect: "own" }),
  "POST /v1/tasks": (ids) => ({
    body: {
      leadId: ids.lead,
      type: "sales",
      title: "B",
      dueAt: soon(1),
      priority: "low",
      idempotencyKey: ids.task,
    },
    expect: "own",
  }),
  "GET /v1/tasks/{id}": (ids) => ({ params: { id: ids.task } }),
  "POST /v1/tasks/{id}/assign": (ids) => ({
    params: { id: ids.task },
    body: { memberId: ids.member },
  }),
  "POST /v1/tasks/{id}/complete": (ids) => ({ params: { id: ids.task }, body: {} }),
  "POST /v1/tasks/{id}/cancel": (ids) => ({ params: { id: ids.task }, body: {} }),
  "POST /v1/tasks/{id}/reopen": (ids) => ({ params: { id: ids.task }, body: {} }),
  "GET /v1/availability": (ids) => ({
    query: `member=${ids.member}&from=${soon(0)}&to=${soon(48)}`,
    expect: "own",
  }),
  "POST /v1/bookings": (ids) => ({
    body: {
      memberId: ids.member,
      leadId: ids.lead,
      start: new Date(Math.ceil(Date.now() / 3_600_000 + 24) * 3_600_000).toISOString(),
      durationMinutes: 30,
      attendee: { name: "B" },
      idempotencyKey: ids.booking,
    },
    expect: "own",
  }),
  "GET /v1/bookings": (ids) => ({ query: `member=${ids.member}`, expect: "own" }),
  "POST /v1/bookings/{id}/cancel": (ids) => ({
    params: { id: ids.booking },
    body: { memberId: ids.member },
  }),
  "POST /v1/bookings/{id}/reschedule": (ids) => ({
    params: { id: ids.booking },
    body: { memberId: ids.member, start: soon(30), idempotencyKey: "b-move" },
  }),
  "GET /v1/outbox": () => ({ expect: "own" }),
  "GET /v1/dead-letters": () => ({ expect: "own" }),
  "GET /v1/dead-letters/{id}": (ids) => ({ params: { id: ids.deadLetter } }),
  "POST /v1/dead-letters/{id}/replay": (ids) => ({ params: { id: ids.deadLetter } }),
  "POST /v1/dead-letters/{id}/discard": (ids) => ({ params: { id: ids.deadLetter }, body: {} }),
  "GET /v1/providers": () => ({ expect: "own" }),
  "GET /v1/analytics/summary": () => ({ query: "silentHours=1", expect: "own" }),
  "GET /v1/analytics": () => ({ query: "silentHours=1", expect: "own" }),
  "GET /v1/analytics/scores": () => ({ expect: "own" }),
  "POST /v1/analytics/rebuild": () => ({ expect: "own" }),
  "GET /v1/reports/weekly": () => ({ expect: "own" }),
  "GET /v1/recommendations": () => ({ expect: "own" }),
  "POST /v1/widget/leads": (ids) => ({
    siteKey: true,
    body: { idempotencyKey: ids.lead, email: "b-widget@example.com", elapsedMs: 60_000 },
    expect: "own",
  }),
  "GET /v1/widget/config": () => ({ siteKey: true, expect: "own" }),
  "GET /v1/widget/slots": () => ({ siteKey: true, expect: "own" }),
  "GET /v1/templates": () => ({ query: "archived=true", expect: "own" }),
  "POST /v1/templates": () => ({ body: { name: "b", channel: "sms", body: "Hi {{firstName}}" } }),
  "POST /v1/templates/preview": (ids) => ({
    body: { templateId: ids.template, leadId: ids.lead },
    expect: "refused",
  }),
  "POST /v1/templates/draft": (ids) => ({
    body: { channel: "sms", goal: `reach ${ids.lead}` },
    expect: "own",
    unavailable: true,
  }),
  "GET /v1/templates/{id}": (ids) => ({ params: { id: ids.template } }),
  "PUT /v1/templates/{id}": (ids) => ({
    params: { id: ids.template },
    body: { name: "b", channel: "sms", body: "b was here" },
  }),
  "DELETE /v1/templates/{id}": (ids) => ({ params: { id: ids.template } }),
  "GET /v1/campaigns": () => ({ expect: "own" }),
  "POST /v1/campaigns": () => ({ body: campaignBody("b") }),
  "POST /v1/campaigns/preview-audience": (ids) => ({
    body: { audience: { tagsAny: [ids.mark] }, sample: 20 },
    expect: "own",
  }),
  "GET /v1/campaigns/{id}": (ids) => ({ params: { id: ids.campaign } }),
  "PUT /v1/campaigns/{id}": (ids) => ({ params: { id: ids.campaign }, body: campaignBody("b") }),
  "POST /v1/campaigns/{id}/launch": (ids) => ({ params: { id: ids.campaign } }),
  "POST /v1/campaigns/{id}/pause": (ids) => ({ params: { id: ids.campaign } }),
  "POST /v1/campaigns/{id}/resume": (ids) => ({ params: { id: ids.campaign } }),
  "POST /v1/campaigns/{id}/stop": (ids) => ({ params: { id: ids.campaign } }),
  "GET /v1/campaigns/{id}/stats": (ids) => ({ params: { id: ids.campaign } }),
};

/** A one-step SMS campaign definition named `name`. */
function campaignBody(name: string) {
  return {
    name,
    audience: { statuses: ["new"] },
    steps: [{ channel: "sms", delayMinutes: 0, variants: [{ template: "Hi {{firstName}}" }] }],
  };
}

interface Operation {
  method: string;
  path: string;
}

function operations(doc: { paths: Record<string, Record<string, unknown>> }): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (op && typeof op === "object" && "responses" in op) {
        ops.push({ method: method.toUpperCase(), path });
      }
    }
  }
  return ops;
}

Deno.test("tenant isolation: every documented REST operation and both streams keep tenant B out of tenant A", async (t) => {
  const dataDir = await Deno.makeTempDir({ prefix: "cove_isolation_" });
  const node = await startCove(
    loadConfig({
      DATA_DIR: dataDir,
      PORT: "0",
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
      // This test makes a few hundred calls as one caller.
      RATE_LIMIT_DEFAULT: "0",
      RATE_LIMIT_AI: "0",
      RATE_LIMIT_WIDGET: "0",
      REMINDER_POLL_MS: "200",
    }),
    { log: () => {} },
  );
  try {
    const tokens = createTokenService({ secret: await tokenSecret(dataDir) });
    const A = `iso-a-${newId()}`;
    const B = `iso-b-${newId()}`;
    /** In every free-text field A writes, so any of A's data in a response is easy to see. */
    const MARK = `asecret${newId()}`.toLowerCase();
    const bearer = async (tenant: string, role: Role = "admin") =>
      `Bearer ${(await tokens.issue({ sub: `${role}-of-${tenant}`, tenant, role })).accessToken}`;
    const aAdmin = await bearer(A);
    const bAdmin = await bearer(B);

    const call = async (
      method: string,
      path: string,
      auth: Record<string, string>,
      body?: unknown,
    ) => {
      const res = await fetch(`${node.url}${path}`, {
        method,
        headers: {
          ...auth,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, text, json: () => JSON.parse(text) };
    };
    const asA = (method: string, path: string, body?: unknown) =>
      call(method, path, { authorization: aAdmin }, body);
    const ok = async (r: Promise<{ status: number; text: string }>, what: string) => {
      const { status, text } = await r;
      assert.ok(status >= 200 && status < 300, `${what} as A: ${status} ${text}`);
      return JSON.parse(text);
    };

    // ---- A's resources, one of each kind.
    const lead = (await ok(
      asA("POST", "/v1/leads", {
        idempotencyKey: "a1",
        contact: { name: `${MARK} One`, email: `one.${MARK}@example.com` },
        message: MARK,
      }),
      "capture",
    )).leadId as string;
    const lead2 = (await ok(
      asA("POST", "/v1/leads", {
        idempotencyKey: "a2",
        contact: { name: `${MARK} Two`, email: `two.${MARK}@example.com` },
      }),
      "capture",
    )).leadId as string;
    const member = `m${MARK}`.slice(0, 40);
    await ok(
      asA("POST", "/v1/team/members", { id: member, name: MARK, types: ["sales"] }),
      "member",
    );
    const allDay = [{ start: "00:00", end: "23:30" }];
    await ok(
      asA("PUT", `/v1/team/members/${member}/hours`, {
        timeZone: "UTC",
        weekly: Object.fromEntries(["1", "2", "3", "4", "5", "6", "7"].map((d) => [d, allDay])),
      }),
      "hours",
    );
    const task = (await ok(
      asA("POST", "/v1/tasks", {
        leadId: lead,
        type: "sales",
        title: MARK,
        dueAt: soon(2),
        priority: "high",
        idempotencyKey: "t1",
      }),
      "task",
    )).task;
    const free = await ok(
      asA("GET", `/v1/availability?member=${member}&from=${soon(1)}&to=${soon(72)}`),
      "availability",
    );
    assert.ok(free.slots?.length > 0, `no free slot for A: ${JSON.stringify(free)}`);
    const booking = (await ok(
      asA("POST", "/v1/bookings", {
        memberId: member,
        leadId: lead,
        start: free.slots[0].start,
        durationMinutes: 30,
        attendee: { name: MARK },
        idempotencyKey: "b1",
      }),
      "booking",
    )).booking;
    const imported = await ok(
      asA("POST", "/v1/imports", { csv: `name,email\n${MARK},imp.${MARK}@example.com\n` }),
      "import",
    );
    const suggested = await ok(
      call("POST", `/v1/leads/${lead}/recover`, { authorization: await bearer(A, "ai") }, {
        reason: MARK,
      }),
      "ai suggestion",
    );
    const apiKey = await ok(asA("POST", "/v1/api-keys", { role: "agent" }), "api key");
    const siteKey = await ok(
      asA("POST", "/v1/site-keys", { allowedOrigins: ["https://a.example"] }),
      "site key",
    );
    const template = (await ok(
      asA("POST", "/v1/templates", {
        name: MARK,
        channel: "email",
        subject: `${MARK} {{company}}`,
        body: `Hi {{firstName}}, ${MARK}`,
      }),
      "template",
    )).template.id as string;
    const campaign = (await ok(asA("POST", "/v1/campaigns", campaignBody(MARK)), "campaign"))
      .campaign.id as string;
    const ids: Ids = {
      lead,
      lead2,
      member,
      task: task.taskId ?? task.id,
      booking: booking.id,
      import: imported.importId,
      suggestion: suggested.suggestionId,
      apiKey: apiKey.id,
      siteKey: siteKey.key,
      template,
      campaign,
      deadLetter: "918273645",
      mark: MARK,
    };
    for (const [k, v] of Object.entries(ids)) assert.ok(typeof v === "string" && v, `no ${k} id`);
    /** Strings that only A's data contains. */
    const secrets = [MARK, A, ...Object.values(ids).filter((id) => id !== ids.deadLetter)];
    assert.ok((await asA("GET", `/v1/leads?q=${MARK}`)).text.includes(lead), "A finds its lead");

    // What A sees of its resources; compared after B's calls.
    const snapshotPaths = [
      `/v1/leads/${lead}`,
      `/v1/leads/${lead2}`,
      `/v1/leads/${lead}/timeline`,
      `/v1/tasks/${ids.task}`,
      `/v1/team/members/${member}`,
      `/v1/team/members/${member}/hours`,
      `/v1/bookings?member=${member}`,
      `/v1/suggestions/${ids.suggestion}`,
      `/v1/templates/${ids.template}`,
      `/v1/campaigns/${ids.campaign}`,
      "/v1/settings",
      "/v1/ai-policy",
      "/v1/site-keys",
      "/v1/team",
    ];
    const snapshot = async () => {
      const out: Record<string, string> = {};
      for (const p of snapshotPaths) {
        const r = await asA("GET", p);
        assert.equal(r.status, 200, `GET ${p} as A: ${r.text}`);
        out[p] = r.text;
      }
      return out;
    };
    // An import runs in the background: let it finish before taking the snapshot.
    for (let i = 0; i < 100; i++) {
      const s = await ok(asA("GET", `/v1/imports/${ids.import}`), "import progress");
      if (s.status !== "running") break;
      await new Promise((r) => setTimeout(r, 50));
    }
    // The booking reaches A's lead through the outbox: let that settle too.
    for (let i = 0; i < 200; i++) {
      const view = await ok(asA("GET", `/v1/leads/${lead}`), "lead");
      if ((view.bookingIds ?? []).includes(ids.booking)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    // A's own follow-on work (a re-score reminder after the booking) must settle too: take the
    // snapshot once two reads more than a reminder poll apart agree.
    let before = await snapshot();
    for (let i = 0; i < 30; i++) {
      await new Promise((r) => setTimeout(r, 500));
      const again = await snapshot();
      if (JSON.stringify(again) === JSON.stringify(before)) break;
      before = again;
    }

    // B's own credentials of every kind.
    const bKey = await ok(
      call("POST", "/v1/api-keys", { authorization: bAdmin }, { role: "admin" }),
      "B's api key",
    );
    const bSite = await ok(
      call("POST", "/v1/site-keys", { authorization: bAdmin }, {
        allowedOrigins: ["https://b.example"],
      }),
      "B's site key",
    );
    const bRefresh = (await tokens.issue({ sub: "b-admin", tenant: B, role: "admin" }))
      .refreshToken;
    // GET answers `aiMode` too, which PUT does not take (the AI policy has its own route).
    const { aiMode: _aiMode, ...bSettings } = JSON.parse(
      (await call("GET", "/v1/settings", { authorization: bAdmin })).text,
    );

    const doc = await (await fetch(`${node.url}/openapi.json`)).json();
    const ops = operations(doc);

    await t.step("every documented operation is in the table", () => {
      const missing = ops.map((o) => `${o.method} ${o.path}`).filter((k) => !TABLE[k]);
      assert.deepEqual(missing, [], "documented routes with no isolation row");
    });

    await t.step(
      "B (bearer token and API key) gets none of A's data from any operation",
      async () => {
        const leaks: string[] = [];
        const counts: Record<number, number> = {};
        /** Calls whose input the route refused before looking anything up (worth a better row). */
        const invalid: string[] = [];
        for (const credential of ["bearer", "apiKey"] as const) {
          for (const op of ops) {
            const row = TABLE[`${op.method} ${op.path}`];
            if (!row) continue;
            const c = row(ids);
            let body = c.body;
            if (op.path === "/v1/auth/refresh") body = { refreshToken: bRefresh };
            if (op.method === "PUT" && op.path === "/v1/settings") body = bSettings;
            const path = op.path.replace(/\{(\w+)\}/g, (_, name) => {
              const v = c.params?.[name];
              assert.ok(v, `${op.method} ${op.path}: no value for {${name}}`);
              return encodeURIComponent(v);
            }) + (c.query ? `?${c.query}` : "");
            const auth: Record<string, string> = c.siteKey
              ? { "x-site-key": bSite.key, origin: "https://b.example" }
              : credential === "bearer"
              ? { authorization: bAdmin }
              : { "x-api-key": bKey.key };
            const res = await call(op.method, path, auth, body);
            counts[res.status] = (counts[res.status] ?? 0) + 1;
            if (res.status === 400) {
              invalid.push(`${op.method} ${op.path} (${JSON.parse(res.text).error?.message})`);
            }
            const where = `${op.method} ${path} (${c.siteKey ? "site key" : credential})`;
            const expect = c.expect ?? (op.path.includes("{") ? "refused" : "own");
            if (res.status >= 500 && !(c.unavailable && res.status === 503)) {
              leaks.push(`${where}: ${res.status} ${res.text.slice(0, 200)}`);
            }
            if (expect === "refused" && res.status !== 404 && res.status !== 403) {
              leaks.push(`${where}: ${res.status} (expected 404 or 403) ${res.text.slice(0, 300)}`);
            }
            if (res.status >= 200 && res.status < 300) {
              // Ids B itself sent may come back; anything else of A's may not.
              const sent = `${path} ${JSON.stringify(body ?? null)}`;
              const found = secrets.filter((s) => !sent.includes(s) && res.text.includes(s));
              if (found.length > 0) {
                leaks.push(
                  `${where}: ${res.status} carries A's ${found.join(", ")}: ${
                    res.text.slice(0, 300)
                  }`,
                );
              }
            }
          }
        }
        console.log(
          `  ${ops.length} operations × 2 credentials → ${JSON.stringify(counts)}` +
            (invalid.length ? `; 400 from ${[...new Set(invalid)].join(", ")}` : ""),
        );
        assert.deepEqual(leaks, []);
      },
    );

    await t.step(
      "A's own reads of the same paths succeed, so B's 404s come from the tenant",
      async () => {
        const wrong: string[] = [];
        for (const op of ops.filter((o) => o.method === "GET" && o.path.includes("{"))) {
          const c = TABLE[`${op.method} ${op.path}`]?.(ids);
          if (!c || c.expect === "own" || op.path.startsWith("/v1/dead-letters")) continue;
          const path = op.path.replace(/\{(\w+)\}/g, (_, n) => encodeURIComponent(c.params![n]!)) +
            (c.query ? `?${c.query}` : "");
          const res = await asA("GET", path);
          if (res.status !== 200) {
            wrong.push(`GET ${path}: ${res.status} ${res.text.slice(0, 200)}`);
          }
        }
        assert.deepEqual(wrong, []);
      },
    );

    await t.step("A's resources are unchanged by everything B did", async () => {
      const after = await snapshot();
      for (const p of snapshotPaths) assert.equal(after[p], before[p], `A's ${p} changed`);
      // And A's API key still works.
      const r = await call("GET", "/v1/leads?limit=1", { "x-api-key": apiKey.key });
      assert.equal(r.status, 200, r.text);
    });

    await t.step("B's WebSocket and SSE subscriptions never see an event of A's", async () => {
      // Every kind of topic, aimed at A's actors and at event types A emits.
      const topics = [
        "tenant",
        `lead:${lead}`,
        `task:${ids.task}`,
        `import:${ids.import}`,
        "type:lead.captured",
        "type:task.completed",
      ];
      const bTicket = (await ok(
        call("POST", "/v1/auth/ticket", { authorization: bAdmin }),
        "B's ticket",
      )).ticket;
      const bWs = await connectWs(
        node.url,
        (await tokens.issue({ sub: "b", tenant: B, role: "admin" })).accessToken,
      );
      const bLeadWs = await connectWs(
        node.url,
        (await tokens.issue({ sub: "b", tenant: B, role: "admin" })).accessToken,
      );
      const bearerB = (await tokens.issue({ sub: "b", tenant: B, role: "admin" })).accessToken;
      const bSse = await connectSse(node.url, bearerB, `topics=${topics.join(",")}`);
      const ticketAbort = new AbortController();
      const bTicketSse = await fetch(`${node.url}/v1/stream/sse?topics=tenant&ticket=${bTicket}`, {
        signal: ticketAbort.signal,
      });
      const aWs = await connectWs(
        node.url,
        (await tokens.issue({ sub: "a", tenant: A, role: "admin" })).accessToken,
      );
      const ticketText = { text: "" };
      const ticketReading = (async () => {
        for await (const chunk of bTicketSse.body!.pipeThrough(new TextDecoderStream())) {
          ticketText.text += chunk;
        }
      })().catch(() => {});
      try {
        assert.equal(bSse.status, 200);
        assert.equal(bTicketSse.status, 200);
        bWs.subscribe(["tenant"], null);
        bLeadWs.subscribe([`lead:${lead}`, `task:${ids.task}`], null);
        aWs.subscribe([`lead:${lead}`, `task:${ids.task}`], null);
        for (const s of [bWs, bLeadWs, bSse, aWs]) {
          await s.waitFor((f) => f.type === "caught_up", 10_000, "caught_up");
        }
        // A's lead changes, live; A's own subscriber sees it, B's never do.
        const replayed = aWs.events().length;
        await ok(asA("PATCH", `/v1/leads/${lead}`, { tags: { add: ["live"] } }), "live change");
        await ok(
          asA("POST", "/v1/leads", {
            idempotencyKey: "a3",
            contact: { email: `three.${MARK}@example.com` },
          }),
          "live capture",
        );
        await ok(asA("POST", `/v1/tasks/${ids.task}/complete`, {}), "live task change");
        await until(
          () => aWs.events().length > replayed,
          10_000,
          "A's live event on A's subscriber",
        );
        await new Promise((r) => setTimeout(r, 500));
        for (
          const [name, s] of [["B WebSocket tenant", bWs], ["B WebSocket lead", bLeadWs], [
            "B SSE",
            bSse,
          ]] as const
        ) {
          const theirs = s.events().filter((f) =>
            f.event.actor.includes(`/${A}/`) || JSON.stringify(f).includes(MARK)
          );
          assert.deepEqual(theirs, [], `${name} received A's events`);
        }
        assert.ok(
          !ticketText.text.includes(A) && !ticketText.text.includes(MARK),
          "B's ticket SSE got A's data",
        );
        // B's subscription to A's lead and task ids has nothing: B has no actors of those ids.
        assert.deepEqual(bLeadWs.events(), []);
        // A's lead and task did emit events in the meantime.
        await until(
          () => aWs.events().some((f) => f.event.actor.startsWith(`task/${A}/`)),
          10_000,
          "A's task event on A's subscriber",
        );
        assert.ok(aWs.events().some((f) => f.event.actor === `lead/${A}/${lead}`));
      } finally {
        await bWs.close();
        await bLeadWs.close();
        await aWs.close();
        await bSse.close();
        ticketAbort.abort();
        await ticketReading;
      }
    });
  } finally {
    await node.stop();
    await Deno.remove(dataDir, { recursive: true });
  }
});
