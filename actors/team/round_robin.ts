/**
 * Smooth weighted round-robin, as nginx balances upstreams: every pick adds
 * each candidate's weight to its running score, takes the highest score and
 * subtracts the total weight from it. Weights 3:1 give `A A B A`, not
 * `A A A B`: the heavier member gets their share spread out, and the lighter
 * one is never starved. Pure, so the team actor can decide inside a turn.
 *
 * @module
 */

/** One member the round-robin may pick. */
export interface WeightedCandidate {
  /** The member's id; also the key of their running score. */
  id: string;
  /** Their share, at least 1. */
  weight: number;
}

/** The outcome of one pick. */
export interface WeightedPick {
  /** The id picked. */
  id: string;
  /** Running scores after the pick: the input's, with every candidate's updated. */
  current: Record<string, number>;
}

/**
 * Picks one of `candidates` given their running scores (missing means 0).
 * Ties go to the earlier candidate, so the order of the list decides them
 * and the result is the same on every replay. Scores of ids that are not
 * candidates (an unavailable member) are carried over untouched, so a member
 * coming back resumes where they left off. Undefined when there are no
 * candidates.
 */
export function smoothWeightedPick(
  candidates: readonly WeightedCandidate[],
  current: Readonly<Record<string, number>>,
): WeightedPick | undefined {
  if (candidates.length === 0) return undefined;
  const next: Record<string, number> = { ...current };
  let total = 0;
  let best: WeightedCandidate | undefined;
  for (const c of candidates) {
    const score = (next[c.id] ?? 0) + c.weight;
    next[c.id] = score;
    total += c.weight;
    if (best === undefined || score > next[best.id]!) best = c;
  }
  next[best!.id] = next[best!.id]! - total;
  return { id: best!.id, current: next };
}
