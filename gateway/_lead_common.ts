/**
 * What the lead routes share: the path parameter, the lead as the API shows
 * it, the 404 and 409 errors, and the one lookup every route on one lead
 * starts with, so a lead of another tenant is a 404 everywhere alike.
 *
 * @module
 */
import type { AiClient } from "../actors/ai/mod.ts";
import { lead, type LeadState } from "../actors/lead/mod.ts";
import { CoveError, isKeyPart, NotFoundError } from "../shared/mod.ts";
import type { ApiDeps } from "./guard.ts";
import { ErrorSchema, json, z } from "./openapi.ts";

/** What the leads routes need. */
export type LeadRouteDeps = ApiDeps & {
  /** Qualifies leads on `POST /{id}/qualify`; without one, qualification falls back to the rules. */
  ai?: AiClient;
};

/** A lead id, as paths and bodies name one (checked here so a 400 names the field). */
export const LeadId = z.string().refine(isKeyPart, {
  message: "1-128 of letters, digits, _ . : @ + -",
});

/** A lead id in a path. */
export const LeadIdParam = z.object({
  id: LeadId.openapi({ param: { name: "id", in: "path" } }),
});

/** A lead as the actor holds it (fields documented on the lead schema in `shared/lead.ts`). */
export const LeadView = z.object({ leadId: z.string() }).catchall(z.unknown()).openapi("Lead");

/** The 409 answer of a command the lead refused in its current state. */
export const conflict = {
  409: { description: "The lead's state does not allow this", content: json(ErrorSchema) },
} as const;

/** 404 for a lead the caller's tenant does not have. */
export class LeadNotFound extends NotFoundError {
  /** `id` as the caller gave it. */
  constructor(id: string) {
    super(`lead ${id}`);
  }
}

/** 409: the lead refused a command in its current state; the message says why. */
export class LeadConflictError extends CoveError {
  /** `why` is the lead's own reason, e.g. `cannot move from won to new`. */
  constructor(id: string, why: string) {
    super("conflict", `lead ${id}: ${why}`, { status: 409, public: true, details: { leadId: id } });
  }
}

/** The lead's current state, or {@link LeadNotFound} when `tenant` has no such lead. */
export async function requireLead(
  deps: ApiDeps,
  tenant: string,
  id: string,
): Promise<LeadState> {
  const view = await deps.system.ref(lead, tenant, id).query("view");
  if (!view.exists) throw new LeadNotFound(id);
  return view;
}
