/**
 * The outbox REST routes: `/v1/outbox` counts the tenant's outgoing messages
 * by status, `/v1/dead-letters` lists the messages that failed their last
 * attempt and lets an admin replay or discard one (see
 * `actors/channels/dead_letters.ts`: a replay sends under the same
 * idempotency key, so a provider that did take an earlier attempt still
 * delivers it once), and `/v1/providers` shows each channel's provider, live
 * or sandbox, and its circuit breaker on this node.
 *
 * @module
 */
import {
  type BreakerSnapshot,
  type ChannelProviders,
  type CircuitBreakers,
  type DeadLetter,
  type DeadLetterSummary,
  discardDeadLetter,
  inspectDeadLetter,
  listDeadLetters,
  type MessageProvider,
  replayDeadLetter,
} from "../actors/channels/mod.ts";
import { NotFoundError } from "../shared/mod.ts";
import type { AuthEnv } from "./auth.ts";
import { type ApiDeps, guard, onlyRoles, STAFF_ROLES } from "./guard.ts";
import {
  apiRouter,
  authErrors,
  bearerOrApiKey,
  createRoute,
  json,
  jsonBody,
  notFound,
  type OpenAPIHono,
  z,
} from "./openapi.ts";

// The dead-letter shapes are TypeScript interfaces in the channels folder; these schemas
// document them, and `satisfies` fails the type check if either side drifts.
const summaryFields = {
  id: z.number().int(),
  channel: z.string(),
  key: z.string(),
  actor: z.string(),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  createdAt: z.number().openapi({ description: "Epoch ms" }),
};

/** A dead letter as the list shows it (no payload). */
export const DeadLetterSummarySchema = z.object(summaryFields).openapi(
  "DeadLetterSummary",
) satisfies z.ZodType<DeadLetterSummary>;

/** A dead letter in full. */
export const DeadLetterSchema = z.object({
  ...summaryFields,
  tenant: z.string(),
  type: z.string(),
  payload: z.unknown(),
  maxAttempts: z.number().int(),
}).openapi("DeadLetter") satisfies z.ZodType<DeadLetter>;

/** Messages of one channel (or all) by where they stand. */
export const OutboxCounts = z.object({
  pending: z.number().int().openapi({ description: "Waiting or being sent" }),
  sent: z.number().int().openapi({
    description: "Delivered: taken by the provider (or the sandbox), or handed to the actor",
  }),
  dead: z.number().int().openapi({ description: "Failed their last attempt; in the list" }),
  discarded: z.number().int().openapi({ description: "Dead letters an operator discarded" }),
}).openapi("OutboxCounts");

/** A channel's provider and its circuit breaker, as this node sees them. */
export const ProviderStatus = z.object({
  channel: z.string().openapi({ example: "sms" }),
  provider: z.string().openapi({ example: "twilio" }),
  mode: z.enum(["live", "sandbox"]),
  breaker: z.object({
    state: z.enum(["closed", "open", "half_open"]),
    consecutiveFailures: z.number().int(),
    openedAt: z.number().nullable().openapi({ description: "Epoch ms; null while closed" }),
    nextProbeAt: z.number().nullable().openapi({ description: "Epoch ms; null unless open" }),
  }),
}).openapi("ProviderStatus");

/** A channel's provider and its circuit breaker, as this node sees them. */
export type ProviderStatus = z.infer<typeof ProviderStatus>;

/**
 * The provider status of a node's channels: each provider's name and mode and
 * the state of the breaker the channel's dispatcher uses (`breakers.for`
 * the provider's name). Breakers live in memory per node, so this is this
 * node's view.
 */
export function providerStatusOf(
  providers: ChannelProviders,
  breakers: CircuitBreakers,
): () => ProviderStatus[] {
  return () =>
    Object.entries(providers).map(([channel, p]: [string, MessageProvider]) => ({
      channel,
      provider: p.name,
      mode: p.mode,
      breaker: breakerView(breakers.for(p.name).snapshot()),
    }));
}

function breakerView(s: BreakerSnapshot): ProviderStatus["breaker"] {
  return {
    state: s.state,
    consecutiveFailures: s.consecutiveFailures,
    openedAt: s.openedAt,
    nextProbeAt: s.nextProbeAt,
  };
}

/** 404 for a dead letter the caller's tenant does not have (or that is one no more). */
export class DeadLetterNotFound extends NotFoundError {
  /** `id` as the caller gave it. */
  constructor(id: number) {
    super(`dead letter ${id}`);
  }
}

const IdParam = z.object({ id: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) });

const ListQuery = z.object({
  channel: z.string().max(64).optional().openapi({ example: "email" }),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional().openapi({
    description: "The `next` of the previous page",
  }),
});

const DiscardBody = z.object({
  reason: z.string().trim().min(1).max(500).optional(),
}).openapi("DiscardDeadLetter");

const tags = ["outbox"];

/** The `/v1/dead-letters` sub-app: list and inspect (staff), replay and discard (admin). */
export function deadLetterRoutes(deps: ApiDeps): OpenAPIHono<AuthEnv> {
  const app = apiRouter<AuthEnv>();
  app.use("*", guard(deps, STAFF_ROLES));
  const sql = deps.system.journal.sql;

  app.openapi(
    createRoute({
      method: "get",
      path: "/",
      tags,
      summary: "Dead letters not discarded, oldest first, with a cursor",
      security: bearerOrApiKey,
      request: { query: ListQuery },
      responses: {
        200: {
          description: "One page; `next` is the cursor of the next page or null",
          content: json(z.object({
            items: z.array(DeadLetterSummarySchema),
            next: z.number().int().nullable(),
          })),
        },
        ...authErrors,
      },
    }),
    async (c) => {
      const { channel, limit, cursor } = c.req.valid("query");
      const page = await listDeadLetters(sql, c.var.auth.tenant, {
        limit,
        ...(channel === undefined ? {} : { channel }),
        ...(cursor === undefined ? {} : { after: cursor }),
      });
      return c.json(page, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/{id}",
      tags,
      summary: "One dead letter with its payload",
      security: bearerOrApiKey,
      request: { params: IdParam },
      responses: {
        200: { description: "The dead letter", content: json(DeadLetterSchema) },
        ...authErrors,
        ...notFound,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const letter = await inspectDeadLetter(sql, c.var.auth.tenant, id);
      if (!letter) throw new DeadLetterNotFound(id);
      return c.json(letter, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/{id}/replay",
      tags,
      summary: "Send a dead letter again now, under its own idempotency key (admin)",
      security: bearerOrApiKey,
      middleware: [onlyRoles("admin")],
      request: { params: IdParam },
      responses: {
        200: {
          description: "Back in the outbox, due at `nextAt` (epoch ms)",
          content: json(z.object({ id: z.number().int(), nextAt: z.number() })),
        },
        ...authErrors,
        ...notFound,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const r = await replayDeadLetter(sql, c.var.auth.tenant, id, deps.system.clock.now());
      if (r.state !== "replayed") throw new DeadLetterNotFound(id);
      return c.json({ id: r.id, nextAt: r.nextAt }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/{id}/discard",
      tags,
      summary: "Take a dead letter off the list for good (admin); who, when and why are kept",
      security: bearerOrApiKey,
      middleware: [onlyRoles("admin")],
      request: { params: IdParam, body: jsonBody(DiscardBody) },
      responses: {
        200: {
          description: "Discarded at `at` (epoch ms)",
          content: json(z.object({ id: z.number().int(), at: z.number() })),
        },
        ...authErrors,
        ...notFound,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const { reason } = c.req.valid("json");
      const r = await discardDeadLetter(sql, c.var.auth.tenant, id, deps.system.clock.now(), {
        by: c.var.auth.sub,
        ...(reason === undefined ? {} : { reason }),
      });
      if (r.state !== "discarded") throw new DeadLetterNotFound(id);
      return c.json({ id: r.id, at: r.at }, 200);
    },
  );

  return app;
}

/** The `/v1/outbox` sub-app: the tenant's outgoing messages counted by status. */
export function outboxRoutes(deps: ApiDeps): OpenAPIHono<AuthEnv> {
  const app = apiRouter<AuthEnv>();
  app.use("*", guard(deps, STAFF_ROLES));

  app.openapi(
    createRoute({
      method: "get",
      path: "/",
      tags,
      summary: "The tenant's outgoing messages counted by status, in all and per channel",
      description: "Channel `actor` holds messages between actors.",
      security: bearerOrApiKey,
      responses: {
        200: {
          description: "Counts",
          content: json(z.object({
            total: OutboxCounts,
            channels: z.record(z.string(), OutboxCounts),
          })),
        },
        ...authErrors,
      },
    }),
    async (c) => {
      const sql = deps.system.journal.sql;
      // One pass over the tenant's rows through the (tenant, key) index; no payloads read.
      const rows = await sql<(OutboxCounts & { channel: string })[]>`
        SELECT channel,
               count(*) FILTER (WHERE status IN ('pending', 'claimed'))::int AS pending,
               count(*) FILTER (WHERE status = 'done')::int AS sent,
               count(*) FILTER (WHERE status = 'dead' AND NOT ${discarded(sql)})::int AS dead,
               count(*) FILTER (WHERE status = 'dead' AND ${discarded(sql)})::int AS discarded
        FROM outbox WHERE tenant = ${c.var.auth.tenant}
        GROUP BY channel ORDER BY channel`;
      const total: OutboxCounts = { pending: 0, sent: 0, dead: 0, discarded: 0 };
      const channels: Record<string, OutboxCounts> = {};
      for (const { channel, ...counts } of rows) {
        channels[channel] = counts;
        for (const k of Object.keys(total) as (keyof OutboxCounts)[]) total[k] += counts[k];
      }
      return c.json({ total, channels }, 200);
    },
  );

  return app;
}

/** The outbox's own mark of a discarded dead letter (see `dead_letters.ts`). */
function discarded(sql: ApiDeps["system"]["journal"]["sql"]) {
  return sql`COALESCE(result @> '{"discarded": true}'::jsonb, false)`;
}

/** The `/v1/providers` sub-app: each channel's provider and breaker on this node. */
export function providerRoutes(deps: ApiDeps): OpenAPIHono<AuthEnv> {
  const app = apiRouter<AuthEnv>();
  app.use("*", guard(deps, STAFF_ROLES));

  app.openapi(
    createRoute({
      method: "get",
      path: "/",
      tags,
      summary: "Each channel's provider, live or sandbox, and its circuit breaker on this node",
      description: "Breakers are kept per node, so another node may see another state.",
      security: bearerOrApiKey,
      responses: {
        200: {
          description: "Providers",
          content: json(z.object({ items: z.array(ProviderStatus) })),
        },
        ...authErrors,
      },
    }),
    (c) => c.json({ items: deps.providerStatus?.() ?? [] }, 200),
  );

  return app;
}

/** Counts of one channel (or all) by status. */
export type OutboxCounts = z.infer<typeof OutboxCounts>;
