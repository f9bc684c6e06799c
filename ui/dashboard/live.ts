/**
 * What the live stream hands the views: events gathered for a moment become
 * one {@link LiveTick} (which actor kinds, ids and event types moved), so a
 * view decides from it whether to re-read. No DOM here: tests hold it
 * without a browser.
 *
 * @module
 */

/**
 * What arrived on the live stream since the last tick (gathered for a
 * moment, then handed to every view at once).
 */
export interface LiveTick {
  /** Grows by one per tick; a view reloads when it changes and its `wants` says so. */
  revision: number;
  /** Actor kinds that had events, e.g. `lead`, `campaign`, `task`, `calendar`. */
  kinds: ReadonlySet<string>;
  /** Ids of the actors that had events, e.g. a lead id. */
  ids: ReadonlySet<string>;
  /** Event types seen, e.g. `lead.captured`. */
  types: ReadonlySet<string>;
}

/** The tick before anything arrived. */
export const NO_TICK: LiveTick = {
  revision: 0,
  kinds: new Set(),
  ids: new Set(),
  types: new Set(),
};

/** The tick of `events` (actor names are `kind/tenant/id`: kind first, id last). */
export function tickOf(
  revision: number,
  events: readonly { actor: string; type: string }[],
): LiveTick {
  const kinds = new Set<string>();
  const ids = new Set<string>();
  const types = new Set<string>();
  for (const e of events) {
    const parts = e.actor.split("/");
    kinds.add(parts[0]!);
    ids.add(parts.at(-1)!);
    types.add(e.type);
  }
  return { revision, kinds, ids, types };
}
