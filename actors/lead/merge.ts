/**
 * Manual merge and un-merge of two leads, and the silent-leads list. A merge
 * moves the source lead's identity keys to the target (so every later
 * capture of that person lands on the target), records on the target what
 * the merge changed, and marks the source merged; un-merge replays that
 * record backwards. Each step is idempotent, so a merge cut short by a crash
 * is finished by running it again.
 *
 * @module
 */
import { z } from "zod";
import { CoveError, ValidationError } from "../../shared/errors.ts";
import type { ActorSystem, Sql } from "../runtime/mod.ts";
import { lead } from "./lead.ts";

/** Merges lead `from` into lead `into` (both of `tenant`). */
export async function mergeLeads(
  system: ActorSystem,
  tenant: string,
  input: { into: string; from: string; reason?: string },
): Promise<{ into: string; from: string; movedKeys: string[] }> {
  if (input.into === input.from) {
    throw new ValidationError("merge", [{
      path: "from",
      message: "a lead cannot merge into itself",
    }]);
  }
  const into = system.ref(lead, tenant, input.into);
  const from = system.ref(lead, tenant, input.from);
  const [target, source] = await Promise.all([into.query("view"), from.query("view")]);
  if (!target.exists) {
    throw new CoveError("not_found", `lead ${input.into} not found`, { status: 404, public: true });
  }
  if (!source.exists) {
    throw new CoveError("not_found", `lead ${input.from} not found`, { status: 404, public: true });
  }
  if (source.mergedInto && source.mergedInto !== input.into) {
    throw new CoveError(
      "conflict",
      `lead ${input.from} is already merged into ${source.mergedInto}`,
      {
        status: 409,
        public: true,
      },
    );
  }
  if (target.mergedInto) {
    throw new CoveError(
      "conflict",
      `lead ${input.into} is itself merged into ${target.mergedInto}`,
      {
        status: 409,
        public: true,
      },
    );
  }
  const movedKeys = target.absorbed[input.from]?.movedKeys ??
    (await system.journal.sql<{ key: string }[]>`
    UPDATE lead_identities SET lead_id = ${input.into}
    WHERE tenant = ${tenant} AND lead_id = ${input.from} RETURNING key`).map((r) => r.key);
  await into.ask("absorb", {
    from: input.from,
    contact: source.contact,
    tags: source.tags,
    identities: source.identities,
    movedKeys,
    ...(input.reason ? { reason: input.reason } : {}),
  });
  await from.ask("markMerged", { into: input.into });
  return { into: input.into, from: input.from, movedKeys };
}

/** Undoes `mergeLeads(into, from)`: identity keys go back and the target's merged changes are reverted. */
export async function unmergeLeads(
  system: ActorSystem,
  tenant: string,
  input: { into: string; from: string },
): Promise<{ movedKeys: string[] }> {
  const into = system.ref(lead, tenant, input.into);
  const from = system.ref(lead, tenant, input.from);
  const target = await into.query("view");
  const record = target.absorbed[input.from];
  if (!record) {
    throw new CoveError("conflict", `lead ${input.from} is not merged into ${input.into}`, {
      status: 409,
      public: true,
    });
  }
  await system.journal.sql`
    UPDATE lead_identities SET lead_id = ${input.from}
    WHERE tenant = ${tenant} AND key = ANY(${record.movedKeys}) AND lead_id = ${input.into}`;
  await into.ask("release", { from: input.from });
  await from.ask("markMerged", { into: null });
  return { movedKeys: record.movedKeys };
}

/** A lead in the silent list (a schema, so the REST route documents the same shape). */
export const SilentLead = z.object({
  leadId: z.string(),
  name: z.string(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  status: z.string(),
  score: z.number(),
  priority: z.string(),
  /** When we last heard from them (or captured them, if they never wrote), epoch ms. */
  silentSince: z.number(),
});
/** A lead in the silent list. */
export type SilentLead = z.infer<typeof SilentLead>;

/** Open leads that have not written to us for `hours`, best first (score, then longest silent). */
export async function listSilentLeads(
  sql: Sql,
  tenant: string,
  opts: { hours: number; now: number; limit?: number; minScore?: number },
): Promise<SilentLead[]> {
  const before = new Date(opts.now - opts.hours * 3_600_000);
  const rows = await sql<
    Array<Omit<SilentLead, "silentSince"> & { silent_since: Date; lead_id: string }>
  >`
    SELECT lead_id, name, email, phone, status, score, priority,
           coalesce(last_inbound, created_at) AS silent_since
    FROM leads
    WHERE tenant = ${tenant} AND merged_into IS NULL
      AND status IN ('new', 'contacted', 'responded', 'qualified')
      AND coalesce(last_inbound, created_at) < ${before}
      AND score >= ${opts.minScore ?? 0}
    ORDER BY score DESC, silent_since ASC
    LIMIT ${opts.limit ?? 100}`;
  return rows.map((r) => ({
    leadId: r.lead_id,
    name: r.name,
    email: r.email,
    phone: r.phone,
    status: r.status,
    score: r.score,
    priority: r.priority,
    silentSince: r.silent_since.getTime(),
  }));
}
