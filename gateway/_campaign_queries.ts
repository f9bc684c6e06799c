/**
 * The SQL the campaign routes read: how many leads an audience matches now
 * (with a few of them), over the `leads` read model with the same criteria
 * as the campaign's own audience scan, and the page of a tenant's campaigns
 * (from the runtime's `actors` table and each campaign's first event, as the
 * campaign actor keeps no read model of its own).
 *
 * @module
 */
import type { Sql } from "../actors/runtime/mod.ts";
import type { Audience } from "../shared/mod.ts";
import { z } from "./openapi.ts";

/** A lead as the audience preview shows it. */
export const AudienceSampleLead = z.object({
  leadId: z.string(),
  name: z.string(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  status: z.string(),
  score: z.number(),
  source: z.string(),
  tags: z.array(z.string()),
}).openapi("AudienceSampleLead");
/** A sample lead. */
export type AudienceSampleLead = z.infer<typeof AudienceSampleLead>;

/**
 * How many of `tenant`'s leads `a` matches at `now`, and the `sample` best
 * scored of them. Merged and unsubscribed leads are never in an audience.
 */
export async function previewAudience(
  sql: Sql,
  tenant: string,
  a: Audience,
  now: number,
  sample: number,
): Promise<{ count: number; sample: AudienceSampleLead[] }> {
  const none = sql``;
  const where = sql`
    WHERE l.tenant = ${tenant} AND l.merged_into IS NULL AND l.status <> 'unsubscribed'
      ${a.statuses ? sql`AND l.status = ANY(${a.statuses}::text[])` : none}
      ${a.minScore !== undefined ? sql`AND l.score >= ${a.minScore}` : none}
      ${a.maxScore !== undefined ? sql`AND l.score <= ${a.maxScore}` : none}
      ${a.tagsAny ? sql`AND l.tags && ${a.tagsAny}::text[]` : none}
      ${a.tagsAll ? sql`AND l.tags @> ${a.tagsAll}::text[]` : none}
      ${a.sources ? sql`AND l.source = ANY(${a.sources}::text[])` : none}
      ${
    a.silentForHours !== undefined
      ? sql`AND COALESCE(l.last_inbound, l.created_at) <= ${new Date(
        now - a.silentForHours * 3_600_000,
      )}`
      : none
  }`;
  const [counted] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM leads l ${where}`;
  const rows = await sql<
    {
      lead_id: string;
      name: string;
      email: string | null;
      phone: string | null;
      status: string;
      score: number;
      source: string;
      tags: string[];
    }[]
  >`
    SELECT l.lead_id, l.name, l.email, l.phone, l.status, l.score, l.source, l.tags
    FROM leads l ${where}
    ORDER BY l.score DESC, l.lead_id
    LIMIT ${sample}`;
  return {
    count: counted!.n,
    sample: rows.map((r) => ({
      leadId: r.lead_id,
      name: r.name,
      email: r.email,
      phone: r.phone,
      status: r.status,
      score: r.score,
      source: r.source,
      tags: r.tags,
    })),
  };
}

/**
 * One page of `tenant`'s campaigns, newest first: id and creation time,
 * after the campaign `after` (its creation time and id) when given.
 */
export async function campaignPage(
  sql: Sql,
  tenant: string,
  limit: number,
  after: { at: number; id: string } | undefined,
): Promise<{ id: string; createdAt: number }[]> {
  const prefix = `campaign/${tenant}/`;
  // A campaign's first event is its creation; actors asked about ids that were never created
  // have no events and are left out.
  const rows = await sql<{ id: string; at: Date }[]>`
    SELECT substr(a.key, ${prefix.length + 1}) AS id, e.at
    FROM actors a JOIN events e ON e.actor = a.key AND e.seq = 1
    WHERE a.type = 'campaign' AND a.tenant = ${tenant}
      ${
    after
      ? sql`AND (e.at, substr(a.key, ${prefix.length + 1})) < (${new Date(after.at)}, ${after.id})`
      : sql``
  }
    ORDER BY e.at DESC, id DESC
    LIMIT ${limit}`;
  return rows.map((r) => ({ id: r.id, createdAt: r.at.getTime() }));
}
