import assert from "node:assert/strict";
import { buildUi, UI_BUNDLES, UI_DIST } from "./build.ts";

// The bundles are committed (a node serves them without building); this fails while they are
// older than their sources. Fix: `deno task build:ui`, then commit ui/dist.
Deno.test("the committed ui/dist bundles are what deno task build:ui makes now", async () => {
  const fresh = new URL(`file://${await Deno.makeTempDir({ prefix: "cove_ui_" })}/`);
  try {
    await buildUi(fresh);
    const stale: string[] = [];
    for (const b of UI_BUNDLES) {
      const built = await Deno.readFile(new URL(b.output, fresh));
      const committed = await Deno.readFile(new URL(b.output, UI_DIST)).catch(() => null);
      if (!committed || !equal(built, committed)) stale.push(`ui/dist/${b.output}`);
    }
    assert.deepEqual(stale, [], `stale bundles (run deno task build:ui): ${stale.join(", ")}`);
  } finally {
    await Deno.remove(fresh, { recursive: true });
  }
});

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
