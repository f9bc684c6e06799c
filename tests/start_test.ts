/**
 * `deno task start` as a real process: it starts on a fresh data directory,
 * answers the health endpoints over HTTP, and stops cleanly on SIGTERM; a bad
 * configuration value stops it before it starts, naming the variable.
 *
 * @module
 */
import assert from "node:assert/strict";
import { ConfigSchema } from "../shared/mod.ts";

const ROOT = new URL("..", import.meta.url);
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;

/** The arguments of the `start` task in deno.json, so the test runs exactly what users run. */
async function startArgs(): Promise<string[]> {
  const json = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  const [deno, ...args] = String(json.tasks.start).split(/\s+/);
  assert.equal(deno, "deno");
  return args;
}

/** A started `deno task start` process with its output collected as it arrives. */
interface CoveProcess {
  readonly output: { stdout: string; stderr: string };
  readonly status: Promise<Deno.CommandStatus>;
  /** Resolves once both output streams have ended. */
  readonly drained: Promise<void>;
  kill(signal: Deno.Signal): void;
}

async function spawnCove(env: Record<string, string>): Promise<CoveProcess> {
  // Blank every Cove variable first so the developer's own environment
  // (a DATABASE_URL, say) cannot leak into the test.
  const blank = Object.fromEntries(Object.keys(ConfigSchema.shape).map((k) => [k, ""]));
  const child = new Deno.Command(Deno.execPath(), {
    args: await startArgs(),
    cwd: ROOT,
    env: { ...blank, NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = { stdout: "", stderr: "" };
  const collect = async (stream: ReadableStream<Uint8Array>, key: "stdout" | "stderr") => {
    for await (const text of stream.pipeThrough(new TextDecoderStream())) output[key] += text;
  };
  const drained = Promise.all([collect(child.stdout, "stdout"), collect(child.stderr, "stderr")])
    .then(() => {});
  let exited = false;
  const status = child.status.finally(() => exited = true);
  return {
    output,
    status,
    drained,
    kill: (signal) => {
      if (!exited) child.kill(signal);
    },
  };
}

/** Resolves with `promise`, or rejects naming `what` after `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits for the start-up line and returns the URL it names. */
async function waitForUrl(cove: CoveProcess): Promise<string> {
  let exited = false;
  cove.status.then(() => exited = true);
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline && !exited) {
    const match = cove.output.stdout.match(/listening on (http:\/\/\S+)/);
    if (match) return match[1]!;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(
    `no start-up line within ${START_TIMEOUT_MS} ms (exited: ${exited})\n` +
      `stdout:\n${cove.output.stdout}\nstderr:\n${cove.output.stderr}`,
  );
}

async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.json() };
}

Deno.test("deno task start serves /healthz and /readyz and stops cleanly on SIGTERM", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "cove_start_" });
  const cove = await spawnCove({ PORT: "0", HOST: "127.0.0.1", DATA_DIR: dataDir });
  try {
    const url = await waitForUrl(cove);
    assert.match(cove.output.stdout, /node \S+ listening on .*embedded database/);

    assert.deepEqual(await getJson(`${url}/healthz`), { status: 200, body: { status: "ok" } });
    assert.deepEqual(await getJson(`${url}/readyz`), {
      status: 200,
      body: { status: "ready", checks: { database: "ok", bus: "not configured" } },
    });
    // The embedded database lives under DATA_DIR.
    assert.ok((await Deno.stat(`${dataDir}/pg`)).isDirectory);

    cove.kill("SIGTERM");
    const status = await within(cove.status, STOP_TIMEOUT_MS, "shutdown after SIGTERM");
    await cove.drained;
    assert.equal(status.code, 0, `stderr:\n${cove.output.stderr}`);
    assert.match(cove.output.stdout, /SIGTERM received; shutting down/);
    assert.match(cove.output.stdout, /cove: stopped/);
  } finally {
    cove.kill("SIGKILL");
    await cove.status;
    await cove.drained;
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("deno task start with PORT=abc exits non-zero naming PORT", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "cove_start_" });
  const cove = await spawnCove({ PORT: "abc", HOST: "127.0.0.1", DATA_DIR: dataDir });
  try {
    const status = await within(cove.status, START_TIMEOUT_MS, "exit on a bad PORT");
    await cove.drained;
    assert.notEqual(status.code, 0);
    assert.match(cove.output.stderr, /invalid configuration/);
    assert.match(cove.output.stderr, /PORT: .*"abc"/);
    assert.doesNotMatch(cove.output.stdout, /listening on/);
  } finally {
    cove.kill("SIGKILL");
    await cove.status;
    await cove.drained;
    await Deno.remove(dataDir, { recursive: true });
  }
});

/** Waits for `pattern` in the output of `cove`, or for it to exit. */
async function waitForLine(cove: CoveProcess, pattern: RegExp): Promise<RegExpMatchArray> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const match = cove.output.stdout.match(pattern);
    if (match) return match;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no line matching ${pattern}\nstdout:\n${cove.output.stdout}`);
}

async function stopCove(cove: CoveProcess): Promise<void> {
  cove.kill("SIGTERM");
  const status = await within(cove.status, STOP_TIMEOUT_MS, "shutdown after SIGTERM");
  await cove.drained;
  assert.equal(status.code, 0, `stderr:\n${cove.output.stderr}`);
}

Deno.test("first start prints a sign-in URL whose code signs in once; the demo site key captures; a restart prints none", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "cove_start_" });
  let cove = await spawnCove({ PORT: "0", HOST: "127.0.0.1", DATA_DIR: dataDir });
  try {
    const url = await waitForUrl(cove);
    const [, siteKey, signinUrl, code] = await waitForLine(
      cove,
      /created tenant demo with widget site key (\S+);.*: (http:\/\/\S+\/signin#code=([\w-]+))/,
    );
    assert.ok(signinUrl!.startsWith(`${url}/signin#code=`), signinUrl);

    // The link opens the dashboard, whose bundle redeems the code.
    const page = await fetch(`${url}/signin`);
    assert.equal(page.status, 200);
    const bundle = (await page.text()).match(/src="(\/ui\/dashboard\.js[^"]*)"/)?.[1];
    assert.ok(bundle, "the sign-in page loads the dashboard bundle");
    assert.match(await (await fetch(url + bundle)).text(), /\/v1\/auth\/signin/);

    const signin = () =>
      fetch(`${url}/v1/auth/signin`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ code }),
      });
    const first = await signin();
    assert.equal(first.status, 200);
    const tokens = await first.json();
    assert.equal(tokens.tenant, "demo");
    assert.equal(tokens.role, "admin");
    const second = await signin();
    assert.equal(second.status, 401);
    await second.body?.cancel();

    const authorization = `Bearer ${tokens.accessToken}`;
    // A stream ticket opens one SSE connection, once.
    const minted = await fetch(`${url}/v1/auth/ticket`, {
      method: "POST",
      headers: { authorization },
    });
    const { ticket } = await minted.json();
    const sse = await fetch(`${url}/v1/stream/sse?topics=tenant&ticket=${ticket}`);
    assert.equal(sse.status, 200);
    const reader = sse.body!.getReader();
    const { value } = await reader.read();
    assert.match(new TextDecoder().decode(value), /"type":"ready"/);
    await reader.cancel();
    const reused = await fetch(`${url}/v1/stream/sse?topics=tenant&ticket=${ticket}`);
    assert.equal(reused.status, 401);
    await reused.body?.cancel();
    const sites = await (await fetch(`${url}/v1/site-keys`, { headers: { authorization } })).json();
    assert.deepEqual(sites.items.map((s: { key: string }) => s.key), [siteKey]);

    // The node's own origin may use the demo key.
    const captured = await fetch(`${url}/v1/widget/leads?site_key=${siteKey}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-site-key": siteKey!, origin: url },
      body: JSON.stringify({
        idempotencyKey: "start-1",
        email: "ana@example.com",
        elapsedMs: 3000,
      }),
    });
    assert.equal(captured.status, 202);
    const { leadId } = await captured.json();
    const found = await fetch(`${url}/v1/leads/${leadId}`, { headers: { authorization } });
    assert.equal(found.status, 200);
    await found.body?.cancel();

    const metrics = await (await fetch(`${url}/metrics`)).text();
    assert.match(
      metrics,
      /cove_http_requests_total\{method="POST",route="\/v1\/auth\/signin",status="401"\} 1/,
    );

    await stopCove(cove);
    // A restart on the same data finds tenant demo: no new tenant, no new link.
    cove = await spawnCove({ PORT: "0", HOST: "127.0.0.1", DATA_DIR: dataDir });
    await waitForUrl(cove);
    await stopCove(cove);
    assert.doesNotMatch(cove.output.stdout, /first start|signin#code=/);
  } finally {
    cove.kill("SIGKILL");
    await cove.status;
    await cove.drained;
    await Deno.remove(dataDir, { recursive: true });
  }
});
