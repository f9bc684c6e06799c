import assert from "node:assert/strict";
import { disabledAi } from "../ai/mod.ts";
import { ChannelDispatcher, type MessageProvider, type OutboundMessage } from "../channels/mod.ts";
import { lead } from "../lead/mod.ts";
import { OutboxWorker } from "../runtime/mod.ts";
import { teamRef } from "../team/mod.ts";
import { runWeeklyReport, WEEKLY_REPORT_JOB } from "./mod.ts";
import { eventsOf, jobContext, jobTest, makeLead, ran, T0, TENANT } from "./_test_support.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The next Monday 08:00 in New York (EDT) after T0, Monday 2026-06-01 08:00. */
const NEXT_MONDAY = T0 + 7 * DAY;

jobTest(
  "the weekly report emails last week's figures with charts to the team, once per week",
  async ({ system, db, clock, scheduler }) => {
    const team = teamRef(system, TENANT);
    await team.ask("upsertMember", {
      id: "m1",
      name: "Mia",
      email: "mia@example.com",
      types: ["sales"],
    });
    await team.ask("upsertMember", { id: "m2", name: "Noa", types: ["support"] });
    await makeLead(system, "mon1");
    const won = await makeLead(system, "mon2");
    await system.ref(lead, TENANT, won).ask("setStatus", { status: "won" });
    clock.set(T0 + 2 * DAY);
    await makeLead(system, "wed");
    clock.set(NEXT_MONDAY - HOUR); // Monday 07:00, the new week: not in the report
    await makeLead(system, "next-week");

    clock.set(NEXT_MONDAY + 30_000);
    assert.ok(
      ran(await scheduler.tick()).includes(
        `${WEEKLY_REPORT_JOB}@${new Date(NEXT_MONDAY).toISOString()}`,
      ),
    );
    const sent = await eventsOf<
      { week: string; recipients: string[]; summary: Record<string, number> }
    >(
      db,
      "jobs.weekly_report_sent",
    );
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.week, "2026-W23");
    assert.deepEqual(sent[0]!.recipients, ["mia@example.com"]);
    assert.equal(sent[0]!.summary.captured, 3);
    assert.equal(sent[0]!.summary.won, 1);
    const mails = async () =>
      await db.sql<
        { key: string; payload: { to: string; subject: string; body: string; html: string } }[]
      >`
      SELECT key, payload FROM outbox WHERE tenant = ${TENANT} AND channel = 'email'`;
    const [mail, ...more] = await mails();
    assert.deepEqual(more, []);
    assert.equal(mail!.key, "weekly-report:2026-W23:mia@example.com");
    assert.equal(mail!.payload.to, "mia@example.com");
    assert.match(mail!.payload.subject, /2026-W23: 3 new lead\(s\), 1 won/);
    assert.equal(mail!.payload.html.match(/<svg /g)?.length, 3);
    assert.match(mail!.payload.body, /Leads captured: 3/);

    // Through the real email dispatcher: held until the recipient's 09:00, then sent once with the HTML part.
    const delivered: OutboundMessage[] = [];
    const provider: MessageProvider = {
      name: "recording",
      mode: "sandbox",
      send: (m) => {
        delivered.push(m);
        return Promise.resolve({ ok: true, providerId: `p${delivered.length}`, sandbox: true });
      },
    };
    const outbox = new OutboxWorker(system, [
      new ChannelDispatcher({ channel: "email", provider, sql: db.sql, clock }),
    ]);
    await outbox.tick();
    assert.equal(delivered.length, 0, "08:00 is outside the send window");
    clock.set(NEXT_MONDAY + HOUR + 60_000);
    await outbox.tick();
    assert.equal(delivered.length, 1);
    assert.equal(delivered[0]!.to, "mia@example.com");
    assert.equal(delivered[0]!.html, mail!.payload.html);
    assert.match(delivered[0]!.body, /Leads captured: 3/);

    // Again for the same occurrence, or a later one in the same week: no second email.
    await runWeeklyReport(
      { system, ai: disabledAi },
      jobContext(WEEKLY_REPORT_JOB, NEXT_MONDAY),
    );
    await runWeeklyReport(
      { system, ai: disabledAi },
      jobContext(WEEKLY_REPORT_JOB, NEXT_MONDAY + HOUR),
    );
    assert.equal((await mails()).length, 1);
    assert.equal((await eventsOf(db, "jobs.weekly_report_sent")).length, 1);
  },
);
