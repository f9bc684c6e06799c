/**
 * Contact normalization: the identity keys that make one person one lead.
 * Emails compare lowercased, phones as E.164 (libphonenumber-js, the
 * maintained port of Google's metadata, rather than hand-written rules), and
 * businesses by a folded name within a postcode.
 *
 * @module
 */
import { type CountryCode, parsePhoneNumberFromString } from "libphonenumber-js";

/** The result of normalizing a phone number. */
export type PhoneResult =
  | { ok: true; e164: string; country: string | undefined }
  | { ok: false; reason: string };

/**
 * Normalizes a phone number to E.164. Numbers without a country code are read
 * in `defaultCountry` (ISO 3166 alpha-2, e.g. "US").
 */
export function normalizePhone(raw: string, defaultCountry = "US"): PhoneResult {
  const parsed = parsePhoneNumberFromString(raw.trim(), defaultCountry as CountryCode);
  if (!parsed) return { ok: false, reason: "not a phone number" };
  if (!parsed.isValid()) {
    return { ok: false, reason: `not a valid number for ${parsed.country ?? defaultCountry}` };
  }
  return { ok: true, e164: parsed.number, country: parsed.country };
}

/** Lowercases and trims an email address (the whole address: providers treat local parts alike). */
export function normalizeEmail(raw: string): string {
  return raw.trim().toLowerCase();
}

const SUFFIXES = new Set([
  "llc",
  "inc",
  "ltd",
  "limited",
  "co",
  "corp",
  "corporation",
  "company",
  "gmbh",
  "plc",
  "the",
  "and",
]);

/** Folds a business name for matching: case, accents, punctuation, "&", legal suffixes. */
export function foldBusinessName(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/&/g, " and ")
    .replace(/['’]/g, "")
    .replace(/[^a-z0-9]+/g, " ")
    .split(" ")
    .filter((w) => w && !SUFFIXES.has(w))
    .join(" ");
}

/** Folds a postcode: uppercase, no spaces or dashes. */
export function foldPostcode(postcode: string): string {
  return postcode.toUpperCase().replace(/[\s-]+/g, "");
}

/** Similarity of two folded names in [0, 1]: Dice coefficient over character bigrams. */
export function nameSimilarity(a: string, b: string): number {
  if (a === b) return 1;
  const grams = (s: string) => {
    const t = s.replace(/ /g, "");
    const m = new Map<string, number>();
    for (let i = 0; i < t.length - 1; i++) {
      const g = t.slice(i, i + 2);
      m.set(g, (m.get(g) ?? 0) + 1);
    }
    return m;
  };
  const x = grams(a);
  const y = grams(b);
  let both = 0;
  let total = 0;
  for (const n of x.values()) total += n;
  for (const n of y.values()) total += n;
  for (const [g, n] of x) both += Math.min(n, y.get(g) ?? 0);
  return total === 0 ? 0 : (2 * both) / total;
}
