/**
 * The tenant's lead settings over REST at `/v1/settings`: scoring rules, the
 * follow-up plan (its send window, default time zone and the templates of
 * each sequence), the default country of phone numbers and whether the AI
 * personalizes follow-ups. Staff may read them; only `admin` may change them.
 * Every change is a command of the tenant's settings actor, so leads see it
 * at their next decision and the journal keeps who-changed-what history.
 *
 * @module
 */
import { CountryCode, LeadSettings, settings, SETTINGS_ID } from "../actors/lead/mod.ts";
import type { ActorSystem } from "../actors/runtime/mod.ts";
import type { AuthEnv } from "./auth.ts";
import { type ApiDeps, guard, onlyRoles, STAFF_ROLES } from "./guard.ts";
import {
  apiRouter,
  authErrors,
  bearerOrApiKey,
  createRoute,
  json,
  jsonBody,
  type OpenAPIHono,
  z,
} from "./openapi.ts";

// The actor's own schema. (Not renamed with `.openapi()`: a schema made before the router's
// zod extension was loaded lacks that method.)
const SettingsSchema = LeadSettings;

/**
 * A full replacement of the settings this route edits (PUT); `defaultCountry`
 * in either case. Strict, so a field it does not edit is a 400 naming it
 * rather than silently dropped.
 */
const ReplaceSettings = LeadSettings.pick({ scoring: true, followUps: true, personalize: true })
  .extend({ defaultCountry: CountryCode })
  .strict();

/** Some of the settings (PATCH); each field given replaces that field whole. */
const PatchSettings = ReplaceSettings.partial().refine(
  (p) => Object.values(p).some((v) => v !== undefined),
  { message: "give at least one of scoring, followUps, defaultCountry, personalize" },
);

type SettingsChange = z.infer<typeof PatchSettings>;

/** Applies each given field as its command of the settings actor; resolves with the result. */
async function applySettings(
  system: ActorSystem,
  tenant: string,
  change: SettingsChange,
): Promise<LeadSettings> {
  const ref = system.ref(settings, tenant, SETTINGS_ID);
  if (change.scoring) await ref.ask("setScoringRules", change.scoring);
  if (change.followUps) await ref.ask("setFollowUpPlan", change.followUps);
  if (change.defaultCountry) await ref.ask("setDefaultCountry", { country: change.defaultCountry });
  if (change.personalize !== undefined) {
    await ref.ask("setPersonalize", { personalize: change.personalize });
  }
  return await ref.query("current");
}

const tags = ["settings"];

/** The `/v1/settings` sub-app. */
export function settingsRoutes(deps: ApiDeps): OpenAPIHono<AuthEnv> {
  const app = apiRouter<AuthEnv>();
  app.use("*", guard(deps, STAFF_ROLES));

  app.openapi(
    createRoute({
      method: "get",
      path: "/",
      tags,
      summary: "The tenant's lead settings",
      security: bearerOrApiKey,
      responses: {
        200: {
          description: "The settings in force. `followUps.window` is the send window (quiet " +
            "hours are outside it); `followUps.sequences.*.steps[].template` are the templates.",
          content: json(SettingsSchema),
        },
        ...authErrors,
      },
    }),
    async (c) => {
      const current = await deps.system.ref(settings, c.var.auth.tenant, SETTINGS_ID)
        .query("current");
      return c.json(current, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/",
      tags,
      summary: "Replace the tenant's lead settings (admin)",
      security: bearerOrApiKey,
      middleware: [onlyRoles("admin")] as const,
      request: { body: jsonBody(ReplaceSettings) },
      responses: {
        200: { description: "The settings now in force", content: json(SettingsSchema) },
        ...authErrors,
      },
    }),
    async (c) =>
      c.json(await applySettings(deps.system, c.var.auth.tenant, c.req.valid("json")), 200),
  );

  app.openapi(
    createRoute({
      method: "patch",
      path: "/",
      tags,
      summary: "Change some of the tenant's lead settings (admin)",
      description: "Each field given replaces that field whole (e.g. all of `scoring`).",
      security: bearerOrApiKey,
      middleware: [onlyRoles("admin")] as const,
      request: { body: jsonBody(PatchSettings) },
      responses: {
        200: { description: "The settings now in force", content: json(SettingsSchema) },
        ...authErrors,
      },
    }),
    async (c) =>
      c.json(await applySettings(deps.system, c.var.auth.tenant, c.req.valid("json")), 200),
  );

  return app;
}
