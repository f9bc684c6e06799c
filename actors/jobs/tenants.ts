/**
 * Which tenants scheduled jobs run for, and in which zone: every tenant the
 * database knows (the `tenants` table, plus any tenant with a journal
 * stream), each in its follow-up plan's default time zone.
 *
 * @module
 */
import { settings, SETTINGS_ID } from "../lead/mod.ts";
import type { ActorSystem, Sql } from "../runtime/mod.ts";

/** Every tenant: one row per tenant in both tables, so this stays cheap. */
export async function listTenants(sql: Sql): Promise<string[]> {
  const rows = await sql<{ tenant: string }[]>`
    SELECT id AS tenant FROM tenants UNION SELECT tenant FROM streams ORDER BY 1`;
  return rows.map((r) => r.tenant);
}

/** The zone a tenant's jobs run in: its follow-up plan's `defaultTimeZone`. */
export async function tenantTimeZone(system: ActorSystem, tenant: string): Promise<string> {
  const current = await system.ref(settings, tenant, SETTINGS_ID).query("current");
  return current.followUps.defaultTimeZone;
}

/**
 * `lookup` remembered for `ttlMs` per key: the scheduler asks every job's
 * zone for every tenant on every tick, and a zone changes rarely.
 */
export function cachedFor<T>(
  ttlMs: number,
  now: () => number,
  lookup: (key: string) => Promise<T>,
): (key: string) => Promise<T> {
  const cache = new Map<string, { value: T; until: number }>();
  return async (key) => {
    const hit = cache.get(key);
    if (hit && hit.until > now()) return hit.value;
    const value = await lookup(key);
    cache.set(key, { value, until: now() + ttlMs });
    return value;
  };
}
