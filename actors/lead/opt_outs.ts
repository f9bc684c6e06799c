/**
 * Opt-outs by address: the list every send is checked against, whichever
 * path planned it (follow-ups, campaigns, a person). Kept beside the lead's
 * own consent because a STOP can come from a number no lead has yet.
 *
 * @module
 */
import { normalizeEmail } from "../../shared/contact.ts";
import type { MessageChannel } from "../../shared/lead.ts";
import type { Sql } from "../runtime/mod.ts";

/** Words that opt an SMS sender out, in, or ask for help (carrier conventions). */
export const SMS_KEYWORDS = {
  stop: ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"],
  start: ["START", "UNSTOP"],
  help: ["HELP"],
} as const;

/** What an inbound SMS body asks for, when it is one of the keywords. */
export function smsKeyword(body: string): "stop" | "start" | "help" | null {
  const word = body.trim().replace(/[.!]+$/, "").toUpperCase();
  for (const kind of ["stop", "start", "help"] as const) {
    if ((SMS_KEYWORDS[kind] as readonly string[]).includes(word)) return kind;
  }
  return null;
}

function canonical(channel: MessageChannel, address: string): string {
  return channel === "email" ? normalizeEmail(address) : address.trim();
}

/** Records an opt-out (or an opt-in again) of `address` on `channel`. */
export async function recordOptOut(
  sql: Sql,
  tenant: string,
  channel: MessageChannel,
  address: string,
  optedOut: boolean,
  source: string,
): Promise<void> {
  await sql`
    INSERT INTO opt_outs (tenant, channel, address, opted_out, source)
    VALUES (${tenant}, ${channel}, ${canonical(channel, address)}, ${optedOut}, ${source})
    ON CONFLICT (tenant, channel, address)
    DO UPDATE SET opted_out = EXCLUDED.opted_out, source = EXCLUDED.source, at = now()`;
}

/** Whether `address` has opted out of `channel`. */
export async function isOptedOut(
  sql: Sql,
  tenant: string,
  channel: MessageChannel,
  address: string,
): Promise<boolean> {
  const [row] = await sql<{ opted_out: boolean }[]>`
    SELECT opted_out FROM opt_outs
    WHERE tenant = ${tenant} AND channel = ${channel} AND address = ${canonical(channel, address)}`;
  return row?.opted_out === true;
}
