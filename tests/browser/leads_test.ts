/**
 * The leads views in a real browser: the overview's table sorts by score
 * and by name, searches and filters by status; a lead's detail opens from
 * the keyboard and shows its timeline and conversation, and its "state at"
 * slider, moved with the keyboard, shows the status before a change; the
 * silent leads view lists a lead gone quiet and recovers it in one click.
 *
 * @module
 */
import assert from "node:assert/strict";
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
import { axeViolations } from "./_axe.ts";

function capture(gw: Gateway, name: string, contact: Record<string, unknown>) {
  return api<{ leadId: string }>(gw, "POST", "/v1/leads", {
    idempotencyKey: `k-${name}`,
    contact: { name, ...contact },
  });
}

Deno.test({
  name: "leads views: sort, search, filter, a lead's detail with its past state, and silent leads",
  ...BROWSER_TEST,
  async fn() {
    const gw = await startGateway();
    const browser = await launchBrowser();
    try {
      // Default scoring: no website +40, rated 4.5 or more +30.
      const zoe = await capture(gw, "Zoe Alpha", {
        email: "zoe@leads.test",
        website: null,
        rating: 4.8,
      });
      const adam = await capture(gw, "adam Beta", { email: "adam@leads.test", website: null });
      const maya = await capture(gw, "Maya Gamma", {
        email: "maya@leads.test",
        company: "Gamma Studio",
        rating: 4.9,
      });
      const quiet = await capture(gw, "Quinn Quiet", { email: "quinn@leads.test" });
      await until(
        async () => {
          const { items } = await api<{ items: { lead_id: string; score: number }[] }>(
            gw,
            "GET",
            "/v1/leads?sort=score&limit=10",
          );
          return items.map((r) => r.lead_id).join() ===
            [zoe.leadId, adam.leadId, maya.leadId, quiet.leadId].join();
        },
        10_000,
        "the leads were scored",
      );
      // Adam wrote to us (he responded), then a call qualified him.
      await api(gw, "POST", `/v1/leads/${adam.leadId}/messages`, {
        channel: "sms",
        direction: "inbound",
        content: "Hi, I need a website for my shop",
        status: "received",
      });
      await api(gw, "PATCH", `/v1/leads/${adam.leadId}`, { status: "qualified", reason: "called" });

      const { context, log } = await contextWithLog(browser, {
        viewport: { width: 1280, height: 900 },
      });
      const page = await context.newPage();
      await page.goto(`${gw.url}/signin#code=${await gw.signinCode()}`);
      const table = page.locator("cove-leads-table");
      const names = () => table.locator("tbody tr td:first-child a").allTextContents();
      await table.locator(`tr[data-lead-id="${zoe.leadId}"]`).waitFor({ timeout: 15_000 });

      // Sort by score, then by name (case does not matter).
      await page.getByLabel("Sort by").selectOption("score");
      await until(
        async () => (await names()).join() === "Zoe Alpha,adam Beta,Maya Gamma,Quinn Quiet",
        5_000,
        "rows ordered by score",
      );
      assert.equal(await table.locator("caption").textContent(), "Leads, highest score first");
      await screenshot(page, "view-leads-sorted");
      assert.deepEqual(await axeViolations(page), [], "view-leads-sorted: WCAG 2.1 AA");
      await page.getByLabel("Sort by").selectOption("name");
      await until(
        async () => (await names()).join() === "adam Beta,Maya Gamma,Quinn Quiet,Zoe Alpha",
        5_000,
        "rows ordered by name",
      );
      // Search (Enter searches at once) narrows to the match, by company; clearing shows all.
      const search = page.getByLabel("Search leads");
      await search.fill("gamma studio");
      await search.press("Enter");
      await until(async () => (await names()).join() === "Maya Gamma", 5_000, "search narrowed");
      await search.fill("");
      await search.press("Enter");
      await until(async () => (await names()).length === 4, 5_000, "search cleared");
      // Sorted by name, a lead captured now takes its place in the order live.
      await capture(gw, "Bea Live", { email: "bea@leads.test" });
      await until(
        async () =>
          (await names()).join() === "adam Beta,Bea Live,Maya Gamma,Quinn Quiet,Zoe Alpha",
        5_000,
        "the new lead joined the sorted list live",
      );
      // Typing searches after a pause, without Enter.
      await search.pressSequentially("zoe");
      await until(async () => (await names()).join() === "Zoe Alpha", 5_000, "search as you type");
      await search.fill("");
      await search.press("Enter");
      // Filter by status.
      await page.getByLabel("Status", { exact: true }).selectOption("qualified");
      await until(async () => (await names()).join() === "adam Beta", 5_000, "status filter");

      // The detail opens from the keyboard: focus the name's link, Enter.
      await table.getByRole("link", { name: "adam Beta" }).focus();
      await page.keyboard.press("Enter");
      const detail = page.locator("cove-lead-detail[data-ready]");
      await detail.getByRole("heading", { name: "adam Beta", level: 2 }).waitFor();
      assert.match(page.url(), new RegExp(`#/leads/${adam.leadId}$`));
      await detail.getByText("moved from responded to qualified (called)").waitFor();
      await detail.locator(".msg.inbound").getByText("Hi, I need a website for my shop").waitFor();
      assert.match(
        (await detail.locator(".msg.inbound .meta").first().textContent()) ?? "",
        /From the lead,\s+by sms · received/,
      );
      assert.equal(
        await detail.locator("dd[data-field=status]").first().textContent(),
        "qualified",
      );
      // The state-at slider: Home is the first event (the capture), when the lead was new.
      const slider = detail.getByRole("slider", { name: /State at/ });
      await slider.focus();
      await page.keyboard.press("Home");
      const then = detail.locator("[data-state-at]");
      await then.waitFor({ timeout: 5_000 });
      assert.equal(await then.locator("dd[data-field=status]").textContent(), "new");
      assert.match((await slider.getAttribute("aria-valuetext")) ?? "", /captured from rest/);
      await screenshot(page, "view-lead-detail");
      assert.deepEqual(await axeViolations(page), [], "view-lead-detail: WCAG 2.1 AA");
      // End is now again; "Back to now" is then disabled.
      await page.keyboard.press("End");
      await then.waitFor({ state: "detached" });
      assert.equal(await detail.locator("#state-at-label").textContent(), "Now");

      // Live: a change made elsewhere shows without a reload.
      await api(gw, "PATCH", `/v1/leads/${adam.leadId}`, { owner: "sam" });
      await until(
        async () => (await detail.locator("dd[data-field=owner]").textContent()) === "sam",
        5_000,
        "the detail followed the change live",
      );
      // A second change right after waits out the re-read throttle, then shows too.
      await api(gw, "PATCH", `/v1/leads/${adam.leadId}`, { tags: { add: ["vip"] } });
      await until(
        async () => (await detail.locator("dd[data-field=tags]").textContent()) === "vip",
        5_000,
        "the detail followed a second change after the throttle",
      );

      // A lead quiet for more than a moment (0.36 s) is silent; Recover starts its follow-up.
      await until(
        async () => {
          const { items } = await api<{ items: { leadId: string }[] }>(
            gw,
            "GET",
            "/v1/leads/silent?hours=0.0001",
          );
          return items.some((l) => l.leadId === quiet.leadId);
        },
        10_000,
        "the lead went silent",
      );
      await page.getByRole("link", { name: "Silent leads" }).click();
      const silent = page.locator("cove-silent-leads[data-ready]");
      await silent.getByLabel("Silent for at least (hours)").fill("0.0001");
      await silent.getByRole("button", { name: "Show" }).click();
      const row = silent.locator(`tr[data-lead-id="${quiet.leadId}"]`);
      await row.waitFor({ timeout: 5_000 });
      // Highest score first.
      assert.equal(
        await silent.locator("tbody tr").first().getAttribute("data-lead-id"),
        zoe.leadId,
      );
      await row.getByRole("button", { name: "Recover Quinn Quiet" }).click();
      await row.getByText("Recovery started").waitFor({ timeout: 5_000 });
      await screenshot(page, "view-silent");
      assert.deepEqual(await axeViolations(page), [], "view-silent: WCAG 2.1 AA");
      const f = await api<{ active: { sequence: string } | null }>(
        gw,
        "GET",
        `/v1/leads/${quiet.leadId}/follow-ups`,
      );
      assert.equal(f.active?.sequence, "silent");

      // At a phone's width the detail and the silent list fit without sideways scrolling.
      await page.setViewportSize({ width: 390, height: 800 });
      for (const [path, shot] of [[`#/leads/${adam.leadId}`, "detail"], ["#/silent", "silent"]]) {
        await page.goto(`${gw.url}/${path}`);
        await page.locator("[data-ready]").first().waitFor();
        const wide = await page.locator("html").evaluate((el) => el.scrollWidth);
        assert.ok(wide <= 390, `${path} is ${wide} px wide`);
        await screenshot(page, `view-${shot}-phone`);
      }
      await page.setViewportSize({ width: 1280, height: 900 });

      // Past one page: "Load more" follows the name order's cursor. The extra rows go straight
      // into the list's read model (capturing 48 leads over REST would meet the rate limit).
      await gw.sql!`
        INSERT INTO leads (actor, tenant, lead_id, name, email, status, score, priority, source,
                           tags, created_at, last_activity)
        SELECT 'lead/demo/many' || i, 'demo', 'many' || i, 'Many ' || lpad(i::text, 2, '0'),
               'many' || i || '@leads.test', 'new', 0, 'low', 'csv', '{}', now(), now()
        FROM generate_series(0, 47) AS i`;
      await page.getByRole("link", { name: "Overview" }).click();
      await page.getByLabel("Sort by").selectOption("name");
      const more = table.getByRole("button", { name: "Load more leads" });
      await more.waitFor({ timeout: 5_000 });
      assert.equal((await names()).length, 50);
      await more.click();
      await until(async () => (await names()).length === 53, 5_000, "the second page loaded");
      const all = await names();
      assert.deepEqual(all, all.toSorted((a, b) => a.toLowerCase() < b.toLowerCase() ? -1 : 1));
      assert.equal(await more.count(), 0);

      // An unknown lead: said so, with a way back (the browser reports the 404 itself).
      await page.goto(`${gw.url}/#/leads/nobody`);
      await page.getByRole("heading", { name: "No such lead" }).waitFor();
      await page.getByRole("link", { name: "Back to all leads" }).click();
      await table.locator("tr[data-lead-id]").first().waitFor();
      assert.deepEqual(
        unexpectedErrors(log).filter((e) => !/status of 404 .*\/v1\/leads\/nobody/.test(e)),
        [],
      );
      await context.close();
    } finally {
      await browser.close();
      await gw.close();
    }
  },
});
