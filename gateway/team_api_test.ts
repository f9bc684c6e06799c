import assert from "node:assert/strict";
import { issuePaths, withApi } from "./_api_test_support.ts";

const ann = { id: "ann", name: "Ann Lee", email: "ann@example.com", types: ["sales"] };
const bob = { id: "bob", name: "Bob Roy", types: ["sales", "support"], weight: 2 };

Deno.test("team API: admin adds, changes and removes members; staff read them", async () => {
  await withApi(async ({ send, bearer }) => {
    const admin = await bearer("tenant-a");
    const added = await send("POST", "/v1/team/members", admin, ann);
    assert.equal(added.status, 201);
    assert.deepEqual((await added.json()).member, { ...ann, weight: 1, available: true });
    assert.equal((await send("POST", "/v1/team/members", admin, bob)).status, 201);
    const again = await send("POST", "/v1/team/members", admin, { ...ann, name: "Other" });
    assert.equal(again.status, 409);
    assert.equal((await again.json()).error.code, "member_exists");

    const agent = await bearer("tenant-a", "agent");
    const list = await (await send("GET", "/v1/team", agent)).json();
    assert.deepEqual(list.members.map((m: { id: string }) => m.id), ["ann", "bob"]);

    const patched = await send("PATCH", "/v1/team/members/bob", admin, {
      weight: 5,
      available: false,
    });
    assert.equal(patched.status, 200);
    assert.deepEqual((await patched.json()).member, { ...bob, weight: 5, available: false });
    const one = await (await send("GET", "/v1/team/members/bob", agent)).json();
    assert.equal(one.member.weight, 5, "the change was kept by the team actor");
    assert.equal(one.member.available, false);

    const removed = await send("DELETE", "/v1/team/members/ann", admin);
    assert.equal(removed.status, 200);
    assert.equal((await send("GET", "/v1/team/members/ann", agent)).status, 404);
    assert.equal((await send("DELETE", "/v1/team/members/ann", admin)).status, 404);
    assert.equal((await send("PATCH", "/v1/team/members/ann", admin, { weight: 2 })).status, 404);
  });
});

Deno.test("team API: writes need admin; another tenant sees nothing; bad input names the field", async () => {
  await withApi(async ({ send, bearer }) => {
    const admin = await bearer("tenant-a");
    await send("POST", "/v1/team/members", admin, ann);
    for (const role of ["agent", "ai"] as const) {
      // `ai` too: the AI policy refuses routes closed to it rather than record a suggestion.
      const who = await bearer("tenant-a", role);
      assert.equal((await send("POST", "/v1/team/members", who, bob)).status, 403, role);
      assert.equal((await send("PATCH", "/v1/team/members/ann", who, { weight: 3 })).status, 403);
      assert.equal((await send("DELETE", "/v1/team/members/ann", who)).status, 403);
      assert.equal((await send("PUT", "/v1/team/members/ann/hours", who, {})).status, 403);
    }
    const widget = await bearer("tenant-a", "widget");
    assert.equal((await send("GET", "/v1/team", widget)).status, 403);

    const other = await bearer("tenant-b");
    assert.deepEqual((await (await send("GET", "/v1/team", other)).json()).members, []);
    assert.equal((await send("GET", "/v1/team/members/ann", other)).status, 404);
    assert.equal((await send("PATCH", "/v1/team/members/ann", other, { weight: 3 })).status, 404);
    assert.equal((await send("DELETE", "/v1/team/members/ann", other)).status, 404);
    assert.equal((await send("GET", "/v1/team/members/ann/hours", other)).status, 404);
    const still = await (await send("GET", "/v1/team/members/ann", admin)).json();
    assert.equal(still.member.weight, 1, "tenant B's writes did not reach tenant A");

    const noTypes = await send("POST", "/v1/team/members", admin, { ...bob, types: [] });
    assert.equal(noTypes.status, 400);
    assert.deepEqual(await issuePaths(noTypes), ["types"]);
    const badWeight = await send("PATCH", "/v1/team/members/ann", admin, { weight: 99 });
    assert.deepEqual(await issuePaths(badWeight), ["weight"]);
    const badId = await send("GET", "/v1/team/members/no%20spaces", admin);
    assert.equal(badId.status, 400);
    assert.deepEqual(await issuePaths(badId), ["id"]);
  });
});

Deno.test("team API: a member's working hours are set by admin and read back", async () => {
  await withApi(async ({ send, bearer }) => {
    const admin = await bearer("tenant-a");
    await send("POST", "/v1/team/members", admin, ann);
    assert.deepEqual(await (await send("GET", "/v1/team/members/ann/hours", admin)).json(), {
      hours: null,
    });
    const nine = [{ start: "09:00", end: "17:00" }];
    const put = await send("PUT", "/v1/team/members/ann/hours", admin, {
      timeZone: "america/new_york",
      weekly: { "1": nine, "2": nine },
    });
    assert.equal(put.status, 200);
    const read = await (await send("GET", "/v1/team/members/ann/hours", admin)).json();
    assert.equal(read.hours.timeZone, "America/New_York");
    assert.deepEqual(read.hours.weekly["1"], nine);
    assert.equal(read.hours.slotMinutes, 30, "defaults applied");
    const bad = await send("PUT", "/v1/team/members/ann/hours", admin, {
      timeZone: "UTC",
      weekly: { "1": [{ start: "17:00", end: "09:00" }] },
    });
    assert.equal(bad.status, 400);
    assert.deepEqual(await issuePaths(bad), ["weekly.1.0.end"]);
    const nobody = await send("PUT", "/v1/team/members/zed/hours", admin, {
      timeZone: "UTC",
      weekly: {},
    });
    assert.equal(nobody.status, 404);
  });
});
