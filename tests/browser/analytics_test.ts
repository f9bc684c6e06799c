/**
 * The dashboard's charts in a real browser: the overview's funnel draws its
 * canvas and its table holds the funnel's counts, and follows a new capture
 * live; the analytics view plots one point per lead (its table lists them),
 * re-reads when the range changes, says what is wrong with a range next to
 * the field, opens a lead from a point (and by keyboard from its table row);
 * chart.js breaks no CSP rule and logs no error; axe finds nothing; it fits
 * a phone's width.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { axeViolations, formatViolations } from "./_axe.ts";
import {
  api,
  BROWSER_TEST,
  contextWithLog,
  type Gateway,
  launchBrowser,
  screenshot,
  startGateway,
  unexpectedErrors,
  until,
} from "./_support.ts";

function capture(gw: Gateway, key: string) {
  return api<{ leadId: string }>(gw, "POST", "/v1/leads", {
    idempotencyKey: `k-${key}`,
    contact: { email: `${key}@charts.test`, name: `Lead ${key}` },
  });
}

/** The counts in the funnel's table, by stage. */
async function funnelTable(page: Page): Promise<Record<string, number>> {
  const rows = page.locator("cove-funnel-chart tr[data-stage]");
  const out: Record<string, number> = {};
  for (const tr of await rows.all()) {
    out[(await tr.getAttribute("data-stage"))!] = Number(
      await tr.locator("td").first().textContent(),
    );
  }
  return out;
}

/**
 * Waits until the analytics projection has folded every event of `demo`
 * (read in the database: polling the REST API would spend the rate limit the
 * dashboard needs).
 */
async function folded(gw: Gateway): Promise<void> {
  await until(
    async () => {
      const [r] = await gw.sql!<{ caught: boolean }[]>`
        SELECT coalesce((SELECT position FROM analytics_checkpoints WHERE tenant = 'demo'), 0)
          >= (SELECT position FROM streams WHERE tenant = 'demo') AS caught`;
      return r?.caught;
    },
    10_000,
    "the analytics projection caught up with the journal",
  );
}

Deno.test({
  name: "the funnel and the analytics view chart the tenant's leads, live, with tables",
  ...BROWSER_TEST,
  async fn() {
    const gw = await startGateway();
    const browser = await launchBrowser();
    try {
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) ids.push((await capture(gw, `c${i}`)).leadId);
      const message = (id: string, channel: string, direction: string) =>
        api(gw, "POST", `/v1/leads/${id}/messages`, {
          channel,
          direction,
          content: direction === "inbound" ? "Yes please" : "Hello from the studio",
          status: direction === "inbound" ? "received" : "sent",
        });
      // First written to by email, then won; the second by SMS, and it replied; the third lost.
      await message(ids[0]!, "email", "outbound");
      await api(gw, "PATCH", `/v1/leads/${ids[0]}`, { status: "won", valueCents: 250_000 });
      await message(ids[1]!, "sms", "outbound");
      await message(ids[1]!, "sms", "inbound");
      await api(gw, "PATCH", `/v1/leads/${ids[2]}`, { status: "lost" });
      await folded(gw);

      // Reduced motion: charts draw without animation (and screenshots show them whole).
      const { context, log } = await contextWithLog(browser, {
        viewport: { width: 1280, height: 900 },
        reducedMotion: "reduce",
      });
      // Every CSP violation the page sees (chart.js must need neither eval nor inline markup styles).
      await context.addInitScript(`(() => {
        const seen = (globalThis.cspViolations = []);
        document.addEventListener("securitypolicyviolation", (e) => {
          seen.push(e.violatedDirective + ": " + e.blockedURI + " " + e.sourceFile + ":" + e.lineNumber);
        });
      })()`);
      const page = await context.newPage();
      const violations: string[] = [];
      page.on("console", (m) => {
        if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
      });
      const cspViolations = () => page.evaluate<string[]>("globalThis.cspViolations ?? []");
      await page.goto(`${gw.url}/signin#code=${await gw.signinCode()}`);
      await page.locator(".link[data-state=live]").waitFor({ timeout: 15_000 });

      // The funnel: a canvas described in words, and a table of the same counts.
      const funnel = page.locator("cove-funnel-chart");
      await funnel.locator("canvas[role=img]").waitFor({ timeout: 10_000 });
      const label = await funnel.locator("canvas").getAttribute("aria-label");
      assert.match(label!, /New 6, Contacted 2 \(33\.3%\), Responded 2 \(100%\)/);
      // The won lead reached every stage; the one that replied the first three; the lost one new.
      assert.deepEqual(await funnelTable(page), {
        new: 6,
        contacted: 2,
        responded: 2,
        meeting: 1,
        won: 1,
      });
      // One of the two leads written to replied.
      assert.equal(await funnel.locator("[data-figure=response-rate]").textContent(), "50%");
      await screenshot(page, "view-overview");
      const overviewIssues = await axeViolations(page);
      assert.deepEqual(overviewIssues, [], formatViolations("overview", overviewIssues));

      // Live: a capture shows in the funnel after the throttle, the same chart updated in place.
      const funnelChart = funnel.locator("cove-chart");
      await funnelChart.evaluate((el) => {
        (globalThis as { drawn?: unknown }).drawn = (el as unknown as { chart: unknown }).chart;
      });
      ids.push((await capture(gw, "live")).leadId);
      await until(async () => (await funnelTable(page)).new === 7, 10_000, "funnel counts 7");
      assert.match((await funnelChart.locator("canvas").getAttribute("aria-label"))!, /New 7,/);
      assert.ok(
        await funnelChart.evaluate((el) =>
          (el as unknown as { chart: unknown }).chart === (globalThis as { drawn?: unknown }).drawn
        ),
        "updated, not drawn anew",
      );

      // The analytics view: one scatter point per lead, and the same leads in its table.
      await page.getByRole("link", { name: "Analytics" }).click();
      const view = page.locator("cove-analytics-view[data-ready]");
      await view.waitFor({ timeout: 10_000 });
      const scatter = page.locator("cove-chart.scores");
      const points = async () =>
        await scatter.count() === 1 ? await scatter.getAttribute("data-points") : null;
      await until(
        async () => await points() === "7",
        10_000,
        "seven points plotted",
      );
      const rows = page.locator("section.scores tbody tr[data-lead-id]");
      assert.equal(await rows.count(), 7);
      assert.deepEqual(
        new Set(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-lead-id")))),
        new Set(ids),
      );
      assert.equal(
        await page.locator(`section.scores tr[data-lead-id="${ids[0]}"] td`).nth(1).textContent(),
        "won",
      );
      assert.equal(
        await page.getByRole("button", { name: "Last 30 days" }).getAttribute("aria-pressed"),
        "true",
      );
      await page.locator("cove-chart.per-day canvas[role=img]").waitFor();
      // ROI: the email channel brought the won lead's revenue; nothing was spent, so no ROI %.
      const email = page.locator('tr[data-key="channel:email"] td');
      assert.deepEqual(await email.allTextContents(), [
        "1",
        "1",
        "250,000",
        "0",
        "0",
        "0",
        "n/a",
      ]);
      await page.getByText("Amounts are in cents of the tenant's currency").waitFor();
      await page.locator('cove-chart.roi[data-points="4"]').waitFor();
      await screenshot(page, "view-analytics");
      const analyticsIssues = await axeViolations(page);
      assert.deepEqual(analyticsIssues, [], formatViolations("analytics", analyticsIssues));
      // Last touch: the won lead's last message before winning was the email too.
      await page.getByRole("button", { name: "Last touch" }).click();
      await page.getByText("(last-touch)").first().waitFor();
      assert.equal(await email.first().textContent(), "1");

      // A range before any lead: both reads go out again and come back empty.
      const from = page.getByLabel("From", { exact: true });
      const to = page.getByLabel("To", { exact: true });
      await from.fill("2020-01-01");
      await Promise.all([
        page.waitForRequest((r) =>
          /\/v1\/analytics\/scores\?from=2020-01-01&to=2020-01-31$/.test(r.url())
        ),
        to.fill("2020-01-31"),
      ]);
      await page.getByText("No live leads were captured in this range.").waitFor();
      await page.getByText("No leads were captured in this range.").waitFor();

      // A range that ends before it starts is refused next to the field, without a read.
      await from.fill("2020-02-15");
      const error = page.locator("#to-error");
      await error.waitFor();
      assert.equal(await to.getAttribute("aria-describedby"), "to-error");
      assert.equal(await to.getAttribute("aria-invalid"), "true");

      // A preset reads the last week again.
      await page.getByRole("button", { name: "Last 7 days" }).click();
      await until(
        async () => await points() === "7",
        10_000,
        "the points are back",
      );
      assert.equal(await error.count(), 0, "the error went with the bad range");

      // A point opens its lead.
      const point = await scatter.evaluate((el) => {
        const chart = (el as unknown as {
          chart: { getDatasetMeta(i: number): { data: { x: number; y: number }[] } };
        }).chart;
        const p = chart.getDatasetMeta(0).data[0]!;
        return { x: p.x, y: p.y };
      });
      await scatter.locator("canvas").click({ position: point });
      const opened = () => decodeURIComponent(new URL(page.url()).hash.slice("#/leads/".length));
      await until(() => /^#\/leads\/.+/.test(new URL(page.url()).hash), 5_000, "a lead opened");
      assert.ok(ids.includes(opened()));

      // By keyboard: "Show as table", then Enter on a lead's row link opens it.
      await page.goBack();
      await page.locator("cove-chart.scores canvas").waitFor();
      await page.locator("cove-chart.scores summary").focus();
      await page.keyboard.press("Enter");
      const link = page.locator(`section.scores tr[data-lead-id="${ids[4]}"] a`);
      await link.waitFor();
      await link.focus();
      await page.keyboard.press("Enter");
      await until(() => opened() === ids[4], 5_000, "the row's lead opened");

      assert.deepEqual(await cspViolations(), [], "no CSP violation on the overview and analytics");

      // Phone width: the view collapses to one column, nothing spills sideways.
      await page.setViewportSize({ width: 390, height: 800 });
      await page.goto(`${gw.url}/#/analytics`);
      await page.locator("cove-analytics-view[data-ready]").waitFor({ timeout: 10_000 });
      await page.locator("cove-chart.scores canvas").waitFor();
      assert.ok(
        await page.locator("html").evaluate((el) =>
          el.scrollWidth <= el.ownerDocument.defaultView!.innerWidth
        ),
        "no horizontal scrolling at 390 px",
      );
      await page.getByRole("button", { name: "Last touch" }).click();
      await page.locator('tr[data-key="channel:email"]').waitFor();
      await screenshot(page, "view-analytics-phone");
      const phoneIssues = await axeViolations(page);
      assert.deepEqual(phoneIssues, [], formatViolations("analytics (phone)", phoneIssues));

      assert.deepEqual(await cspViolations(), []);
      assert.deepEqual(violations, []);
      assert.deepEqual(unexpectedErrors(log), []);
    } catch (error) {
      for (const page of browser.contexts().flatMap((c) => c.pages())) {
        await screenshot(page, "analytics-failure").catch(() => {});
      }
      throw error;
    } finally {
      await browser.close();
      await gw.close();
    }
  },
});
