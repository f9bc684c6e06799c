/**
 * The suggestion actor: one request of the `ai` role, recorded instead of
 * run while its tenant is in `suggest` mode, until an admin approves or
 * rejects it. One actor per suggestion (`suggestion/<tenant>/<id>`), so its
 * events (`suggestion.created`, `.approving`, `.approved`, `.failed`,
 * `.rejected`) reach the tenant's live stream like any other actor's, and
 * a row per suggestion in `suggestions` keeps the admin's list plain SQL.
 *
 * Approval is two turns around the run: `claim` moves `pending` to
 * `approving` (so a second approval is refused, and the request runs at
 * most once), then `finish` records what running it answered.
 *
 * @module
 */
import { z } from "zod";
import { defineActor } from "../actors/runtime/mod.ts";
import {
  SuggestionResult,
  type SuggestionStatus,
  type SuggestionView,
} from "../shared/suggestion.ts";

const Request = z.object({
  suggestedBy: z.string().min(1).max(256),
  method: z.string().min(1).max(16),
  path: z.string().min(1).max(4096),
  body: z.unknown(),
});

/** A suggestion actor's state; `none` until it is created. */
const State = z.object({
  status: z.enum(["none", "pending", "approving", "approved", "failed", "rejected"]),
  suggestedBy: z.string(),
  method: z.string(),
  path: z.string(),
  body: z.unknown(),
  createdAt: z.number(),
  decidedBy: z.string().nullable(),
  decidedAt: z.number().nullable(),
  result: SuggestionResult.nullable(),
  reason: z.string().nullable(),
});
/** The parsed form of {@link State}. */
type State = z.infer<typeof State>;

/** What `claim`, `finish` and `reject` answer: the view, or why the step does not apply now. */
export type SuggestionStep =
  | { state: "ok"; view: SuggestionView }
  | { state: "missing" }
  | { state: "conflict"; status: SuggestionStatus };

function view(s: State, id: string): SuggestionView {
  return {
    suggestionId: id,
    status: s.status as SuggestionStatus,
    suggestedBy: s.suggestedBy,
    method: s.method,
    path: s.path,
    body: s.body ?? null,
    createdAt: s.createdAt,
    decidedBy: s.decidedBy,
    decidedAt: s.decidedAt,
    result: s.result,
    reason: s.reason,
  };
}

/** Whether a run's answer counts as done (2xx/3xx) rather than failed. */
function succeeded(result: SuggestionResult): boolean {
  return result.status < 400;
}

/** The suggestion actor type; its id is the suggestion id. */
export const suggestion = defineActor("suggestion", {
  state: State,
  initial: (): State => ({
    status: "none",
    suggestedBy: "",
    method: "",
    path: "",
    body: null,
    createdAt: 0,
    decidedBy: null,
    decidedAt: null,
    result: null,
    reason: null,
  }),
})
  .event("suggestion.created", {
    schema: Request,
    apply: (s, e, meta) => ({
      ...s,
      ...e,
      body: e.body ?? null,
      status: "pending",
      createdAt: meta.at,
    }),
  })
  .event("suggestion.approving", {
    schema: z.object({ by: z.string() }),
    apply: (s, e, meta) => ({ ...s, status: "approving", decidedBy: e.by, decidedAt: meta.at }),
  })
  .event("suggestion.approved", {
    schema: z.object({ by: z.string(), result: SuggestionResult }),
    apply: (s, e, meta) => ({
      ...s,
      status: "approved",
      decidedBy: e.by,
      decidedAt: meta.at,
      result: e.result,
    }),
  })
  .event("suggestion.failed", {
    schema: z.object({ by: z.string(), result: SuggestionResult }),
    apply: (s, e, meta) => ({
      ...s,
      status: "failed",
      decidedBy: e.by,
      decidedAt: meta.at,
      result: e.result,
    }),
  })
  .event("suggestion.rejected", {
    schema: z.object({ by: z.string(), reason: z.string().nullable() }),
    apply: (s, e, meta) => ({
      ...s,
      status: "rejected",
      decidedBy: e.by,
      decidedAt: meta.at,
      reason: e.reason,
    }),
  })
  .command("create", {
    input: Request,
    // A repeat (same id, e.g. a retried request with the same Idempotency-Key) records nothing.
    handle: (s, r, ctx) =>
      s.status === "none"
        ? {
          events: [{ type: "suggestion.created" as const, data: r }],
          reply: { created: true as const, request: r },
        }
        : {
          reply: {
            created: false as const,
            request: { suggestedBy: s.suggestedBy, method: s.method, path: s.path, body: s.body },
            view: view(s, ctx.self.id),
          },
        },
  })
  .command("claim", {
    input: z.object({ by: z.string().min(1) }),
    handle: (s, c, ctx) => {
      if (s.status === "none") return { reply: { state: "missing" } as SuggestionStep };
      if (s.status !== "pending") {
        return { reply: { state: "conflict", status: s.status } as SuggestionStep };
      }
      const next: State = { ...s, status: "approving", decidedBy: c.by, decidedAt: ctx.now };
      return {
        events: [{ type: "suggestion.approving" as const, data: c }],
        reply: { state: "ok", view: view(next, ctx.self.id) } as SuggestionStep,
      };
    },
  })
  .command("finish", {
    input: z.object({ by: z.string().min(1), result: SuggestionResult }),
    handle: (s, c, ctx) => {
      if (s.status !== "approving") {
        return { reply: { state: "conflict", status: s.status } as SuggestionStep };
      }
      const status = succeeded(c.result) ? "approved" as const : "failed" as const;
      return {
        events: [{
          type: status === "approved"
            ? "suggestion.approved" as const
            : "suggestion.failed" as const,
          data: c,
        }],
        reply: {
          state: "ok",
          view: view(
            { ...s, status, decidedBy: c.by, decidedAt: ctx.now, result: c.result },
            ctx.self.id,
          ),
        } as SuggestionStep,
      };
    },
  })
  .command("reject", {
    input: z.object({ by: z.string().min(1), reason: z.string().max(1000).nullable() }),
    handle: (s, c, ctx) => {
      if (s.status === "none") return { reply: { state: "missing" } as SuggestionStep };
      if (s.status !== "pending") {
        return { reply: { state: "conflict", status: s.status } as SuggestionStep };
      }
      return {
        events: [{ type: "suggestion.rejected" as const, data: c }],
        reply: {
          state: "ok",
          view: view({
            ...s,
            status: "rejected",
            decidedBy: c.by,
            decidedAt: ctx.now,
            reason: c.reason,
          }, ctx.self.id),
        } as SuggestionStep,
      };
    },
  })
  .query("state", (s) => s)
  .projectTo("suggestions", (s, a) => ({
    tenant: a.tenant,
    suggestion_id: a.id,
    status: s.status,
    suggested_by: s.suggestedBy,
    method: s.method,
    path: s.path,
    body: s.body ?? null,
    created_at: new Date(s.createdAt).toISOString(),
    decided_by: s.decidedBy,
    decided_at: s.decidedAt === null ? null : new Date(s.decidedAt).toISOString(),
    result: s.result,
    reason: s.reason,
  }));

/** The admin's view of a suggestion actor's state; null when it was never created. */
export function suggestionView(s: z.infer<typeof State>, id: string): SuggestionView | null {
  return s.status === "none" ? null : view(s, id);
}
