import assert from "node:assert/strict";

// Every export of a folder's public API carries a doc comment, and every
// mod.ts says what its folder is. (`deno doc --lint` goes further and wants
// spelled-out types for exported zod schemas, which would write each shape
// twice; this checks what the style asks for.)
const MODULES = [
  "shared/mod.ts",
  "actors/runtime/mod.ts",
  "actors/lead/mod.ts",
  "actors/import/mod.ts",
  "actors/ai/mod.ts",
  "actors/team/mod.ts",
  "actors/channels/mod.ts",
  "actors/scheduler/mod.ts",
  "actors/advisor/mod.ts",
  "actors/jobs/mod.ts",
  "actors/reports/mod.ts",
  "actors/analytics/mod.ts",
  "actors/templates/mod.ts",
  "gateway/mod.ts",
  "bench/mod.ts",
];

interface DocNode {
  module_doc?: { doc?: string };
  symbols: Array<{ name: string; declarations: Array<{ jsDoc?: { doc?: string } }> }>;
}

Deno.test("every public export and every mod.ts has a doc comment", async () => {
  const root = new URL("../", import.meta.url);
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", ...MODULES],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  const { nodes } = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    nodes: Record<string, DocNode>;
  };
  const missing: string[] = [];
  for (const [file, node] of Object.entries(nodes)) {
    const short = file.slice(root.href.length);
    if (!node.module_doc?.doc?.trim()) missing.push(`${short} (module doc)`);
    for (const sym of node.symbols) {
      if (!sym.declarations.some((d) => d.jsDoc?.doc?.trim())) {
        missing.push(`${short}: ${sym.name}`);
      }
    }
  }
  assert.deepEqual(missing, [], `exports without a doc comment:\n${missing.join("\n")}`);
});
