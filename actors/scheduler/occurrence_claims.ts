/**
 * The claims table: which node took which occurrence, and how its run ended.
 * Claiming is an INSERT ... ON CONFLICT DO NOTHING on (job, tenant,
 * occurrence), so nodes need no lock or leader to agree who runs it.
 *
 * @module
 */
import type { Sql } from "../runtime/mod.ts";

/** How a claimed occurrence's run ended. */
export type RunOutcome = { state: "ok" } | { state: "failed"; error: string };

/** The newest occurrence ever claimed for `job` and `tenant` (epoch ms), by any node. */
export async function lastClaimedOccurrence(
  sql: Sql,
  job: string,
  tenant: string,
): Promise<number | undefined> {
  const rows = await sql<{ occurrence: Date | null }[]>`
    SELECT max(occurrence) AS occurrence FROM scheduled_occurrences
    WHERE job = ${job} AND tenant = ${tenant}`;
  const at = rows[0]?.occurrence;
  return at ? new Date(at).getTime() : undefined;
}

/** Tries to claim an occurrence for `nodeId`; true only for the one node whose insert landed. */
export async function claimOccurrence(
  sql: Sql,
  claim: { job: string; tenant: string; occurrence: number; nodeId: string; now: number },
): Promise<boolean> {
  const rows = await sql`
    INSERT INTO scheduled_occurrences (job, tenant, occurrence, claimed_by, claimed_at)
    VALUES (${claim.job}, ${claim.tenant}, ${new Date(claim.occurrence)}, ${claim.nodeId},
      ${new Date(claim.now)})
    ON CONFLICT DO NOTHING
    RETURNING 1`;
  return rows.length === 1;
}

/** Records how the claimed run ended. */
export async function finishOccurrence(
  sql: Sql,
  done: { job: string; tenant: string; occurrence: number; now: number; outcome: RunOutcome },
): Promise<void> {
  const error = done.outcome.state === "failed" ? done.outcome.error : null;
  await sql`
    UPDATE scheduled_occurrences
    SET finished_at = ${new Date(done.now)}, outcome = ${done.outcome.state}, error = ${error}
    WHERE job = ${done.job} AND tenant = ${done.tenant}
      AND occurrence = ${new Date(done.occurrence)}`;
}

/** One row of the claims table, as tests and operators read it. */
export interface OccurrenceRecord {
  /** Job name. */
  job: string;
  /** Tenant id. */
  tenant: string;
  /** The occurrence instant, epoch ms. */
  occurrence: number;
  /** Node that ran it. */
  claimedBy: string;
  /** `ok`, `failed`, or undefined while running or after its node died mid-run. */
  outcome: "ok" | "failed" | undefined;
  /** The failure's message, when it failed. */
  error: string | undefined;
}

/** Every claimed occurrence of `job` (all tenants), oldest first. */
export async function listOccurrences(sql: Sql, job: string): Promise<OccurrenceRecord[]> {
  const rows = await sql<
    {
      job: string;
      tenant: string;
      occurrence: Date;
      claimed_by: string;
      outcome: string | null;
      error: string | null;
    }[]
  >`
    SELECT job, tenant, occurrence, claimed_by, outcome, error FROM scheduled_occurrences
    WHERE job = ${job} ORDER BY occurrence, tenant`;
  return rows.map((r) => ({
    job: r.job,
    tenant: r.tenant,
    occurrence: new Date(r.occurrence).getTime(),
    claimedBy: r.claimed_by,
    outcome: (r.outcome ?? undefined) as "ok" | "failed" | undefined,
    error: r.error ?? undefined,
  }));
}
