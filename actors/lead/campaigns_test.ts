import assert from "node:assert/strict";
import { ManualClock } from "../../shared/clock.ts";
import { DEFAULT_SEND_WINDOW } from "../../shared/quiet_hours.ts";
import type { CampaignRuntime } from "../campaign/mod.ts";
import { ActorSystem, openTestDatabase, testBackends, testName } from "../runtime/mod.ts";
import {
  type CampaignLeadFacts,
  type CampaignRun,
  decideCampaignStep,
  KEEP_CAMPAIGN_RUNS,
  PAUSED_RECHECK_MS,
  withRun,
} from "./campaigns.ts";
import { captureLead, lead, leadMigrations, settings } from "./mod.ts";

const NOW = Date.parse("2026-06-01T15:00:00Z"); // 11:00 in New York
const defaults = { window: DEFAULT_SEND_WINDOW, timeZone: "America/New_York" };

const def: CampaignRuntime = {
  status: "running",
  split: [50, 50],
  throttlePerMinute: 60,
  stopOnReply: true,
  costCents: { sms: 2, email: 0 },
  steps: [
    {
      channel: "sms",
      delayMinutes: 0,
      variants: [{ template: "A {{firstName}}" }, { template: "B {{firstName}}" }],
    },
    {
      channel: "email",
      delayMinutes: 90,
      when: { signal: "opened", is: true },
      variants: [{ template: "A", subject: "SA" }, { template: "B", subject: "SB {{firstName}}" }],
    },
  ],
};

const run: CampaignRun = {
  variant: 1,
  step: 0,
  enrolledAt: NOW - 60_000,
  dueAt: NOW,
  active: true,
  stopOnReply: true,
  fromStatus: "new",
};

const facts: CampaignLeadFacts = {
  leadId: "L1",
  status: "new",
  name: "Dana Reyes",
  phone: "+14155550100",
  email: "dana@example.com",
  timeZone: "America/New_York",
  smsConsent: true,
  emailConsent: undefined,
  lastInboundAt: null,
  mergedInto: null,
  engagement: [],
};

const decide = (
  over: {
    def?: CampaignRuntime | null;
    run?: Partial<CampaignRun>;
    lead?: Partial<CampaignLeadFacts>;
  },
  now = NOW,
) =>
  decideCampaignStep(
    over.def === undefined ? def : over.def,
    "c1",
    { ...run, ...over.run },
    { ...facts, ...over.lead },
    defaults,
    now,
  );

Deno.test("campaign step: sends the lead's variant, keyed and priced, with the next step's time", () => {
  assert.deepEqual(decide({}), {
    kind: "send",
    channel: "sms",
    to: "+14155550100",
    body: "B Dana",
    key: "L1:campaign:c1:0",
    costCents: 2,
    nextAt: NOW + 90 * 60_000,
  });
  const last = decide({
    run: { step: 1 },
    lead: { engagement: [{ kind: "opened", at: NOW - 1 }] },
  });
  assert.equal(last.kind === "send" && last.subject, "SB Dana", "the subject is rendered too");
  assert.equal(last.kind === "send" && last.nextAt, undefined, "the last step has no next");
});

Deno.test("campaign step: leaves when the campaign stopped or the lead closed, replied, merged", () => {
  const reason = (d: ReturnType<typeof decide>) => d.kind === "leave" ? d.reason : d.kind;
  assert.equal(reason(decide({ def: null })), "campaign_stopped");
  assert.equal(reason(decide({ def: { ...def, status: "stopped" } })), "campaign_stopped");
  assert.equal(reason(decide({ lead: { status: "unsubscribed" } })), "unsubscribed");
  assert.equal(reason(decide({ lead: { status: "won" } })), "lead_closed");
  assert.equal(reason(decide({ lead: { status: "lost" } })), "lead_closed");
  assert.equal(
    reason(decide({ lead: { status: "won" }, run: { fromStatus: "won" } })),
    "send",
    "a campaign for won clients does not end because they are won",
  );
  assert.equal(reason(decide({ lead: { mergedInto: "L2" } })), "lead_closed");
  assert.equal(reason(decide({ lead: { lastInboundAt: NOW - 1 } })), "replied");
  assert.equal(
    reason(decide({ lead: { lastInboundAt: NOW - 120_000 } })),
    "send",
    "a message before enrolling is no reply",
  );
  assert.equal(
    reason(decide({ lead: { lastInboundAt: NOW - 1 }, run: { stopOnReply: false } })),
    "send",
  );
  assert.equal(reason(decide({ run: { step: 2 } })), "finished");
});

Deno.test("campaign step: waits while paused and outside the window; skips a branch or a channel it cannot use", () => {
  assert.deepEqual(decide({ def: { ...def, status: "paused" } }), {
    kind: "wait",
    until: NOW + PAUSED_RECHECK_MS,
    reason: "campaign paused",
  });
  const night = decide({}, Date.parse("2026-06-02T03:00:00Z")); // 23:00 in New York
  assert.equal(night.kind === "wait" && night.until, Date.parse("2026-06-02T13:00:00Z"));
  const la = decide(
    { lead: { timeZone: "America/Los_Angeles" } },
    Date.parse("2026-06-01T15:00:00Z"),
  );
  assert.equal(la.kind === "wait" && la.until, Date.parse("2026-06-01T16:00:00Z"), "09:00 in LA");
  const ownWindow = decide({ def: { ...def, window: { start: "12:00", end: "13:00" } } });
  assert.equal(ownWindow.kind === "wait" && ownWindow.until, Date.parse("2026-06-01T16:00:00Z"));

  assert.deepEqual(decide({ run: { step: 1 } }), {
    kind: "skip",
    reason: "branch: opened",
    nextAt: undefined,
  });
  const notOpened = decide({
    run: { step: 1 },
    def: {
      ...def,
      steps: [def.steps[0]!, { ...def.steps[1]!, when: { signal: "opened", is: false } }],
    },
    lead: { engagement: [{ kind: "opened", at: NOW - 1 }] },
  });
  assert.deepEqual(notOpened, { kind: "skip", reason: "branch: no opened", nextAt: undefined });
  assert.deepEqual(decide({ lead: { smsConsent: undefined } }), {
    kind: "skip",
    reason: "no SMS consent",
    nextAt: NOW + 90 * 60_000,
  });
  assert.equal(
    (decide({ lead: { phone: undefined } }) as { reason: string }).reason,
    "no phone number",
  );
  const withdrawn = decide({
    run: { step: 1 },
    lead: { emailConsent: false, engagement: [{ kind: "opened", at: NOW }] },
  });
  assert.equal((withdrawn as { reason: string }).reason, "email consent withdrawn");
});

Deno.test("campaign runs are bounded: the oldest ended runs go first, active ones stay", () => {
  let runs: Record<string, CampaignRun> = {};
  for (let i = 0; i < KEEP_CAMPAIGN_RUNS; i++) {
    runs = withRun(runs, `c${i}`, { ...run, enrolledAt: i, active: i % 2 === 0 });
  }
  runs = withRun(runs, "new", { ...run, enrolledAt: 1_000 });
  assert.equal(Object.keys(runs).length, KEEP_CAMPAIGN_RUNS);
  assert.equal(runs.c1, undefined, "the oldest ended run was dropped");
  assert.ok(runs.c0 && runs.c3 && runs.new);
});

for (const backend of testBackends()) {
  Deno.test({
    name: testName("lead", backend, "a win records its value for ROI; other statuses carry none"),
    ignore: backend.skip !== undefined,
    async fn() {
      const db = await openTestDatabase(backend, await leadMigrations());
      const s = new ActorSystem({
        database: db,
        types: [lead, settings],
        clock: new ManualClock(NOW),
      });
      try {
        const { leadId } = await captureLead(s, "t1", {
          idempotencyKey: "v",
          source: "rest",
          contact: { email: "v@example.com" },
        });
        const ref = s.ref(lead, "t1", leadId);
        await ref.ask("setStatus", { status: "contacted", valueCents: 5 });
        await ref.ask("setStatus", { status: "won", valueCents: 250_000 });
        const changes = (await s.history(ref)).filter((e) => e.type === "lead.status_changed");
        assert.deepEqual(changes.map((e) => e.data), [
          { from: "new", to: "contacted" },
          { from: "contacted", to: "won", valueCents: 250_000 },
        ]);
        const bad = await ref.ask("setStatus", { status: "won", valueCents: -1 }).catch((e) => e);
        assert.deepEqual(bad.issues.map((i: { path: string }) => i.path), ["valueCents"]);
      } finally {
        await s.shutdown();
        await db.close();
      }
    },
  });
}
