/**
 * Accessibility checks with axe-core in a real page: the WCAG 2.0 and 2.1
 * A and AA rules over the whole document, open shadow roots included (axe
 * walks them itself), and the violations listed readably for a failing
 * assertion.
 *
 * axe is put into the page with `page.evaluate` of its source rather than a
 * `<script>` tag: the dashboard's CSP (`default-src 'self'`) refuses inline
 * scripts, and evaluation through the DevTools protocol is not subject to
 * it, so the page is checked under its real policy.
 *
 * @module
 */
import axe from "axe-core";
import type { Page } from "playwright-core";

/** The rule sets checked: WCAG 2.0 and 2.1, levels A and AA. */
export const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] as const;

/** One broken rule and the elements that break it. */
export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string; summary: string }[];
}

const SOURCE = (axe as unknown as { source: string }).source;

/** Runs axe over the page as it is now; answers the violations (none is an empty list). */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  if (!await page.evaluate(() => "axe" in globalThis)) await page.evaluate(SOURCE);
  return await page.evaluate(async (tags) => {
    // The page's global, defined by the source evaluated above.
    const injected = (globalThis as unknown as {
      axe: {
        run(
          context: unknown,
          options: unknown,
        ): Promise<{
          violations: {
            id: string;
            impact?: string | null;
            help: string;
            nodes: { target: unknown[]; failureSummary?: string }[];
          }[];
        }>;
      };
    }).axe;
    const page = globalThis as unknown as { document: unknown };
    const r = await injected.run(page.document, {
      runOnly: { type: "tag", values: tags },
      resultTypes: ["violations"],
    });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? null,
      help: v.help,
      nodes: v.nodes.map((n) => ({
        // A target inside shadow roots is a list of selectors, host first.
        target: n.target.map((t) => Array.isArray(t) ? t.join(" >>> ") : String(t)).join(", "),
        summary: (n.failureSummary ?? "").replace(/\s+/g, " ").trim(),
      })),
    }));
  }, [...WCAG_TAGS]);
}

/** The violations one per line: rule, impact, what it asks, then each element and why. */
export function formatViolations(where: string, violations: AxeViolation[]): string {
  return violations.map((v) =>
    `${where}: ${v.id} (${v.impact ?? "?"}): ${v.help}\n` +
    v.nodes.map((n) => `    ${n.target}: ${n.summary}`).join("\n")
  ).join("\n");
}
