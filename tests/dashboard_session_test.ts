import assert from "node:assert/strict";
import type { KeyValueStorage } from "../ui/widget/pending.ts";
import {
  REFRESH_MARGIN_MS,
  Session,
  SESSION_STORAGE_KEY,
  SignInError,
} from "../ui/dashboard/session.ts";

function memoryStorage(): KeyValueStorage {
  const map = new Map<string, string>();
  return {
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => void map.set(k, v),
    removeItem: (k) => void map.delete(k),
  };
}

/** A gateway answering sign-in and refresh; counts refreshes. */
function fakeGateway(opts: { refreshStatus?: number } = {}) {
  const calls: string[] = [];
  let n = 0;
  const fetchFn = ((url: string, init: RequestInit) =>
    Promise.resolve().then(() => {
      const path = new URL(url).pathname;
      calls.push(path);
      const body = JSON.parse(String(init.body));
      if (path === "/v1/auth/signin") {
        if (body.code !== "good") {
          return Response.json({ error: { message: "sign-in code unknown" } }, { status: 401 });
        }
        return Response.json({
          accessToken: "a0",
          refreshToken: "r0",
          expiresIn: 900,
          tenant: "demo",
          role: "admin",
        });
      }
      if (opts.refreshStatus) return Response.json({}, { status: opts.refreshStatus });
      n++;
      assert.equal(body.refreshToken, `r${n - 1}`);
      return Response.json({ accessToken: `a${n}`, refreshToken: `r${n}`, expiresIn: 900 });
    })) as typeof fetch;
  return { fetchFn, calls };
}

Deno.test("a one-time code signs in; the pair is kept and renewed before it expires", async () => {
  let now = 1_000_000;
  const gw = fakeGateway();
  const storage = memoryStorage();
  const s = new Session({
    storage,
    baseUrl: "https://cove.test/",
    fetch: gw.fetchFn,
    now: () => now,
  });
  const signedIn = await s.signIn("good");
  assert.equal(signedIn.tenant, "demo");
  assert.equal(await s.accessToken(), "a0");
  // A reload finds the session in storage.
  const reloaded = new Session({
    storage,
    baseUrl: "https://cove.test",
    fetch: gw.fetchFn,
    now: () => now,
  });
  assert.equal(reloaded.current?.accessToken, "a0");

  now += 900_000 - REFRESH_MARGIN_MS + 1;
  // Two callers at once share one refresh.
  assert.deepEqual(await Promise.all([s.accessToken(), s.accessToken()]), ["a1", "a1"]);
  assert.equal(gw.calls.filter((c) => c === "/v1/auth/refresh").length, 1);
  assert.equal(JSON.parse(storage.getItem(SESSION_STORAGE_KEY)!).refreshToken, "r1");
});

Deno.test("a bad code says why; a refused refresh signs out", async () => {
  const gw = fakeGateway({ refreshStatus: 401 });
  const storage = memoryStorage();
  let now = 0;
  const s = new Session({
    storage,
    baseUrl: "https://cove.test",
    fetch: gw.fetchFn,
    now: () => now,
  });
  await assert.rejects(
    s.signIn("bad"),
    (e) => e instanceof SignInError && /unknown/.test(e.message),
  );
  await s.signIn("good");
  const seen: unknown[] = [];
  s.onChange((x) => seen.push(x));
  now += 20 * 60_000;
  await assert.rejects(s.accessToken(), SignInError);
  assert.equal(s.current, null);
  assert.deepEqual(seen, [null]);
});
