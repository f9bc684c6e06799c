/**
 * Keyset cursors of the list routes: the sort key and id of a page's last
 * row, base64 so callers treat them as opaque.
 *
 * @module
 */
import { ValidationError } from "../shared/mod.ts";

/** The cursor after the row whose sort key is `key` and id is `id`. */
export function encodeCursor(key: string | number, id: string): string {
  return btoa(`${key}|${id}`);
}

/**
 * The sort key (as text) and id a cursor holds; a 400 naming `cursor` when
 * it is not base64 of `key|id` or `validKey` refuses its key.
 */
export function decodeCursor(cursor: string, validKey: (key: string) => boolean): [string, string] {
  let text = "";
  try {
    text = atob(cursor);
  } catch { /* reported below */ }
  const bar = text.indexOf("|");
  const key = text.slice(0, bar);
  if (bar < 1 || !validKey(key)) {
    throw new ValidationError("query", [{ path: "cursor", message: "not a cursor from this API" }]);
  }
  return [key, text.slice(bar + 1)];
}
