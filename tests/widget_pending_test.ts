import assert from "node:assert/strict";
import {
  Courier,
  type DeliveryOutcome,
  type KeyValueStorage,
  PENDING_STORAGE_KEY,
  retryDelay,
} from "../ui/widget/pending.ts";

function memoryStorage(): KeyValueStorage & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => void map.set(k, v),
    removeItem: (k) => void map.delete(k),
  };
}

/** A gateway whose answers the test scripts; records every post's body. */
function scriptedFetch(answers: Array<number | "down">) {
  const posts: { url: string; key: string; body: Record<string, unknown> }[] = [];
  const fetchFn = ((url: string, init: RequestInit) =>
    Promise.resolve().then(() => {
      posts.push({
        url,
        key: new Headers(init.headers).get("x-site-key")!,
        body: JSON.parse(String(init.body)),
      });
      const next = answers.shift() ?? 202;
      if (next === "down") throw new TypeError("Failed to fetch");
      const body = next < 300
        ? { leadId: "lead-1" }
        : { error: { code: "x", message: `refused ${next}` } };
      return new Response(JSON.stringify(body), {
        status: next,
        headers: next === 429 ? { "retry-after": "7" } : {},
      });
    })) as typeof fetch;
  return { fetchFn, posts };
}

/** Timers the test fires by hand. */
function manualTimers() {
  const due: { ms: number; fn: () => void }[] = [];
  return {
    due,
    schedule: (ms: number, fn: () => void) => void due.push({ ms, fn }),
    fireAll: async () => {
      for (const t of due.splice(0)) t.fn();
      await new Promise((r) => setTimeout(r, 0));
    },
  };
}

const lead = {
  endpoint: "https://cove.test/v1/widget/leads",
  siteKey: "site_1",
  body: { idempotencyKey: "key-1", email: "ada@example.com", elapsedMs: 3_000 },
};

Deno.test("a lead is stored before it is posted and removed once accepted", async () => {
  const storage = memoryStorage();
  let storedDuringPost: string | null = null;
  const { fetchFn } = scriptedFetch([202]);
  const courier = new Courier({
    storage,
    fetch: ((url: string, init: RequestInit) => {
      storedDuringPost = storage.getItem(PENDING_STORAGE_KEY);
      return fetchFn(url, init);
    }) as typeof fetch,
  });
  assert.deepEqual(await courier.submit(lead), { state: "accepted", leadId: "lead-1" });
  assert.match(storedDuringPost ?? "", /key-1/);
  assert.equal(storage.getItem(PENDING_STORAGE_KEY), null);
});

Deno.test("network failures and 5xx are retried with the same idempotency key until accepted", async () => {
  const storage = memoryStorage();
  const timers = manualTimers();
  const { fetchFn, posts } = scriptedFetch(["down", 503, 202]);
  const outcomes: DeliveryOutcome["state"][] = [];
  const courier = new Courier({
    storage,
    fetch: fetchFn,
    schedule: timers.schedule,
    random: () => 0.5,
    onOutcome: (_, o) => outcomes.push(o.state),
  });
  assert.equal((await courier.submit(lead)).state, "retry");
  assert.equal(courier.pending()[0]!.attempts, 1);
  assert.deepEqual(timers.due.map((t) => t.ms), [1_000]);
  await timers.fireAll();
  assert.deepEqual(timers.due.map((t) => t.ms), [2_000]);
  await timers.fireAll();
  assert.deepEqual(outcomes, ["retry", "retry", "accepted"]);
  assert.deepEqual(posts.map((p) => p.body.idempotencyKey), ["key-1", "key-1", "key-1"]);
  assert.ok(posts.every((p) => p.key === "site_1" && p.url.endsWith("?site_key=site_1")));
  assert.deepEqual(courier.pending(), []);
});

Deno.test("a 429 waits as long as Retry-After says; a 4xx refusal is not retried", async () => {
  const timers = manualTimers();
  const { fetchFn } = scriptedFetch([429, 400]);
  const courier = new Courier({
    storage: memoryStorage(),
    fetch: fetchFn,
    schedule: timers.schedule,
  });
  assert.equal((await courier.submit(lead)).state, "retry");
  assert.deepEqual(timers.due.map((t) => t.ms), [7_000]);
  await timers.fireAll();
  assert.deepEqual(courier.pending(), []);
  assert.equal(timers.due.length, 0);
});

Deno.test("leads left by an earlier page are posted by the next page's resume", async () => {
  const storage = memoryStorage();
  const first = new Courier({
    storage,
    fetch: scriptedFetch(["down"]).fetchFn,
    schedule: () => {}, // the page is closed before its retry
  });
  await first.submit(lead);
  const { fetchFn, posts } = scriptedFetch([202]);
  const next = new Courier({ storage, fetch: fetchFn });
  assert.deepEqual((await next.resume()).map((o) => o.state), ["accepted"]);
  assert.equal(posts[0]!.body.idempotencyKey, "key-1");
  assert.equal(storage.getItem(PENDING_STORAGE_KEY), null);
});

Deno.test("retry delays double from a second to a minute, jittered by a quarter", () => {
  assert.equal(retryDelay(1, () => 0.5), 1_000);
  assert.equal(retryDelay(3, () => 0.5), 4_000);
  assert.equal(retryDelay(30, () => 0.5), 60_000);
  assert.equal(retryDelay(1, () => 0), 750);
  assert.equal(retryDelay(1, () => 1), 1_250);
});
