import assert from "node:assert/strict";
import { HTTPException } from "hono/http-exception";
import { CoveError, FencedError, ValidationError } from "../shared/errors.ts";
import { type AppDeps, createApp, type HealthPort } from "./app.ts";

/** A health port whose answers each test sets. */
function fakeHealth(overrides: Partial<HealthPort> = {}): HealthPort {
  return { ping: () => Promise.resolve(true), isShuttingDown: () => false, ...overrides };
}

/** An app with extra routes that throw, and a log of what the boundary reported. */
function appWith(deps: Partial<AppDeps> = {}) {
  const logged: unknown[] = [];
  const app = createApp({
    health: fakeHealth(),
    logInternalError: (error) => logged.push(error),
    ...deps,
  });
  app.get("/throw/public", () => {
    throw new ValidationError("lead", [{ path: "email", message: "not an email" }]);
  });
  app.get("/throw/private", () => {
    throw new FencedError("lead/t1/l1", 3);
  });
  app.get("/throw/plain", () => {
    throw new Error("connection string postgres://secret@db");
  });
  return { app, logged };
}

Deno.test("GET /healthz answers 200 ok", async () => {
  const res = await appWith().app.request("/healthz");
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { status: "ok" });
});

Deno.test("GET /healthz stays 200 while the database is down", async () => {
  const { app } = appWith({ health: fakeHealth({ ping: () => Promise.resolve(false) }) });
  const res = await app.request("/healthz");
  assert.equal(res.status, 200);
  await res.body?.cancel();
});

Deno.test("GET /readyz answers 200 with the bus not configured", async () => {
  const res = await appWith().app.request("/readyz");
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), {
    status: "ready",
    checks: { database: "ok", bus: "not configured" },
  });
});

Deno.test("GET /readyz reports a configured bus", async () => {
  const { app } = appWith({ health: fakeHealth({ busPing: () => Promise.resolve(true) }) });
  const res = await app.request("/readyz");
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { status: "ready", checks: { database: "ok", bus: "ok" } });
});

Deno.test("GET /readyz answers 503 naming the database when its ping fails", async () => {
  const { app } = appWith({ health: fakeHealth({ ping: () => Promise.resolve(false) }) });
  const res = await app.request("/readyz");
  assert.equal(res.status, 503);
  assert.deepEqual(await res.json(), {
    status: "not ready",
    checks: { database: "failing", bus: "not configured" },
    failing: ["database"],
  });
});

Deno.test("GET /readyz counts a throwing or hanging check as failing", async () => {
  let release!: (ok: boolean) => void;
  const { app } = appWith({
    health: fakeHealth({
      ping: () => Promise.reject(new Error("connection refused")),
      busPing: () => new Promise<boolean>((resolve) => release = resolve),
    }),
    checkTimeoutMs: 20,
  });
  const res = await app.request("/readyz");
  release(true);
  assert.equal(res.status, 503);
  assert.deepEqual(await res.json(), {
    status: "not ready",
    checks: { database: "failing", bus: "failing" },
    failing: ["database", "bus"],
  });
});

Deno.test("GET /readyz answers 503 once shutting down, without pinging", async () => {
  let pinged = false;
  const { app } = appWith({
    health: fakeHealth({
      ping: () => (pinged = true, Promise.resolve(true)),
      isShuttingDown: () => true,
    }),
  });
  const res = await app.request("/readyz");
  assert.equal(res.status, 503);
  assert.deepEqual(await res.json(), { status: "shutting down", failing: ["shutdown"] });
  assert.equal(pinged, false);
});

Deno.test("an unknown route answers 404 JSON", async () => {
  const res = await appWith().app.request("/nope", { method: "POST" });
  assert.equal(res.status, 404);
  assert.match(res.headers.get("content-type") ?? "", /application\/json/);
  assert.deepEqual(await res.json(), {
    error: { code: "not_found", message: "no route for POST /nope" },
  });
});

Deno.test("a public CoveError answers with its status, code, message and details", async () => {
  const { app, logged } = appWith();
  const res = await app.request("/throw/public");
  assert.equal(res.status, 400);
  assert.deepEqual(await res.json(), {
    error: {
      code: "validation_failed",
      message: "invalid lead: email: not an email",
      details: { issues: [{ path: "email", message: "not an email" }] },
    },
  });
  assert.equal(logged.length, 0);
});

Deno.test("a public CoveError subclass keeps its own status", async () => {
  const { app } = appWith();
  app.get("/teapot", () => {
    throw new CoveError("too_hot", "the pot is too hot", { status: 418, public: true });
  });
  const res = await app.request("/teapot");
  assert.equal(res.status, 418);
  assert.equal((await res.json()).error.code, "too_hot");
});

for (const kind of ["private", "plain"]) {
  Deno.test(`a ${kind} error answers a bare 500 and is logged, not shown`, async () => {
    const { app, logged } = appWith();
    const res = await app.request(`/throw/${kind}`);
    assert.equal(res.status, 500);
    const text = await res.text();
    assert.deepEqual(JSON.parse(text), { error: { code: "internal", message: "internal error" } });
    assert.doesNotMatch(text, /secret|epoch|lead\/t1/);
    assert.equal(logged.length, 1);
  });
}

Deno.test("a 4xx HTTPException from middleware keeps its status in the error shape", async () => {
  const { app, logged } = appWith();
  app.get("/too-big", () => {
    throw new HTTPException(413, { message: "body too large" });
  });
  const res = await app.request("/too-big");
  assert.equal(res.status, 413);
  assert.deepEqual(await res.json(), { error: { code: "http_error", message: "body too large" } });
  assert.equal(logged.length, 0);
});
