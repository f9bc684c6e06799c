/**
 * The campaign actor, `campaign/<tenant>/<campaignId>`: a campaign's
 * definition and life (draft, running, paused, stopped) and its enrollment.
 * It holds counts, never its leads: the audience is found in batches by the
 * `campaign_scan` channel (one SQL query per 1,000 leads), each batch is told
 * to its leads in one `campaign_enroll` outbox row, and every step after
 * that is the lead actors' own work (they read this actor's `definition`
 * query when a step falls due, so pausing needs no fan-out).
 *
 * Stopping pages through the leads ever enrolled (the `campaigns` column of
 * the leads read model) and tells them in batches to end their runs; a lead
 * missed (its enrollment still on its way) ends its run at its next step.
 *
 * While running, a repeating reminder rescans the audience from the start
 * every few minutes, enrolling leads that match since (captured, re-tagged,
 * re-scored, gone silent); a rescan waits until every enrollment batch told
 * before it was confirmed, so a lead is told at most once.
 *
 * @module
 */
import { z } from "zod";
import { CampaignDefinition } from "../../shared/campaign.ts";
import { NotFoundError, ValidationError } from "../../shared/errors.ts";
import { defineActor, type Effect, type TurnContext } from "../runtime/mod.ts";
import { CAMPAIGN_ENROLL_CHANNEL, type EnrollBatch, type LeaveBatch } from "./enroll_dispatcher.ts";
import { assignVariant, planSlots } from "./enrollment.ts";
import { CAMPAIGN_SCAN_CHANNEL, SCAN_BATCH, ScanResult } from "./scan.ts";
import {
  CampaignConflictError,
  CampaignState,
  initialCampaign,
  toCampaignRuntime,
  toCampaignView,
} from "./view.ts";

/** The name of the running campaign's repeating rescan reminder. */
export const RESCAN_REMINDER = "rescan";

/** How often a running campaign rescans its audience for leads that match since. */
export const RESCAN_EVERY_MS = 5 * 60_000;

/** Campaign ids are key parts without `:` (message keys are split on it). */
const CAMPAIGN_ID = /^[A-Za-z0-9_.@+-]{1,128}$/;

const DefinitionInput = z.object({ definition: CampaignDefinition });
const Created = DefinitionInput.extend({ id: z.string() });
const Nothing = z.object({});

const scanKey = (id: string, seq: number) => `campaign:${id}:scan:${seq}`;
const enrollBatchKey = (id: string, seq: number) => `campaign:${id}:enroll:${seq}`;
const leaveBatchKey = (id: string, seq: number) => `campaign:${id}:leave:${seq}`;

/**
 * Asks the scan channel for the audience (or, `members`, the leads enrolled)
 * after `cursor`, as scan number `seq`.
 */
function requestScan(s: CampaignState, ctx: TurnContext, cursor: string | null, members = false) {
  const seq = s.scan.seq + 1;
  return {
    event: {
      type: "campaign.scan_requested" as const,
      data: { seq, cursor, ...(members ? { members } : {}) },
    },
    effect: ctx.send(CAMPAIGN_SCAN_CHANNEL, {
      campaignId: ctx.self.id,
      audience: s.definition!.audience,
      cursor,
      limit: SCAN_BATCH,
      ...(members ? { members } : {}),
    }, { key: scanKey(ctx.self.id, seq), maxAttempts: 5 }),
  };
}

function requireExisting(s: CampaignState, ctx: TurnContext): void {
  if (!s.exists) throw new NotFoundError(`campaign ${ctx.self.id}`);
}

const refuse = (s: CampaignState, ctx: TurnContext, why: string) =>
  new CampaignConflictError(ctx.self.id, s.status, why);

/** The campaign actor type: `campaign/<tenant>/<campaignId>`. */
export const campaign = defineActor("campaign", {
  state: CampaignState,
  initial: initialCampaign,
})
  .event("campaign.created", {
    schema: Created,
    apply: (s, e, meta): CampaignState => ({
      ...s,
      id: e.id,
      exists: true,
      definition: e.definition,
      createdAt: meta.at,
    }),
  })
  .event("campaign.updated", {
    schema: DefinitionInput,
    apply: (s, e): CampaignState => ({ ...s, definition: e.definition }),
  })
  .event("campaign.launched", {
    schema: Nothing,
    apply: (s, _e, meta): CampaignState => ({
      ...s,
      status: "running",
      launchedAt: meta.at,
      nextSlot: meta.at,
    }),
  })
  .event("campaign.paused", {
    schema: Nothing,
    apply: (s, _e, meta): CampaignState => ({ ...s, status: "paused", pausedAt: meta.at }),
  })
  .event("campaign.resumed", {
    schema: Nothing,
    apply: (s): CampaignState => ({ ...s, status: "running", pausedAt: null }),
  })
  .event("campaign.stopped", {
    schema: Nothing,
    apply: (s, _e, meta): CampaignState => ({ ...s, status: "stopped", stoppedAt: meta.at }),
  })
  .event("campaign.scan_requested", {
    schema: z.object({
      seq: z.number().int(),
      cursor: z.string().nullable(),
      /** A scan of the leads enrolled (to tell them the campaign stopped). */
      members: z.boolean().optional(),
    }),
    apply: (s, e, meta): CampaignState => ({
      ...s,
      scan: { ...s.scan, seq: e.seq, cursor: e.cursor, inFlight: true, lastScanAt: meta.at },
    }),
  })
  .event("campaign.enrolled_batch", {
    schema: z.object({
      /** The scan that found them. */
      scan: z.number().int(),
      leadIds: z.array(z.string()),
      /** First-step due times, one per lead, spaced by the throttle. */
      firstAts: z.array(z.number()),
      variants: z.array(z.number().int()),
      nextCursor: z.string().nullable(),
      nextSlot: z.number(),
    }),
    apply: (s, e): CampaignState => ({
      ...s,
      enrolled: s.enrolled + e.leadIds.length,
      nextSlot: e.nextSlot,
      scan: {
        ...s.scan,
        cursor: e.nextCursor,
        inFlight: false,
        initialPassDone: s.scan.initialPassDone || e.nextCursor === null,
        pendingBatches: s.scan.pendingBatches + (e.leadIds.length > 0 ? 1 : 0),
      },
    }),
  })
  .event("campaign.leave_batch", {
    schema: z.object({
      scan: z.number().int(),
      leadIds: z.array(z.string()),
      nextCursor: z.string().nullable(),
    }),
    apply: (s, e): CampaignState => ({
      ...s,
      scan: { ...s.scan, cursor: e.nextCursor, inFlight: false },
    }),
  })
  .event("campaign.scan_abandoned", {
    schema: z.object({ scan: z.number().int(), reason: z.string() }),
    apply: (s): CampaignState => ({ ...s, scan: { ...s.scan, inFlight: false } }),
  })
  .event("campaign.batch_confirmed", {
    schema: z.object({
      key: z.string(),
      ok: z.boolean(),
      joined: z.number().int().optional(),
      declined: z.number().int().optional(),
      error: z.string().optional(),
    }),
    apply: (s): CampaignState => ({
      ...s,
      scan: { ...s.scan, pendingBatches: Math.max(0, s.scan.pendingBatches - 1) },
    }),
  })
  .command("create", {
    input: DefinitionInput,
    handle: (s, c, ctx) => {
      if (!CAMPAIGN_ID.test(ctx.self.id)) {
        throw new ValidationError("campaign id", [{
          path: "id",
          message: "1-128 of letters, digits, _ . @ + - (no ':')",
        }]);
      }
      if (s.exists) {
        // A retried create of the same definition finds what it made.
        if (JSON.stringify(s.definition) === JSON.stringify(c.definition)) {
          return { reply: toCampaignView(ctx.self.id, s) };
        }
        throw refuse(s, ctx, "a campaign with this id exists");
      }
      const next = { ...s, exists: true, definition: c.definition, createdAt: ctx.now };
      return {
        events: [{ type: "campaign.created", data: { id: ctx.self.id, ...c } }],
        reply: toCampaignView(ctx.self.id, next),
      };
    },
  })
  .command("update", {
    input: DefinitionInput,
    handle: (s, c, ctx) => {
      requireExisting(s, ctx);
      if (s.status !== "draft") throw refuse(s, ctx, `a ${s.status} campaign cannot be edited`);
      return {
        events: [{ type: "campaign.updated", data: c }],
        reply: toCampaignView(ctx.self.id, { ...s, definition: c.definition }),
      };
    },
  })
  .command("launch", {
    input: Nothing,
    handle: (s, _c, ctx) => {
      requireExisting(s, ctx);
      if (s.status !== "draft") throw refuse(s, ctx, `a ${s.status} campaign cannot be launched`);
      const launched: CampaignState = {
        ...s,
        status: "running",
        launchedAt: ctx.now,
        nextSlot: ctx.now,
      };
      const scan = requestScan(launched, ctx, null);
      return {
        events: [{ type: "campaign.launched", data: {} }, scan.event],
        effects: [
          scan.effect,
          ctx.remind(RESCAN_REMINDER, ctx.now + RESCAN_EVERY_MS, { every: RESCAN_EVERY_MS }),
        ],
        reply: toCampaignView(ctx.self.id, launched),
      };
    },
  })
  .command("pause", {
    input: Nothing,
    handle: (s, _c, ctx) => {
      requireExisting(s, ctx);
      if (s.status === "paused") return { reply: toCampaignView(ctx.self.id, s) };
      if (s.status !== "running") throw refuse(s, ctx, `a ${s.status} campaign cannot be paused`);
      return {
        events: [{ type: "campaign.paused", data: {} }],
        effects: [ctx.cancelReminder(RESCAN_REMINDER)],
        reply: toCampaignView(ctx.self.id, { ...s, status: "paused", pausedAt: ctx.now }),
      };
    },
  })
  .command("resume", {
    input: Nothing,
    handle: (s, _c, ctx) => {
      requireExisting(s, ctx);
      if (s.status === "running") return { reply: toCampaignView(ctx.self.id, s) };
      if (s.status !== "paused") throw refuse(s, ctx, `a ${s.status} campaign cannot be resumed`);
      const resumed: CampaignState = { ...s, status: "running", pausedAt: null };
      // A first pass cut short by the pause goes on at once; rescans follow on the reminder.
      const scan = !s.scan.inFlight && !s.scan.initialPassDone
        ? requestScan(resumed, ctx, s.scan.cursor)
        : undefined;
      return {
        events: [{ type: "campaign.resumed", data: {} }, ...(scan ? [scan.event] : [])],
        effects: [
          ...(scan ? [scan.effect] : []),
          ctx.remind(RESCAN_REMINDER, ctx.now + RESCAN_EVERY_MS, { every: RESCAN_EVERY_MS }),
        ],
        reply: toCampaignView(ctx.self.id, resumed),
      };
    },
  })
  .command("stop", {
    input: Nothing,
    handle: (s, _c, ctx) => {
      requireExisting(s, ctx);
      if (s.status === "stopped") return { reply: toCampaignView(ctx.self.id, s) };
      const stopped: CampaignState = { ...s, status: "stopped", stoppedAt: ctx.now };
      // Leads enrolled are told in batches; a draft has none.
      const scan = s.launchedAt !== null ? requestScan(stopped, ctx, null, true) : undefined;
      return {
        events: [{ type: "campaign.stopped", data: {} }, ...(scan ? [scan.event] : [])],
        effects: [ctx.cancelReminder(RESCAN_REMINDER), ...(scan ? [scan.effect] : [])],
        reply: toCampaignView(ctx.self.id, stopped),
      };
    },
  })
  .onReminder((s, r, ctx) => {
    if (r.name !== RESCAN_REMINDER || s.status !== "running" || s.scan.inFlight) return {};
    // From the start once the first pass is done; never while enrollments told are unconfirmed.
    if (s.scan.initialPassDone && s.scan.pendingBatches > 0) return {};
    const scan = requestScan(s, ctx, s.scan.initialPassDone ? null : s.scan.cursor);
    return { events: [scan.event], effects: [scan.effect] };
  })
  .onOutboxResult((s, r, ctx) => {
    if (r.channel === CAMPAIGN_ENROLL_CHANNEL) {
      if (r.key.startsWith(`campaign:${ctx.self.id}:leave:`)) return {};
      const o = r.response as { joined?: number; declined?: number } | undefined;
      return {
        events: [{
          type: "campaign.batch_confirmed",
          data: {
            key: r.key,
            ok: r.ok,
            ...(r.ok ? { joined: o?.joined ?? 0, declined: o?.declined ?? 0 } : {}),
            ...(r.error ? { error: r.error } : {}),
          },
        }],
      };
    }
    if (r.channel !== CAMPAIGN_SCAN_CHANNEL || r.key !== scanKey(ctx.self.id, s.scan.seq)) {
      return {};
    }
    const seq = s.scan.seq;
    const found = r.ok ? ScanResult.safeParse(r.response) : undefined;
    if (!found?.success || !s.definition) {
      const reason = r.error ?? "the scan answered no batch";
      return { events: [{ type: "campaign.scan_abandoned", data: { scan: seq, reason } }] };
    }
    // Once stopped, the scan in flight is of the leads enrolled (stop started a new one).
    if (s.status === "stopped") return leaveBatch(s, ctx, seq, found.data);
    return enrollBatch(s, ctx, seq, found.data);
  })
  .query("view", (s) => toCampaignView(s.id, s))
  .query("definition", toCampaignRuntime)
  .projectTo("campaigns", (s, a) => ({
    tenant: a.tenant,
    campaign_id: a.id,
    name: s.definition?.name ?? "",
    status: s.status,
    enrolled: s.enrolled,
    created_at: iso(s.createdAt ?? 0),
    launched_at: s.launchedAt === null ? null : iso(s.launchedAt),
    stopped_at: s.stoppedAt === null ? null : iso(s.stoppedAt),
  }));

const iso = (ms: number) => new Date(ms).toISOString();

/** The turn that enrolls one scanned batch and, while the pass goes on, asks for the next. */
function enrollBatch(
  s: CampaignState,
  ctx: TurnContext,
  seq: number,
  found: ScanResult,
) {
  const d = s.definition!;
  const id = ctx.self.id;
  const { firstAts, nextSlot } = planSlots(found.leadIds.length, {
    now: ctx.now,
    nextSlot: s.nextSlot,
    perMinute: d.throttlePerMinute,
    delayMinutes: d.steps[0]!.delayMinutes,
  });
  const variants = found.leadIds.map((l) => assignVariant(id, l, d.split));
  const enrolled = {
    type: "campaign.enrolled_batch" as const,
    data: {
      scan: seq,
      leadIds: found.leadIds,
      firstAts,
      variants,
      nextCursor: found.nextCursor,
      nextSlot,
    },
  };
  const effects: Effect[] = [];
  if (found.leadIds.length > 0) {
    const batch: EnrollBatch = {
      campaignId: id,
      stopOnReply: d.stopOnReply,
      leads: found.leadIds.map((l, i) => ({ id: l, variant: variants[i]!, firstAt: firstAts[i]! })),
    };
    effects.push(ctx.send(CAMPAIGN_ENROLL_CHANNEL, batch, { key: enrollBatchKey(id, seq) }));
  }
  // A full batch means more may follow: ask at once, unless paused (resume goes on).
  if (found.nextCursor === null || s.status !== "running") {
    return { events: [enrolled], effects };
  }
  const next = requestScan(s, ctx, found.nextCursor);
  return { events: [enrolled, next.event], effects: [...effects, next.effect] };
}

/** The turn that tells one batch of enrolled leads the campaign stopped, and asks for the next. */
function leaveBatch(s: CampaignState, ctx: TurnContext, seq: number, found: ScanResult) {
  const id = ctx.self.id;
  const told = {
    type: "campaign.leave_batch" as const,
    data: { scan: seq, leadIds: found.leadIds, nextCursor: found.nextCursor },
  };
  const effects: Effect[] = [];
  if (found.leadIds.length > 0) {
    const batch: LeaveBatch = { campaignId: id, leave: "campaign_stopped", leadIds: found.leadIds };
    effects.push(ctx.send(CAMPAIGN_ENROLL_CHANNEL, batch, { key: leaveBatchKey(id, seq) }));
  }
  if (found.nextCursor === null) return { events: [told], effects };
  const next = requestScan(s, ctx, found.nextCursor, true);
  return { events: [told, next.event], effects: [...effects, next.effect] };
}
