import assert from "node:assert/strict";
import { disabledAi } from "../ai/mod.ts";
import { lead } from "../lead/mod.ts";
import { taskRef, teamRef } from "../team/mod.ts";
import { FOLLOW_UP_SWEEP_JOB, runFollowUpSweep } from "./mod.ts";
import { eventsOf, jobContext, jobTest, makeLead, ran, T0, TENANT } from "./_test_support.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Wednesday 09:00 in New York (EDT), two days after T0. */
const WED_NINE = T0 + 2 * DAY + HOUR;

jobTest(
  "the follow-up sweep tells each owner once about due tasks and silent leads without a follow-up",
  async ({ system, db, clock, scheduler }) => {
    await teamRef(system, TENANT).ask("upsertMember", { id: "m1", name: "Mia", types: ["sales"] });
    const leadId = await makeLead(system, "task-lead");
    const task = (id: string, dueAt: number) =>
      taskRef(system, TENANT, id).ask("create", {
        leadId,
        type: "sales",
        title: `Task ${id}`,
        dueAt,
        priority: "medium",
        idempotencyKey: id,
      });
    await task("overdue", WED_NINE - DAY); // Tuesday
    await task("today", WED_NINE + 7 * HOUR); // Wednesday 16:00 local
    await task("tomorrow", WED_NINE + DAY);
    await task("finished", WED_NINE - DAY);
    await taskRef(system, TENANT, "finished").ask("complete", {});

    // Inbound leads start no follow-up sequence; a REST capture starts the "uncontacted" one.
    const quiet = await makeLead(system, "quiet", { source: "inbound_email" });
    const followed = await makeLead(system, "followed");
    await makeLead(system, "ownerless", { source: "inbound_email" });
    for (const id of [quiet, followed]) {
      await system.ref(lead, TENANT, id).ask("assign", { owner: "m2" });
    }

    clock.set(WED_NINE + 30_000);
    assert.ok(
      ran(await scheduler.tick()).includes(
        `${FOLLOW_UP_SWEEP_JOB}@${new Date(WED_NINE).toISOString()}`,
      ),
    );
    const notices = async () =>
      await db.sql<{ key: string; payload: unknown }[]>`
      SELECT key, payload FROM outbox
      WHERE tenant = ${TENANT} AND channel = 'notify' AND key LIKE 'sweep:%' ORDER BY key`;
    const first = await notices();
    assert.deepEqual(first.map((n) => n.key), [`sweep:${WED_NINE}:m1`, `sweep:${WED_NINE}:m2`]);
    const [m1, m2] = first.map((n) =>
      n.payload as {
        tasks: { taskId: string; overdue: boolean }[];
        leads: { leadId: string }[];
      }
    );
    assert.deepEqual(m1!.tasks.map((t) => [t.taskId, t.overdue]), [
      ["overdue", true],
      ["today", false],
    ]);
    assert.deepEqual(m1!.leads, []);
    assert.deepEqual(m2!.tasks, []);
    assert.deepEqual(m2!.leads.map((l) => l.leadId), [quiet]);
    const sweeps = await eventsOf<{ owners: unknown[]; unassignedTasks: number }>(
      db,
      "jobs.follow_up_reminders_sent",
    );
    assert.deepEqual(sweeps[0]!.owners, [
      { memberId: "m1", tasks: 2, leads: 0 },
      { memberId: "m2", tasks: 0, leads: 1 },
    ]);

    // The same occurrence again sends nothing more.
    await runFollowUpSweep(
      { system, ai: disabledAi },
      jobContext(FOLLOW_UP_SWEEP_JOB, WED_NINE),
    );
    assert.equal((await notices()).length, 2);
    assert.equal((await eventsOf(db, "jobs.follow_up_reminders_sent")).length, 1);

    // 14:00 is the next sweep: the owners hear again.
    clock.set(WED_NINE + 5 * HOUR + 30_000);
    await scheduler.tick();
    assert.equal((await notices()).length, 4);
  },
);
