/**
 * A campaign's state, the views its queries answer (schemas, so REST routes
 * document the same shapes), and the error a command refused in the
 * campaign's current status raises.
 *
 * @module
 */
import { z } from "zod";
import {
  CampaignDefinition,
  type CampaignDefinition as Definition,
  CampaignStatus,
  CampaignStep,
} from "../../shared/campaign.ts";
import { CoveError } from "../../shared/errors.ts";
import { SendWindow } from "../../shared/quiet_hours.ts";

/** Where the audience scan stands. */
export const ScanProgress = z.object({
  /** The keyset position of the current pass (last lead id enrolled); null at its start. */
  cursor: z.string().nullable(),
  /** Whether the first pass over the audience has reached its end; rescans follow. */
  initialPassDone: z.boolean(),
  /** When the latest scan batch was asked for, epoch ms. */
  lastScanAt: z.number().nullable(),
});
/** Scan progress. */
export type ScanProgress = z.infer<typeof ScanProgress>;

/** A campaign's in-memory state: counts, never the enrolled leads themselves. */
export const CampaignState = z.object({
  /** The campaign's id (its actor id); empty until created. */
  id: z.string(),
  exists: z.boolean(),
  status: CampaignStatus,
  definition: CampaignDefinition.nullable(),
  createdAt: z.number().nullable(),
  launchedAt: z.number().nullable(),
  pausedAt: z.number().nullable(),
  stoppedAt: z.number().nullable(),
  /** Leads told to enroll. */
  enrolled: z.number().int().min(0),
  /** The next free first-step slot (the throttle spreads first steps), epoch ms. */
  nextSlot: z.number(),
  scan: ScanProgress.extend({
    /** Scan batches asked for so far; the latest names the outbox key of the one in flight. */
    seq: z.number().int().min(0),
    inFlight: z.boolean(),
    /** Enrollment batches told but not yet confirmed; a rescan waits for none. */
    pendingBatches: z.number().int().min(0),
  }),
});
/** A campaign's state. */
export type CampaignState = z.infer<typeof CampaignState>;

/** What the `view` query answers (and create, update, launch, pause, resume, stop reply). */
export const CampaignView = z.object({
  id: z.string(),
  exists: z.boolean(),
  status: CampaignStatus,
  definition: CampaignDefinition.nullable(),
  createdAt: z.number().nullable(),
  launchedAt: z.number().nullable(),
  pausedAt: z.number().nullable(),
  stoppedAt: z.number().nullable(),
  /** Leads the campaign told to enroll. */
  enrolled: z.number().int(),
  scan: ScanProgress,
});
/** A campaign view. */
export type CampaignView = z.infer<typeof CampaignView>;

/** What the `definition` query answers: what a lead needs when one of its steps falls due. */
export const CampaignRuntime = z.object({
  status: CampaignStatus,
  steps: z.array(CampaignStep),
  split: z.array(z.number().int()),
  window: SendWindow.optional(),
  throttlePerMinute: z.number().int(),
  stopOnReply: z.boolean(),
  costCents: z.object({ sms: z.number(), email: z.number() }),
});
/** What leads read of a campaign. */
export type CampaignRuntime = z.infer<typeof CampaignRuntime>;

/** The state of a campaign that has no events yet. */
export function initialCampaign(): CampaignState {
  return {
    id: "",
    exists: false,
    status: "draft",
    definition: null,
    createdAt: null,
    launchedAt: null,
    pausedAt: null,
    stoppedAt: null,
    enrolled: 0,
    nextSlot: 0,
    scan: {
      cursor: null,
      initialPassDone: false,
      lastScanAt: null,
      seq: 0,
      inFlight: false,
      pendingBatches: 0,
    },
  };
}

/** The view of `s` for campaign `id`. */
export function toCampaignView(id: string, s: CampaignState): CampaignView {
  const { cursor, initialPassDone, lastScanAt } = s.scan;
  return {
    id,
    exists: s.exists,
    status: s.status,
    definition: s.definition,
    createdAt: s.createdAt,
    launchedAt: s.launchedAt,
    pausedAt: s.pausedAt,
    stoppedAt: s.stoppedAt,
    enrolled: s.enrolled,
    scan: { cursor, initialPassDone, lastScanAt },
  };
}

/** What leads read: null when the campaign does not exist. */
export function toCampaignRuntime(s: CampaignState): CampaignRuntime | null {
  const d: Definition | null = s.definition;
  if (!s.exists || !d) return null;
  return {
    status: s.status,
    steps: d.steps,
    split: d.split,
    ...(d.window ? { window: d.window } : {}),
    throttlePerMinute: d.throttlePerMinute,
    stopOnReply: d.stopOnReply,
    costCents: d.costCents,
  };
}

/** 409: the campaign cannot do this in its current status (update after launch, launch twice). */
export class CampaignConflictError extends CoveError {
  /** `why` says what was refused, e.g. `a running campaign cannot be launched`. */
  constructor(campaignId: string, status: string, why: string) {
    super("conflict", `campaign ${campaignId}: ${why}`, {
      status: 409,
      public: true,
      details: { campaignId, status },
    });
  }
}
