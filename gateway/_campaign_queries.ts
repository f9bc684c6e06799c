/**
 * The SQL the campaign routes read: how many leads an audience matches now
 * (with a few of them), over the `leads` read model with the same criteria
 * as the campaign's own audience scan, and the page of a tenant's campaigns
 * from the `campaigns` read model the campaign actor keeps.
 *
 * @module
 */
import { audienceFilter } from "../actors/campaign/mod.ts";
import type { Sql } from "../actors/runtime/mod.ts";
import type { Audience, CampaignStatus } from "../shared/mod.ts";
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
  const where = sql`
    WHERE l.tenant = ${tenant} AND l.merged_into IS NULL AND l.status <> 'unsubscribed'
      ${audienceFilter(sql, a, now)}`;
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

/** A row of a tenant's campaign list. */
export interface CampaignRow {
  id: string;
  name: string;
  status: CampaignStatus;
  enrolled: number;
  createdAt: number;
  launchedAt: number | null;
  stoppedAt: number | null;
}

/**
 * One page of `tenant`'s campaigns from the `campaigns` read model, newest
 * first, after the campaign `after` (its creation time and id) when given.
 */
export async function campaignPage(
  sql: Sql,
  tenant: string,
  limit: number,
  after: { at: number; id: string } | undefined,
): Promise<CampaignRow[]> {
  const rows = await sql<
    {
      campaign_id: string;
      name: string;
      status: CampaignStatus;
      enrolled: number;
      created_at: Date;
      launched_at: Date | null;
      stopped_at: Date | null;
    }[]
  >`
    SELECT campaign_id, name, status, enrolled, created_at, launched_at, stopped_at
    FROM campaigns
    WHERE tenant = ${tenant}
      ${after ? sql`AND (created_at, campaign_id) < (${new Date(after.at)}, ${after.id})` : sql``}
    ORDER BY created_at DESC, campaign_id DESC
    LIMIT ${limit}`;
  return rows.map((r) => ({
    id: r.campaign_id,
    name: r.name,
    status: r.status,
    enrolled: r.enrolled,
    createdAt: r.created_at.getTime(),
    launchedAt: r.launched_at?.getTime() ?? null,
    stoppedAt: r.stopped_at?.getTime() ?? null,
  }));
}
