/**
 * Builds the browser bundles with Deno's own bundler (`deno bundle`, esbuild
 * inside): `ui/dist/widget.js` (a classic script for other people's pages)
 * and `ui/dist/dashboard.js` (an ES module for the dashboard at `/`). The
 * output is committed, so a node serves it without building anything;
 * `deno task build:ui` rebuilds it after a change to `ui/` and records in
 * `ui/dist/inputs.json` the hash of every local module each bundle was made
 * from (and the npm packages' versions), so `tests/ui_build_test.ts` fails while the
 * committed output is stale, whichever Deno version runs the test.
 *
 * @module
 */

/** One bundle: its entry module, output file (both relative to the repo root) and format. */
export interface UiBundle {
  entry: string;
  output: string;
  format: "esm" | "iife";
}

/** The bundles the gateway serves (see gateway/ui_routes.ts). */
export const UI_BUNDLES: readonly UiBundle[] = [
  { entry: "ui/widget/mod.ts", output: "widget.js", format: "iife" },
  { entry: "ui/dashboard/mod.ts", output: "dashboard.js", format: "esm" },
];

/** Where the committed bundles live. */
export const UI_DIST = new URL("./dist/", import.meta.url);

const ROOT = new URL("../", import.meta.url);

/** Bundles every entry of {@link UI_BUNDLES} into `outDir`; throws with the bundler's output on failure. */
export async function buildUi(outDir: URL = UI_DIST): Promise<void> {
  await Deno.mkdir(outDir, { recursive: true });
  for (const b of UI_BUNDLES) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "bundle",
        "--platform=browser",
        `--format=${b.format}`,
        "--minify",
        "--quiet",
        "-o",
        new URL(b.output, outDir).pathname,
        b.entry,
      ],
      cwd: ROOT,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) {
      const text = new TextDecoder().decode(out.stderr);
      throw new Error(`deno bundle ${b.entry} failed:\n${text}`);
    }
  }
}

/** What `inputs.json` records: per bundle, each input (repo-relative path or npm package) and its hash. */
export type BundleInputs = Record<string, Record<string, string>>;

/** The file beside the bundles that records their inputs. */
export const INPUTS_FILE = "inputs.json";

/** The inputs of `entry` now: its local modules' SHA-256 and its npm packages (`npm:name@version`). */
export async function bundleInputs(entry: string): Promise<Record<string, string>> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    roots: string[];
    redirects: Record<string, string>;
    modules: {
      specifier: string;
      kind?: string;
      npmPackage?: string;
      dependencies?: { code?: { specifier: string } }[];
    }[];
  };
  const bySpecifier = new Map(info.modules.map((m) => [m.specifier, m]));
  // Only what ends up in the bundle: `import type` edges are erased, so they are not followed.
  const seen = new Set<string>();
  const queue = [...info.roots];
  while (queue.length > 0) {
    const spec = queue.pop()!;
    const resolved = info.redirects[spec] ?? spec;
    if (seen.has(resolved)) continue;
    seen.add(resolved);
    for (const d of bySpecifier.get(resolved)?.dependencies ?? []) {
      if (d.code) queue.push(d.code.specifier);
    }
  }
  const inputs: Record<string, string> = {};
  for (const spec of seen) {
    const m = bySpecifier.get(spec);
    // The lock pins what an npm package brings in; its name and version stand for it.
    if (m?.kind === "npm" && m.npmPackage) inputs[`npm:${m.npmPackage}`] = "";
    if (!spec.startsWith(ROOT.href)) continue;
    const bytes = await Deno.readFile(new URL(spec));
    const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
    inputs[spec.slice(ROOT.href.length)] = Array.from(
      hash,
      (b) => b.toString(16).padStart(2, "0"),
    ).join("");
  }
  return Object.fromEntries(Object.entries(inputs).sort(([a], [b]) => a.localeCompare(b)));
}

/** Inputs added, removed or changed between `recorded` and `current`, per bundle (`widget.js: ui/x.ts`). */
export function changedInputs(recorded: BundleInputs, current: BundleInputs): string[] {
  const changed: string[] = [];
  for (const [bundle, now] of Object.entries(current)) {
    const then = recorded[bundle] ?? {};
    for (const name of new Set([...Object.keys(then), ...Object.keys(now)])) {
      if (then[name] !== now[name]) changed.push(`${bundle}: ${name}`);
    }
  }
  return changed;
}

/** The inputs of every bundle now. */
export async function currentInputs(): Promise<BundleInputs> {
  const all: BundleInputs = {};
  for (const b of UI_BUNDLES) all[b.output] = await bundleInputs(b.entry);
  return all;
}

if (import.meta.main) {
  // `--out DIR`: a private build (e.g. for a browser test run with COVE_UI_DIST=DIR), nothing
  // recorded; without it, ui/dist and its inputs.json, to commit.
  const at = Deno.args.indexOf("--out");
  const outArg = at >= 0 ? Deno.args[at + 1] : undefined;
  if (outArg) {
    const out = new URL(outArg.replace(/\/?$/, "/"), `file://${Deno.cwd()}/`);
    await buildUi(out);
    console.log(`built into ${out.pathname}`);
    Deno.exit(0);
  }
  await buildUi();
  await Deno.writeTextFile(
    new URL(INPUTS_FILE, UI_DIST),
    JSON.stringify(await currentInputs(), null, 2) + "\n",
  );
  for (const b of UI_BUNDLES) {
    const bytes = await Deno.readFile(new URL(b.output, UI_DIST));
    const gz = await new Response(
      new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip")),
    ).arrayBuffer();
    console.log(`ui/dist/${b.output}: ${bytes.length} bytes, ${gz.byteLength} gzipped`);
  }
}
