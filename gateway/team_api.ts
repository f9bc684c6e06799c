/**
 * The team REST routes under `/v1/team`: the tenant's members (who takes
 * which kind of task, their round-robin weight, whether they are available)
 * and each member's working hours, which their calendar books against. Reads
 * are open to staff; writes need role `admin`. The tenant always comes from
 * the caller's credentials: another tenant's member answers 404.
 *
 * @module
 */
import { calendar } from "../actors/calendar/mod.ts";
import { teamRef } from "../actors/team/mod.ts";
import {
  AssignTask,
  type MemberReply,
  NotFoundError,
  TeamMember,
  WorkingHours,
} from "../shared/mod.ts";
import { conflict, refusal } from "./_refusal.ts";
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

/** A team member id in a path; the same rule as a member's `id`. */
export const MemberIdParam = z.object({ id: AssignTask.shape.memberId });

// `shared/` schemas are made before @hono/zod-openapi adds `.openapi` to new
// schemas, so a copy (`extend({})`) carries the component name.
const MemberSchema = TeamMember.extend({}).openapi("TeamMember");
const MemberPatch = TeamMember.omit({ id: true }).partial().openapi("TeamMemberPatch", {
  description: "Only the fields given change",
});

/** 404 for a member the caller's tenant does not have. */
export class MemberNotFound extends NotFoundError {
  /** `id` as the caller gave it. */
  constructor(id: string) {
    super(`team member ${id}`);
  }
}

function memberOf(reply: MemberReply): TeamMember {
  if (reply.status !== "ok") throw new MemberNotFound(reply.memberId);
  return reply.member;
}

const teamTags = ["team"];

/** The `/v1/team` sub-app: members and their working hours. Writes need role `admin`. */
export function teamRoutes(deps: ApiDeps): OpenAPIHono<AuthEnv> {
  const app = apiRouter<AuthEnv>();
  app.use("*", guard(deps, STAFF_ROLES));
  const team = (tenant: string) => teamRef(deps.system, tenant);
  const memberReply = z.object({ member: MemberSchema });

  app.openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: teamTags,
      summary: "The team's members, in the order they were added",
      security: bearerOrApiKey,
      responses: {
        200: {
          description: "Members",
          content: json(z.object({ members: z.array(MemberSchema) })),
        },
        ...authErrors,
      },
    }),
    async (c) => c.json({ members: await team(c.var.auth.tenant).query("members") }, 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/members/{id}",
      tags: teamTags,
      summary: "One member",
      security: bearerOrApiKey,
      request: { params: MemberIdParam },
      responses: {
        200: { description: "The member", content: json(memberReply) },
        ...authErrors,
        ...notFound,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const member = memberOf(await team(c.var.auth.tenant).ask("findMember", { memberId: id }));
      return c.json({ member }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/members",
      tags: teamTags,
      summary: "Add a member (admin)",
      description: "`weight` defaults to 1 and `available` to true. An id already on the team " +
        "answers 409 `member_exists`; change a member with PATCH.",
      security: bearerOrApiKey,
      middleware: [onlyRoles("admin")],
      request: { body: jsonBody(MemberSchema) },
      responses: {
        201: { description: "Added", content: json(memberReply) },
        ...authErrors,
        ...conflict,
      },
    }),
    async (c) => {
      const input = c.req.valid("json");
      const ref = team(c.var.auth.tenant);
      // Check, then upsert: two adds of one id racing may both pass; the later one stands.
      const before = await ref.ask("findMember", { memberId: input.id });
      if (before.status === "ok") {
        throw refusal("member_exists", `team member ${input.id} exists; change it with PATCH`);
      }
      return c.json({ member: memberOf(await ref.ask("upsertMember", input)) }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "patch",
      path: "/members/{id}",
      tags: teamTags,
      summary: "Change a member (admin): name, contact, task types, weight, availability",
      security: bearerOrApiKey,
      middleware: [onlyRoles("admin")],
      request: { params: MemberIdParam, body: jsonBody(MemberPatch) },
      responses: {
        200: { description: "The member as they now are", content: json(memberReply) },
        ...authErrors,
        ...notFound,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const patch = c.req.valid("json");
      const ref = team(c.var.auth.tenant);
      const { available, ...rest } = patch;
      let member = memberOf(await ref.ask("findMember", { memberId: id }));
      if (Object.keys(rest).length > 0) {
        // The team actor has no partial update: read, merge, write. Two PATCHes racing on
        // different fields of one member may lose one change; availability alone never does.
        member = memberOf(await ref.ask("upsertMember", { ...member, ...rest, id }));
      }
      if (available !== undefined) {
        member = memberOf(await ref.ask("setAvailability", { memberId: id, available }));
      }
      return c.json({ member }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/members/{id}",
      tags: teamTags,
      summary: "Remove a member (admin); their tasks keep them as assignee",
      security: bearerOrApiKey,
      middleware: [onlyRoles("admin")],
      request: { params: MemberIdParam },
      responses: {
        200: { description: "The member removed", content: json(memberReply) },
        ...authErrors,
        ...notFound,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const member = memberOf(await team(c.var.auth.tenant).ask("removeMember", { memberId: id }));
      return c.json({ member }, 200);
    },
  );

  const hoursReply = z.object({ hours: WorkingHours.nullable() });

  app.openapi(
    createRoute({
      method: "get",
      path: "/members/{id}/hours",
      tags: teamTags,
      summary: "A member's working hours (null until set)",
      security: bearerOrApiKey,
      request: { params: MemberIdParam },
      responses: {
        200: { description: "Working hours", content: json(hoursReply) },
        ...authErrors,
        ...notFound,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const { tenant } = c.var.auth;
      memberOf(await team(tenant).ask("findMember", { memberId: id }));
      const hours = await deps.system.ref(calendar, tenant, id).query("hours");
      return c.json({ hours }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/members/{id}/hours",
      tags: teamTags,
      summary: "Set a member's working hours (admin); existing bookings stand",
      security: bearerOrApiKey,
      middleware: [onlyRoles("admin")],
      request: {
        params: MemberIdParam,
        body: jsonBody(WorkingHours.extend({}).openapi("WorkingHours")),
      },
      responses: {
        200: { description: "The hours as stored", content: json(hoursReply) },
        ...authErrors,
        ...notFound,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const { tenant } = c.var.auth;
      memberOf(await team(tenant).ask("findMember", { memberId: id }));
      const hours = await deps.system.ref(calendar, tenant, id).ask(
        "setHours",
        c.req.valid("json"),
      );
      return c.json({ hours }, 200);
    },
  );

  return app;
}
