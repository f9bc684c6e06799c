/**
 * Names for the leads the tasks board links to (a task carries only its
 * lead's id). Kept apart from the view because it has its own memory of
 * what it has read and what could not be named, and its own budget of
 * requests per load.
 *
 * @module
 */
import type { Api } from "../api.ts";

/** Leads asked for by id per load when the newest leads' list did not name them. */
const LEAD_LOOKUPS = 5;

/** The part of `GET /v1/leads/{id}` that names the lead. */
interface LeadContact {
  contact?: { name?: string; email?: string };
}

interface LeadName {
  lead_id: string;
  name: string | null;
  email: string | null;
}

/** Where names are read from and kept: the board (its `leads` is reactive state). */
export interface LeadNamesHost {
  readonly api: Api;
  /** Lead id to a name (or email), for links and the create form's suggestions. */
  leads: Map<string, string>;
}

/**
 * Names the board's leads. The newest leads come in one read (again while
 * more leads are unnamed than a few); a few leads it does not name (newer
 * than the list's read model, or older than its page) are then asked for
 * one by one, each once.
 */
export class LeadNamer {
  /** Whether the newest leads have been read for names. */
  #listed = false;
  /** Leads asked for by id that could not be named. */
  readonly #nameless = new Set<string>();

  /** Names what `leadIds` (the board's current tasks' leads) lacks into `host.leads`. */
  async name(host: LeadNamesHost, leadIds: () => string[]): Promise<void> {
    const unnamed = () => [
      ...new Set(leadIds().filter((id) => !host.leads.has(id) && !this.#nameless.has(id))),
    ];
    if (!this.#listed || unnamed().length > LEAD_LOOKUPS) {
      try {
        const page = await host.api.get<{ items: LeadName[] }>("/v1/leads?limit=200");
        host.leads = new Map([
          ...host.leads,
          ...page.items.map((l) => [l.lead_id, l.name ?? l.email ?? l.lead_id] as const),
        ]);
        this.#listed = true;
      } catch {
        // Only names are missing then: links show the lead's id and the form takes an id.
        return;
      }
    }
    const asked = unnamed().slice(0, LEAD_LOOKUPS);
    if (asked.length === 0) return;
    const found = await Promise.all(asked.map(async (id) => {
      try {
        const lead = await host.api.get<LeadContact>(`/v1/leads/${encodeURIComponent(id)}`);
        return [id, lead.contact?.name ?? lead.contact?.email ?? id] as const;
      } catch {
        this.#nameless.add(id); // Shown by its id from now on, not asked for again.
        return null;
      }
    }));
    const named = found.filter((f) => f !== null);
    if (named.length > 0) host.leads = new Map([...host.leads, ...named]);
  }
}
