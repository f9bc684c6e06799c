import assert from "node:assert/strict";
import {
  type BundleInputs,
  changedInputs,
  currentInputs,
  INPUTS_FILE,
  UI_BUNDLES,
  UI_DIST,
} from "../ui/build.ts";

// The bundles are committed (a node serves them without building); this fails while a module
// they were built from has changed since. Fix: `deno task build:ui`, then commit ui/dist.
Deno.test("the committed ui/dist bundles were built from the sources as they are now", async () => {
  const recorded = JSON.parse(
    await Deno.readTextFile(new URL(INPUTS_FILE, UI_DIST)),
  ) as BundleInputs;
  const changed = changedInputs(recorded, await currentInputs());
  assert.deepEqual(changed, [], `stale bundles (run deno task build:ui):\n${changed.join("\n")}`);
  for (const b of UI_BUNDLES) {
    assert.ok((await Deno.stat(new URL(b.output, UI_DIST))).size > 0, b.output);
  }
});

Deno.test("a changed, added or removed input makes its bundle stale", () => {
  const then: BundleInputs = { "w.js": { "ui/a.ts": "1", "ui/b.ts": "2", "npm:lit@3.3.3": "" } };
  assert.deepEqual(changedInputs(then, structuredClone(then)), []);
  assert.deepEqual(
    changedInputs(then, { "w.js": { "ui/a.ts": "9", "ui/c.ts": "3", "npm:lit@3.3.4": "" } }),
    [
      "w.js: ui/a.ts",
      "w.js: ui/b.ts",
      "w.js: npm:lit@3.3.3",
      "w.js: ui/c.ts",
      "w.js: npm:lit@3.3.4",
    ],
  );
  assert.deepEqual(changedInputs({}, { "d.js": { "ui/d.ts": "1" } }), ["d.js: ui/d.ts"]);
});
