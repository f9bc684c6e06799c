/**
 * The pipeline figures the recommendation rules decide from, as one shape:
 * how much of the open pipeline is still uncontacted, the response rate, the
 * weakest follow-up step, silent high-score leads and the best-converting
 * segments. Journaled with each health check, so a recommendation can always
 * be traced to the numbers behind it.
 *
 * @module
 */
import { z } from "zod";

/** One segment of leads (by source, business type, city or postcode) and how it converts. */
export const Segment = z.object({
  kind: z.enum(["source", "businessType", "city", "postcode"]),
  value: z.string(),
  leads: z.number().int(),
  /** Leads of the segment that booked a meeting or were won. */
  converted: z.number().int(),
});
/** A lead segment. */
export type Segment = z.infer<typeof Segment>;

/** How one follow-up step did: messages sent and leads who replied after it. */
export const StepFigures = z.object({
  sequence: z.string(),
  step: z.number().int(),
  sent: z.number().int(),
  replied: z.number().int(),
});
/** One follow-up step's figures. */
export type StepFigures = z.infer<typeof StepFigures>;

/** A silent lead worth recovering. */
export const SilentLeadFigure = z.object({
  leadId: z.string(),
  score: z.number().int(),
  silentSince: z.number(),
});
/** A silent lead. */
export type SilentLeadFigure = z.infer<typeof SilentLeadFigure>;

/** A tenant's pipeline figures at `asOf`. */
export const PipelineFigures = z.object({
  asOf: z.number(),
  /** Leads still being worked (new, contacted, responded, qualified), merged-away ones excluded. */
  openLeads: z.number().int(),
  /** Open leads nobody has contacted yet (status `new`). */
  uncontacted: z.number().int(),
  /** Leads we wrote to at least once. */
  written: z.number().int(),
  /** Of those, leads that wrote back after our first message. */
  replied: z.number().int(),
  /** Per follow-up step, those that sent anything. */
  steps: z.array(StepFigures),
  /** Open leads with a score of at least 70 not heard from for 48 hours, best first (at most 50). */
  silentHighScore: z.array(SilentLeadFigure),
  /** Segments with at least one lead, best-converting first. */
  segments: z.array(Segment),
});
/** A tenant's pipeline figures. */
export type PipelineFigures = z.infer<typeof PipelineFigures>;
