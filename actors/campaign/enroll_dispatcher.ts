/**
 * The `campaign_enroll` outbox channel: tells one batch of leads to join a
 * campaign (or, once it stopped, to leave it). One outbox row per batch (not per lead) so that the campaign
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

/** A batch of leads told that their campaign stopped. */
export const LeaveBatch = z.object({
  campaignId: z.string().min(1),
  leave: z.literal("campaign_stopped"),
  leadIds: z.array(z.string().min(1)).max(10_000),
});
/** A leave batch. */
export type LeaveBatch = z.infer<typeof LeaveBatch>;

type Told = { id: string; command: string; input: unknown };

/** The lead commands a batch stands for. */
function commandsOf(batch: EnrollBatch | LeaveBatch): Told[] {
  if ("leave" in batch) {
    const input = { campaignId: batch.campaignId, reason: batch.leave };
    return batch.leadIds.map((id) => ({ id, command: "leaveCampaign", input }));
  }
  const { campaignId, stopOnReply } = batch;
  return batch.leads.map((l) => ({
    id: l.id,
    command: "enrollInCampaign",
    input: { campaignId, variant: l.variant, firstAt: l.firstAt, stopOnReply },
  }));
}

/** What the dispatcher answers: leads that did as told, and leads that had nothing to do. */
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
    const batch = z.union([EnrollBatch, LeaveBatch]).safeParse(msg.payload);
    if (!batch.success) {
      return { ok: false, error: `bad enroll batch: ${batch.error.message}`, retryable: false };
    }
    const leadType = this.system.typeNamed("lead");
    if (!leadType) return { ok: false, error: "lead actors are not hosted here", retryable: true };
    const leads = commandsOf(batch.data);
    const outcome: EnrollOutcome = { joined: 0, declined: 0 };
    let failure: string | undefined;
    let next = 0;
    const worker = async () => {
      while (next < leads.length) {
        const l = leads[next++]!;
        try {
          const ref = this.system.ref(leadType, msg.tenant, l.id);
          const reply = await ref.ask(l.command, l.input as never) as {
            enrolled?: boolean;
            left?: boolean;
          };
          if (reply.enrolled || reply.left) outcome.joined++;
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
