/**
 * The capture widget in a real browser, embedded by script tag on a page of
 * another origin: a submit becomes a lead (seen over REST and live on an
 * open dashboard in another browser context), and a submit made while the
 * gateway is down is kept in localStorage and delivered exactly once after
 * it comes back, by the same page's retries or by the next page load.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import {
  api,
  BROWSER_TEST,
  contextWithLog,
  launchBrowser,
  screenshot,
  siteKeyFor,
  startGateway,
  startHostPage,
  unexpectedErrors,
  until,
} from "./_support.ts";

interface LeadList {
  items: { lead_id: string; email: string | null; source: string | null; name: string | null }[];
}

async function fillAndSend(page: Page, name: string, email: string): Promise<void> {
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("How can we help?").fill("A birthday cake for Saturday");
  await page.getByRole("button", { name: "Send" }).click();
}

async function leadsWith(gw: { url: string }, email: string): Promise<LeadList["items"]> {
  const list = await api<LeadList>(
    gw as never,
    "GET",
    `/v1/leads?q=${encodeURIComponent(email)}&limit=10`,
  );
  return list.items.filter((l) => l.email === email);
}

Deno.test({
  name: "a widget on another origin captures a lead that appears live on an open dashboard",
  ...BROWSER_TEST,
  async fn() {
    const gw = await startGateway();
    let key = "";
    const host = startHostPage(gw.url, () => key);
    const browser = await launchBrowser();
    try {
      key = await siteKeyFor(gw, host.origin);
      const board = await contextWithLog(browser, { viewport: { width: 1280, height: 800 } });
      const dash = await board.context.newPage();
      await dash.goto(`${gw.url}/signin#code=${await gw.signinCode()}`);
      await dash.locator(".link[data-state=live]").waitFor({ timeout: 15_000 });
      assert.equal(
        new URL(dash.url()).hash,
        "#/",
        "the sign-in code is removed from the address bar",
      );

      const visitor = await contextWithLog(browser);
      const page = await visitor.context.newPage();
      await page.goto(host.url);
      const label = page.getByText("Name", { exact: true });
      await label.waitFor();
      // The host page paints every label magenta; the shadow root keeps the widget's own colour.
      assert.notEqual(
        await label.evaluate((el) => el.ownerDocument.defaultView!.getComputedStyle(el).color),
        "rgb(255, 0, 255)",
      );
      await screenshot(page, "widget-form");

      // Keyboard only. Invalid input is refused in the browser with the server's rules,
      // announced, and focus goes to the field to fix.
      await page.keyboard.press("Tab");
      await page.keyboard.type("Ada Lovelace");
      await page.keyboard.press("Enter");
      await page.getByText("Give an email or a phone number").first().waitFor();
      assert.match(await page.locator("[aria-live=polite]").textContent() ?? "", /attention/);
      const email = page.getByLabel("Email");
      assert.equal(await email.getAttribute("aria-describedby"), "f-form-error");
      assert.ok(
        await email.evaluate((el) =>
          (el.getRootNode() as { activeElement: unknown }).activeElement === el
        ),
      );
      await screenshot(page, "widget-errors");
      await page.keyboard.type("ada@bakery.test");
      await page.keyboard.press("Tab"); // phone
      await page.keyboard.press("Tab"); // message
      await page.keyboard.type("A birthday cake for Saturday");
      await page.keyboard.press("Tab"); // the honeypot is skipped: straight to Send
      await page.keyboard.press("Enter");
      await page.getByText("Thank you!").waitFor({ timeout: 10_000 });
      await screenshot(page, "widget-thanks");

      const leads = await leadsWith(gw, "ada@bakery.test");
      assert.equal(leads.length, 1);
      assert.equal(leads[0]!.source, "widget");

      // Live on the dashboard, with no reload.
      await dash.locator(`tr[data-lead-id="${leads[0]!.lead_id}"]`).waitFor({ timeout: 5_000 });
      await until(
        async () =>
          (await dash.locator("[data-metric=total] .value").textContent())?.trim() === "1",
        5_000,
        "the lead counter shows 1",
      );
      await screenshot(dash, "dashboard-live-lead");
      assert.deepEqual(unexpectedErrors(visitor.log), []);
      assert.deepEqual(unexpectedErrors(board.log), []);
    } finally {
      await browser.close();
      await host.close();
      await gw.close();
    }
  },
});

Deno.test({
  name: "a submit while the gateway is down is kept and delivered exactly once when it is back",
  ...BROWSER_TEST,
  async fn() {
    const gw = await startGateway();
    let key = "";
    const host = startHostPage(gw.url, () => key);
    const browser = await launchBrowser();
    try {
      key = await siteKeyFor(gw, host.origin);
      const { context, log } = await contextWithLog(browser);
      const page = await context.newPage();
      await page.goto(host.url);
      await page.getByLabel("Name").waitFor();

      await gw.down();
      await fillAndSend(page, "Grace Hopper", "grace@bakery.test");
      await page.getByText("saved on this device").waitFor({ timeout: 10_000 });
      const pending = JSON.parse(
        await page.evaluate(() => localStorage.getItem("cove.widget.pending")) ?? "[]",
      );
      assert.equal(pending.length, 1);
      assert.equal(pending[0].body.email, "grace@bakery.test");
      await screenshot(page, "widget-offline");

      // A second visitor tab submits too, then leaves before the gateway is back.
      const second = await context.newPage();
      await second.goto(host.url);
      await fillAndSend(second, "Alan Turing", "alan@bakery.test");
      await second.getByText("saved on this device").waitFor({ timeout: 10_000 });
      await second.close();

      await gw.up();
      // The open page's retries deliver its own lead (same idempotency key as the first post).
      await page.getByText("Thank you!").waitFor({ timeout: 30_000 });
      // The closed tab's lead is still stored; the next page load delivers it.
      const again = await context.newPage();
      await again.goto(host.url);
      await until(
        () => again.evaluate(() => localStorage.getItem("cove.widget.pending") === null),
        15_000,
        "every pending lead delivered",
      );

      for (const email of ["grace@bakery.test", "alan@bakery.test"]) {
        assert.equal((await leadsWith(gw, email)).length, 1, email);
        const [row] = await gw.sql!<{ n: number }[]>`
          SELECT count(*)::int AS n FROM leads WHERE email = ${email}`;
        assert.equal(row!.n, 1, `${email} stored once`);
      }
      assert.deepEqual(unexpectedErrors(log), []);
    } finally {
      await browser.close();
      await host.close();
      await gw.close();
    }
  },
});
