/**
 * The pure parts of the leads views: the list's query and its REST path,
 * folding a re-read first page into the rows shown, durations and times as
 * people read them, and whether a live tick names a lead. No DOM, so the
 * unit tests run them in Deno.
 *
 * @module
 */

/** The list's orders, as `GET /v1/leads?sort=` names them, with their labels. */
export const SORTS = [
  ["newest", "Newest first"],
  ["oldest", "Oldest first"],
  ["score", "Score, high to low"],
  ["name", "Name, A to Z"],
  ["activity", "Latest activity first"],
] as const;

/** An order of the list. */
export type LeadSort = (typeof SORTS)[number][0];

/** The funnel's statuses, in order. */
export const STATUSES = [
  "new",
  "contacted",
  "responded",
  "qualified",
  "meeting_scheduled",
  "won",
  "lost",
  "unsubscribed",
] as const;

/** Where leads come from. */
export const SOURCES = ["widget", "rest", "csv", "inbound_sms", "inbound_email"] as const;

/** What the table asks for. */
export interface LeadsQuery {
  sort: LeadSort;
  /** Empty: any. */
  status: string;
  /** Empty: any. */
  source: string;
  /** The search text, trimmed; empty: none. */
  q: string;
}

/** The list as it first opens: newest first, nothing filtered. */
export const DEFAULT_QUERY: LeadsQuery = { sort: "newest", status: "", source: "", q: "" };

/** Whether `q` is the live feed: newest first and unfiltered, where new leads join at the top. */
export function isLiveFeed(q: LeadsQuery): boolean {
  return q.sort === "newest" && !q.status && !q.source && !q.q;
}

/** The REST path of one page of `q` (after `cursor`, when given). */
export function leadsPath(q: LeadsQuery, limit: number, cursor?: string | null): string {
  const p = new URLSearchParams({ limit: String(limit) });
  if (q.sort !== "newest") p.set("sort", q.sort);
  if (q.status) p.set("status", q.status);
  if (q.source) p.set("source", q.source);
  if (q.q.trim()) p.set("q", q.q.trim());
  if (cursor) p.set("cursor", cursor);
  return `/v1/leads?${p}`;
}

/** A label for a status or source (`meeting_scheduled` → `meeting scheduled`). */
export function label(value: string): string {
  return value.replaceAll("_", " ");
}

/**
 * The rows after the first page was read again: the page's rows first (they
 * are the freshest), then the rows shown beyond the first page that the page
 * does not hold. Rows that left the first page (e.g. a status no longer in the
 * filter) are dropped; `pageSize` says how many rows the first page covers.
 */
export function refreshFirstPage<R extends { lead_id: string }>(
  shown: readonly R[],
  page: readonly R[],
  pageSize: number,
): R[] {
  const ids = new Set(page.map((r) => r.lead_id));
  return [...page, ...shown.slice(pageSize).filter((r) => !ids.has(r.lead_id))];
}

/** "3 days 4 h", "5 h 12 min", "40 min", "under a minute": how long `ms` is. */
export function duration(ms: number): string {
  const min = Math.floor(Math.max(0, ms) / 60_000);
  if (min < 1) return "under a minute";
  const days = Math.floor(min / 1440);
  const hours = Math.floor((min % 1440) / 60);
  const mins = min % 60;
  if (days > 0) return `${days} day${days === 1 ? "" : "s"}${hours ? ` ${hours} h` : ""}`;
  if (hours > 0) return `${hours} h${mins ? ` ${mins} min` : ""}`;
  return `${mins} min`;
}

const stamp = new Intl.DateTimeFormat(undefined, {
  dateStyle: "medium",
  timeStyle: "medium",
});
const stampWithZone = new Intl.DateTimeFormat(undefined, {
  dateStyle: "medium",
  timeStyle: "long",
});

/** A time in the browser's locale (`zone`: with its time zone named); "" when not a time. */
export function when(at: unknown, zone = false): string {
  const d = typeof at === "number" ? new Date(at) : new Date(String(at));
  if (at === null || at === undefined || Number.isNaN(d.getTime())) return "";
  return (zone ? stampWithZone : stamp).format(d);
}
