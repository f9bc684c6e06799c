/**
 * The zone a tenant's analytics count local days in: its settings' default
 * time zone (the one follow-ups use for leads without their own).
 *
 * @module
 */
import { settings, SETTINGS_ID } from "../lead/mod.ts";
import type { ActorSystem } from "../runtime/mod.ts";
import type { ZoneOf } from "./projector.ts";

/**
 * Reads each tenant's zone from its settings actor (committed state, no turn),
 * remembered for `ttlMs` (default a minute): the projector asks on every wake.
 */
export function tenantZoneOf(system: ActorSystem, ttlMs = 60_000): ZoneOf {
  const cache = new Map<string, { zone: string; until: number }>();
  return async (tenant) => {
    const now = system.clock.now();
    const hit = cache.get(tenant);
    if (hit && hit.until > now) return hit.zone;
    const s = await system.ref(settings, tenant, SETTINGS_ID).query("current");
    cache.set(tenant, { zone: s.followUps.defaultTimeZone, until: now + ttlMs });
    return s.followUps.defaultTimeZone;
  };
}
