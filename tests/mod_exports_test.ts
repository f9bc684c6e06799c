import assert from "node:assert/strict";

// Every folder's mod.ts is its public API: it must re-export each public file
// (not `_private.ts`, not `*_test.ts`) so other folders never reach past it.
const FOLDERS = [
  "shared",
  "actors/runtime",
  "actors/lead",
  "actors/import",
  "actors/ai",
  "actors/calendar",
  "actors/team",
  "actors/channels",
  "actors/scheduler",
  "actors/templates",
  "actors/advisor",
  "actors/jobs",
  "actors/reports",
  "actors/analytics",
  "gateway",
];

Deno.test("each folder's mod.ts exports every public file", async () => {
  const root = new URL("../", import.meta.url);
  for (const folder of FOLDERS) {
    const dir = new URL(`${folder}/`, root);
    const mod = await Deno.readTextFile(new URL("mod.ts", dir));
    const missing: string[] = [];
    for await (const entry of Deno.readDir(dir)) {
      const name = entry.name;
      if (!entry.isFile || !name.endsWith(".ts") || name === "mod.ts") continue;
      if (name.startsWith("_") || name.endsWith("_test.ts")) continue;
      if (!mod.includes(`"./${name}"`)) missing.push(name);
    }
    assert.deepEqual(missing, [], `${folder}/mod.ts does not export ${missing.join(", ")}`);
  }
});
