import assert from "node:assert/strict";
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
