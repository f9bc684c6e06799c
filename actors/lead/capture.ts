/**
 * Capture: validates and normalizes a submitted lead, resolves it to one lead
 * through the directory (dedupe), then asks that lead's actor to record it.
 * Every entry point (widget, REST, CSV row, inbound SMS or email) goes
 * through here, so every path dedupes alike.
 *
 * @module
 */
import {
  foldBusinessName,
  foldPostcode,
  normalizeEmail,
  normalizePhone,
} from "../../shared/contact.ts";
import { fieldIssues, ValidationError } from "../../shared/errors.ts";
import { isKeyPart } from "../../shared/ids.ts";
import { CaptureLead } from "../../shared/lead.ts";
import type { ActorSystem, AskOptions } from "../runtime/mod.ts";
import { type IdentityKeys, resolveLead } from "./directory.ts";
import { type Contact, lead } from "./lead.ts";
import { settings, SETTINGS_ID } from "./settings.ts";
import { timeZoneOf } from "../../shared/time_zone.ts";

/** What became of a capture. */
export interface CaptureResult {
  leadId: string;
  /** `created`: a new lead; `merged`: into an existing one; `repeated`: this submit was already applied. */
  outcome: "created" | "merged" | "repeated";
  /** Which identity keys matched an existing lead. */
  matchedBy: string[];
  /** Other leads that share a key with this capture, for a manual merge. */
  possibleDuplicates: string[];
}

/** Options of {@link captureLead}. */
export interface CaptureOptions {
  /** Country for phone numbers written without a country code (tenant setting; default US). */
  defaultCountry?: string;
  ask?: AskOptions;
}

/** Validates, dedupes and records one capture; bad input throws a ValidationError naming the field. */
export async function captureLead(
  system: ActorSystem,
  tenant: string,
  input: unknown,
  opts: CaptureOptions = {},
): Promise<CaptureResult> {
  const parsed = CaptureLead.safeParse(input);
  if (!parsed.success) throw new ValidationError("lead capture", fieldIssues(parsed.error.issues));
  const c = parsed.data;

  if (!isKeyPart(tenant)) {
    throw new ValidationError("lead capture", [{ path: "tenant", message: "not a tenant id" }]);
  }
  const contact: Contact = { ...c.contact, phoneValid: false };
  if (c.contact.email) contact.email = normalizeEmail(c.contact.email);
  let phoneCountry: string | undefined;
  if (c.contact.phone) {
    const country = c.contact.address?.country ?? opts.defaultCountry ??
      (await system.ref(settings, tenant, SETTINGS_ID).query("current")).defaultCountry;
    const phone = normalizePhone(c.contact.phone, country);
    if (!phone.ok) {
      throw new ValidationError("lead capture", [{ path: "contact.phone", message: phone.reason }]);
    }
    contact.phone = phone.e164;
    contact.phoneValid = true;
    phoneCountry = phone.country;
  }
  // A time zone not given is taken from the address, else from the phone's country.
  const zone = contact.timeZone ??
    (c.contact.address ? timeZoneOf(c.contact.address) : undefined) ??
    (phoneCountry ? timeZoneOf({ country: phoneCountry }) : undefined);
  if (zone) contact.timeZone = zone;

  const ids: IdentityKeys = { idempotency: `idem:${c.idempotencyKey}` };
  if (contact.email) ids.email = `email:${contact.email}`;
  if (contact.phone) ids.phone = `phone:${contact.phone}`;
  const postcode = c.contact.address?.postcode ? foldPostcode(c.contact.address.postcode) : "";
  const business = c.contact.company ? foldBusinessName(c.contact.company) : "";
  if (postcode && business) ids.business = { postcode, name: business };

  const resolution = await resolveLead(system.journal.sql, tenant, ids);
  const ref = system.ref(lead, tenant, resolution.leadId);
  const reply = await ref.ask("capture", {
    idempotencyKey: c.idempotencyKey,
    source: c.source,
    contact,
    ...(c.attribution ? { attribution: c.attribution } : {}),
    ...(c.message ? { message: c.message } : {}),
    consent: c.consent ?? [],
    tags: c.tags ?? [],
    customFields: c.customFields ?? {},
    identities: resolution.keys.filter((k) => !k.startsWith("idem:")),
    possibleDuplicates: resolution.otherLeads,
  }, opts.ask);
  return {
    leadId: resolution.leadId,
    outcome: reply.outcome,
    matchedBy: resolution.matchedBy,
    possibleDuplicates: resolution.otherLeads,
  };
}
