/**
 * The browser side of the gateway: the dashboard's HTML shell at `/` (and
 * at `/signin`, where the one-time sign-in links point: the dashboard
 * redeems the `#code=` itself), the capture widget at `/widget.js`, the
 * built bundles under `/ui/*` (ui/dist, built by `deno task build:ui`), and
 * `/ui/api/head`, the stream position a dashboard subscribes from after
 * loading its REST views.
 *
 * Bundles are sent gzipped to clients that accept it (compressed once per
 * process). Caching: `/ui/<file>?v=<hash>` (how the shell links bundles) is immutable
 * for a year; anything else revalidates with an ETag, and `/widget.js`,
 * whose URL sits in other people's pages, is cached for five minutes.
 *
 * @module
 */
import { type Context, Hono } from "hono";
import type { Sql } from "../actors/runtime/mod.ts";
import type { VerifyStreamToken } from "./sse.ts";

/** What the UI routes need. */
export interface UiRouteDeps {
  /** Checks a dashboard's access token (the stream routes' check). */
  verify: VerifyStreamToken;
  /** The tenant's last stream position (see {@link streamHead}). */
  head: (tenant: string) => Promise<number>;
  /** Where the bundles are (default ui/dist of this checkout). */
  distDir?: URL;
}

/** The last stream position of `tenant`: a dashboard that loaded its views subscribes from it. */
export async function streamHead(sql: Sql, tenant: string): Promise<number> {
  const [row] = await sql<{ position: number }[]>`
    SELECT coalesce(max(position), 0)::float8 AS position FROM events WHERE tenant = ${tenant}`;
  return row?.position ?? 0;
}

const CONTENT_TYPES: Record<string, string> = {
  js: "text/javascript; charset=utf-8",
  map: "application/json; charset=utf-8",
  css: "text/css; charset=utf-8",
  json: "application/json; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  ico: "image/x-icon",
};

const ASSET_NAME = /^[a-z0-9_-]+(\.[a-z0-9]+)+$/;
const DEFAULT_DIST = new URL("../ui/dist/", import.meta.url);

interface Asset {
  bytes: Uint8Array<ArrayBuffer>;
  /** The same bytes gzipped once when loaded (the dashboard bundle shrinks about four times). */
  gzipped: Uint8Array<ArrayBuffer>;
  etag: string;
  type: string;
}

/** The `/` sub-app; mount with `app.route("/", uiRoutes(deps))`. */
export function uiRoutes(deps: UiRouteDeps): Hono {
  const app = new Hono();
  const dist = deps.distDir ?? DEFAULT_DIST;
  const cache = new Map<string, Promise<Asset | null>>();
  // Read once per process: a rebuilt bundle is served after a restart, like the code itself.
  const asset = (name: string) => {
    let found = cache.get(name);
    if (!found) {
      found = loadAsset(dist, name);
      cache.set(name, found);
    }
    return found;
  };

  const serveAsset = async (name: string, c: Context) => {
    const a = ASSET_NAME.test(name) ? await asset(name) : null;
    if (!a) return c.json({ error: { code: "not_found", message: `no UI asset ${name}` } }, 404);
    c.header("Content-Type", a.type);
    c.header("ETag", a.etag);
    c.header("X-Content-Type-Options", "nosniff");
    // Scripts on other origins' pages: allowed even under their COEP.
    c.header("Cross-Origin-Resource-Policy", "cross-origin");
    const v = c.req.query("v");
    if (name === "widget.js" && c.req.path === "/widget.js") {
      c.header("Cache-Control", "public, max-age=300");
    } else if (v !== undefined && `"${v}"` === a.etag) {
      c.header("Cache-Control", "public, max-age=31536000, immutable");
    } else {
      c.header("Cache-Control", "no-cache");
    }
    c.header("Vary", "Accept-Encoding");
    if (c.req.header("If-None-Match") === a.etag) return c.body(null, 304);
    if (/\bgzip\b/.test(c.req.header("Accept-Encoding") ?? "")) {
      c.header("Content-Encoding", "gzip");
      return c.body(a.gzipped, 200);
    }
    return c.body(a.bytes, 200);
  };

  const shell = async (c: Context) => {
    const bundle = await asset("dashboard.js");
    const version = bundle ? bundle.etag.slice(1, -1) : "missing";
    c.header("Cache-Control", "no-cache");
    c.header("X-Content-Type-Options", "nosniff");
    // The sign-in code travels in the fragment, which is never sent; keep URLs out of referrers too.
    c.header("Referrer-Policy", "no-referrer");
    c.header(
      "Content-Security-Policy",
      "default-src 'self'; connect-src 'self' ws: wss:; style-src 'self' 'unsafe-inline'; " +
        "img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'",
    );
    return c.html(dashboardShell(version));
  };

  app.get("/", shell);
  app.get("/signin", shell);
  app.get("/widget.js", (c) => serveAsset("widget.js", c));
  app.get("/ui/api/head", async (c) => {
    const token = c.req.header("Authorization")?.match(/^Bearer (.+)$/i)?.[1];
    const who = token ? await deps.verify(token) : null;
    if (!who) {
      return c.json({
        error: { code: "unauthorized", message: "a valid Bearer token is required" },
      }, 401);
    }
    c.header("Cache-Control", "no-store");
    return c.json({ position: await deps.head(who.tenant) });
  });
  app.get("/ui/:file", (c) => serveAsset(c.req.param("file"), c));
  return app;
}

async function loadAsset(dist: URL, name: string): Promise<Asset | null> {
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = await Deno.readFile(new URL(name, dist));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)).slice(0, 12);
  const etag = `"${btoa(String.fromCharCode(...hash)).replace(/[+/=]/g, "")}"`;
  const ext = name.slice(name.lastIndexOf(".") + 1);
  const gzipped = new Uint8Array(
    await new Response(new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip")))
      .arrayBuffer(),
  );
  return { bytes, gzipped, etag, type: CONTENT_TYPES[ext] ?? "application/octet-stream" };
}

/** The dashboard's HTML: a shell the bundle fills; readable (and themed) before it loads. */
export function dashboardShell(version: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>Cove</title><link rel="icon" href="data:,">
<style>html{color-scheme:light}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",
Roboto,sans-serif;color:#1c1b1f;background:#f6f7f9}noscript p{padding:1rem}</style>
<script type="module" src="/ui/dashboard.js?v=${encodeURIComponent(version)}"></script>
</head><body><cove-dashboard></cove-dashboard>
<noscript><p>The Cove dashboard needs JavaScript.</p></noscript></body></html>`;
}
