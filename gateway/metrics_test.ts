import assert from "node:assert/strict";
import { Hono } from "hono";
import { createApp } from "./app.ts";
import { AuthError } from "./auth.ts";
import { GatewayMetrics, UNMATCHED_ROUTE } from "./metrics.ts";

/** Samples of a Prometheus text exposition, keyed `name{labels}`; throws on a malformed line. */
function parseExposition(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("# HELP ") || line.startsWith("# TYPE ")) continue;
    const m =
      /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? (\S+)$/
        .exec(line);
    assert.ok(m, `not a Prometheus sample line: ${line}`);
    const value = Number(m[3]!.replace("+Inf", "Infinity"));
    // Prometheus parses floats as Go does: NaN in any case (prom-client writes `Nan`).
    assert.ok(!Number.isNaN(value) || /^nan$/i.test(m[3]!), `bad value in ${line}`);
    samples.set(`${m[1]}${m[2] ?? ""}`, value);
  }
  return samples;
}

function setup(sources: ConstructorParameters<typeof GatewayMetrics>[0] = {}) {
  const metrics = new GatewayMetrics(sources);
  const things = new Hono();
  things.use("*", async (c, next) => {
    if (c.req.header("authorization") !== "ok") throw new AuthError("no");
    await next();
  });
  things.get("/:id", (c) => c.json({ id: c.req.param("id") }));
  const app = createApp({
    health: { ping: () => Promise.resolve(true), isShuttingDown: () => false },
    routes: (a) => {
      a.use("*", metrics.middleware());
      a.route("/", metrics.routes());
      a.route("/v1/things", things);
    },
  });
  return { app, metrics };
}

Deno.test("metrics: requests are counted by method, route pattern and status, with latency", async () => {
  const { app } = setup();
  const ok = { headers: { authorization: "ok" } };
  assert.equal((await app.request("/v1/things/a", ok)).status, 200);
  assert.equal((await app.request("/v1/things/b", ok)).status, 200);
  assert.equal((await app.request("/v1/things/c")).status, 401);
  assert.equal((await app.request("/nowhere/at/all")).status, 404);

  const res = await app.request("/metrics");
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
  const samples = parseExposition(await res.text());
  const count = (route: string, status: number) =>
    samples.get(`cove_http_requests_total{method="GET",route="${route}",status="${status}"}`);
  // The pattern, not the path: ids never become label values.
  assert.equal(count("/v1/things/:id", 200), 2);
  assert.equal(count("/v1/things/*", 401), 1);
  assert.equal(count(UNMATCHED_ROUTE, 404), 1);
  assert.equal(
    samples.get(`cove_http_request_duration_seconds_count{method="GET",route="/v1/things/:id"}`),
    2,
  );
  assert.equal(
    samples.get(
      `cove_http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/v1/things/:id"}`,
    ),
    2,
  );
  assert.ok(![...samples.keys()].some((k) => k.includes("/v1/things/a")));

  // The scrape itself shows up in the next one.
  const again = parseExposition(await (await app.request("/metrics")).text());
  assert.equal(
    again.get(`cove_http_requests_total{method="GET",route="/metrics",status="200"}`),
    1,
  );
});

Deno.test("metrics: gauges read their sources at scrape time; a failing one does not fail the scrape", async () => {
  let connections = 3;
  const { app, metrics } = setup({
    streamConnections: () => connections,
    activeActors: () => 7,
    deadLetters: () => Promise.reject(new Error("database down")),
  });
  metrics.botDropped("honeypot");
  let samples = parseExposition(await (await app.request("/metrics")).text());
  assert.equal(samples.get("cove_stream_connections"), 3);
  assert.equal(samples.get("cove_actors_active"), 7);
  assert.equal(samples.get(`cove_widget_bot_submissions_total{reason="honeypot"}`), 1);
  assert.ok(Number.isNaN(samples.get("cove_outbox_dead")), "unknown, not zero");
  connections = 5;
  samples = parseExposition(await (await app.request("/metrics")).text());
  assert.equal(samples.get("cove_stream_connections"), 5);

  const dead = parseExposition(
    await new GatewayMetrics({ deadLetters: () => Promise.resolve(4) }).text(),
  );
  assert.equal(dead.get("cove_outbox_dead"), 4);
});
