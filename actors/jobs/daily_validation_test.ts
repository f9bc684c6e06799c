import assert from "node:assert/strict";
import type { AiClient } from "../ai/mod.ts";
import { disabledAi } from "../ai/mod.ts";
import { lead } from "../lead/mod.ts";
import { claimOccurrence } from "../scheduler/mod.ts";
import { DAILY_VALIDATION_JOB, type LeadsValidated, runDailyValidation } from "./mod.ts";
import { eventsOf, jobContext, jobTest, makeLead, ran, T0, TENANT } from "./_test_support.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** 09:00 in New York (EDT) on T0's day. */
const NINE = T0 + HOUR;

let aiOn = false;
/** The AI answers only when `aiOn`; otherwise it is off, as without OPENAI_API_KEY. */
const switchableAi: AiClient = {
  complete: (req) =>
    aiOn
      ? Promise.resolve({
        ok: true,
        model: "stub",
        value: req.schema.parse({
          intent: "buy",
          budget: null,
          timeline: null,
          fit: "good",
          summary: "wants a site",
          recommendedAction: "call",
          confidence: 0.9,
        }),
      })
      : disabledAi.complete(req),
};

jobTest(
  "daily validation qualifies the unqualified leads captured since the last run, once",
  async ({ system, db, clock, scheduler, logs }) => {
    aiOn = false;
    const a = await makeLead(system, "a");
    const b = await makeLead(system, "b");
    const done = await makeLead(system, "done");
    await system.ref(lead, TENANT, done).ask("applyQualification", {
      source: "rules",
      fallbackReason: "unavailable",
      detail: "earlier",
      score: { score: 10, priority: "low", reasons: [] },
    });

    clock.set(NINE + 30_000);
    assert.ok(
      ran(await scheduler.tick()).includes(
        `${DAILY_VALIDATION_JOB}@${new Date(NINE).toISOString()}`,
      ),
    );
    let runs = await eventsOf<LeadsValidated>(db, "jobs.leads_validated");
    assert.deepEqual(
      runs.map(({ found, byAi, byRules, failed }) => ({ found, byAi, byRules, failed })),
      [
        { found: 2, byAi: 0, byRules: 2, failed: 0 },
      ],
    );
    assert.equal(runs[0]!.since, NINE - DAY);
    // With the AI off, each lead records a rules-based qualification and why.
    for (const id of [a, b]) {
      const q = (await system.ref(lead, TENANT, id).query("view")).qualification;
      assert.equal(q?.source, "rules");
      assert.equal(q?.source === "rules" && q.fallbackReason, "unavailable");
    }
    assert.ok(logs.some((l) => l.includes("2 unqualified lead(s)")));

    // The same occurrence again finds nothing left and records nothing more.
    await runDailyValidation({ system, ai: switchableAi }, jobContext(DAILY_VALIDATION_JOB, NINE));
    assert.equal((await eventsOf(db, "jobs.leads_validated")).length, 1);

    // The next day looks only at leads captured since the previous run; the AI is back.
    aiOn = true;
    clock.set(NINE + 2 * HOUR);
    const c = await makeLead(system, "c");
    clock.set(NINE + DAY + 30_000);
    await scheduler.tick();
    runs = await eventsOf<LeadsValidated>(db, "jobs.leads_validated");
    assert.equal(runs.length, 2);
    assert.deepEqual({ since: runs[1]!.since, found: runs[1]!.found, byAi: runs[1]!.byAi }, {
      since: NINE,
      found: 1,
      byAi: 1,
    });
    assert.equal((await system.ref(lead, TENANT, c).query("view")).qualification?.source, "ai");

    // Day 3's run dies on its node after the claim; day 4's covers day 3's window too.
    clock.set(NINE + DAY + 2 * HOUR);
    const d = await makeLead(system, "d");
    await claimOccurrence(db.sql, {
      job: DAILY_VALIDATION_JOB,
      tenant: TENANT,
      occurrence: NINE + 2 * DAY,
      nodeId: "dead",
      now: NINE + 2 * DAY,
    });
    clock.set(NINE + 2 * DAY + 2 * HOUR);
    const e = await makeLead(system, "e");
    clock.set(NINE + 3 * DAY + 30_000);
    await scheduler.tick();
    runs = await eventsOf<LeadsValidated>(db, "jobs.leads_validated");
    assert.deepEqual({ since: runs[2]!.since, found: runs[2]!.found }, {
      since: NINE + DAY,
      found: 2,
    });
    for (const id of [d, e]) {
      assert.equal((await system.ref(lead, TENANT, id).query("view")).qualification?.source, "ai");
    }
  },
  { ai: switchableAi },
);
