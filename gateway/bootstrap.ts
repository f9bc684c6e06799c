/**
 * First start: a node that finds no tenant in its database creates tenant
 * `demo` with a widget site key, and a one-time admin sign-in code whose URL
 * it prints, so a newcomer can sign in without any other tool. Safe to run
 * on every start and on several nodes at once: only the transaction that
 * inserts `demo` creates the rest; every other start finds a tenant and does
 * nothing.
 *
 * @module
 */
import type { Sql } from "../actors/runtime/mod.ts";
import { type Clock, systemClock } from "../shared/mod.ts";
import { newSiteKey, OneTimeCodes } from "./auth_api.ts";
import { PostgresApiKeyStore } from "./auth.ts";

/** The tenant a first start creates. */
export const DEMO_TENANT = "demo";

/** Who the first sign-in code signs in as. */
export const DEMO_ADMIN = { sub: "demo-admin", tenant: DEMO_TENANT, role: "admin" } as const;

/** How long the first sign-in URL works: a day, time enough to read the start-up output. */
export const SIGNIN_TTL_MS = 24 * 3600 * 1000;

/** Ports a local dev server commonly uses (Vite, Next/CRA, `deno serve`/file_server, and ours). */
const DEV_PORTS = [3000, 5173, 8000, 8080];

/** Options of {@link firstStart}. */
export interface FirstStartOptions {
  /** A migrated database's client. */
  sql: Sql;
  /** Base of the printed sign-in URL, e.g. `http://localhost:8080`. */
  publicUrl: string;
  /** Origins the demo site key accepts (see {@link demoOrigins}). */
  allowedOrigins: string[];
  /** Default {@link SIGNIN_TTL_MS}. */
  signinTtlMs?: number;
  clock?: Clock;
}

/** What a start found: an empty database it set up, or one already in use. */
export type FirstStart =
  | { state: "created"; tenant: string; siteKey: string; signinUrl: string }
  | { state: "existing" };

/**
 * The demo site key's origins: the node's own URLs (the sign-in page and a
 * test page served by the node) and `localhost` / `127.0.0.1` on the usual
 * dev-server ports. Site keys match exact origins, so ports are listed.
 */
export function demoOrigins(nodeUrls: string[]): string[] {
  const dev = DEV_PORTS.flatMap((p) => [`http://localhost:${p}`, `http://127.0.0.1:${p}`]);
  const own = nodeUrls.map((u) => new URL(u).origin);
  return [...new Set([...own, ...dev])];
}

/** Sets up tenant `demo` when the database has no tenant yet; see the module doc. */
export async function firstStart(opts: FirstStartOptions): Promise<FirstStart> {
  const clock = opts.clock ?? systemClock;
  const ttl = opts.signinTtlMs ?? SIGNIN_TTL_MS;
  const made = await opts.sql.begin(async (tx) => {
    // Two nodes may both see no tenant; the primary key lets only one insert `demo`, and the
    // other's insert waits for that commit, then does nothing.
    const [row] = await tx`
      INSERT INTO tenants (id, name)
      SELECT ${DEMO_TENANT}, 'Demo' WHERE NOT EXISTS (SELECT 1 FROM tenants)
      ON CONFLICT (id) DO NOTHING
      RETURNING id`;
    if (!row) return null;
    // The stores take a client; a transaction answers the same tagged queries.
    const txSql = tx as unknown as Sql;
    const siteKey = newSiteKey();
    await new PostgresApiKeyStore(txSql).putSiteKey({
      key: siteKey,
      tenant: DEMO_TENANT,
      allowedOrigins: opts.allowedOrigins,
    });
    const code = await new OneTimeCodes(txSql, clock).mint("signin", DEMO_ADMIN, ttl);
    return { siteKey, code };
  });
  if (!made) return { state: "existing" };
  return {
    state: "created",
    tenant: DEMO_TENANT,
    siteKey: made.siteKey,
    // In the fragment: browsers do not send it, so the code stays out of every access log.
    signinUrl: `${opts.publicUrl.replace(/\/+$/, "")}/signin#code=${made.code}`,
  };
}
