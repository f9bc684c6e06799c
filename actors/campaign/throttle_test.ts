import assert from "node:assert/strict";
import {
  ChannelDispatcher,
  GuardedDispatcher,
  limitsByPrefix,
  PostgresGovernor,
  SandboxProvider,
} from "../channels/mod.ts";
import { campaign, campaignGovernorKeys, campaignLimits } from "./mod.ts";
import { campaignTest } from "./_test_support.ts";

const PER_MINUTE = 6;
const LEADS = 30;
/** 09:00 in New York, when the window opens. */
const OPEN = Date.parse("2026-06-01T13:00:00Z");

let sandbox: SandboxProvider;

campaignTest(
  "throttle: sends as the provider sees them never exceed N + N per elapsed minute",
  async (w) => {
    // Launched at 07:00 local: the spread first steps all wait for 09:00 and fall due together.
    w.clock.set(Date.parse("2026-06-01T11:00:00Z"));
    for (let i = 0; i < LEADS; i++) {
      await w.capture(`t${i}`, {
        name: `Lead ${i}`,
        phone: `+1415555${1000 + i}`,
        timeZone: "America/New_York",
      }, { tags: ["t"], consent: [{ channel: "sms", granted: true, source: "form" }] });
    }
    await w.launch("t", {
      name: "Throttled",
      audience: { tagsAny: ["t"] },
      throttlePerMinute: PER_MINUTE,
      steps: [{ channel: "sms", delayMinutes: 0, variants: [{ template: "Hi {{firstName}}" }] }],
    });
    await w.advance(OPEN - 60_000 - w.clock.now(), 10 * 60_000);
    assert.equal(sandbox.sent().length, 0, "nothing before the window opens");
    const due = await w.db.sql`SELECT count(*)::int AS n FROM reminders
      WHERE name = 'campaign:t' AND due_at = ${OPEN}`;
    assert.equal(due[0]!.n, LEADS, "every first step falls due at 09:00 at once");

    await w.advance(7 * 60_000, 2_000);
    const times = sandbox.sent().map((r) => r.at).sort((a, b) => a - b);
    assert.equal(times.length, LEADS, "all of them went out in the end");
    assert.equal(times[0], OPEN);
    times.forEach((t, i) => {
      const bound = PER_MINUTE + PER_MINUTE * (t - OPEN) / 60_000;
      assert.ok(i + 1 <= bound, `send ${i + 1} at +${(t - OPEN) / 1000}s exceeds ${bound}`);
    });
    assert.equal(times.filter((t) => t === OPEN).length, PER_MINUTE, "a burst of N, then paced");
    assert.ok(times.at(-1)! - OPEN >= ((LEADS - PER_MINUTE) / PER_MINUTE) * 60_000);
    const view = await w.s.ref(campaign, "t1", "t").query("view");
    assert.equal(view.enrolled, LEADS);
  },
  {
    channels: ({ db, clock }) => {
      sandbox = new SandboxProvider({ clock });
      const governor = new PostgresGovernor(db.sql, campaignLimits(limitsByPrefix({})));
      return [
        new GuardedDispatcher(
          new ChannelDispatcher({ channel: "sms", provider: sandbox, sql: db.sql, clock }),
          { clock, governor, keys: (m) => campaignGovernorKeys(m) },
        ),
      ];
    },
  },
);
