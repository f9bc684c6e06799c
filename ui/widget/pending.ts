/**
 * Submits that must not be lost. A lead is written to storage (the page's
 * `localStorage`) before it is posted, and removed only once the gateway
 * accepted it or refused it for good (a 4xx other than 408/429). A network
 * failure, a 5xx or a 429 leaves it there and it is posted again with the SAME
 * idempotency key, with exponential backoff and again at the next page load,
 * so the server dedupes a retry of a submit that did arrive.
 *
 * Runtime-neutral (storage, fetch and timers are injected), so it is tested
 * in Deno without a browser.
 *
 * @module
 */
import type { BookingResult, Slot } from "./slots.ts";

/** The body of `POST /v1/widget/leads` (see `WidgetLead` in gateway/widget_api.ts). */
export interface WidgetLeadBody {
  idempotencyKey: string;
  name?: string;
  email?: string;
  phone?: string;
  company?: string;
  message?: string;
  pageUrl?: string;
  referrer?: string;
  elapsedMs: number;
  website?: string;
  /** The visitor's time zone, sent with a chosen meeting time. */
  timeZone?: string;
  /** A meeting time from `GET /v1/widget/slots`, booked for the lead with the capture. */
  slot?: Slot;
  [utm: `utm_${string}`]: string | undefined;
}

/** One submit waiting for the gateway. */
export interface PendingLead {
  /** Where it goes: the gateway's `.../v1/widget/leads` URL. */
  endpoint: string;
  siteKey: string;
  body: WidgetLeadBody;
  /** Failed posts so far. */
  attempts: number;
}

/** What one post came to. */
export type DeliveryOutcome =
  | { state: "accepted"; leadId: string | null; booking?: BookingResult }
  | { state: "refused"; status: number; message: string }
  | { state: "retry"; reason: string; retryAfterMs?: number };

/** The part of the Web Storage API used (`localStorage` in a page). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** Where pending submits are kept in storage. */
export const PENDING_STORAGE_KEY = "cove.widget.pending";

/** Longest wait between two posts of one lead. */
export const MAX_RETRY_DELAY_MS = 60_000;

/** The delay before retry number `attempts` (1 = first retry): 1 s doubling to a minute, jittered. */
export function retryDelay(attempts: number, random: () => number = Math.random): number {
  const base = Math.min(MAX_RETRY_DELAY_MS, 1_000 * 2 ** Math.max(0, attempts - 1));
  return Math.round(base * (0.75 + random() * 0.5));
}

/** Posts one lead; never throws. */
export async function postLead(
  lead: PendingLead,
  fetchFn: typeof fetch = fetch,
): Promise<DeliveryOutcome> {
  const url = new URL(lead.endpoint);
  url.searchParams.set("site_key", lead.siteKey);
  let res: Response;
  try {
    res = await fetchFn(url.href, {
      method: "POST",
      headers: { "content-type": "application/json", "x-site-key": lead.siteKey },
      body: JSON.stringify(lead.body),
    });
  } catch (error) {
    return { state: "retry", reason: `network: ${error instanceof Error ? error.message : error}` };
  }
  let body: { leadId?: string | null; booking?: BookingResult; error?: { message?: string } } = {};
  try {
    body = await res.json();
  } catch { /* a proxy's HTML error page: the status says enough */ }
  if (res.ok) {
    const booking = body.booking?.status ? { booking: body.booking } : {};
    return { state: "accepted", leadId: body.leadId ?? null, ...booking };
  }
  if (res.status >= 500 || res.status === 408 || res.status === 429) {
    const after = Number(res.headers.get("retry-after"));
    return {
      state: "retry",
      reason: `HTTP ${res.status}`,
      ...(after > 0 ? { retryAfterMs: after * 1_000 } : {}),
    };
  }
  return {
    state: "refused",
    status: res.status,
    message: body.error?.message ?? `HTTP ${res.status}`,
  };
}

/** Options of {@link Courier}. */
export interface CourierOptions {
  storage: KeyValueStorage;
  fetch?: typeof fetch;
  /** Starts a timer; default `setTimeout`. */
  schedule?: (ms: number, fn: () => void) => void;
  random?: () => number;
  /** Told how each post of each lead ended. */
  onOutcome?: (lead: PendingLead, outcome: DeliveryOutcome) => void;
}

/**
 * Delivers pending leads: keeps them in storage until the gateway answers
 * for good, posting each again after a growing delay. One courier per page
 * is enough; a lead is never posted twice at once by the same courier.
 */
export class Courier {
  readonly #opts: CourierOptions;
  readonly #inFlight = new Set<string>();
  readonly #waiting = new Set<string>();

  /** A courier over `opts.storage`; nothing is posted before `submit` or `resume`. */
  constructor(opts: CourierOptions) {
    this.#opts = opts;
  }

  /** The leads still waiting, as stored. */
  pending(): PendingLead[] {
    try {
      const raw = this.#opts.storage.getItem(PENDING_STORAGE_KEY);
      const list = raw ? JSON.parse(raw) : [];
      return Array.isArray(list) ? list : [];
    } catch {
      return [];
    }
  }

  /** Stores `lead`, then posts it; resolves with the first post's outcome. */
  submit(lead: Omit<PendingLead, "attempts">): Promise<DeliveryOutcome> {
    const stored: PendingLead = { ...lead, attempts: 0 };
    this.#write([
      ...this.pending().filter((p) => p.body.idempotencyKey !== lead.body.idempotencyKey),
      stored,
    ]);
    return this.#attempt(stored);
  }

  /** Posts every stored lead now (at page load, or when the browser comes back online). */
  resume(): Promise<DeliveryOutcome[]> {
    return Promise.all(this.pending().map((p) => this.#attempt(p)));
  }

  async #attempt(lead: PendingLead): Promise<DeliveryOutcome> {
    const key = lead.body.idempotencyKey;
    if (this.#inFlight.has(key)) return { state: "retry", reason: "already being posted" };
    this.#inFlight.add(key);
    this.#waiting.delete(key);
    let outcome: DeliveryOutcome;
    try {
      outcome = await postLead(lead, this.#opts.fetch ?? fetch);
    } finally {
      this.#inFlight.delete(key);
    }
    if (outcome.state === "retry") {
      const attempts = (this.#find(key)?.attempts ?? lead.attempts) + 1;
      const updated = { ...lead, attempts };
      this.#update(key, updated);
      this.#later(updated, outcome.retryAfterMs ?? retryDelay(attempts, this.#opts.random));
    } else {
      this.#write(this.pending().filter((p) => p.body.idempotencyKey !== key));
    }
    this.#opts.onOutcome?.(lead, outcome);
    return outcome;
  }

  #later(lead: PendingLead, ms: number): void {
    const key = lead.body.idempotencyKey;
    if (this.#waiting.has(key)) return;
    this.#waiting.add(key);
    const schedule = this.#opts.schedule ?? ((t, fn) => setTimeout(fn, t));
    schedule(ms, () => {
      if (!this.#waiting.has(key)) return;
      this.#waiting.delete(key);
      // Another tab, or a resume, may have delivered it meanwhile.
      const current = this.#find(key);
      if (current) void this.#attempt(current);
    });
  }

  #find(key: string): PendingLead | undefined {
    return this.pending().find((p) => p.body.idempotencyKey === key);
  }

  #update(key: string, lead: PendingLead): void {
    const list = this.pending();
    const i = list.findIndex((p) => p.body.idempotencyKey === key);
    if (i < 0) return; // delivered meanwhile by another tab
    list[i] = lead;
    this.#write(list);
  }

  #write(list: PendingLead[]): void {
    try {
      if (list.length === 0) this.#opts.storage.removeItem(PENDING_STORAGE_KEY);
      else this.#opts.storage.setItem(PENDING_STORAGE_KEY, JSON.stringify(list));
    } catch { /* storage full or blocked: the in-page retry still runs */ }
  }
}
