/**
 * Browser test support: a real Cove node started in-process (on its own
 * Postgres schema when TEST_DATABASE_URL is set, else embedded), stoppable
 * and restartable on the same port and data; a host page on another origin
 * that embeds the widget by script tag; and Debian's chromium driven by
 * playwright-core, with console errors collected and screenshots saved
 * under `test-artifacts/` (gitignored).
 *
 * @module
 */
import postgres from "postgres";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { createTokenService, OneTimeCodes, tokenSecret } from "../../gateway/mod.ts";
import { type CoveNode, startCove } from "../../node.ts";
import { newId } from "../../shared/ids.ts";
import { loadConfig } from "../../shared/mod.ts";

/** Debian's chromium, installed by `.ci/run` when browser tests exist. */
export const CHROMIUM = "/usr/bin/chromium";

/** True when chromium is installed (tests are ignored otherwise, saying why). */
export const hasChromium: boolean = (() => {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
})();

/** Where screenshots go. */
export const ARTIFACTS = new URL("../../test-artifacts/", import.meta.url);

/** Options every browser test passes to `Deno.test` (playwright keeps pipes open between steps). */
export const BROWSER_TEST = {
  // Sign-in codes are minted in the node's schema, so the tests run on real Postgres.
  ignore: !hasChromium || !Deno.env.get("TEST_DATABASE_URL"),
  sanitizeOps: false,
  sanitizeResources: false,
} as const;

/** Polls `check` every 50 ms until it answers a truthy value; throws naming `what` after `ms`. */
export async function until<T>(check: () => Promise<T> | T, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${what}: not reached within ${ms} ms${last ? ` (last error: ${last})` : ""}`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A node that can be stopped and started again on the same port and data. */
export interface Gateway {
  readonly url: string;
  readonly port: number;
  /** An admin access token of tenant `demo`. */
  readonly adminToken: string;
  /** A client of the node's database (its schema), for checks. */
  readonly sql: postgres.Sql | null;
  /** Stops the node (the gateway goes down). */
  down(): Promise<void>;
  /** Starts it again on the same port and data. */
  up(): Promise<void>;
  /** A new one-time sign-in code for `demo`'s admin. */
  signinCode(): Promise<string>;
  /** Stops everything and drops the schema. */
  close(): Promise<void>;
}

/** Starts a node on a free port; see {@link Gateway}. */
export async function startGateway(): Promise<Gateway> {
  const dataDir = await Deno.makeTempDir({ prefix: "cove_browser_" });
  const dbUrl = Deno.env.get("TEST_DATABASE_URL");
  if (!dbUrl) throw new Error("browser tests need TEST_DATABASE_URL");
  const schema = `ui_${newId()}`.toLowerCase().replace(/[^a-z0-9_]/g, "_");
  let admin: postgres.Sql | null = null;
  let sql: postgres.Sql | null = null;
  let nodeDb: string | undefined;
  if (dbUrl) {
    admin = postgres(dbUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`CREATE SCHEMA "${schema}"`);
    const u = new URL(dbUrl);
    u.searchParams.set("search_path", schema);
    nodeDb = u.href;
    sql = postgres(nodeDb, { max: 2, onnotice: () => {} });
  }
  const config = (port: number) =>
    loadConfig({
      PORT: String(port),
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      LOG_LEVEL: "warn",
      ...(nodeDb ? { DATABASE_URL: nodeDb } : {}),
    });
  // COVE_UI_DIST: a private build (`deno task build:ui --out DIR`) instead of ui/dist.
  const ui = Deno.env.get("COVE_UI_DIST");
  const options = {
    log: () => {},
    ...(ui ? { uiDist: new URL(`file://${ui.replace(/\/?$/, "/")}`) } : {}),
  };
  let node: CoveNode | null = await startCove(config(0), options);
  const port = node.port;
  const url = node.url;
  const tokens = createTokenService({ secret: await tokenSecret(dataDir) });
  const adminToken = (await tokens.issue({ sub: "test-admin", tenant: "demo", role: "admin" }))
    .accessToken;
  return {
    url,
    port,
    adminToken,
    sql,
    down: async () => {
      await node?.stop();
      node = null;
    },
    up: async () => {
      node ??= await startCove(config(port), options);
    },
    signinCode: async () => {
      // The node's own client is private; a short-lived one on the same database mints the code.
      const who = { sub: "test-admin", tenant: "demo", role: "admin" } as const;
      return await new OneTimeCodes(sql as never).mint("signin", who, 600_000);
    },
    close: async () => {
      await node?.stop();
      await sql?.end();
      if (admin) {
        await admin.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await admin.end();
      }
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    },
  };
}

/** Calls the node's REST API as its admin. */
export async function api<T>(
  gw: Gateway,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(gw.url + path, {
    method,
    headers: {
      authorization: `Bearer ${gw.adminToken}`,
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

/** A page on another origin that embeds the widget with a script tag. */
export interface HostPage {
  /** The page's URL (its origin differs from the gateway's by port). */
  readonly url: string;
  readonly origin: string;
  close(): Promise<void>;
}

/** Serves the host page; the widget's site key must allow its origin. */
export function startHostPage(gatewayUrl: string, siteKey: () => string): HostPage {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    if (new URL(req.url).pathname !== "/") return new Response("not found", { status: 404 });
    return new Response(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bakery</title><link rel="icon" href="data:,">
<style>/* Page styles that must not leak into the widget */
input, button, label, h2 { color: #f0f !important; font-family: serif !important; }</style>
</head><body><h1>Rosa's Bakery</h1><p>Order a cake:</p>
<script src="${gatewayUrl}/widget.js" data-site-key="${siteKey()}"></script>
</body></html>`,
      { headers: { "content-type": "text/html; charset=utf-8" } },
    );
  });
  const origin = `http://127.0.0.1:${server.addr.port}`;
  return { url: `${origin}/?utm_source=test`, origin, close: () => server.shutdown() };
}

/** A site key of `demo` for `origin`, created over REST. */
export async function siteKeyFor(gw: Gateway, origin: string): Promise<string> {
  const r = await api<{ key: string }>(gw, "POST", "/v1/site-keys", { allowedOrigins: [origin] });
  return r.key;
}

/** Chromium, headless, as the brief asks. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-background-networking"],
  });
}

/** Console errors and page errors of every page of a context. */
export interface ConsoleLog {
  readonly errors: string[];
}

/** A new context whose pages' console errors are collected into the returned log. */
export async function contextWithLog(
  browser: Browser,
  options: Parameters<Browser["newContext"]>[0] = {},
): Promise<{ context: BrowserContext; log: ConsoleLog }> {
  const context = await browser.newContext(options);
  const log: ConsoleLog = { errors: [] };
  context.on("page", (page) => watch(page, log));
  return { context, log };
}

function watch(page: Page, log: ConsoleLog): void {
  page.on("console", (m) => {
    if (m.type() === "error") log.errors.push(`${m.text()} @ ${m.location().url}`);
  });
  page.on("pageerror", (e) => log.errors.push(`pageerror: ${e.message}`));
}

/** Saves a full-page screenshot as `test-artifacts/<name>.png`. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await Deno.mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: new URL(`${name}.png`, ARTIFACTS).pathname, fullPage: true });
}

/** Errors other than the browser's own reports of failed connections (expected while down or offline). */
export function unexpectedErrors(log: ConsoleLog): string[] {
  return log.errors.filter((e) =>
    !/ERR_CONNECTION_REFUSED|ERR_CONNECTION_RESET|ERR_INTERNET_DISCONNECTED/.test(e)
  );
}
