/**
 * Qualification of one lead: the AI's judgement when it answers, the
 * tenant's rules otherwise, recorded on the lead either way with the reason
 * the AI gave none. The AI call happens outside the lead's turn so a slow
 * model never holds the lead's mailbox.
 *
 * @module
 */
import type { AiClient } from "../ai/mod.ts";
import type { ActorSystem } from "../runtime/mod.ts";
import { lead, scoringFacts } from "./lead.ts";
import { qualifyLead } from "./qualify.ts";
import { settings, SETTINGS_ID } from "./settings.ts";

/** Qualifies a lead and records the outcome; resolves with what was recorded. */
export async function requalifyLead(
  system: ActorSystem,
  ai: AiClient,
  tenant: string,
  leadId: string,
  opts: { timeoutMs?: number } = {},
) {
  const ref = system.ref(lead, tenant, leadId);
  const [view, tenantSettings] = await Promise.all([
    ref.query("view"),
    system.ref(settings, tenant, SETTINGS_ID).query("current"),
  ]);
  const c = view.contact;
  const name = c.name ?? c.company ?? c.email ?? c.phone ?? "unknown";
  const message = view.messages.findLast((m) => m.direction === "inbound")?.content;
  const q = await qualifyLead(
    ai,
    {
      name,
      ...(c.company ? { company: c.company } : {}),
      ...(c.businessType ? { businessType: c.businessType } : {}),
      ...(message ? { message } : {}),
      ...(c.website ? { website: c.website } : {}),
      ...(c.rating !== undefined ? { rating: c.rating } : {}),
      ...(c.reviewCount !== undefined ? { reviewCount: c.reviewCount } : {}),
      ...(view.source ? { source: view.source } : {}),
    },
    tenantSettings.scoring,
    scoringFacts(view),
    system.clock.now(),
    opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {},
  );
  await ref.ask("applyQualification", q);
  return q;
}
