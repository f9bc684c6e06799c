/**
 * The lead's shapes: what a capture carries, the funnel, consent, messages.
 * One schema per shape, used by the lead actor, the REST layer and the UI.
 *
 * @module
 */
import { z } from "zod";
import { TimeZone } from "./booking.ts";

/** Where the funnel stands. `unsubscribed` is set when every channel is opted out. */
export const LeadStatus = z.enum([
  "new",
  "contacted",
  "responded",
  "qualified",
  "meeting_scheduled",
  "won",
  "lost",
  "unsubscribed",
]);
/** A funnel status. */
export type LeadStatus = z.infer<typeof LeadStatus>;

/** How a lead reached us. */
export const LeadSource = z.enum(["widget", "rest", "csv", "inbound_sms", "inbound_email"]);
/** A lead source. */
export type LeadSource = z.infer<typeof LeadSource>;

/** A channel we message on; consent is kept per channel. */
export const MessageChannel = z.enum(["sms", "email"]);
/** A messaging channel. */
export type MessageChannel = z.infer<typeof MessageChannel>;

/** A postal address; the postcode takes part in business matching. */
export const Address = z.object({
  line1: z.string().trim().max(200).optional(),
  city: z.string().trim().max(100).optional(),
  region: z.string().trim().max(100).optional(),
  postcode: z.string().trim().max(20).optional(),
  country: z.string().length(2, "ISO 3166 alpha-2 code, e.g. US").toUpperCase().optional(),
});

/** Contact details as submitted (normalized by the capture before they reach the actor). */
export const ContactInput = z.object({
  /** May be unknown for an inbound SMS or email from someone new. */
  name: z.string().trim().min(1).max(200).optional(),
  email: z.string().trim().max(254).pipe(z.email()).optional(),
  phone: z.string().trim().min(3).max(40).optional(),
  company: z.string().trim().min(1).max(200).optional(),
  businessType: z.string().trim().max(100).optional(),
  /** `null` means known to have no website (a strong sales signal for a web agency). */
  website: z.url().max(500).nullable().optional(),
  rating: z.number().min(0).max(5).optional(),
  reviewCount: z.number().int().min(0).optional(),
  emailConfidence: z.number().min(0).max(1).optional(),
  address: Address.optional(),
  timeZone: TimeZone.optional(),
});
/** Contact details. */
export type ContactInput = z.infer<typeof ContactInput>;

/** Where a lead came from: page, campaign, UTM parameters, referrer. */
export const Attribution = z.object({
  pageUrl: z.url().max(2000).optional(),
  referrer: z.string().max(2000).optional(),
  campaignId: z.string().max(128).optional(),
  utm: z.object({
    source: z.string().max(200).optional(),
    medium: z.string().max(200).optional(),
    campaign: z.string().max(200).optional(),
    term: z.string().max(200).optional(),
    content: z.string().max(200).optional(),
  }).optional(),
});
/** Attribution of a lead. */
export type Attribution = z.infer<typeof Attribution>;

/** Consent given or withdrawn on one channel, with where it came from. */
export const ConsentInput = z.object({
  channel: MessageChannel,
  granted: z.boolean(),
  /** e.g. `widget checkbox`, `sms STOP`, `csv import`. */
  source: z.string().trim().min(1).max(200),
});

const Tag = z.string().trim().min(1).max(50).regex(
  /^[\w .:-]+$/,
  "letters, digits, _ . : - and spaces",
);
const CustomValue = z.union([z.string().max(1000), z.number(), z.boolean(), z.null()]);

/** The fields of a capture, before the rule that it must identify someone. */
export const CaptureLeadFields = z.object({
  /** Client-supplied: the same submit twice (a double click, a retry) is one capture. */
  idempotencyKey: z.string().trim().min(1).max(128),
  source: LeadSource,
  contact: ContactInput,
  attribution: Attribution.optional(),
  /** What the person wrote, if anything. */
  message: z.string().max(5000).optional(),
  consent: z.array(ConsentInput).max(4).optional(),
  tags: z.array(Tag).max(50).optional(),
  customFields: z.record(z.string().regex(/^[a-z][a-z0-9_]{0,63}$/), CustomValue).optional(),
});

/** A capture must name someone: an email, a phone, or a company with a postcode. */
export function identifiesSomeone(c: { contact: z.infer<typeof ContactInput> }): boolean {
  return Boolean(
    c.contact.email || c.contact.phone || (c.contact.company && c.contact.address?.postcode),
  );
}

/** Where {@link identifiesSomeone} reports a capture that names no one. */
export const IDENTIFY_ISSUE = {
  message: "give an email, a phone, or a company with a postcode",
  path: ["contact"],
};

/** A capture: from the widget, REST, a CSV row or an inbound message. */
export const CaptureLead = CaptureLeadFields.refine(identifiesSomeone, IDENTIFY_ISSUE);
/** A capture as submitted. */
export type CaptureLead = z.input<typeof CaptureLead>;

/** One message on a lead's conversation. */
export const ConversationMessage = z.object({
  channel: z.enum(["sms", "email", "widget", "call", "note"]),
  direction: z.enum(["inbound", "outbound"]),
  content: z.string().max(20_000),
  /** For outbound: queued → sent → delivered | failed; inbound messages are `received`. */
  status: z.enum(["queued", "sent", "delivered", "failed", "received"]),
  /** Provider or outbox id, to match later status updates. */
  externalId: z.string().max(200).optional(),
});
/** A conversation message. */
export type ConversationMessage = z.infer<typeof ConversationMessage>;
