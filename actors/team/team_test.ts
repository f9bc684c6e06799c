import assert from "node:assert/strict";
import { ValidationError } from "../../shared/errors.ts";
import type { PickReply, TeamMemberInput } from "../../shared/team.ts";
import { KEEP_PICKS, team, TEAM_ID, teamRef } from "./team.ts";
import { eventCount, suite } from "./_test_support.ts";

const test = suite("team");

const ana: TeamMemberInput = { id: "ana", name: "Ana", types: ["sales"], weight: 3 };
const ben: TeamMemberInput = { id: "ben", name: "Ben", types: ["sales", "support"] };
const cy: TeamMemberInput = { id: "cy", name: "Cy", types: ["technical"], email: "cy@agency.test" };

const picked = (r: PickReply) => r.status === "picked" ? r.member.id : `(${r.reason})`;

test("weights 3:1 give 300 and 100 of 400 picks", async ({ system }) => {
  const ref = teamRef(system, "t1");
  await ref.ask("upsertMember", ana);
  await ref.ask("upsertMember", ben);
  const picks: string[] = [];
  for (let i = 0; i < 400; i++) {
    picks.push(picked(await ref.ask("pick", { type: "sales", key: `k${i}` })));
  }
  assert.deepEqual(picks.slice(0, 4), ["ana", "ana", "ben", "ana"]);
  assert.equal(picks.filter((p) => p === "ana").length, 300);
  assert.equal(picks.filter((p) => p === "ben").length, 100);
});

test("an unavailable member is skipped until back, and resumes fairly", async ({ system }) => {
  const ref = teamRef(system, "t1");
  await ref.ask("upsertMember", { ...ana, weight: 1 });
  await ref.ask("upsertMember", ben);
  assert.deepEqual(await ref.ask("setAvailability", { memberId: "ben", available: false }), {
    status: "ok",
    member: { ...ben, weight: 1, available: false },
  });
  const away: string[] = [];
  for (let i = 0; i < 5; i++) {
    away.push(picked(await ref.ask("pick", { type: "sales", key: `a${i}` })));
  }
  assert.deepEqual(away, ["ana", "ana", "ana", "ana", "ana"]);
  await ref.ask("setAvailability", { memberId: "ben", available: true });
  const back: string[] = [];
  for (let i = 0; i < 4; i++) {
    back.push(picked(await ref.ask("pick", { type: "sales", key: `b${i}` })));
  }
  assert.deepEqual(back.toSorted(), ["ana", "ana", "ben", "ben"]);
  await ref.ask("setAvailability", { memberId: "ana", available: false });
  await ref.ask("setAvailability", { memberId: "ben", available: false });
  assert.deepEqual(await ref.ask("pick", { type: "sales", key: "c" }), {
    status: "unassigned",
    reason: "no_member_available",
    message: "every member who takes sales tasks is unavailable",
  });
});

test("only members who take the type are picked", async ({ system }) => {
  const ref = teamRef(system, "t1");
  for (const m of [ana, ben, cy]) await ref.ask("upsertMember", m);
  const by = async (type: "sales" | "support" | "technical", n: number) => {
    const out = new Set<string>();
    for (let i = 0; i < n; i++) {
      out.add(picked(await ref.ask("pick", { type, key: `${type}${i}` })));
    }
    return [...out].sort();
  };
  assert.deepEqual(await by("sales", 8), ["ana", "ben"]);
  assert.deepEqual(await by("support", 4), ["ben"]);
  assert.deepEqual(await by("technical", 4), ["cy"]);
  await ref.ask("upsertMember", { ...ben, types: ["sales"] });
  assert.deepEqual(await ref.ask("pick", { type: "support", key: "s-late" }), {
    status: "unassigned",
    reason: "no_member_for_type",
    message: "no team member takes support tasks",
  });
});

test("an empty team leaves every task unassigned, as a reply, not an error", async ({ system, db }) => {
  const reply = await teamRef(system, "t1").ask("pick", { type: "technical", key: "k" });
  assert.equal(reply.status, "unassigned");
  assert.equal(await eventCount(db), 0);
});

test("the same key gets the same member, even when they are away now", async ({ system, db }) => {
  const ref = teamRef(system, "t1");
  await ref.ask("upsertMember", { ...ana, weight: 1 });
  await ref.ask("upsertMember", ben);
  const first = picked(await ref.ask("pick", { type: "sales", key: "task-1" }));
  const events = await eventCount(db);
  assert.equal(picked(await ref.ask("pick", { type: "sales", key: "task-1" })), first);
  await ref.ask("setAvailability", { memberId: first, available: false });
  assert.equal(picked(await ref.ask("pick", { type: "sales", key: "task-1" })), first);
  assert.equal(await eventCount(db), events + 1, "repeats write nothing; only the availability");
  const other = picked(await ref.ask("pick", { type: "sales", key: "task-2" }));
  assert.notEqual(other, first);
});

test("a removed member is never picked, not even for their old key", async ({ system }) => {
  const ref = teamRef(system, "t1");
  await ref.ask("upsertMember", { ...ana, weight: 1 });
  await ref.ask("upsertMember", ben);
  assert.equal(picked(await ref.ask("pick", { type: "sales", key: "k1" })), "ana");
  assert.equal((await ref.ask("removeMember", { memberId: "ana" })).status, "ok");
  assert.equal(picked(await ref.ask("pick", { type: "sales", key: "k1" })), "ben");
  assert.deepEqual(await ref.ask("removeMember", { memberId: "ana" }), {
    status: "unknown_member",
    memberId: "ana",
  });
  assert.deepEqual((await ref.query("members")).map((m) => m.id), ["ben"]);
  assert.deepEqual(Object.keys((await ref.query("view")).rotation.sales ?? {}), ["ben"]);
});

test("unknown members are replies; an unchanged upsert writes nothing", async ({ system, db }) => {
  const ref = teamRef(system, "t1");
  assert.deepEqual(await ref.ask("setAvailability", { memberId: "zed", available: false }), {
    status: "unknown_member",
    memberId: "zed",
  });
  assert.deepEqual(await ref.ask("findMember", { memberId: "zed" }), {
    status: "unknown_member",
    memberId: "zed",
  });
  await ref.ask("upsertMember", cy);
  await ref.ask("upsertMember", cy);
  await ref.ask("setAvailability", { memberId: "cy", available: true });
  assert.equal(await eventCount(db), 1);
  assert.equal((await ref.ask("findMember", { memberId: "cy" })).status, "ok");
});

test("the rotation survives a restart and continues where it was", async ({ system, restart }) => {
  const ref = teamRef(system, "t1");
  await ref.ask("upsertMember", ana);
  await ref.ask("upsertMember", ben);
  const before: string[] = [];
  for (let i = 0; i < 2; i++) {
    before.push(picked(await ref.ask("pick", { type: "sales", key: `k${i}` })));
  }
  const again = teamRef(await restart(), "t1");
  const after: string[] = [];
  for (let i = 2; i < 4; i++) {
    after.push(picked(await again.ask("pick", { type: "sales", key: `k${i}` })));
  }
  assert.deepEqual([...before, ...after], ["ana", "ana", "ben", "ana"]);
  assert.equal(picked(await again.ask("pick", { type: "sales", key: "k0" })), "ana");
});

test("recent picks are bounded", async ({ system }) => {
  const ref = teamRef(system, "t1");
  await ref.ask("upsertMember", ben);
  for (let i = 0; i < KEEP_PICKS + 5; i++) await ref.ask("pick", { type: "support", key: `k${i}` });
  const { recentPicks } = await ref.query("view");
  assert.equal(recentPicks.length, KEEP_PICKS);
  assert.equal(recentPicks[0]!.key, "k5");
});

test("tenants have their own teams", async ({ system }) => {
  await teamRef(system, "t1").ask("upsertMember", cy);
  assert.equal(system.ref(team, "t1", TEAM_ID).address.id, "main");
  const other = await teamRef(system, "t2").ask("pick", { type: "technical", key: "k" });
  assert.equal(other.status, "unassigned");
});

test("every command's invalid input names the field and writes nothing", async ({ system, db }) => {
  const ref = teamRef(system, "t1");
  const cases: Array<[string, unknown, string[]]> = [
    ["upsertMember", { ...ana, id: "a/b" }, ["id"]],
    ["upsertMember", { ...ana, types: [] }, ["types"]],
    ["upsertMember", { ...ana, weight: 0 }, ["weight"]],
    ["upsertMember", { ...ana, email: "ana-at-agency" }, ["email"]],
    ["removeMember", {}, ["memberId"]],
    ["setAvailability", { memberId: "ana", available: "no" }, ["available"]],
    ["findMember", { memberId: "" }, ["memberId"]],
    ["pick", { type: "billing", key: "k" }, ["type"]],
    ["pick", { type: "sales", key: "" }, ["key"]],
  ];
  for (const [command, input, fields] of cases) {
    const err = await ref.ask(command as "pick", input as never).catch((e) => e);
    assert.ok(err instanceof ValidationError, `${command} ${JSON.stringify(input)}: ${err}`);
    assert.deepEqual(err.issues.map((i) => i.path), fields, err.message);
  }
  assert.equal(await eventCount(db), 0);
});
