/**
 * The browser side of Cove: lit web components for the live dashboard
 * (`ui/dashboard/`, served at `/`) and the embeddable capture widget
 * (`ui/widget/`, served as `/widget.js`), bundled by `deno task build:ui`
 * into `ui/dist/`, which is committed and served by gateway/ui_routes.ts.
 * This module is the Deno side: the bundle list and the build. The
 * browser-only entries are `ui/widget/mod.ts` and `ui/dashboard/mod.ts`.
 *
 * @module
 */
export * from "./build.ts";
