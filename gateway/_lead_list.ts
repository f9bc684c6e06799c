/**
 * The lead list behind `GET /v1/leads`: five orders, filters and a search,
 * paged with keyset cursors so a page deep in 100,000 leads costs what the
 * first does. Each order walks one index of migration 0104 (the row
 * comparison of the cursor is that index's key), and a cursor holds its
 * order, so one taken under another order is refused instead of skipping or
 * repeating rows.
 *
 * @module
 */
import type { Sql } from "../actors/runtime/mod.ts";
import { LeadSource, LeadStatus, ValidationError } from "../shared/mod.ts";
import { unstorableString, z } from "./openapi.ts";

/** The orders of the list; `newest` is the default. */
export const LeadSort = z.enum(["newest", "oldest", "score", "name", "activity"]);
/** An order of the list. */
export type LeadSort = z.infer<typeof LeadSort>;

/** The list's query parameters. */
export const ListQuery = z.object({
  sort: LeadSort.default("newest").openapi({
    description: "newest or oldest captured first, score high to low, name A to Z (unnamed " +
      "last), or latest activity first",
  }),
  status: LeadStatus.optional(),
  source: LeadSource.optional(),
  q: z.string().trim().max(200).optional().openapi({
    description: "Matches part of the name, email, company or phone (digits match the phone " +
      "whatever its punctuation)",
  }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(1000).optional().openapi({
    description: "Opaque: the `next` of the previous page, asked with the same `sort`",
  }),
});
/** The list's query, parsed. */
export type ListQuery = z.infer<typeof ListQuery>;

/** One row of the lead list. */
export const LeadRow = z.object({
  lead_id: z.string(),
  name: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  company: z.string().nullable(),
  status: z.string(),
  score: z.number().nullable(),
  priority: z.string().nullable(),
  owner: z.string().nullable(),
  source: z.string().nullable(),
  tags: z.unknown(),
  created_at: z.unknown(),
  last_activity: z.unknown(),
}).openapi("LeadRow");
/** One row of the lead list. */
export type LeadRow = z.infer<typeof LeadRow>;

/** What a cursor holds: its order, the last row's sort key and its id. */
interface Position {
  sort: LeadSort;
  key: string | number;
  id: string;
}

const b64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");

/** The cursor after `p` (base64url of JSON, so names of any script survive). */
export function encodeLeadCursor(p: Position): string {
  return b64url(new TextEncoder().encode(JSON.stringify([p.sort, p.key, p.id])));
}

const badCursor = (message: string) => new ValidationError("query", [{ path: "cursor", message }]);

/** The position a cursor holds; a 400 naming `cursor` when it is not one or is of another sort. */
export function decodeLeadCursor(cursor: string, sort: LeadSort): Position {
  let parsed: unknown;
  try {
    const bin = atob(cursor.replaceAll("-", "+").replaceAll("_", "/"));
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(
      Uint8Array.from(bin, (c) => c.charCodeAt(0)),
    ));
  } catch {
    throw badCursor("not a cursor from this API");
  }
  const [s, key, id] = Array.isArray(parsed) ? parsed : [];
  const ok = LeadSort.safeParse(s).success && typeof id === "string" &&
    unstorableString([key, id]) === null && validKey(s, key);
  if (!ok) throw badCursor("not a cursor from this API");
  if (s !== sort) {
    throw badCursor(`a cursor of sort ${s}, not ${sort}: ask the first page again without it`);
  }
  return { sort, key, id };
}

/** Years 1 to 9999: instants a timestamp column holds and JavaScript writes in ISO 8601. */
const FIRST_INSTANT = Date.parse("0001-01-01T00:00:00Z");
const LAST_INSTANT = Date.parse("9999-12-31T23:59:59.999Z");

/** Keys the database takes as the sort column's type (a forged cursor is a 400, never a 500). */
function validKey(sort: LeadSort, key: unknown): boolean {
  if (sort === "score") return Number.isInteger(key) && Math.abs(key as number) <= 2 ** 31 - 1;
  if (typeof key !== "string") return false;
  if (sort === "name") return true;
  const ms = Date.parse(key);
  return ms >= FIRST_INSTANT && ms <= LAST_INSTANT;
}

/** `%text%` for LIKE, with LIKE's own characters taken literally. */
const contains = (text: string) => `%${text.replace(/[\\%_]/g, (m) => "\\" + m)}%`;

/** One page of `tenant`'s leads (merged ones left out); `next` is null on the last page. */
export async function listLeads(
  sql: Sql,
  tenant: string,
  query: ListQuery,
): Promise<{ items: LeadRow[]; next: string | null }> {
  const { sort, status, source, q, limit } = query;
  const after = query.cursor ? decodeLeadCursor(query.cursor, sort) : undefined;
  const like = q ? contains(q) : undefined;
  const digits = q?.replace(/\D/g, "") ?? "";
  const search = like
    ? sql`AND (name ILIKE ${like} OR email ILIKE ${like} OR company ILIKE ${like}
          OR phone ILIKE ${like} ${
      digits.length >= 3 ? sql`OR phone LIKE ${contains(digits)}` : sql``
    })`
    : sql``;
  // Each order and its keyset condition match an index of 0104 column for column.
  const unnamed = sql`(name = '')`;
  const at = (p: Position) => new Date(String(p.key));
  const { key, order, keyset } = {
    newest: {
      key: sql`created_at`,
      order: sql`created_at DESC, lead_id DESC`,
      keyset: (p: Position) => sql`(created_at, lead_id) < (${at(p)}, ${p.id})`,
    },
    oldest: {
      key: sql`created_at`,
      order: sql`created_at ASC, lead_id ASC`,
      keyset: (p: Position) => sql`(created_at, lead_id) > (${at(p)}, ${p.id})`,
    },
    score: {
      key: sql`score`,
      order: sql`score DESC, lead_id DESC`,
      keyset: (p: Position) => sql`(score, lead_id) < (${Number(p.key)}, ${p.id})`,
    },
    name: {
      key: sql`lower(name)`,
      order: sql`${unnamed} ASC, lower(name) ASC, lead_id ASC`,
      keyset: (p: Position) =>
        sql`(${unnamed}, lower(name), lead_id) >
            (${String(p.key) === ""}, ${String(p.key)}, ${p.id})`,
    },
    activity: {
      key: sql`last_activity`,
      order: sql`last_activity DESC, lead_id DESC`,
      keyset: (p: Position) => sql`(last_activity, lead_id) < (${at(p)}, ${p.id})`,
    },
  }[sort];
  const rows = await sql<(LeadRow & { sort_key: Date | number | string })[]>`
    SELECT lead_id, name, email, phone, company, status, score, priority, owner, source, tags,
           created_at, last_activity, ${key} AS sort_key
    FROM leads
    WHERE tenant = ${tenant} AND merged_into IS NULL
      ${status ? sql`AND status = ${status}` : sql``}
      ${source ? sql`AND source = ${source}` : sql``}
      ${search} ${after ? sql`AND ${keyset(after)}` : sql``}
    ORDER BY ${order}
    LIMIT ${limit + 1}`;
  const items = rows.slice(0, limit).map(({ sort_key: _, ...row }) => row);
  const last = rows.length > limit ? rows[limit - 1] : undefined;
  const next = last
    ? encodeLeadCursor({
      sort,
      key: last.sort_key instanceof Date ? last.sort_key.toISOString() : last.sort_key,
      id: last.lead_id,
    })
    : null;
  return { items, next };
}
