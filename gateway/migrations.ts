/**
 * The gateway's migrations (versions 501-599), applied after the runtime's
 * own; pass them to `openDatabase({ migrations })`.
 *
 * @module
 */
import { loadMigrationFiles, type Migration } from "../actors/runtime/mod.ts";

/** The gateway's migrations: API and site keys (with their widget settings), tenants and one-time codes; the `ai` role's suggestions. */
export function gatewayMigrations(): Promise<Migration[]> {
  return loadMigrationFiles(new URL("./migrations/", import.meta.url), [
    "0501_auth.sql",
    "0502_tenants_codes.sql",
    "0520_suggestions.sql",
    "0530_site_key_widget.sql",
  ]);
}
