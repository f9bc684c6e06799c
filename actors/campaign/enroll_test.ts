import assert from "node:assert/strict";
import type { CampaignDefinitionInput } from "../../shared/campaign.ts";
import { lead } from "../lead/mod.ts";
import { assignVariant, campaign, RESCAN_EVERY_MS, SCAN_BATCH } from "./mod.ts";
import { campaignTest, leadCampaignEvents } from "./_test_support.ts";

const ny = "America/New_York";
const smsYes = [{ channel: "sms" as const, granted: true, source: "form" }];

const oneEmail = (tag: string): CampaignDefinitionInput => ({
  name: tag,
  audience: { tagsAny: [tag] },
  throttlePerMinute: 10_000,
  steps: [{ channel: "email", delayMinutes: 0, variants: [{ template: "Hi", subject: "Hi" }] }],
});

const batchEvents = (w: { db: { sql: import("../runtime/mod.ts").Sql } }, id: string) =>
  w.db.sql<{ data: { leadIds: string[]; nextCursor: string | null } }[]>`
    SELECT data FROM events WHERE actor = ${`campaign/t1/${id}`}
      AND type = 'campaign.enrolled_batch' ORDER BY seq`.then((r) => r.map((x) => x.data));

campaignTest(
  "an audience larger than a batch is enrolled in keyset batches, each lead once",
  async (w) => {
    const n = 2 * SCAN_BATCH + 50;
    const ids: string[] = [];
    for (let i = 0; i < n; i += 200) {
      ids.push(
        ...await Promise.all(
          Array.from({ length: Math.min(200, n - i) }, (_, k) =>
            w.capture(`bulk-${i + k}`, {
              name: `Lead ${i + k}`,
              email: `bulk${i + k}@example.com`,
              timeZone: ny,
            }, { tags: ["bulk"] })),
        ),
      );
    }
    await w.capture("other", { email: "other@example.com", timeZone: ny });
    await w.launch("bulk", {
      ...oneEmail("bulk"),
      split: [50, 50],
      steps: [{
        channel: "email",
        delayMinutes: 0,
        variants: [{ template: "A", subject: "A" }, { template: "B", subject: "B" }],
      }],
    });
    const batches = await batchEvents(w, "bulk");
    assert.deepEqual(batches.map((b) => b.leadIds.length), [SCAN_BATCH, SCAN_BATCH, 50]);
    assert.deepEqual(batches.flatMap((b) => b.leadIds), ids.toSorted(), "keyset order, no repeats");
    const ref = w.s.ref(campaign, "t1", "bulk");
    assert.equal((await ref.query("view")).enrolled, n);
    assert.equal((await ref.query("view")).scan.initialPassDone, true);

    const joined = await w.db.sql<{ actor: string; data: { variant: number } }[]>`
    SELECT actor, data FROM events WHERE type = 'lead.campaign_enrolled'`;
    assert.equal(joined.length, n, "every lead joined once");
    const variants = joined.map((e) => e.data.variant);
    for (const e of joined) {
      const leadId = e.actor.slice("lead/t1/".length);
      assert.equal(e.data.variant, assignVariant("bulk", leadId, [50, 50]));
    }
    const a = variants.filter((v) => v === 0).length / n;
    assert.ok(a > 0.45 && a < 0.55, `variant A got ${a}`);
    assert.ok(w.sent.length < n, "first steps are spread by the throttle (6 ms apart)");
    await w.advance(30_000, 10_000);
    assert.equal(w.sent.length, n, "every lead got the first step");
    const bodies = new Map(w.sent.map((m) => [m.payload.leadId, m.payload.body]));
    assert.ok(joined.every((e) => bodies.get(e.actor.slice(8)) === (e.data.variant ? "B" : "A")));

    // The rescan finds nobody new: nobody is told twice.
    await w.advance(RESCAN_EVERY_MS - 30_000);
    const after = await batchEvents(w, "bulk");
    assert.equal(after.length, batches.length + 1, "one rescan");
    assert.deepEqual(after.at(-1)!.leadIds, []);
    assert.equal((await ref.query("view")).enrolled, n);
    const [again] = await w.db.sql`SELECT count(*)::int AS n FROM events
    WHERE type = 'lead.campaign_enrolled'`;
    assert.equal(again!.n, n);
  },
  { postgresOnly: true },
);

campaignTest("a lead that matches after launch is enrolled by the next rescan", async (w) => {
  const early = await w.capture("early", { email: "early@example.com", timeZone: ny }, {
    tags: ["vip"],
  });
  const untagged = await w.capture("plain", { email: "plain@example.com", timeZone: ny });
  await w.launch("vip", oneEmail("vip"));
  const ref = w.s.ref(campaign, "t1", "vip");
  assert.equal((await ref.query("view")).enrolled, 1);

  // Captured later with the tag; an existing lead tagged later.
  const late = await w.capture("late", { email: "late@example.com", timeZone: ny }, {
    tags: ["vip"],
  });
  await w.s.ref(lead, "t1", untagged).ask("tag", { add: ["vip"] });
  await w.advance(RESCAN_EVERY_MS - 60_000);
  assert.deepEqual(w.sent.map((m) => m.payload.leadId), [early], "not before the rescan");
  await w.advance(2 * 60_000);
  assert.deepEqual(w.sent.map((m) => m.payload.leadId).sort(), [early, late, untagged].sort());
  const view = await ref.query("view");
  assert.equal(view.enrolled, 3);
  assert.equal(view.scan.lastScanAt, w.clock.now() - 60_000);
  for (const id of [early, late, untagged]) {
    const joined = (await leadCampaignEvents(w, id)).filter((e) =>
      e.type === "lead.campaign_enrolled"
    );
    assert.equal(joined.length, 1, id);
  }

  // Silence: a lead not heard from for 2 days joins once it has been silent that long.
  await w.capture("quiet", { email: "quiet@example.com", timeZone: ny }, { tags: ["cold"] });
  await w.launch("cold", {
    ...oneEmail("cold"),
    audience: { tagsAny: ["cold"], silentForHours: 48 },
  });
  assert.equal((await w.s.ref(campaign, "t1", "cold").query("view")).enrolled, 0);
  await w.advance(48 * 3_600_000, 3_600_000);
  assert.equal((await w.s.ref(campaign, "t1", "cold").query("view")).enrolled, 1);
});

campaignTest(
  "stop-on-reply: a lead that replies after step 1 gets no step 2; others do",
  async (w) => {
    const lead1 = { timeZone: ny };
    const talker = await w.capture("t", { ...lead1, phone: "+14155550111" }, {
      tags: ["s"],
      consent: smsYes,
    });
    const quiet = await w.capture("q", { ...lead1, phone: "+14155550112" }, {
      tags: ["s"],
      consent: smsYes,
    });
    const booker = await w.capture("b", { ...lead1, phone: "+14155550113" }, {
      tags: ["s"],
      consent: smsYes,
    });
    await w.launch("s", {
      name: "Two SMS",
      audience: { tagsAny: ["s"] },
      steps: [
        { channel: "sms", delayMinutes: 0, variants: [{ template: "One" }] },
        { channel: "sms", delayMinutes: 60, variants: [{ template: "Two" }] },
      ],
    });
    await w.advance(60_000, 1_000);
    assert.equal(w.sent.length, 3, "step 1 to all three");

    await w.s.ref(lead, "t1", talker).ask("recordMessage", {
      channel: "sms",
      direction: "inbound",
      content: "stop texting, I'll call",
      status: "received",
    });
    await w.s.ref(lead, "t1", booker).ask("recordBooking", {
      bookingId: "bk1",
      start: w.clock.now(),
    });
    const reminders = await w.db.sql`SELECT actor FROM reminders WHERE name = 'campaign:s'`;
    assert.deepEqual(
      reminders.map((r) => r.actor),
      [`lead/t1/${quiet}`],
      "cancelled in the same turn",
    );
    const history = await w.s.history(w.s.ref(lead, "t1", talker));
    const reply = history.findIndex((e) => e.type === "lead.message_recorded");
    assert.deepEqual(
      history.slice(reply).map((e) => e.type).filter((t) => t !== "lead.scored"),
      ["lead.message_recorded", "lead.engaged", "lead.campaign_left"],
      "the reply and the leave are one turn",
    );

    await w.advance(2 * 3_600_000, 5 * 60_000);
    const two = w.sent.filter((m) => m.payload.body === "Two").map((m) => m.payload.leadId);
    assert.deepEqual(two, [quiet]);
    const left = async (id: string) => (await leadCampaignEvents(w, id)).at(-1)?.data.reason;
    assert.equal(await left(talker), "replied");
    assert.equal(await left(booker), "booked");
    assert.equal(await left(quiet), "finished");
  },
);
