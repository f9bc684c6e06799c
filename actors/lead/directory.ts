/**
 * The lead directory: which lead an identity key (email, phone, business in a
 * postcode, capture idempotency key) belongs to. Keys are claimed in
 * Postgres under a primary key, so two nodes capturing the same person at the
 * same moment resolve to one lead: the second claim sees the first and joins
 * it. Fuzzy business matches are serialized per postcode with an advisory
 * lock, so they are race-free too.
 *
 * @module
 */
import { newId } from "../../shared/ids.ts";
import { nameSimilarity } from "../../shared/contact.ts";
import type { Sql } from "../runtime/mod.ts";

/** The identity keys of one capture, strongest first. */
export interface IdentityKeys {
  /** `idem:<key>`: the same submit twice is one capture. */
  idempotency: string;
  /** `email:<normalized>`. */
  email?: string;
  /** `phone:<E.164>`. */
  phone?: string;
  /** Business match: folded name within a folded postcode. */
  business?: { postcode: string; name: string };
}

/** Where a capture goes. */
export interface Resolution {
  leadId: string;
  /** Whether the lead id is new (no key matched). */
  isNew: boolean;
  /** Which keys matched the lead: `idempotency`, `email`, `phone`, `business`, `business~`. */
  matchedBy: string[];
  /** Keys of this capture that now point at the lead. */
  keys: string[];
  /** Other leads sharing a key with this capture (e.g. its phone is on another lead). */
  otherLeads: string[];
}

/** Thrown inside the claim transaction to roll it back. */
class ClaimConflict extends Error {}

/** Names at least this similar in one postcode are taken for the same business. */
export const BUSINESS_SIMILARITY = 0.85;
const MAX_ATTEMPTS = 5;

/** The business key string of a folded postcode and name. */
export function businessKey(postcode: string, name: string): string {
  return `biz:${postcode}:${name}`;
}

/** Resolves identity keys to one lead, claiming the keys that were free. */
export async function resolveLead(
  sql: Sql,
  tenant: string,
  ids: IdentityKeys,
): Promise<Resolution> {
  for (let attempt = 1;; attempt++) {
    const result = await sql.begin(async (tx): Promise<Resolution> => {
      const exact: Array<[string, string]> = [["idempotency", ids.idempotency]];
      if (ids.email) exact.push(["email", ids.email]);
      if (ids.phone) exact.push(["phone", ids.phone]);
      if (ids.business) {
        exact.push(["business", businessKey(ids.business.postcode, ids.business.name)]);
        // Serializes claims of one postcode, so two spellings of a business arriving
        // together cannot both miss each other.
        const lock = `${tenant}|biz|${ids.business.postcode}`;
        await tx`SELECT pg_advisory_xact_lock(hashtext(${lock}))`;
      }
      const keys = exact.map(([, k]) => k);
      const found = new Map(
        (await tx<{ key: string; lead_id: string }[]>`
          SELECT key, lead_id FROM lead_identities WHERE tenant = ${tenant} AND key = ANY(${keys})`)
          .map((r) => [r.key, r.lead_id]),
      );
      // The strongest matching key decides; only without one is the postcode scanned.
      const strongest = exact.find(([, k]) => found.has(k));
      let fuzzy: { key: string; leadId: string } | undefined;
      if (!strongest && ids.business) {
        const { postcode, name } = ids.business;
        // All businesses of one postcode: found by a prefix range on the primary key.
        const prefix = `biz:${postcode}:`;
        const near = await tx<{ key: string; lead_id: string }[]>`
          SELECT key, lead_id FROM lead_identities
          WHERE tenant = ${tenant} AND key >= ${prefix} AND key < ${prefix + "\uffff"}`;
        let best = 0;
        for (const r of near) {
          const score = nameSimilarity(name, r.key.slice(prefix.length));
          if (score >= BUSINESS_SIMILARITY && score > best) {
            best = score;
            fuzzy = { key: r.key, leadId: r.lead_id };
          }
        }
      }
      const leadId = strongest ? found.get(strongest[1])! : fuzzy?.leadId ?? newId();
      const missing = keys.filter((k) => !found.has(k));
      if (missing.length > 0) {
        const inserted = await tx`
          INSERT INTO lead_identities (tenant, key, lead_id)
          SELECT ${tenant}, k, ${leadId} FROM unnest(${missing}::text[]) AS k
          ON CONFLICT DO NOTHING RETURNING key`;
        // Someone claimed one of these keys since we looked: roll back what this attempt
        // claimed (committing it would split the person) and start over to join them.
        if (inserted.length < missing.length) throw new ClaimConflict();
      }
      const matchedBy = exact.filter(([, k]) => found.get(k) === leadId).map(([name]) => name);
      if (fuzzy && fuzzy.leadId === leadId && !matchedBy.includes("business")) {
        matchedBy.push("business~");
      }
      return {
        leadId,
        isNew: !strongest && !fuzzy,
        matchedBy,
        keys: [...missing, ...keys.filter((k) => found.get(k) === leadId)],
        otherLeads: [...new Set([...found.values()].filter((id) => id !== leadId))],
      };
    }).catch((e: { code?: string }) => {
      // A deadlock between two claims: one of them is told, and tries again.
      if (e instanceof ClaimConflict || e.code === "40P01") return undefined;
      throw e;
    });
    if (result) return result;
    if (attempt >= MAX_ATTEMPTS) {
      throw new Error(`lead identity claim kept conflicting for ${tenant}`);
    }
  }
}
