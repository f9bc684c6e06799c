/**
 * The zone a tenant's analytics count local days in: its settings' default
 * time zone (the one follow-ups use for leads without their own).
 *
 * @module
 */
import { settings, SETTINGS_ID } from "../lead/mod.ts";
import type { ActorSystem } from "../runtime/mod.ts";
import type { ZoneOf } from "./projector.ts";

/** Reads each tenant's zone from its settings actor (committed state, no turn). */
export function tenantZoneOf(system: ActorSystem): ZoneOf {
  return async (tenant) => {
    const s = await system.ref(settings, tenant, SETTINGS_ID).query("current");
    return s.followUps.defaultTimeZone;
  };
}
