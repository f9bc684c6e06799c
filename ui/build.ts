/**
 * Builds the browser bundles with Deno's own bundler (`deno bundle`, esbuild
 * inside): `ui/dist/widget.js` (a classic script for other people's pages)
 * and `ui/dist/dashboard.js` (an ES module for the dashboard at `/`). The
 * output is committed, so a node serves it without building anything;
 * `deno task build:ui` rebuilds it after a change to `ui/`, and
 * `build_test.ts` fails while the committed output is stale.
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

if (import.meta.main) {
  await buildUi();
  for (const b of UI_BUNDLES) {
    const bytes = await Deno.readFile(new URL(b.output, UI_DIST));
    const gz = await new Response(
      new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip")),
    ).arrayBuffer();
    console.log(`ui/dist/${b.output}: ${bytes.length} bytes, ${gz.byteLength} gzipped`);
  }
}
