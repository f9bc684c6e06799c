/**
 * A campaign's throttle as a hard cap across the cluster: every step message
 * carries its campaign and per-minute limit, and the channels' governor caps
 * the key `campaign:<tenant>:<campaignId>:<perMinute>` with a token bucket of
 * that size. The campaign also spreads first steps over time; this cap holds
 * when due steps bunch up anyway (a send window opening, a resume).
 *
 * ```ts
 * const governor = new PostgresGovernor(sql, campaignLimits(limitsByPrefix({ ... })));
 * new GuardedDispatcher(inner, { clock, governor, keys: (m) => [..., ...campaignGovernorKeys(m)] });
 * ```
 *
 * @module
 */
import { z } from "zod";
import type { Limit, LimitsFor } from "../channels/mod.ts";
import type { ClaimedMessage } from "../runtime/mod.ts";

/** What a campaign step's message payload carries besides the message, for the governor. */
export const CampaignTag = z.object({
  id: z.string().min(1),
  perMinute: z.number().int().min(1).max(10_000),
});
/** A campaign tag. */
export type CampaignTag = z.infer<typeof CampaignTag>;

const PREFIX = "campaign:";

/** The governor keys of an outbox message: its campaign's key, or none when it is no campaign's. */
export function campaignGovernorKeys(msg: Pick<ClaimedMessage, "tenant" | "payload">): string[] {
  const p = msg.payload as { campaign?: unknown } | null;
  const tag = CampaignTag.safeParse(p?.campaign);
  if (!tag.success) return [];
  return [`${PREFIX}${msg.tenant}:${tag.data.id}:${tag.data.perMinute}`];
}

/**
 * Limits that cap campaign keys at the per-minute rate they name (a token
 * bucket: at most N at once, then N a minute) and leave every other key to
 * `fallback`.
 */
export function campaignLimits(fallback: LimitsFor): LimitsFor {
  return (key) => {
    if (!key.startsWith(PREFIX)) return fallback(key);
    // Tenants and ids may hold ':', so the rate is read from the end.
    const n = Number(key.slice(key.lastIndexOf(":") + 1));
    if (!Number.isInteger(n) || n < 1) return fallback(key);
    const limit: Limit = { kind: "rate", max: n, perMs: 60_000 };
    return [limit];
  };
}
