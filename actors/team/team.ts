/**
 * The team actor: one per tenant, `team/<tenant>/main`. It holds the members,
 * what kinds of task each takes, their weights and availability, and the
 * round-robin's running scores. Because it is one activation cluster-wide,
 * every pick goes through one turn at a time: two tasks created at once on
 * two nodes never see the same rotation state.
 *
 * @module
 */
/**
 * zod's types are documented by zod. Without this tag deno doc flags each one
 * in a public signature here as a private type (denoland/deno#27364).
 *
 * @internal
 */
import { z } from "zod";
import {
  FindMember,
  type MemberReply,
  PickMember,
  type PickReply,
  RemoveMember,
  SetAvailability,
  TaskType,
  TeamAvailabilitySet,
  TeamMember,
  TeamMemberPicked,
  TeamMemberRemoved,
  TeamMemberUpserted,
} from "../../shared/mod.ts";
import { type ActorRef, type ActorSystem, defineActor } from "../runtime/mod.ts";
import { smoothWeightedPick } from "./round_robin.ts";

/** The id of a tenant's one team actor. */
export const TEAM_ID = "main";

/**
 * Picks remembered for `pick`'s idempotency. A task asks once when created and
 * again only when that create is retried, moments later; a thousand picks
 * covers any retry while keeping the state (and its snapshots) small.
 */
export const KEEP_PICKS = 1_000;

/** The team's in-memory state; private to this actor, hence not in `shared/`. */
const TeamState = z.object({
  /** In the order they were added: the round-robin breaks ties by it. */
  members: z.array(TeamMember),
  /** Round-robin running scores by task type, then by member id. */
  rotation: z.record(z.string(), z.record(z.string(), z.number())),
  /** The latest picks, oldest first, at most {@link KEEP_PICKS}. */
  recentPicks: z.array(z.object({ key: z.string(), type: TaskType, memberId: z.string() })),
});

/** The team actor's state. */
export type TeamState = z.infer<typeof TeamState>;

const findIn = (s: TeamState, id: string) => s.members.find((m) => m.id === id);
const unknown = (memberId: string): MemberReply => ({ status: "unknown_member", memberId });
const ok = (member: TeamMember): MemberReply => ({ status: "ok", member });

function withoutScores(
  rotation: TeamState["rotation"],
  memberId: string,
  types: readonly string[],
): TeamState["rotation"] {
  const next = { ...rotation };
  for (const type of types) {
    const scores = next[type];
    if (!scores || !(memberId in scores)) continue;
    const { [memberId]: _, ...rest } = scores;
    next[type] = rest;
  }
  return next;
}

/** The team actor type. Replies are unions: an unknown member or nobody to pick are outcomes. */
export const team = defineActor("team", {
  state: TeamState,
  initial: (): TeamState => ({ members: [], rotation: {}, recentPicks: [] }),
})
  .event("team.member_upserted", {
    schema: TeamMemberUpserted,
    version: 1,
    apply: (s, e) => {
      const before = findIn(s, e.member.id);
      const members = before
        ? s.members.map((m) => m.id === e.member.id ? e.member : m)
        : [...s.members, e.member];
      // A type the member no longer takes loses their score, so taking it up again starts fair.
      const dropped = before?.types.filter((t) => !e.member.types.includes(t)) ?? [];
      return { ...s, members, rotation: withoutScores(s.rotation, e.member.id, dropped) };
    },
  })
  .event("team.member_removed", {
    schema: TeamMemberRemoved,
    version: 1,
    apply: (s, e) => ({
      ...s,
      members: s.members.filter((m) => m.id !== e.memberId),
      rotation: withoutScores(s.rotation, e.memberId, TaskType.options),
    }),
  })
  .event("team.availability_set", {
    schema: TeamAvailabilitySet,
    version: 1,
    apply: (s, e) => ({
      ...s,
      members: s.members.map((m) => m.id === e.memberId ? { ...m, available: e.available } : m),
    }),
  })
  .event("team.member_picked", {
    schema: TeamMemberPicked,
    version: 1,
    apply: (s, e) => {
      const picks = [...s.recentPicks, { key: e.key, type: e.type, memberId: e.memberId }];
      return {
        ...s,
        rotation: { ...s.rotation, [e.type]: e.currentWeights },
        recentPicks: picks.length > KEEP_PICKS ? picks.slice(picks.length - KEEP_PICKS) : picks,
      };
    },
  })
  .command("upsertMember", {
    input: TeamMember,
    handle: (s, member) => {
      const before = findIn(s, member.id);
      if (before && JSON.stringify(before) === JSON.stringify(member)) return { reply: ok(member) };
      return { events: [{ type: "team.member_upserted", data: { member } }], reply: ok(member) };
    },
  })
  .command("removeMember", {
    input: RemoveMember,
    handle: (s, { memberId }) => {
      const member = findIn(s, memberId);
      if (!member) return { reply: unknown(memberId) };
      return { events: [{ type: "team.member_removed", data: { memberId } }], reply: ok(member) };
    },
  })
  .command("setAvailability", {
    input: SetAvailability,
    handle: (s, { memberId, available }) => {
      const member = findIn(s, memberId);
      if (!member) return { reply: unknown(memberId) };
      if (member.available === available) return { reply: ok(member) };
      return {
        events: [{ type: "team.availability_set", data: { memberId, available } }],
        reply: ok({ ...member, available }),
      };
    },
  })
  // A command rather than a query because queries take no arguments; it writes nothing.
  .command("findMember", {
    input: FindMember,
    handle: (s, { memberId }) => {
      const member = findIn(s, memberId);
      return { reply: member ? ok(member) : unknown(memberId) };
    },
  })
  .command("pick", {
    input: PickMember,
    handle: (s, { type, key }) => {
      const earlier = s.recentPicks.findLast((p) => p.key === key);
      const again = earlier && findIn(s, earlier.memberId);
      // Asked again for the same key: the same member, even if now away (they already have it).
      // A member removed since is no answer, so the pick runs anew.
      if (again) return { reply: { status: "picked", member: again } as PickReply };
      const handling = s.members.filter((m) => m.types.includes(type));
      if (handling.length === 0) {
        const reply: PickReply = {
          status: "unassigned",
          reason: "no_member_for_type",
          message: `no team member takes ${type} tasks`,
        };
        return { reply };
      }
      const picked = smoothWeightedPick(
        handling.filter((m) => m.available),
        s.rotation[type] ?? {},
      );
      if (!picked) {
        const reply: PickReply = {
          status: "unassigned",
          reason: "no_member_available",
          message: `every member who takes ${type} tasks is unavailable`,
        };
        return { reply };
      }
      const member = findIn(s, picked.id)!;
      const reply: PickReply = { status: "picked", member };
      return {
        events: [{
          type: "team.member_picked",
          data: { type, key, memberId: member.id, currentWeights: picked.current },
        }],
        reply,
      };
    },
  })
  .query("members", (s) => s.members)
  .query("view", (s) => s);

/** The team actor's type, for refs. */
export type Team = typeof team;

/** The tenant's team actor. */
export function teamRef(system: ActorSystem, tenant: string): ActorRef<Team> {
  return system.ref(team, tenant, TEAM_ID);
}
