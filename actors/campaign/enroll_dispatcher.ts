/**
 * The `campaign_enroll` outbox channel: tells one batch of leads to join a
 * campaign. One outbox row per batch (not per lead) so that the campaign
 * gets one outcome per batch: an `actor`-channel tell per lead would report
 * each outcome back to the campaign, a campaign turn per lead. The whole
 * batch is retried when any lead fails; `enrollInCampaign` is idempotent.
 *
 * @module
 */
import { z } from "zod";
import type { ActorSystem, ClaimedMessage, Dispatcher, DispatchResult } from "../runtime/mod.ts";

/** The outbox channel of enrollment batches. */
export const CAMPAIGN_ENROLL_CHANNEL = "campaign_enroll";

/** What a `campaign_enroll` outbox row carries. */
export const EnrollBatch = z.object({
  campaignId: z.string().min(1),
  stopOnReply: z.boolean(),
  leads: z.array(z.object({
    id: z.string().min(1),
    variant: z.number().int().min(0),
    firstAt: z.number().int(),
  })).max(10_000),
});
/** An enrollment batch. */
export type EnrollBatch = z.infer<typeof EnrollBatch>;

/** What the dispatcher answers: leads that joined, and leads that declined (merged, closed, ...). */
export interface EnrollOutcome {
  joined: number;
  declined: number;
}

/** Delivers `campaign_enroll` batches to the lead actors of this node's system. */
export class CampaignEnrollDispatcher implements Dispatcher {
  readonly channel = CAMPAIGN_ENROLL_CHANNEL;

  /** Asks at most `concurrency` leads at a time (default 32). */
  constructor(readonly system: ActorSystem, readonly concurrency = 32) {}

  async send(msg: ClaimedMessage): Promise<DispatchResult> {
    const batch = EnrollBatch.safeParse(msg.payload);
    if (!batch.success) {
      return { ok: false, error: `bad enroll batch: ${batch.error.message}`, retryable: false };
    }
    const leadType = this.system.typeNamed("lead");
    if (!leadType) return { ok: false, error: "lead actors are not hosted here", retryable: true };
    const { campaignId, stopOnReply, leads } = batch.data;
    const outcome: EnrollOutcome = { joined: 0, declined: 0 };
    let failure: string | undefined;
    let next = 0;
    const worker = async () => {
      while (next < leads.length) {
        const l = leads[next++]!;
        try {
          const reply = await this.system.ref(leadType, msg.tenant, l.id).ask(
            "enrollInCampaign",
            { campaignId, variant: l.variant, firstAt: l.firstAt, stopOnReply },
          ) as { enrolled: boolean };
          if (reply.enrolled) outcome.joined++;
          else outcome.declined++;
        } catch (e) {
          failure ??= `lead ${l.id}: ${e instanceof Error ? e.message : String(e)}`;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, leads.length) }, worker));
    if (failure) return { ok: false, error: failure, retryable: true };
    return { ok: true, response: outcome };
  }
}
