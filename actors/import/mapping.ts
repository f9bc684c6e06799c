/**
 * The column mapping of a CSV import: which lead field each column fills.
 * Common header names map themselves (case and punctuation aside: `E-mail`,
 * `Mobile`, `ZIP`, `First name` + `Last name`); an explicit mapping overrides
 * them or names others. A row becomes a capture input here, and its
 * idempotency key is derived from that input, so the same person's row is the
 * same capture in any file whatever its column order or header names.
 *
 * @module
 */
import { z } from "zod";
import type { FieldIssue } from "../../shared/errors.ts";
import { ValidationError } from "../../shared/errors.ts";
import type { CaptureLead } from "../../shared/lead.ts";
import { canonicalJson, sha256Hex } from "./_digest.ts";

/** The lead fields a column can fill, in the order a row's capture input is built. */
export const IMPORT_FIELDS = [
  "contact.name",
  "contact.firstName",
  "contact.lastName",
  "contact.email",
  "contact.phone",
  "contact.company",
  "contact.businessType",
  "contact.website",
  "contact.rating",
  "contact.reviewCount",
  "contact.emailConfidence",
  "contact.timeZone",
  "contact.address.line1",
  "contact.address.city",
  "contact.address.region",
  "contact.address.postcode",
  "contact.address.country",
  "message",
  "tags",
] as const;

const CUSTOM_FIELD = /^customFields\.[a-z][a-z0-9_]{0,63}$/;
const KNOWN = new Set<string>(IMPORT_FIELDS);

/** Whether `s` is a field a column may be mapped to. */
export function isImportField(s: string): boolean {
  return KNOWN.has(s) || CUSTOM_FIELD.test(s);
}

/**
 * A mapping target: one of {@link IMPORT_FIELDS} or `customFields.<name>`
 * (name: lowercase letters, digits, `_`, as custom fields are keyed).
 */
export const ImportField = z.string().refine(isImportField, {
  message: `unknown field; use one of ${IMPORT_FIELDS.join(", ")} or customFields.<name>`,
});

/**
 * Column name → target field, as a caller gives it: `null` leaves a column out
 * (also one that would map itself). Errors name `mapping.<column>`.
 */
export const ColumnMapping = z.record(z.string(), ImportField.nullable());
/** An explicit column mapping. */
export type ColumnMapping = z.infer<typeof ColumnMapping>;

/** Header names (lowercased, letters and digits only) that map themselves. */
const AUTO: Record<string, string> = {};
for (
  const [field, names] of Object.entries({
    "contact.email": ["email", "emailaddress", "mail"],
    "contact.phone": [
      "phone",
      "phonenumber",
      "mobile",
      "mobilephone",
      "mobilenumber",
      "cell",
      "cellphone",
      "telephone",
      "tel",
    ],
    "contact.name": ["name", "fullname", "contactname", "contact"],
    "contact.firstName": ["firstname", "givenname", "first"],
    "contact.lastName": ["lastname", "surname", "familyname", "last"],
    "contact.company": [
      "company",
      "companyname",
      "business",
      "businessname",
      "organization",
      "organisation",
    ],
    "contact.businessType": ["businesstype", "category", "industry"],
    "contact.website": ["website", "web", "site", "url", "websiteurl", "homepage"],
    "contact.rating": ["rating", "stars"],
    "contact.reviewCount": ["reviews", "reviewcount", "numberofreviews"],
    "contact.timeZone": ["timezone", "tz"],
    "contact.address.line1": ["address", "street", "streetaddress", "address1", "addressline1"],
    "contact.address.city": ["city", "town"],
    "contact.address.region": ["state", "region", "province"],
    "contact.address.postcode": ["postcode", "zip", "zipcode", "postalcode"],
    "contact.address.country": ["country", "countrycode"],
    "message": ["message", "notes", "note", "comments"],
    "tags": ["tags", "tag", "labels"],
  })
) {
  for (const n of names) AUTO[n] = field;
}

/** The target a header name maps to by itself, if any (`E-mail` → `contact.email`). */
export function autoField(header: string): string | undefined {
  return AUTO[header.toLowerCase().replace(/[^a-z0-9]/g, "")];
}

/** Fields that many columns may fill together; every other field takes one column. */
const MULTI = new Set(["tags"]);

/** The mapping in force for one file. */
export interface ResolvedMapping {
  /** Column name → field, for every column that is used (auto-mapped ones included). */
  mapping: Record<string, string>;
  /** Header columns left out: unknown names, a `null` mapping, a field already taken. */
  ignored: string[];
  /** Used columns by position in the header, in {@link IMPORT_FIELDS} order. */
  columns: Array<{ index: number; column: string; field: string }>;
}

const IDENTIFYING =
  "contact.email, contact.phone, or contact.company with contact.address.postcode";

/**
 * Resolves the mapping of a file's header. Explicit entries win; the other
 * columns map themselves by name when their field is still free. Throws a
 * ValidationError naming `mapping.<column>` for a column the header lacks or
 * a single-column field mapped twice, and `mapping` when no column can
 * identify a lead (every row would fail).
 */
export function resolveMapping(header: string[], explicit: ColumnMapping = {}): ResolvedMapping {
  const issues: FieldIssue[] = [];
  const index = new Map<string, number>();
  header.forEach((h, i) => {
    if (h !== "" && !index.has(h)) index.set(h, i);
  });
  const taken = new Map<string, string>();
  const mapping: Record<string, string> = {};
  for (const [column, field] of Object.entries(explicit)) {
    if (!index.has(column)) {
      issues.push({
        path: `mapping.${column}`,
        message: `no column named ${JSON.stringify(column)} in the header (${
          header.map((h) => JSON.stringify(h)).join(", ")
        })`,
      });
    } else if (field !== null && !isImportField(field)) {
      issues.push({ path: `mapping.${column}`, message: `unknown field ${JSON.stringify(field)}` });
    } else if (field !== null) {
      const other = taken.get(field);
      if (other !== undefined && !MULTI.has(field)) {
        issues.push({
          path: `mapping.${column}`,
          message: `${field} is already filled from column ${JSON.stringify(other)}`,
        });
      }
      taken.set(field, column);
      mapping[column] = field;
    }
  }
  if (issues.length > 0) throw new ValidationError("csv import", issues);

  const ignored: string[] = [];
  for (const column of index.keys()) {
    if (column in explicit) {
      if (explicit[column] === null) ignored.push(column);
      continue;
    }
    const field = autoField(column);
    if (field === undefined || (taken.has(field) && !MULTI.has(field))) {
      ignored.push(column);
      continue;
    }
    taken.set(field, column);
    mapping[column] = field;
  }
  if (
    !taken.has("contact.email") && !taken.has("contact.phone") &&
    !(taken.has("contact.company") && taken.has("contact.address.postcode"))
  ) {
    throw new ValidationError("csv import", [{
      path: "mapping",
      message: `no column maps to ${IDENTIFYING}, so no row could be captured; ` +
        `columns: ${header.map((h) => JSON.stringify(h)).join(", ")}`,
    }]);
  }
  return { mapping, ignored, columns: orderColumns(header, mapping) };
}

/** Rebuilds the used columns of an already resolved mapping (as a job stored it). */
export function compileMapping(header: string[], mapping: Record<string, string>): ResolvedMapping {
  const used = new Set(Object.keys(mapping));
  const missing = [...used].filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new ValidationError(
      "csv import",
      missing.map((c) => ({
        path: `mapping.${c}`,
        message: `no column named ${JSON.stringify(c)} in the header`,
      })),
    );
  }
  return {
    mapping,
    ignored: header.filter((h) => h !== "" && !used.has(h)),
    columns: orderColumns(header, mapping),
  };
}

function orderColumns(header: string[], mapping: Record<string, string>) {
  const rank = (f: string) => {
    const i = (IMPORT_FIELDS as readonly string[]).indexOf(f);
    return i >= 0 ? i : IMPORT_FIELDS.length;
  };
  return Object.entries(mapping)
    .map(([column, field]) => ({ index: header.indexOf(column), column, field }))
    .sort((a, b) => rank(a.field) - rank(b.field) || a.field.localeCompare(b.field));
}

/** Country names seen in exported address books, mapped to the ISO code the schema wants. */
const COUNTRY_NAMES: Record<string, string> = {
  "usa": "US",
  "united states": "US",
  "united states of america": "US",
  "uk": "GB",
  "united kingdom": "GB",
  "great britain": "GB",
  "england": "GB",
  "canada": "CA",
  "australia": "AU",
  "new zealand": "NZ",
  "ireland": "IE",
  "germany": "DE",
  "france": "FR",
};

/** A number as written in a sheet (`4.5`, `1,234`); the text itself when it is none, for zod to name. */
function numeric(s: string): number | string {
  const n = Number(s.replace(/,/g, ""));
  return s !== "" && Number.isFinite(n) ? n : s;
}

/**
 * Builds a row's capture input (without its idempotency key). Cells are
 * trimmed and empty ones left out; numbers are read leniently; a website
 * without a scheme gets `https://`; tags split on `,`, `;` or `|`. Values that
 * cannot be converted are passed through as text, so the capture's own schema
 * rejects them and names the field, as it would for any other source.
 */
export function rowToCapture(
  cells: string[],
  resolved: ResolvedMapping,
): Omit<CaptureLead, "idempotencyKey"> {
  const contact: Record<string, unknown> = {};
  const address: Record<string, unknown> = {};
  const custom: Record<string, string> = {};
  const tags: string[] = [];
  let first = "";
  let last = "";
  let message: string | undefined;
  for (const { index, field } of resolved.columns) {
    const value = (cells[index] ?? "").trim();
    if (value === "") continue;
    if (field.startsWith("contact.address.")) {
      const key = field.slice("contact.address.".length);
      address[key] = key === "country" ? COUNTRY_NAMES[value.toLowerCase()] ?? value : value;
    } else if (field === "contact.firstName") first = value;
    else if (field === "contact.lastName") last = value;
    else if (field === "contact.rating" || field === "contact.emailConfidence") {
      contact[field.slice(8)] = numeric(value);
    } else if (field === "contact.reviewCount") contact.reviewCount = numeric(value);
    else if (field === "contact.website") {
      contact.website = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `https://${value}`;
    } else if (field.startsWith("contact.")) contact[field.slice(8)] = value;
    else if (field === "message") message = value;
    else if (field === "tags") {
      for (const t of value.split(/[,;|]/)) {
        if (t.trim() && !tags.includes(t.trim())) tags.push(t.trim());
      }
    } else custom[field.slice("customFields.".length)] = value;
  }
  if (contact.name === undefined && (first || last)) contact.name = `${first} ${last}`.trim();
  if (Object.keys(address).length > 0) contact.address = address;
  // Tags are a set: sorted, two files listing them in another order give the same row key.
  tags.sort();
  const keys = Object.keys(custom).sort();
  return {
    source: "csv",
    contact: contact as CaptureLead["contact"],
    ...(message !== undefined ? { message } : {}),
    ...(tags.length > 0 ? { tags } : {}),
    ...(keys.length > 0
      ? { customFields: Object.fromEntries(keys.map((k) => [k, custom[k]!])) }
      : {}),
  };
}

/**
 * The column a capture issue came from: the column of the longest mapped
 * field that prefixes the issue's path (`contact.address.postcode` → `ZIP`).
 * A name built from two columns names both (`First name + Last name`).
 */
export function columnOf(path: string, resolved: ResolvedMapping): string | undefined {
  const fieldOf = (f: string) =>
    f === "contact.firstName" || f === "contact.lastName" ? "contact.name" : f;
  const hits = resolved.columns.filter(({ field }) => {
    const f = fieldOf(field);
    return path === f || path.startsWith(`${f}.`);
  });
  if (hits.length === 0) return undefined;
  const longest = Math.max(...hits.map((h) => fieldOf(h.field).length));
  return hits.filter((h) => fieldOf(h.field).length === longest).map((h) => h.column).join(" + ");
}

/**
 * The idempotency key of a row: `import:` and the SHA-256 of the tenant, the
 * default country (it changes what a local phone number means) and the row's
 * capture input (as canonical JSON: keys sorted), so the same person's row
 * gives the same key in any file, whatever the column order or header names;
 * re-importing a file is then all repeats.
 */
export async function rowKey(
  tenant: string,
  input: Omit<CaptureLead, "idempotencyKey">,
  defaultCountry: string | undefined,
): Promise<string> {
  return `import:${await sha256Hex(canonicalJson([tenant, defaultCountry ?? "", input]))}`;
}
