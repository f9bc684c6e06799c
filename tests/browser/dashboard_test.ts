/**
 * The dashboard in a real browser: the one-time sign-in link signs in,
 * leads captured over REST appear live with the counters; after a gateway
 * restart it shows reconnecting, resumes from its last position and shows
 * the leads captured while it was cut off; it fits a phone's width.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  api,
  BROWSER_TEST,
  contextWithLog,
  launchBrowser,
  screenshot,
  startGateway,
  unexpectedErrors,
  until,
} from "./_support.ts";

function capture(gw: Parameters<typeof api>[0], email: string, name: string) {
  return api<{ leadId: string }>(gw, "POST", "/v1/leads", {
    idempotencyKey: `k-${email}`,
    contact: { email, name },
  });
}

Deno.test({
  name: "the dashboard reconnects after a gateway restart and shows the leads it missed",
  ...BROWSER_TEST,
  async fn() {
    const gw = await startGateway();
    const browser = await launchBrowser();
    try {
      const { context, log } = await contextWithLog(browser, {
        viewport: { width: 1280, height: 800 },
      });
      const page = await context.newPage();
      // A wrong code is refused with a reason, and the form to paste a link is there.
      await page.goto(`${gw.url}/signin#code=not-a-code`);
      await page.getByRole("alert").getByText(/Sign-in failed/).waitFor();
      await screenshot(page, "dashboard-signin");
      // The browser itself reports the refused code's 401; that one is expected.
      assert.ok(log.errors.every((e) => /status of 401/.test(e)), log.errors.join("\n"));
      log.errors.length = 0;
      await page.getByLabel("Sign-in link or code").fill(
        `${gw.url}/signin#code=${await gw.signinCode()}`,
      );
      await page.getByLabel("Sign-in link or code").press("Enter");
      const live = page.locator(".link[data-state=live]");
      await live.waitFor({ timeout: 15_000 });

      const first = await capture(gw, "one@dash.test", "First Lead");
      await page.locator(`tr[data-lead-id="${first.leadId}"]`).waitFor({ timeout: 5_000 });

      await gw.down();
      await page.locator(".link[data-state=reconnecting]").waitFor({ timeout: 10_000 });
      // Cut off from the network so it cannot reconnect before the missed leads exist.
      await context.setOffline(true);
      await screenshot(page, "dashboard-reconnecting");
      await gw.up();
      const missed = [
        await capture(gw, "two@dash.test", "Missed Two"),
        await capture(gw, "three@dash.test", "Missed Three"),
      ];
      const [head] = await gw.sql!<{ p: number }[]>`
        SELECT max(position)::float8 AS p FROM events WHERE tenant = 'demo'`;
      await context.setOffline(false);

      for (const m of missed) {
        await page.locator(`tr[data-lead-id="${m.leadId}"]`).waitFor({ timeout: 15_000 });
      }
      await live.waitFor({ timeout: 15_000 });
      await until(
        async () => Number(await live.getAttribute("data-position")) >= head!.p,
        10_000,
        "the stream resumed up to the journal's head",
      );
      await until(
        async () =>
          (await page.locator("[data-metric=total] .value").textContent())?.trim() === "3",
        5_000,
        "the lead counter shows 3",
      );
      await screenshot(page, "dashboard-after-restart");

      // A reload stays signed in (the session is kept) and still lists every lead.
      await page.reload();
      await live.waitFor({ timeout: 15_000 });
      assert.equal(await page.locator("tr[data-lead-id]").count(), 3);

      // More new leads than a page (50): the table shows the newest and pages on with the cursor,
      // without a gap, whichever way the live refreshes fell.
      for (let i = 0; i < 52; i += 13) {
        await Promise.all(
          Array.from({ length: 13 }, (_, j) => capture(gw, `p${i + j}@dash.test`, `Page ${i + j}`)),
        );
      }
      const rows = page.locator("tr[data-lead-id]");
      const more = page.getByRole("button", { name: "Load more leads" });
      await until(
        async () => (await rows.count()) === 55 || await more.isVisible(),
        15_000,
        "every lead shown, or a next page offered",
      );
      if (await more.isVisible()) {
        await more.focus();
        await page.keyboard.press("Enter");
      }
      await until(async () => (await rows.count()) === 55, 10_000, "55 rows after paging");
      const shown = await rows.evaluateAll((trs) =>
        trs.map((tr) => tr.getAttribute("data-lead-id"))
      );
      assert.equal(new Set(shown).size, 55);

      // Phone width: nothing spills sideways out of the page.
      const phone = await contextWithLog(browser, { viewport: { width: 375, height: 740 } });
      const small = await phone.context.newPage();
      await small.goto(`${gw.url}/signin#code=${await gw.signinCode()}`);
      await small.locator(".link[data-state=live]").waitFor({ timeout: 15_000 });
      await small.locator("tr[data-lead-id]").first().waitFor();
      assert.ok(
        await small.locator("html").evaluate((el) =>
          el.scrollWidth <= el.ownerDocument.defaultView!.innerWidth
        ),
        "no horizontal scrolling at 375 px",
      );
      await screenshot(small, "dashboard-phone");

      assert.deepEqual(unexpectedErrors(log), []);
      assert.deepEqual(unexpectedErrors(phone.log), []);
    } finally {
      await browser.close();
      await gw.close();
    }
  },
});
