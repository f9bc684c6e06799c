/**
 * The latest health check of a tenant and the recommendations it made, read
 * from the advisor's journal (its events sit together under its actor key,
 * so this reads an index range, not the tenant's whole stream).
 *
 * @module
 */
import type { Recommendation } from "../../shared/analytics.ts";
import { actorKey } from "../../shared/ids.ts";
import type { Sql } from "../runtime/mod.ts";
import { ADVISOR_ID, type PipelineHealthChecked } from "./advisor.ts";
import type { PipelineFigures } from "./figures.ts";

/** A health check as read back: when, its figures, and what it recommended. */
export interface HealthCheck {
  occurrence: number;
  /** When it was journaled, epoch ms. */
  at: number;
  /** Stream position of its `pipeline.health_checked` event (resume a stream from here). */
  position: number;
  figures: PipelineFigures;
  recommendations: Recommendation[];
}

/** The latest health check of `tenant`, or undefined before the first one. */
export async function latestHealthCheck(
  sql: Sql,
  tenant: string,
): Promise<HealthCheck | undefined> {
  const actor = actorKey({ type: "advisor", tenant, id: ADVISOR_ID });
  const [check] = await sql<
    { seq: number; position: number; at: Date; data: PipelineHealthChecked }[]
  >`
    SELECT seq::int AS seq, position::int AS position, at, data FROM events
    WHERE actor = ${actor} AND type = 'pipeline.health_checked'
    ORDER BY seq DESC LIMIT 1`;
  if (!check) return undefined;
  const recs = await sql<{ data: Recommendation & { occurrence?: number } }[]>`
    SELECT data FROM events
    WHERE actor = ${actor} AND seq > ${check.seq} AND seq <= ${
    check.seq + check.data.recommendations
  }
      AND type = 'recommendation.made'
    ORDER BY seq`;
  return {
    occurrence: check.data.occurrence,
    at: new Date(check.at).getTime(),
    position: check.position,
    figures: check.data.figures,
    recommendations: recs.map(({ data: { occurrence: _, ...r } }) => r),
  };
}
