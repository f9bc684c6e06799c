/**
 * A lead's timeline: its journal read as a history a person can follow, one
 * entry per event, newest last. Events are the truth, so the timeline is
 * never out of step with the lead.
 *
 * @module
 */
import type { ActorSystem } from "../runtime/mod.ts";
import { lead } from "./lead.ts";

/** One entry of a lead's timeline. */
export interface TimelineEntry {
  /** Per-lead sequence of the event behind the entry. */
  seq: number;
  /** When it happened, epoch ms. */
  at: number;
  /** The event type, e.g. `lead.message_recorded`. */
  type: string;
  /** One line for people. */
  summary: string;
  /** The event's data (current version). */
  data: unknown;
}

type Data = Record<string, unknown>;

const SUMMARIES: Record<string, (d: Data) => string> = {
  "lead.captured": (d) => `captured from ${d.source}`,
  "lead.merged": (d) =>
    `captured again from ${d.source}${(d.changes as unknown[]).length ? ", details updated" : ""}`,
  "lead.status_changed": (d) =>
    `moved from ${d.from} to ${d.to}${d.reason ? ` (${d.reason})` : ""}`,
  "lead.assigned": (d) => d.owner ? `assigned to ${d.owner}` : "unassigned",
  "lead.tagged": (d) =>
    `tags ${
      [...(d.added as string[]).map((t) => `+${t}`), ...(d.removed as string[]).map((t) => `-${t}`)]
        .join(" ")
    }`,
  "lead.updated": () => "details updated",
  "lead.consent_changed": (d) =>
    `${d.channel} consent ${d.granted ? "given" : "withdrawn"} (${d.source})`,
  "lead.message_recorded": (d) => `${d.direction} ${d.channel}: ${String(d.content).slice(0, 80)}`,
  "lead.message_status_changed": (d) => `message ${d.externalId} ${d.status}`,
  "lead.scored": (d) => `scored ${d.score} (${d.priority}) by ${d.source}`,
  "lead.qualified": (d) =>
    d.source === "ai"
      ? `qualified by AI: ${(d.ai as Data).fit} fit`
      : `qualified by rules (AI: ${d.fallbackReason})`,
  "lead.engaged": (d) => `engagement: ${d.kind}`,
  "lead.followup_scheduled": (d) =>
    `follow-up ${(d.followUp as Data).sequence} step ${
      Number((d.followUp as Data).step) + 1
    } planned for ${new Date((d.followUp as Data).dueAt as number).toISOString()}${
      d.reason ? ` (${d.reason})` : ""
    }`,
  "lead.followup_sent": (d) => `follow-up sent by ${d.channel}`,
  "lead.followup_skipped": (d) => `follow-up step skipped: ${d.reason}`,
  "lead.followups_stopped": (d) => `follow-ups stopped: ${d.reason}`,
  "lead.booked": (d) => `meeting booked for ${new Date(d.start as number).toISOString()}`,
  "lead.absorbed": (d) => `lead ${d.from} merged into this one`,
  "lead.released": (d) => `lead ${d.from} split off again`,
  "lead.merged_into": (d) => d.into ? `merged into lead ${d.into}` : "merge undone",
  "lead.owner_alerted": (d) => `owner ${d.owner} alerted: high priority`,
};

/** The lead's timeline from its journal; `after`/`limit` page through long histories. */
export async function leadTimeline(
  system: ActorSystem,
  tenant: string,
  leadId: string,
  opts: { after?: number; limit?: number } = {},
): Promise<TimelineEntry[]> {
  const events = await system.history(system.ref(lead, tenant, leadId), opts);
  return events.map((e) => ({
    seq: e.seq,
    at: e.at,
    type: e.type,
    summary: SUMMARIES[e.type]?.(e.data as Data) ?? e.type,
    data: e.data,
  }));
}
