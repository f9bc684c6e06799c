/**
 * The lead actor: everything that happens to one lead, from capture until it
 * is won or lost. Handlers decide from state; the runtime journals their
 * events, keeps the `leads` read model in the same commit and publishes.
 *
 * @module
 */
import { z } from "zod";
import {
  Attribution,
  ConsentInput,
  ContactInput,
  ConversationMessage,
  LeadSource,
  LeadStatus,
  MessageChannel,
} from "../../shared/lead.ts";
import { defineActor } from "../runtime/mod.ts";

/** Contact details after normalization: phone in E.164, email lowercased. */
export const Contact = ContactInput.extend({ phoneValid: z.boolean() });
/** Normalized contact details. */
export type Contact = z.infer<typeof Contact>;

/** A capture after the directory normalized it and resolved the lead it belongs to. */
export const NormalizedCapture = z.object({
  idempotencyKey: z.string().min(1).max(128),
  source: LeadSource,
  contact: Contact,
  attribution: Attribution.optional(),
  message: z.string().max(5000).optional(),
  consent: z.array(ConsentInput).default([]),
  tags: z.array(z.string()).default([]),
  customFields: z.record(z.string(), z.unknown()).default({}),
  /** Identity keys (email:, phone:, biz:) that now point at this lead. */
  identities: z.array(z.string()).default([]),
  /** Other leads that share an identity key with this capture: candidates for a manual merge. */
  possibleDuplicates: z.array(z.string()).default([]),
});
/** A normalized capture. */
export type NormalizedCapture = z.input<typeof NormalizedCapture>;

const ConsentState = z.object({ granted: z.boolean(), source: z.string(), at: z.number() });
const StoredMessage = ConversationMessage.extend({ at: z.number() });

/** The lead's in-memory state. */
export const LeadState = z.object({
  exists: z.boolean(),
  createdAt: z.number(),
  source: LeadSource.or(z.literal("")),
  contact: Contact,
  attribution: Attribution.optional(),
  status: LeadStatus,
  score: z.number(),
  priority: z.enum(["high", "medium", "low"]),
  scoreReasons: z.array(z.object({ ruleId: z.string(), points: z.number(), reason: z.string() })),
  owner: z.string().nullable(),
  tags: z.array(z.string()),
  customFields: z.record(z.string(), z.unknown()),
  consent: z.object({ sms: ConsentState.optional(), email: ConsentState.optional() }),
  identities: z.array(z.string()),
  /** Idempotency keys already applied; a repeat is answered without new events. */
  captureKeys: z.array(z.string()),
  /** The latest messages (the whole conversation is in the journal). */
  messages: z.array(StoredMessage),
  possibleDuplicates: z.array(z.string()),
  lastActivityAt: z.number(),
  lastInboundAt: z.number().nullable(),
  lastOutboundAt: z.number().nullable(),
  mergedInto: z.string().nullable(),
});
/** A lead's state. */
export type LeadState = z.infer<typeof LeadState>;

const KEEP_MESSAGES = 50;
const KEEP_CAPTURE_KEYS = 200;

/** Funnel order: a status change moves forward; `lost` and `unsubscribed` may come from anywhere. */
const STAGE: Record<LeadStatus, number> = {
  new: 0,
  contacted: 1,
  responded: 2,
  qualified: 3,
  meeting_scheduled: 4,
  won: 5,
  lost: 5,
  unsubscribed: 6,
};

/** Whether `from → to` is a move the funnel allows. */
export function canMove(from: LeadStatus, to: LeadStatus): boolean {
  if (from === to) return false;
  if (from === "won" || from === "lost" || from === "unsubscribed") return false;
  if (to === "lost" || to === "unsubscribed") return true;
  return STAGE[to] > STAGE[from];
}

/** The fields a merge compares, in order. */
const MERGED_FIELDS = [
  "name",
  "email",
  "phone",
  "company",
  "businessType",
  "website",
  "rating",
  "reviewCount",
  "emailConfidence",
  "address",
  "timeZone",
] as const;

type Change = { field: string; from: unknown; to: unknown };

/** What a repeat capture changes: fills blanks, updates descriptive fields, keeps the first email and phone. */
export function contactChanges(current: Contact, incoming: Contact): Change[] {
  const changes: Change[] = [];
  for (const field of MERGED_FIELDS) {
    const to = incoming[field];
    const from = current[field];
    if (to === undefined || JSON.stringify(to) === JSON.stringify(from)) continue;
    // A second email or phone becomes another identity of the lead, not a replacement.
    if ((field === "email" || field === "phone") && from !== undefined) continue;
    changes.push({ field, from: from ?? null, to });
  }
  if (incoming.phone !== undefined && current.phone === undefined) {
    changes.push({ field: "phoneValid", from: current.phoneValid, to: incoming.phoneValid });
  }
  return changes;
}

const union = (a: string[], b: string[]) => [...new Set([...a, ...b])];
const last = <T>(xs: T[], n: number) => xs.length > n ? xs.slice(xs.length - n) : xs;

function withConsent(
  s: LeadState,
  consent: Array<{ channel: MessageChannel; granted: boolean; source: string }>,
  at: number,
): LeadState {
  if (consent.length === 0) return s;
  const next = { ...s.consent };
  for (const c of consent) next[c.channel] = { granted: c.granted, source: c.source, at };
  const allWithdrawn = next.sms?.granted === false && next.email?.granted === false;
  return { ...s, consent: next, status: allWithdrawn ? "unsubscribed" : s.status };
}

function applyChanges(contact: Contact, changes: Change[]): Contact {
  const next: Record<string, unknown> = { ...contact };
  for (const c of changes) next[c.field] = c.to;
  return next as Contact;
}

const CaptureData = NormalizedCapture.extend({ contact: Contact });
const ChangeSchema = z.object({ field: z.string(), from: z.unknown(), to: z.unknown() });

/** The lead actor type: `lead/<tenant>/<leadId>`. */
export const lead = defineActor("lead", {
  state: LeadState,
  initial: (): LeadState => ({
    exists: false,
    createdAt: 0,
    source: "",
    contact: { phoneValid: false },
    status: "new",
    score: 0,
    priority: "low",
    scoreReasons: [],
    owner: null,
    tags: [],
    customFields: {},
    consent: {},
    identities: [],
    captureKeys: [],
    messages: [],
    possibleDuplicates: [],
    lastActivityAt: 0,
    lastInboundAt: null,
    lastOutboundAt: null,
    mergedInto: null,
  }),
})
  .event("lead.captured", {
    schema: CaptureData,
    apply: (s, e, meta): LeadState => {
      const base: LeadState = {
        ...s,
        exists: true,
        createdAt: meta.at,
        source: e.source,
        contact: e.contact,
        ...(e.attribution ? { attribution: e.attribution } : {}),
        tags: union(s.tags, e.tags),
        customFields: { ...s.customFields, ...e.customFields },
        identities: union(s.identities, e.identities),
        captureKeys: [e.idempotencyKey],
        possibleDuplicates: union(s.possibleDuplicates, e.possibleDuplicates),
        lastActivityAt: meta.at,
      };
      const withMessage = e.message
        ? {
          ...base,
          lastInboundAt: meta.at,
          messages: [{
            channel: e.source === "inbound_sms"
              ? "sms" as const
              : e.source === "inbound_email"
              ? "email" as const
              : "widget" as const,
            direction: "inbound" as const,
            content: e.message,
            status: "received" as const,
            at: meta.at,
          }],
        }
        : base;
      return withConsent(withMessage, e.consent, meta.at);
    },
  })
  .event("lead.merged", {
    schema: z.object({
      idempotencyKey: z.string(),
      source: LeadSource,
      changes: z.array(ChangeSchema),
      addedTags: z.array(z.string()),
      addedIdentities: z.array(z.string()),
      customFields: z.record(z.string(), z.unknown()),
      consent: z.array(ConsentInput),
      message: z.string().optional(),
      possibleDuplicates: z.array(z.string()),
    }),
    apply: (s, e, meta): LeadState => {
      const merged: LeadState = {
        ...s,
        contact: applyChanges(s.contact, e.changes),
        tags: union(s.tags, e.addedTags),
        identities: union(s.identities, e.addedIdentities),
        customFields: { ...s.customFields, ...e.customFields },
        captureKeys: last([...s.captureKeys, e.idempotencyKey], KEEP_CAPTURE_KEYS),
        possibleDuplicates: union(s.possibleDuplicates, e.possibleDuplicates),
        lastActivityAt: meta.at,
        ...(e.message
          ? {
            lastInboundAt: meta.at,
            messages: last([...s.messages, {
              channel: e.source === "inbound_sms"
                ? "sms" as const
                : e.source === "inbound_email"
                ? "email" as const
                : "widget" as const,
              direction: "inbound" as const,
              content: e.message,
              status: "received" as const,
              at: meta.at,
            }], KEEP_MESSAGES),
          }
          : {}),
      };
      return withConsent(merged, e.consent, meta.at);
    },
  })
  .event("lead.status_changed", {
    schema: z.object({ from: LeadStatus, to: LeadStatus, reason: z.string().optional() }),
    apply: (s, e, meta) => ({ ...s, status: e.to, lastActivityAt: meta.at }),
  })
  .event("lead.assigned", {
    schema: z.object({ owner: z.string().nullable(), previous: z.string().nullable() }),
    apply: (s, e) => ({ ...s, owner: e.owner }),
  })
  .event("lead.tagged", {
    schema: z.object({ added: z.array(z.string()), removed: z.array(z.string()) }),
    apply: (s, e) => ({
      ...s,
      tags: union(s.tags, e.added).filter((t) => !e.removed.includes(t)),
    }),
  })
  .event("lead.updated", {
    schema: z.object({ changes: z.array(ChangeSchema), addedIdentities: z.array(z.string()) }),
    apply: (s, e, meta) => ({
      ...s,
      contact: applyChanges(s.contact, e.changes),
      identities: union(s.identities, e.addedIdentities),
      lastActivityAt: meta.at,
    }),
  })
  .event("lead.consent_changed", {
    schema: ConsentInput,
    apply: (s, e, meta) => withConsent(s, [e], meta.at),
  })
  .event("lead.message_recorded", {
    schema: ConversationMessage,
    apply: (s, e, meta): LeadState => {
      const inbound = e.direction === "inbound";
      // A reply moves the funnel to responded, a first outbound message to contacted.
      const status = inbound && STAGE[s.status] < STAGE.responded && canMove(s.status, "responded")
        ? "responded"
        : !inbound && s.status === "new"
        ? "contacted"
        : s.status;
      return {
        ...s,
        status,
        messages: last([...s.messages, { ...e, at: meta.at }], KEEP_MESSAGES),
        lastActivityAt: meta.at,
        ...(inbound ? { lastInboundAt: meta.at } : { lastOutboundAt: meta.at }),
      };
    },
  })
  .event("lead.message_status_changed", {
    schema: z.object({
      externalId: z.string(),
      status: z.enum(["queued", "sent", "delivered", "failed"]),
    }),
    apply: (s, e) => ({
      ...s,
      messages: s.messages.map((m) =>
        m.externalId === e.externalId ? { ...m, status: e.status } : m
      ),
    }),
  })
  .event("lead.scored", {
    schema: z.object({
      score: z.number().int().min(0).max(100),
      priority: z.enum(["high", "medium", "low"]),
      reasons: z.array(z.object({ ruleId: z.string(), points: z.number(), reason: z.string() })),
      source: z.enum(["rules", "ai"]),
      fallbackReason: z.string().optional(),
      qualification: z.unknown().optional(),
    }),
    apply: (s, e) => ({ ...s, score: e.score, priority: e.priority, scoreReasons: e.reasons }),
  })
  .command("capture", {
    input: NormalizedCapture,
    handle: (s, c) => {
      if (s.captureKeys.includes(c.idempotencyKey)) {
        return { reply: { outcome: "repeated" as const } };
      }
      if (!s.exists) {
        return {
          events: [{ type: "lead.captured", data: c }],
          reply: { outcome: "created" as const },
        };
      }
      return {
        events: [{
          type: "lead.merged",
          data: {
            idempotencyKey: c.idempotencyKey,
            source: c.source,
            changes: contactChanges(s.contact, c.contact),
            addedTags: c.tags.filter((t) => !s.tags.includes(t)),
            addedIdentities: c.identities.filter((i) => !s.identities.includes(i)),
            customFields: c.customFields,
            consent: c.consent,
            ...(c.message ? { message: c.message } : {}),
            possibleDuplicates: c.possibleDuplicates.filter((d) =>
              !s.possibleDuplicates.includes(d)
            ),
          },
        }],
        reply: { outcome: "merged" as const },
      };
    },
  })
  .command("setStatus", {
    input: z.object({ status: LeadStatus, reason: z.string().max(500).optional() }),
    handle: (s, c) => {
      if (!s.exists) return { reply: { ok: false as const, reason: "no such lead" } };
      if (s.status === c.status) return { reply: { ok: true as const, status: s.status } };
      if (!canMove(s.status, c.status)) {
        return {
          reply: { ok: false as const, reason: `cannot move from ${s.status} to ${c.status}` },
        };
      }
      return {
        events: [{
          type: "lead.status_changed",
          data: { from: s.status, to: c.status, ...(c.reason ? { reason: c.reason } : {}) },
        }],
        reply: { ok: true as const, status: c.status },
      };
    },
  })
  .command("assign", {
    input: z.object({ owner: z.string().min(1).max(128).nullable() }),
    handle: (s, c) =>
      !s.exists || s.owner === c.owner ? { reply: { owner: s.owner } } : {
        events: [{ type: "lead.assigned", data: { owner: c.owner, previous: s.owner } }],
        reply: { owner: c.owner },
      },
  })
  .command("tag", {
    input: z.object({
      add: z.array(z.string().trim().min(1).max(50)).max(50).default([]),
      remove: z.array(z.string().trim().min(1).max(50)).max(50).default([]),
    }),
    handle: (s, c) => {
      const added = c.add.filter((t) => !s.tags.includes(t));
      const removed = c.remove.filter((t) => s.tags.includes(t));
      if (!s.exists || (added.length === 0 && removed.length === 0)) return { reply: s.tags };
      const tags = union(s.tags, added).filter((t) => !removed.includes(t));
      return { events: [{ type: "lead.tagged", data: { added, removed } }], reply: tags };
    },
  })
  .command("recordConsent", {
    input: ConsentInput,
    handle: (s, c) => {
      const now = s.consent[c.channel];
      if (!s.exists || (now && now.granted === c.granted)) return { reply: { changed: false } };
      return { events: [{ type: "lead.consent_changed", data: c }], reply: { changed: true } };
    },
  })
  .command("recordMessage", {
    input: ConversationMessage,
    handle: (s, c) =>
      s.exists
        ? { events: [{ type: "lead.message_recorded", data: c }], reply: { recorded: true } }
        : { reply: { recorded: false } },
  })
  .command("updateMessageStatus", {
    input: z.object({
      externalId: z.string().min(1).max(200),
      status: z.enum(["queued", "sent", "delivered", "failed"]),
    }),
    handle: (s, c) => {
      const m = s.messages.find((x) => x.externalId === c.externalId);
      if (!m || m.status === c.status) return { reply: { changed: false } };
      return {
        events: [{ type: "lead.message_status_changed", data: c }],
        reply: { changed: true },
      };
    },
  })
  .query("view", (s) => s)
  .query("exists", (s) => s.exists)
  .projectTo("leads", (s, a) => ({
    tenant: a.tenant,
    lead_id: a.id,
    name: s.contact.name ?? "",
    email: s.contact.email ?? null,
    phone: s.contact.phone ?? null,
    company: s.contact.company ?? null,
    status: s.status,
    score: s.score,
    priority: s.priority,
    owner: s.owner,
    source: s.source || "rest",
    tags: s.tags,
    time_zone: s.contact.timeZone ?? null,
    created_at: new Date(s.createdAt).toISOString(),
    last_activity: new Date(s.lastActivityAt).toISOString(),
    last_inbound: s.lastInboundAt === null ? null : new Date(s.lastInboundAt).toISOString(),
    last_outbound: s.lastOutboundAt === null ? null : new Date(s.lastOutboundAt).toISOString(),
    merged_into: s.mergedInto,
  }));
