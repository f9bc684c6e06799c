import assert from "node:assert/strict";
import { loadConfig } from "./config.ts";
import { ConfigError } from "./errors.ts";

Deno.test("configuration defaults need no environment", () => {
  const c = loadConfig({});
  assert.equal(c.PORT, 8080);
  assert.equal(c.DATA_DIR, "./data");
  assert.equal(c.DATABASE_URL, undefined);
  assert.deepEqual(c.NODE_TAGS, []);
});

Deno.test("configuration parses values and tags", () => {
  const c = loadConfig({
    PORT: "9000",
    DATABASE_URL: "postgres://u@db:5432/cove",
    REDIS_URL: "redis://cache:6379",
    NODE_TAGS: "gpu, edge",
    ASK_TIMEOUT_MS: "250",
  });
  assert.equal(c.PORT, 9000);
  assert.deepEqual(c.NODE_TAGS, ["gpu", "edge"]);
  assert.equal(c.ASK_TIMEOUT_MS, 250);
});

Deno.test("a bad value names the variable, what it expects and what it got", () => {
  let err: unknown;
  try {
    loadConfig({ PORT: "abc", DATABASE_URL: "mysql://x", NODE_TAGS: "GPU" });
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof ConfigError);
  const paths = (err.details.issues as { path: string }[]).map((i) => i.path.split(".")[0]);
  assert.deepEqual(paths.toSorted(), ["DATABASE_URL", "NODE_TAGS", "PORT"]);
  assert.match(err.message, /PORT: .*number.*\(got "abc"\)/);
});

Deno.test("rate limits per minute default to 100, 500 and 50; 0 is allowed, negatives are not", () => {
  const d = loadConfig({});
  assert.deepEqual([d.RATE_LIMIT_DEFAULT, d.RATE_LIMIT_AI, d.RATE_LIMIT_WIDGET], [300, 500, 50]);
  const c = loadConfig({ RATE_LIMIT_DEFAULT: "0", RATE_LIMIT_AI: "1200", RATE_LIMIT_WIDGET: "5" });
  assert.deepEqual([c.RATE_LIMIT_DEFAULT, c.RATE_LIMIT_AI, c.RATE_LIMIT_WIDGET], [0, 1200, 5]);
  assert.throws(() => loadConfig({ RATE_LIMIT_WIDGET: "-1" }), /RATE_LIMIT_WIDGET/);
  assert.throws(() => loadConfig({ RATE_LIMIT_AI: "1.5" }), /RATE_LIMIT_AI/);
});

Deno.test("Upstash REST needs its URL and token together", () => {
  const c = loadConfig({
    UPSTASH_REDIS_REST_URL: "https://eu1-x.upstash.io",
    UPSTASH_REDIS_REST_TOKEN: "tok",
  });
  assert.equal(c.UPSTASH_REDIS_REST_URL, "https://eu1-x.upstash.io");
  assert.equal(c.UPSTASH_REDIS_REST_TOKEN, "tok");
  assert.throws(
    () => loadConfig({ UPSTASH_REDIS_REST_URL: "https://eu1-x.upstash.io" }),
    /UPSTASH_REDIS_REST_TOKEN: required with UPSTASH_REDIS_REST_URL/,
  );
  assert.throws(
    () => loadConfig({ UPSTASH_REDIS_REST_TOKEN: "tok" }),
    /UPSTASH_REDIS_REST_URL: required with UPSTASH_REDIS_REST_TOKEN/,
  );
  assert.throws(
    () => loadConfig({ UPSTASH_REDIS_REST_URL: "redis://x", UPSTASH_REDIS_REST_TOKEN: "t" }),
    /UPSTASH_REDIS_REST_URL/,
  );
});
