/**
 * The channels folder's migrations (versions 401-499), applied after the
 * runtime's own; pass them to `openDatabase({ migrations })`.
 *
 * @module
 */
import { loadMigrationFiles, type Migration } from "../runtime/mod.ts";

/** The channels folder's migrations: the shared governor buckets and the send log. */
export function channelMigrations(): Promise<Migration[]> {
  return loadMigrationFiles(new URL("./migrations/", import.meta.url), [
    "0401_channel_buckets.sql",
    "0410_message_sends.sql",
  ]);
}
