import assert from "node:assert/strict";
import { disabledAi } from "../ai/mod.ts";
import { lead, settings } from "../lead/mod.ts";
import { ActorSystem } from "../runtime/mod.ts";
import { HEALTH_CHECK_JOB, JOB_ACTOR_TYPES, runHealthCheck } from "./mod.ts";
import { eventsOf, jobContext, jobTest, makeLead, ran, T0, TENANT } from "./_test_support.ts";

const HOUR = 3_600_000;

jobTest(
  "the hourly health check journals its figures and recommendations once per occurrence",
  async ({ system, db, clock, scheduler }) => {
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      ids.push(
        await makeLead(system, `k${i}`, {
          contact: {
            name: `Lead ${i}`,
            email: `k${i}@example.com`,
            businessType: i < 5 ? "bakery" : "dentist",
            address: { city: i < 5 ? "Austin" : "Denver" },
          },
        }),
      );
    }
    const ref = (id: string) => system.ref(lead, TENANT, id);
    // Nine of ten contacted: 10% uncontacted. One dentist in Denver won: the best segment.
    for (const id of ids.slice(1)) await ref(id).ask("setStatus", { status: "contacted" });
    await ref(ids[9]!).ask("setStatus", { status: "won" });
    // A hot lead that then went quiet.
    await ref(ids[1]!).ask("applyQualification", {
      source: "rules",
      fallbackReason: "unavailable",
      detail: "test",
      score: { score: 85, priority: "high", reasons: [] },
    });

    clock.set(T0 + 49 * HOUR + 30_000);
    const occurrence = T0 + 49 * HOUR;
    assert.deepEqual(
      ran(await scheduler.tick()).filter((r) => r.startsWith(HEALTH_CHECK_JOB)),
      [`${HEALTH_CHECK_JOB}@${new Date(occurrence).toISOString()}`],
    );
    const checks = await eventsOf<{ occurrence: number; figures: Record<string, number> }>(
      db,
      "pipeline.health_checked",
    );
    assert.equal(checks.length, 1);
    assert.equal(checks[0]!.occurrence, occurrence);
    assert.equal(checks[0]!.figures.openLeads, 9);
    assert.equal(checks[0]!.figures.uncontacted, 1);
    const recs = await eventsOf<
      { kind: string; occurrence: number; suggested: Record<string, unknown> }
    >(db, "recommendation.made");
    assert.deepEqual(recs.map((r) => r.kind), ["generate_leads", "recover_silent_leads"]);
    assert.ok(recs.every((r) => r.occurrence === occurrence));
    assert.deepEqual(recs[0]!.suggested.locations, ["Denver", "Austin"]);
    assert.deepEqual(recs[0]!.suggested.businessTypes, ["dentist", "bakery"]);
    assert.deepEqual(recs[1]!.suggested.leadIds, [ids[1]]);

    // The same occurrence again (a retry, a second node that got past the claim) records nothing.
    assert.deepEqual(ran(await scheduler.tick()), []);
    await runHealthCheck(
      { system, ai: disabledAi },
      jobContext(HEALTH_CHECK_JOB, occurrence),
    );
    assert.equal((await eventsOf(db, "pipeline.health_checked")).length, 1);
    assert.equal((await eventsOf(db, "recommendation.made")).length, 2);

    // The next hour is a new check.
    clock.set(occurrence + HOUR);
    assert.ok(
      ran(await scheduler.tick()).includes(
        `${HEALTH_CHECK_JOB}@${new Date(occurrence + HOUR).toISOString()}`,
      ),
    );
    assert.equal((await eventsOf(db, "pipeline.health_checked")).length, 2);
  },
);

jobTest(
  "a node whose advisor activation was superseded by another node's still records its check",
  async ({ system, db, clock }) => {
    const other = new ActorSystem({
      database: db,
      types: [lead, settings, ...JOB_ACTOR_TYPES],
      clock,
    });
    try {
      const run = (s: ActorSystem, occurrence: number) =>
        runHealthCheck({ system: s, ai: disabledAi }, jobContext(HEALTH_CHECK_JOB, occurrence));
      await run(system, T0); // activates the advisor here
      await run(other, T0 + HOUR); // the next occurrence ran on the other node: its activation wins
      await run(system, T0 + 2 * HOUR); // the stale activation here is fenced, then asked afresh
      const checks = await eventsOf<{ occurrence: number }>(db, "pipeline.health_checked");
      assert.deepEqual(checks.map((c) => c.occurrence), [T0, T0 + HOUR, T0 + 2 * HOUR]);
    } finally {
      await other.shutdown();
    }
  },
);
