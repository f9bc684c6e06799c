import assert from "node:assert/strict";
import { createTokenService, tokenSecret } from "./gateway/mod.ts";
import { startCove } from "./node.ts";
import { loadConfig, UnavailableError } from "./shared/mod.ts";

/** Configuration for an embedded node on a free loopback port under `dataDir`. */
function testConfig(dataDir: string, env: Record<string, string> = {}) {
  return loadConfig({ PORT: "0", HOST: "127.0.0.1", DATA_DIR: dataDir, ...env });
}

Deno.test("startCove serves readiness over HTTP and stop() closes everything", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "cove_node_" });
  const lines: string[] = [];
  try {
    const node = await startCove(testConfig(dataDir, { NODE_ID: "n1" }), {
      log: (line) => lines.push(line),
    });
    try {
      assert.equal(node.mode, "embedded");
      assert.equal(node.nodeId, "n1");
      assert.equal(node.url, `http://127.0.0.1:${node.port}`);
      assert.match(lines.join("\n"), /node n1 listening on http:\/\/127\.0\.0\.1:\d+ .*embedded/);
      const res = await fetch(`${node.url}/readyz`);
      assert.equal(res.status, 200);
      assert.equal((await res.json()).status, "ready");
    } finally {
      await node.stop();
    }
    // Idempotent: a second stop (say, a second signal's path) is harmless.
    await node.stop();
    await assert.rejects(fetch(`${node.url}/healthz`));
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("startCove that cannot reach Redis rethrows and closes what it had opened", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "cove_node_" });
  try {
    await assert.rejects(
      startCove(testConfig(dataDir, { REDIS_URL: "redis://127.0.0.1:1" }), { log: () => {} }),
      UnavailableError,
    );
    // Reaching here with the sanitizers quiet means the embedded database was closed.
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("a node streams committed events over SSE to a token signed with its secret", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "cove_node_" });
  try {
    const node = await startCove(testConfig(dataDir), { log: () => {} });
    try {
      // What `deno task token` does: sign with the secret kept under DATA_DIR.
      const tokens = createTokenService({ secret: await tokenSecret(dataDir) });
      const { accessToken } = await tokens.issue({ sub: "t", tenant: "demo", role: "admin" });
      const denied = await fetch(`${node.url}/v1/stream/sse`, {
        headers: { authorization: "Bearer not-a-token" },
      });
      assert.equal(denied.status, 401);
      await denied.body?.cancel();
      const res = await fetch(`${node.url}/v1/stream/sse?topics=tenant`, {
        headers: { authorization: `Bearer ${accessToken}` },
      });
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-type") ?? "", /text\/event-stream/);
      await res.body?.cancel();
    } finally {
      await node.stop();
    }
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
