/**
 * What the REST route tests of this folder share: an embedded database with
 * every domain migration the routes read, an actor system hosting the actors
 * they ask (on a manual clock), the routes mounted on an app as the node
 * mounts them, and signed tokens for any tenant and role.
 *
 * @module
 */
import { calendar } from "../actors/calendar/mod.ts";
import { channelMigrations } from "../actors/channels/mod.ts";
import { lead, leadMigrations, settings } from "../actors/lead/mod.ts";
import { ActorSystem, type Database, openDatabase } from "../actors/runtime/mod.ts";
import { task, team, teamMigrations } from "../actors/team/mod.ts";
import { ManualClock, type Role } from "../shared/mod.ts";
import { createApp, type RootApp } from "./app.ts";
import { createTokenService } from "./auth.ts";
import { gatewayMigrations } from "./migrations.ts";
import { analyticsRoutes } from "./analytics_api.ts";
import { availabilityRoutes, bookingRoutes } from "./bookings_api.ts";
import { leadRoutes } from "./leads_api.ts";
import { deadLetterRoutes, outboxRoutes, providerRoutes } from "./outbox_api.ts";
import { taskRoutes } from "./tasks_api.ts";
import { teamRoutes } from "./team_api.ts";
import { templateLibrary } from "../actors/templates/mod.ts";
import { campaign, campaignMigrations } from "../actors/campaign/mod.ts";
import { analyticsMigrations } from "../actors/analytics/mod.ts";
import { campaignRoutes } from "./campaigns_api.ts";
import { type TemplateRouteDeps, templateRoutes } from "./templates_api.ts";

/** What a test gets. */
export interface ApiTestContext {
  app: RootApp;
  system: ActorSystem;
  db: Database;
  clock: ManualClock;
  /** An `Authorization` header value for `tenant` and `role`. */
  bearer(tenant: string, role?: Role): Promise<string>;
  /** `app.request` with a JSON body and the given authorization. */
  send(method: string, path: string, auth: string, body?: unknown): Promise<Response>;
}

/** Monday 2 March 2026, 13:30 UTC (08:30 in New York). */
export const T0: number = Date.parse("2026-03-02T13:30:00Z");

/** Runs `fn` against a fresh node-like app; `extra` adds dependencies such as provider status. */
export async function withApi(
  fn: (t: ApiTestContext) => Promise<void>,
  extra: Partial<TemplateRouteDeps> = {},
): Promise<void> {
  const db = await openDatabase({
    migrations: [
      ...await leadMigrations(),
      ...await campaignMigrations(),
      ...await teamMigrations(),
      ...await channelMigrations(),
      ...await gatewayMigrations(),
      ...await analyticsMigrations(),
    ],
  });
  const clock = new ManualClock(T0);
  const system = new ActorSystem({
    database: db,
    types: [lead, settings, team, task, calendar, templateLibrary, campaign],
    clock,
  });
  const tokens = createTokenService({ secret: "x".repeat(32) });
  const app = createApp({
    health: { ping: () => Promise.resolve(true), isShuttingDown: () => false },
    // These routers as `mountRest` mounts them (leads to make leads with), without the others:
    // a test here fails for these routes only.
    routes: (a) => {
      const deps: TemplateRouteDeps = { system, tokens, ...extra };
      a.route("/v1/leads", leadRoutes(deps));
      a.route("/v1/team", teamRoutes(deps));
      a.route("/v1/tasks", taskRoutes(deps));
      a.route("/v1/availability", availabilityRoutes(deps));
      a.route("/v1/bookings", bookingRoutes(deps));
      a.route("/v1/outbox", outboxRoutes(deps));
      a.route("/v1/dead-letters", deadLetterRoutes(deps));
      a.route("/v1/providers", providerRoutes(deps));
      a.route("/v1/analytics", analyticsRoutes(deps));
      a.route("/v1/templates", templateRoutes(deps));
      a.route("/v1/campaigns", campaignRoutes(deps));
    },
  });
  const bearer = async (tenant: string, role: Role = "admin") =>
    `Bearer ${(await tokens.issue({ sub: `user-${role}`, tenant, role })).accessToken}`;
  const send = async (method: string, path: string, auth: string, body?: unknown) =>
    await app.request(path, {
      method,
      headers: { authorization: auth, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  try {
    await fn({ app, system, db, clock, bearer, send });
  } finally {
    await system.shutdown();
    await db.close();
  }
}

/** The dotted paths of a 400's failing fields. */
export async function issuePaths(res: Response): Promise<string[]> {
  const body = await res.json();
  return body.error.details.issues.map((i: { path: string }) => i.path);
}
