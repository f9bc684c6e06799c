import assert from "node:assert/strict";
import { newId } from "../../shared/ids.ts";
import { limitsByPrefix, MemoryGovernor, perMinute } from "../channels/mod.ts";
import {
  assignVariant,
  campaignGovernorKeys,
  campaignLimits,
  campaignOfReminder,
  campaignReminderName,
  planSlots,
} from "./mod.ts";

/** Share of each variant over `ids`, in percentage points. */
function shares(campaignId: string, ids: string[], split: number[]): number[] {
  const counts = split.map(() => 0);
  for (const id of ids) counts[assignVariant(campaignId, id, split)]!++;
  return counts.map((c) => (100 * c) / ids.length);
}

const TOLERANCE = 3; // percentage points, at 5,000 leads

Deno.test("A/B: 5,000 random ids split 50/50 and 20/80 within ±3 points", () => {
  const ids = Array.from({ length: 5_000 }, () => newId());
  for (const split of [[50, 50], [20, 80], [25, 25, 50]]) {
    const got = shares("cmp1", ids, split);
    got.forEach((share, i) =>
      assert.ok(Math.abs(share - split[i]!) <= TOLERANCE, `${split}: variant ${i} got ${share}%`)
    );
  }
});

Deno.test("A/B: sequential ids (lead-1 .. lead-5000) split within ±3 points too", () => {
  const ids = Array.from({ length: 5_000 }, (_, i) => `lead-${i + 1}`);
  for (const split of [[50, 50], [20, 80]]) {
    const got = shares("spring-2026", ids, split);
    got.forEach((share, i) =>
      assert.ok(Math.abs(share - split[i]!) <= TOLERANCE, `${split}: variant ${i} got ${share}%`)
    );
  }
});

Deno.test("A/B: a lead's variant is the same every time, and differs across campaigns", () => {
  const ids = Array.from({ length: 1_000 }, () => newId());
  const first = ids.map((id) => assignVariant("c1", id, [50, 50]));
  assert.deepEqual(ids.map((id) => assignVariant("c1", id, [50, 50])), first);
  const other = ids.map((id) => assignVariant("c2", id, [50, 50]));
  const same = other.filter((v, i) => v === first[i]).length;
  assert.ok(same > 400 && same < 600, `campaigns hash independently (${same} of 1000 agree)`);
  assert.ok(ids.every((id) => assignVariant("c1", id, [100]) === 0), "one variant: always 0");
});

Deno.test("throttle: first steps get slots 60/perMinute s apart, continuing where the last batch ended", () => {
  const now = Date.UTC(2026, 5, 1, 14);
  const a = planSlots(3, { now, nextSlot: now, perMinute: 30, delayMinutes: 0 });
  assert.deepEqual(a.firstAts, [now, now + 2_000, now + 4_000]);
  const b = planSlots(2, {
    now: now + 1_000,
    nextSlot: a.nextSlot,
    perMinute: 30,
    delayMinutes: 10,
  });
  assert.deepEqual(b.firstAts, [now + 6_000 + 600_000, now + 8_000 + 600_000]);
  // A batch long after the slots ran out starts at its own time, not in the past.
  const c = planSlots(1, {
    now: now + 3_600_000,
    nextSlot: b.nextSlot,
    perMinute: 30,
    delayMinutes: 0,
  });
  assert.deepEqual(c.firstAts, [now + 3_600_000]);
});

Deno.test("governor: campaign messages get their campaign's key, capped at its per-minute rate", () => {
  const msg = (payload: unknown) => ({ tenant: "t:1", payload });
  assert.deepEqual(
    campaignGovernorKeys(msg({ to: "x", body: "y", campaign: { id: "c1", perMinute: 3 } })),
    ["campaign:t:1:c1:3"],
  );
  assert.deepEqual(campaignGovernorKeys(msg({ to: "x", body: "y" })), [], "not a campaign's");
  assert.deepEqual(campaignGovernorKeys(msg(null)), []);
  const limits = campaignLimits(limitsByPrefix({ tenant: [perMinute(600)] }));
  assert.deepEqual(limits("campaign:t:1:c1:3"), [perMinute(3)]);
  assert.deepEqual(limits("tenant:t1"), [perMinute(600)], "other keys keep their limits");
  assert.deepEqual(limits("sender:x"), []);
  // As a bucket: 3 at once, then one every 20 s.
  const g = new MemoryGovernor(limits);
  const keys = ["campaign:t:1:c1:3"];
  const t = Date.UTC(2026, 5, 1);
  assert.deepEqual([1, 2, 3].map(() => g.take(keys, t).ok), [true, true, true]);
  const refused = g.take(keys, t);
  assert.equal(refused.ok, false);
  assert.equal(!refused.ok && refused.retryAt, t + 20_000);
});

Deno.test("reminder names carry the campaign id", () => {
  assert.equal(campaignOfReminder(campaignReminderName("spring")), "spring");
  assert.equal(campaignOfReminder("followup"), null);
  assert.equal(campaignOfReminder("rescore"), null);
});
