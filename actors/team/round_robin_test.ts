import assert from "node:assert/strict";
import { smoothWeightedPick, type WeightedCandidate } from "./round_robin.ts";

function run(candidates: WeightedCandidate[], n: number, start: Record<string, number> = {}) {
  let current = start;
  const picks: string[] = [];
  for (let i = 0; i < n; i++) {
    const p = smoothWeightedPick(candidates, current)!;
    picks.push(p.id);
    current = p.current;
  }
  return { picks, current };
}

const count = (xs: string[]) =>
  xs.reduce<Record<string, number>>((acc, x) => ({ ...acc, [x]: (acc[x] ?? 0) + 1 }), {});

Deno.test("weights 3:1 give exactly 3 of every 4 picks, spread out", () => {
  const { picks, current } = run([{ id: "a", weight: 3 }, { id: "b", weight: 1 }], 400);
  assert.deepEqual(count(picks), { a: 300, b: 100 });
  assert.deepEqual(picks.slice(0, 8), ["a", "a", "b", "a", "a", "a", "b", "a"]);
  assert.deepEqual(current, { a: 0, b: 0 }, "a whole number of cycles ends where it began");
});

Deno.test("nobody is starved: every member is picked within one cycle of the total weight", () => {
  const members = [{ id: "a", weight: 10 }, { id: "b", weight: 1 }, { id: "c", weight: 2 }];
  const { picks } = run(members, 13 * 20);
  assert.deepEqual(count(picks), { a: 200, b: 20, c: 40 });
  for (let i = 0; i + 13 <= picks.length; i++) {
    const window = picks.slice(i, i + 13);
    assert.ok(window.includes("b") && window.includes("c"), `window at ${i}: ${window}`);
  }
});

Deno.test("equal weights take turns in list order", () => {
  const { picks } = run(
    [{ id: "x", weight: 1 }, { id: "y", weight: 1 }, { id: "z", weight: 1 }],
    6,
  );
  assert.deepEqual(picks, ["x", "y", "z", "x", "y", "z"]);
});

Deno.test("scores of ids that are not candidates are carried over untouched", () => {
  const p = smoothWeightedPick([{ id: "a", weight: 1 }], { a: 0, away: -2 })!;
  assert.deepEqual(p, { id: "a", current: { a: 0, away: -2 } });
});

Deno.test("no candidates, no pick", () => {
  assert.equal(smoothWeightedPick([], { a: 1 }), undefined);
});
