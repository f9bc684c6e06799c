import assert from "node:assert/strict";
import { issuePaths, T0, withApi } from "./_api_test_support.ts";

const HOUR = 3_600_000;
const task = (key: string, extra: Record<string, unknown> = {}) => ({
  leadId: "lead-1",
  type: "sales",
  title: `Call back ${key}`,
  dueAt: new Date(T0 + HOUR).toISOString(),
  priority: "medium",
  idempotencyKey: key,
  ...extra,
});

Deno.test("tasks API: create assigns round-robin; list, get and the transitions", async () => {
  await withApi(async ({ send, bearer, clock }) => {
    const admin = await bearer("tenant-a");
    for (const id of ["ann", "bob"]) {
      await send("POST", "/v1/team/members", admin, { id, name: id, types: ["sales"] });
    }
    const agent = await bearer("tenant-a", "agent");
    const created = await send("POST", "/v1/tasks", agent, task("t1"));
    assert.equal(created.status, 201);
    const first = (await created.json()).task;
    assert.equal(first.status, "assigned");
    assert.equal(first.assignee, "ann");
    assert.equal(first.dueAt, T0 + HOUR, "an ISO due date is kept as epoch ms");
    const repeat = await send("POST", "/v1/tasks", agent, task("t1"));
    assert.equal(repeat.status, 200, "the same idempotency key is the same task");
    assert.equal((await repeat.json()).task.taskId, first.taskId);
    clock.advance(1_000);
    const second = (await (await send(
      "POST",
      "/v1/tasks",
      agent,
      task("t2", {
        dueAt: T0 + 2 * HOUR,
        type: "sales",
      }),
    )).json()).task;
    assert.equal(second.assignee, "bob", "round-robin: the next member");
    await send(
      "POST",
      "/v1/tasks",
      agent,
      task("t3", { type: "support", leadId: "lead-2", dueAt: T0 + 3 * HOUR }),
    );

    const all = await (await send("GET", "/v1/tasks", agent)).json();
    assert.deepEqual(all.items.map((t: { taskId: string }) => t.taskId).length, 3);
    const open = await (await send("GET", "/v1/tasks?status=open", agent)).json();
    assert.equal(open.items.length, 1, "nobody takes support tasks");
    assert.equal(open.items[0].leadId, "lead-2");
    const bobs = await (await send("GET", "/v1/tasks?assignee=bob", agent)).json();
    assert.deepEqual(bobs.items.map((t: { taskId: string }) => t.taskId), [second.taskId]);
    const page1 = await (await send("GET", "/v1/tasks?limit=2", agent)).json();
    assert.deepEqual(page1.items.map((t: { taskId: string }) => t.taskId), [
      first.taskId,
      second.taskId,
    ], "soonest due first");
    const page2 = await (await send("GET", `/v1/tasks?limit=2&cursor=${page1.next}`, agent))
      .json();
    assert.equal(page2.items.length, 1);
    assert.equal(page2.next, null);

    const path = `/v1/tasks/${first.taskId}`;
    assert.equal((await (await send("GET", path, agent)).json()).task.title, "Call back t1");
    const moved = await send("POST", `${path}/assign`, agent, { memberId: "bob" });
    assert.equal(moved.status, 200);
    assert.equal((await moved.json()).task.assignee, "bob");
    const unknown = await send("POST", `${path}/assign`, agent, { memberId: "zed" });
    assert.equal(unknown.status, 409);
    assert.equal((await unknown.json()).error.code, "unknown_member");
    const done = await send("POST", `${path}/complete`, agent, { note: "called" });
    assert.equal((await done.json()).task.status, "done");
    const cancel = await send("POST", `${path}/cancel`, agent, {});
    assert.equal(cancel.status, 409);
    assert.equal((await cancel.json()).error.code, "invalid_transition");
    const reopened = await send("POST", `${path}/reopen`, agent, {
      dueAt: new Date(T0 + 5 * HOUR).toISOString(),
    });
    assert.equal((await reopened.json()).task.status, "assigned");
    const listed = await (await send("GET", `/v1/tasks?assignee=bob&status=assigned`, agent))
      .json();
    assert.equal(listed.items.length, 2, "the read model followed the reassignment and reopen");
  });
});

Deno.test("tasks API: another tenant's task is 404; bad input names the field", async () => {
  await withApi(async ({ send, bearer }) => {
    const a = await bearer("tenant-a", "agent");
    const { task: t } = await (await send("POST", "/v1/tasks", a, task("t1"))).json();
    assert.equal(t.status, "open");
    const b = await bearer("tenant-b", "agent");
    const path = `/v1/tasks/${t.taskId}`;
    assert.equal((await send("GET", path, b)).status, 404);
    for (const cmd of ["assign", "complete", "cancel", "reopen"]) {
      const r = await send("POST", `${path}/${cmd}`, b, cmd === "assign" ? { memberId: "x" } : {});
      assert.equal(r.status, 404, cmd);
    }
    assert.deepEqual((await (await send("GET", "/v1/tasks", b)).json()).items, []);
    assert.equal(
      (await (await send("GET", path, a)).json()).task.status,
      "open",
      "tenant B's cancel did not reach tenant A's task",
    );

    const badDue = await send("POST", "/v1/tasks", a, task("t2", { dueAt: "tomorrow" }));
    assert.equal(badDue.status, 400);
    assert.deepEqual(await issuePaths(badDue), ["dueAt"]);
    const badType = await send("POST", "/v1/tasks", a, task("t3", { type: "billing" }));
    assert.deepEqual(await issuePaths(badType), ["type"]);
    const badMember = await send("POST", `${path}/assign`, a, { memberId: "" });
    assert.deepEqual(await issuePaths(badMember), ["memberId"]);
    for (const q of ["status=late", "limit=0", "cursor=%%%", "cursor=bm9wZQ", "overdue=maybe"]) {
      assert.equal((await send("GET", `/v1/tasks?${q}`, a)).status, 400, q);
    }
    const widget = await bearer("tenant-a", "widget");
    assert.equal((await send("GET", "/v1/tasks", widget)).status, 403);
  });
});

Deno.test("tasks API: the board is each status's first page at once, filtered, paged on by the list", async () => {
  await withApi(async ({ send, bearer }) => {
    const admin = await bearer("tenant-a");
    await send("POST", "/v1/team/members", admin, { id: "ann", name: "Ann", types: ["sales"] });
    const agent = await bearer("tenant-a", "agent");
    const made = [];
    for (let i = 1; i <= 3; i++) {
      const r = await send("POST", "/v1/tasks", agent, task(`s${i}`, { dueAt: T0 + i * HOUR }));
      made.push((await r.json()).task.taskId as string);
    }
    await send("POST", "/v1/tasks", agent, task("u1", { type: "support" })); // nobody takes it
    await send("POST", `/v1/tasks/${made[0]}/complete`, agent, {});
    const ids = (page: { items: { taskId: string }[] }) => page.items.map((t) => t.taskId);

    const board = await send("GET", "/v1/tasks/board?limit=1", agent);
    assert.equal(board.status, 200);
    const { columns } = await board.json();
    assert.deepEqual(Object.keys(columns), ["open", "assigned", "done", "cancelled"]);
    assert.equal(columns.open.items[0].type, "support");
    assert.deepEqual(ids(columns.assigned), [made[1]], "soonest due first");
    assert.ok(columns.assigned.next, "a second assigned task is on the next page");
    assert.deepEqual(ids(columns.done), [made[0]]);
    assert.deepEqual(columns.cancelled, { items: [], next: null });
    const more = await (await send(
      "GET",
      `/v1/tasks?status=assigned&limit=1&cursor=${columns.assigned.next}`,
      agent,
    )).json();
    assert.deepEqual(ids(more), [made[2]]);

    const sales = (await (await send("GET", "/v1/tasks/board?type=sales", agent)).json()).columns;
    assert.deepEqual(sales.open.items, [], "the filters apply to every column");
    assert.deepEqual(ids(sales.assigned), [made[1], made[2]]);
    assert.deepEqual(await issuePaths(await send("GET", "/v1/tasks/board?limit=0", agent)), [
      "limit",
    ]);
    const other = await bearer("tenant-b", "agent");
    const theirs = (await (await send("GET", "/v1/tasks/board", other)).json()).columns;
    assert.deepEqual(theirs.assigned.items, [], "another tenant's board is its own");
  });
});
