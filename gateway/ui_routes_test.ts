import assert from "node:assert/strict";
import { uiRoutes } from "./ui_routes.ts";

async function withDist(fn: (app: ReturnType<typeof uiRoutes>) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "cove_ui_dist_" });
  await Deno.writeTextFile(`${dir}/widget.js`, "console.log('widget')");
  await Deno.writeTextFile(`${dir}/dashboard.js`, "console.log('dashboard')");
  await Deno.writeTextFile(`${dir}/style.css`, "body{}");
  try {
    await fn(uiRoutes({
      distDir: new URL(`file://${dir}/`),
      verify: (token) => Promise.resolve(token === "good" ? { tenant: "t1" } : null),
      head: (tenant) => Promise.resolve(tenant === "t1" ? 42 : -1),
    }));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("/widget.js is served as JavaScript for other origins, cached for minutes", async () => {
  await withDist(async (app) => {
    const res = await app.request("/widget.js");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/javascript; charset=utf-8");
    assert.equal(res.headers.get("cache-control"), "public, max-age=300");
    assert.equal(res.headers.get("cross-origin-resource-policy"), "cross-origin");
    assert.equal(await res.text(), "console.log('widget')");
    const again = await app.request("/widget.js", {
      headers: { "if-none-match": res.headers.get("etag")! },
    });
    assert.equal(again.status, 304);
    // A client that accepts gzip gets the same bytes compressed.
    const zipped = await app.request("/widget.js", { headers: { "accept-encoding": "br, gzip" } });
    assert.equal(zipped.headers.get("content-encoding"), "gzip");
    assert.equal(zipped.headers.get("vary"), "Accept-Encoding");
    const unzipped = zipped.body!.pipeThrough(new DecompressionStream("gzip"));
    assert.equal(await new Response(unzipped).text(), "console.log('widget')");
  });
});

Deno.test("the shell at / and /signin links the dashboard bundle by hash, cached immutably", async () => {
  await withDist(async (app) => {
    for (const path of ["/", "/signin"]) {
      const res = await app.request(path);
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-type") ?? "", /^text\/html/);
      assert.equal(res.headers.get("cache-control"), "no-cache");
      assert.match(res.headers.get("content-security-policy") ?? "", /default-src 'self'/);
      const html = await res.text();
      assert.match(html, /<cove-dashboard>/);
      const src = html.match(/src="(\/ui\/dashboard\.js\?v=[^"]+)"/)?.[1];
      assert.ok(src, html);
      const bundle = await app.request(src);
      assert.equal(bundle.headers.get("cache-control"), "public, max-age=31536000, immutable");
      assert.equal(await bundle.text(), "console.log('dashboard')");
    }
    // Without the matching hash the same file revalidates.
    const plain = await app.request("/ui/dashboard.js?v=old");
    assert.equal(plain.headers.get("cache-control"), "no-cache");
  });
});

Deno.test("/ui/* answers content types, and 404 for unknown or odd names", async () => {
  await withDist(async (app) => {
    const css = await app.request("/ui/style.css");
    assert.equal(css.headers.get("content-type"), "text/css; charset=utf-8");
    await css.body?.cancel();
    for (const path of ["/ui/nope.js", "/ui/..%2Fsecrets.js", "/ui/.env"]) {
      const res = await app.request(path);
      assert.equal(res.status, 404, path);
      await res.body?.cancel();
    }
  });
});

Deno.test("/ui/api/head answers the caller's tenant's stream position, with a valid token", async () => {
  await withDist(async (app) => {
    const anon = await app.request("/ui/api/head");
    assert.equal(anon.status, 401);
    await anon.body?.cancel();
    const bad = await app.request("/ui/api/head", { headers: { authorization: "Bearer bad" } });
    assert.equal(bad.status, 401);
    await bad.body?.cancel();
    const ok = await app.request("/ui/api/head", { headers: { authorization: "Bearer good" } });
    assert.deepEqual(await ok.json(), { position: 42 });
  });
});
