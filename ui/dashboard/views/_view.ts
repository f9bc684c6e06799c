/**
 * What every dashboard view shares: the REST client, the live tick (live.ts) and its
 * route parameters as properties; one `load()` when it is first shown, again
 * when its parameters change and when live events it cares about arrive;
 * and `data-ready` on the element once its first load ended (tests and the
 * first-paint benchmark wait for it, and a `view-ready` event says so),
 * `aria-busy` while loading.
 *
 * @module
 */
import { LitElement, type PropertyValues } from "lit";
import type { Api } from "../api.ts";
import { type LiveTick, NO_TICK } from "../live.ts";

/** Base class of the views; see the module doc. */
export abstract class DashboardView extends LitElement {
  static override properties = {
    api: { attribute: false },
    live: { attribute: false },
    params: { attribute: false },
  };

  /** The REST client (set by the dashboard before the view is connected). */
  declare api: Api;
  /** The latest live tick. */
  declare live: LiveTick;
  /** The route's parameters (`id`). */
  declare params: Record<string, string>;

  #loading: Promise<void> | null = null;
  #again = false;

  constructor() {
    super();
    this.live = NO_TICK;
    this.params = {};
  }

  /** Reads what the view shows; errors are the view's to show (the base only logs none). */
  protected abstract load(): Promise<void>;

  /** Whether a live tick should reload the view (default: any event of a lead). */
  protected wants(tick: LiveTick): boolean {
    return tick.kinds.has("lead");
  }

  /** Loads now (or once more after the load in flight); answers when done. */
  protected reload(): Promise<void> {
    if (this.#loading) {
      this.#again = true;
      return this.#loading;
    }
    this.setAttribute("aria-busy", "true");
    this.#loading = (async () => {
      try {
        do {
          this.#again = false;
          await this.load();
        } while (this.#again);
      } finally {
        this.#loading = null;
        this.removeAttribute("aria-busy");
        const first = !this.hasAttribute("data-ready");
        this.toggleAttribute("data-ready", true);
        if (first) {
          this.dispatchEvent(new CustomEvent("view-ready", { bubbles: true, composed: true }));
        }
      }
    })();
    return this.#loading;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!this.api) return;
    const first = !this.hasUpdated;
    const paramsChanged = changed.has("params") &&
      JSON.stringify(changed.get("params") ?? {}) !== JSON.stringify(this.params);
    const ticked = changed.has("live") && changed.get("live") !== undefined &&
      this.live.revision !== (changed.get("live") as LiveTick).revision && this.wants(this.live);
    if (first || paramsChanged || ticked) void this.reload();
  }
}
