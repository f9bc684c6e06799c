/**
 * The recommendation rules of the original design, as pure functions of the
 * pipeline figures: pipeline running low (too few uncontacted leads), low
 * response rate, silent high-score leads. Each says why, with the figure and
 * the threshold it crossed, and what to do.
 *
 * @module
 */
import type { Recommendation } from "../../shared/analytics.ts";
import type { PipelineFigures, Segment, StepFigures } from "./figures.ts";

/** The thresholds of the rules. */
export const THRESHOLDS = {
  /** Uncontacted share of open leads below which the pipeline runs low. */
  uncontactedShare: 0.2,
  /** Response rate below which templates need work. */
  responseRate: 0.1,
  /** Leads we must have written to before the response rate means anything. */
  minWritten: 10,
  /** Score from which a silent lead is worth recovering. */
  highScore: 70,
  /** Hours of silence that make a lead silent. */
  silentHours: 48,
} as const;

/** How many segments of each kind a generate-leads recommendation suggests. */
const TOP = 3;

/** Pipeline running low: uncontacted leads are under 20% of open leads. */
export function pipelineRunningLow(f: PipelineFigures): Recommendation | undefined {
  if (f.openLeads === 0) {
    return generate(f, 0, "there are no open leads: the pipeline is empty");
  }
  const share = f.uncontacted / f.openLeads;
  if (share >= THRESHOLDS.uncontactedShare) return undefined;
  const pct = (share * 100).toFixed(1);
  return generate(
    f,
    share,
    `only ${f.uncontacted} of ${f.openLeads} open leads (${pct}%) are uncontacted, ` +
      `under ${THRESHOLDS.uncontactedShare * 100}%: the pipeline is running low`,
  );
}

function generate(f: PipelineFigures, share: number, reason: string): Recommendation {
  const top = (kind: Segment["kind"]) =>
    bestSegments(f.segments, kind).slice(0, TOP).map((s) => s.value);
  return {
    kind: "generate_leads",
    reason,
    metric: { name: "uncontacted_share", value: share, threshold: THRESHOLDS.uncontactedShare },
    suggested: {
      // Twice what it takes to get back over the threshold, at least 10.
      count: Math.max(
        10,
        Math.ceil(2 * (THRESHOLDS.uncontactedShare * f.openLeads - f.uncontacted)),
      ),
      locations: [...top("city"), ...top("postcode")],
      businessTypes: top("businessType"),
      sources: top("source"),
    },
  };
}

/** Segments of `kind`, by conversion rate, then size, then name (so ties are stable). */
export function bestSegments(segments: Segment[], kind: Segment["kind"]): Segment[] {
  const rate = (s: Segment) => s.leads === 0 ? 0 : s.converted / s.leads;
  return segments.filter((s) => s.kind === kind && s.leads > 0).sort((a, b) =>
    rate(b) - rate(a) || b.leads - a.leads || a.value.localeCompare(b.value)
  );
}

/** Low response rate: under 10% of the leads we wrote to wrote back (once there are enough). */
export function lowResponseRate(f: PipelineFigures): Recommendation | undefined {
  if (f.written < THRESHOLDS.minWritten) return undefined;
  const rate = f.replied / f.written;
  if (rate >= THRESHOLDS.responseRate) return undefined;
  const weakest = weakestStep(f.steps);
  return {
    kind: "optimize_templates",
    reason: `only ${f.replied} of ${f.written} leads we wrote to replied ` +
      `(${(rate * 100).toFixed(1)}%, under ${THRESHOLDS.responseRate * 100}%)` +
      (weakest ? `; the weakest step is ${weakest.sequence} step ${weakest.step}` : ""),
    metric: { name: "response_rate", value: rate, threshold: THRESHOLDS.responseRate },
    suggested: {
      abTest: weakest
        ? {
          sequence: weakest.sequence,
          step: weakest.step,
          sent: weakest.sent,
          replied: weakest.replied,
          variants: ["current template", "new variant"],
          split: 0.5,
        }
        : { variants: ["current template", "new variant"], split: 0.5 },
    },
  };
}

/** The step with the lowest reply rate among those that sent anything; ties go to the most sent. */
export function weakestStep(steps: StepFigures[]): StepFigures | undefined {
  const rate = (s: StepFigures) => s.replied / s.sent;
  return steps.filter((s) => s.sent > 0).sort((a, b) =>
    rate(a) - rate(b) || b.sent - a.sent || a.sequence.localeCompare(b.sequence) ||
    a.step - b.step
  )[0];
}

/** Silent high-score leads: score of 70 or more, not heard from for 48 hours. */
export function silentHighScoreLeads(f: PipelineFigures): Recommendation | undefined {
  const leads = f.silentHighScore;
  if (leads.length === 0) return undefined;
  return {
    kind: "recover_silent_leads",
    reason: `${leads.length} lead(s) scoring ${THRESHOLDS.highScore} or more have been silent ` +
      `for ${THRESHOLDS.silentHours} hours or longer`,
    metric: { name: "silent_high_score_leads", value: leads.length, threshold: 1 },
    suggested: { leadIds: leads.map((l) => l.leadId), sequence: "silent" },
  };
}

/** Every rule that fires for `f`, in a fixed order. */
export function recommend(f: PipelineFigures): Recommendation[] {
  return [pipelineRunningLow(f), lowResponseRate(f), silentHighScoreLeads(f)]
    .filter((r): r is Recommendation => r !== undefined);
}
