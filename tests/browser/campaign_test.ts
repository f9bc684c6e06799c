/**
 * The campaign views in a real browser: a campaign is created and launched
 * with the keyboard only (every control of the wizard reached with Tab from
 * the one before, radios moved with the arrow keys, buttons pressed with
 * Enter); a message with an unknown variable is refused and the error is
 * shown next to the message, on its step; the campaign then exists over
 * REST as entered, running, and its stats view shows it, with pause and
 * a confirmed stop, again by keyboard.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
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
import { axeViolations, formatViolations } from "./_axe.ts";

interface Focused {
  id: string;
  name: string;
  checked: boolean;
}

/** The element that has focus, through shadow roots, and its accessible name (label or text). */
function focused(page: Page): Promise<Focused> {
  return page.evaluate(`(() => {
    let el = document.activeElement;
    while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
    if (!el) return { id: "", name: "", checked: false };
    const label = el.labels && el.labels[0] ? el.labels[0].textContent : null;
    const name = label ?? el.getAttribute("aria-label") ?? el.textContent ?? "";
    return { id: el.id, name: name.replace(/\\s+/g, " ").trim(), checked: !!el.checked };
  })()`);
}

/** Presses Tab (or Shift+Tab) until the focused element's name matches; fails if it never does. */
async function tabTo(page: Page, name: RegExp, back = false): Promise<Focused> {
  const seen: string[] = [];
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press(back ? "Shift+Tab" : "Tab");
    const f = await focused(page);
    if (name.test(f.name)) return f;
    seen.push(f.name || `#${f.id}`);
  }
  throw new Error(`${name} not reached by ${back ? "Shift+" : ""}Tab; passed ${seen.join(" | ")}`);
}

/** No WCAG 2.1 A/AA violation on the page as it is now. */
async function assertAccessible(page: Page, where: string): Promise<void> {
  const violations = await axeViolations(page);
  assert.deepEqual(violations, [], formatViolations(where, violations));
}

async function capture(gw: Gateway, key: string, name: string, phone: string, tags: string[]) {
  return await api<{ leadId: string }>(gw, "POST", "/v1/leads", {
    idempotencyKey: key,
    contact: { name, email: `${key}@campaign.test`, phone },
    tags,
  });
}

interface CampaignOut {
  id: string;
  status: string;
  enrolled: number;
  definition: {
    name: string;
    audience: Record<string, unknown>;
    steps: { channel: string; delayMinutes: number; variants: { template: string }[] }[];
    throttlePerMinute: number;
  };
}

const TEMPLATE_BODY = "Hi {{firstName}}, VIP spring offer: 20% off all cakes this week.";

Deno.test({
  name: "a campaign is created and launched with the keyboard only, and its stats view shows it",
  ...BROWSER_TEST,
  async fn() {
    const gw = await startGateway();
    const browser = await launchBrowser();
    try {
      await capture(gw, "ana", "Ana Vip", "+14155552671", ["vip"]);
      await capture(gw, "ben", "Ben Vip", "+14155552672", ["vip", "bakery"]);
      await capture(gw, "cy", "Cy Other", "+14155552673", []);
      await api(gw, "POST", "/v1/templates", {
        name: "Spring offer",
        channel: "sms",
        body: TEMPLATE_BODY,
      });

      const { context, log } = await contextWithLog(browser, {
        viewport: { width: 1280, height: 900 },
      });
      const page = await context.newPage();
      await page.goto(`${gw.url}/signin#code=${await gw.signinCode()}`);
      await page.locator(".link[data-state=live]").waitFor({ timeout: 15_000 });

      // From the navigation to the wizard by keyboard.
      await page.getByRole("navigation").getByRole("link", { name: "Campaigns" }).focus();
      await page.keyboard.press("Enter");
      await page.locator("cove-campaigns-view[data-ready]").waitFor();
      await page.getByText("No campaigns yet.").waitFor();
      await tabTo(page, /^New campaign$/);
      await page.keyboard.press("Enter");
      await page.locator("cove-campaign-wizard[data-ready]").waitFor();
      const wizard = page.locator("cove-campaign-wizard");
      const current = wizard.locator('[aria-current="step"]');
      assert.match(await current.innerText(), /Name and channel/);

      // Step 1: name, and the channel radios moved with the arrow keys.
      await tabTo(page, /^Campaign name$/);
      await page.keyboard.type("Spring VIPs");
      assert.equal((await tabTo(page, /^(SMS|Email)$/)).name, "SMS");
      await page.keyboard.press("ArrowRight");
      assert.deepEqual(await focused(page), { id: "channel-email", name: "Email", checked: true });
      await page.keyboard.press("ArrowLeft");
      assert.equal((await focused(page)).checked, true);
      assert.equal((await focused(page)).id, "channel-sms");
      await tabTo(page, /^Next$/);
      await page.keyboard.press("Enter");

      // Step 2: focus is on the step's heading; a message with an unknown variable.
      await until(
        async () => /Step 2 of 5: Message/.test((await focused(page)).name),
        5_000,
        "heading focused",
      );
      assert.match(await current.innerText(), /Message/);
      assert.equal(
        (await tabTo(page, /^(Write my own|Saved template: Spring offer)$/)).name,
        "Write my own",
      );
      assert.equal((await tabTo(page, /^Message$/)).id, "body-0-0");
      await page.keyboard.type("Hello {{first_name}}, spring is here");
      // The live preview names the bad variable right under the message.
      const bodyError = wizard.locator("#body-0-0-error");
      await until(
        async () => /first_name/.test(await bodyError.innerText()),
        5_000,
        "preview error",
      );
      await tabTo(page, /^Next$/);
      await page.keyboard.press("Enter");

      // Step 3: timing is left as it is (at once, 09:00-20:00, 60 a minute).
      await until(
        async () => /Step 3 of 5: Timing/.test((await focused(page)).name),
        5_000,
        "timing",
      );
      await tabTo(page, /^Next$/);
      await page.keyboard.press("Enter");

      // Step 4: the audience (tagged vip) and its preview.
      await until(
        async () => /Step 4 of 5: Audience/.test((await focused(page)).name),
        5_000,
        "audience",
      );
      await tabTo(page, /^Tagged with any of$/);
      await page.keyboard.type("vip");
      await tabTo(page, /^Preview audience$/);
      await page.keyboard.press("Enter");
      const count = wizard.locator("[data-audience-preview] [data-count]");
      await until(async () => (await count.getAttribute("data-count")) === "2", 5_000, "2 match");
      const names = await wizard.locator("[data-audience-preview]").innerText();
      assert.match(names, /Ana Vip/);
      assert.match(names, /Ben Vip/);
      assert.doesNotMatch(names, /Cy Other/);
      await screenshot(page, "view-campaign-wizard-audience");
      await assertAccessible(page, "the wizard's audience step");
      await tabTo(page, /^Next$/);
      await page.keyboard.press("Enter");

      // Step 5: the summary; create is refused and the wizard goes back to the message.
      await until(async () => /Step 5 of 5/.test((await focused(page)).name), 5_000, "launch step");
      const summary = await wizard.locator("[data-summary]").innerText();
      assert.match(summary, /Spring VIPs/);
      assert.match(summary, /Tagged with any of vip/);
      assert.match(summary, /2 leads match/);
      await tabTo(page, /^Create and launch$/);
      await page.keyboard.press("Enter");
      await until(
        async () => (await focused(page)).id === "body-0-0",
        5_000,
        "back on the message",
      );
      assert.match(await current.innerText(), /Message/);
      assert.match(await bodyError.innerText(), /unknown variable \{\{first_name\}\}/);
      assert.equal(await wizard.locator("#body-0-0").getAttribute("aria-invalid"), "true");
      assert.match(
        (await wizard.locator("#body-0-0").getAttribute("aria-describedby")) ?? "",
        /body-0-0-error/,
      );
      await screenshot(page, "view-campaign-wizard-error");
      await assertAccessible(page, "the wizard with an error");
      const none = await api<{ items: unknown[] }>(gw, "GET", "/v1/campaigns");
      assert.deepEqual(none.items, [], "nothing was created");

      // Fixed by starting from the saved template: back to its radios, arrow down.
      assert.equal((await tabTo(page, /^Write my own$/, true)).checked, true);
      await page.keyboard.press("ArrowDown");
      assert.deepEqual(await focused(page), {
        id: (await focused(page)).id,
        name: "Saved template: Spring offer",
        checked: true,
      });
      assert.equal(await wizard.locator("#body-0-0").inputValue(), TEMPLATE_BODY);
      await until(async () => (await bodyError.count()) === 0, 5_000, "the error is gone");
      const preview = wizard.locator("[data-preview-body]");
      await until(async () => /VIP spring offer/.test(await preview.innerText()), 5_000, "preview");
      assert.doesNotMatch(await preview.innerText(), /\{\{/, "variables filled in");
      await screenshot(page, "view-campaign-wizard");
      await assertAccessible(page, "the wizard's message step");
      for (const step of ["Timing", "Audience", "Review and launch"]) {
        await tabTo(page, /^Next$/);
        await page.keyboard.press("Enter");
        await until(async () => (await focused(page)).name.includes(step), 5_000, step);
      }
      await tabTo(page, /^Create and launch$/);
      // Pressed twice: one campaign is made (the button waits, the create has an idempotency key).
      await page.keyboard.press("Enter");
      await page.keyboard.press("Enter");

      // The stats view of the new campaign.
      await page.waitForURL(/#\/campaigns\/(?!new$)[^/]+$/, { timeout: 10_000 });
      const id = decodeURIComponent(new URL(page.url()).hash.split("/").pop()!);
      const stats = page.locator("cove-campaign-stats");
      await stats.locator('[data-status="running"]').waitFor({ timeout: 10_000 }).catch(
        async (e) => {
          console.log("DEBUG", page.url(), await page.locator("main").innerText(), log.errors);
          await screenshot(page, "debug");
          throw e;
        },
      );
      await stats.getByRole("heading", { name: "Spring VIPs" }).waitFor();

      // Over REST: one campaign, running, as entered.
      const list = await api<{ items: { id: string }[] }>(gw, "GET", "/v1/campaigns");
      assert.deepEqual(list.items.map((c) => c.id), [id]);
      const { campaign } = await api<{ campaign: CampaignOut }>(gw, "GET", `/v1/campaigns/${id}`);
      assert.equal(campaign.status, "running");
      assert.equal(campaign.definition.name, "Spring VIPs");
      assert.deepEqual(campaign.definition.audience, { tagsAny: ["vip"] });
      assert.equal(campaign.definition.steps.length, 1);
      assert.equal(campaign.definition.steps[0]!.channel, "sms");
      assert.equal(campaign.definition.steps[0]!.delayMinutes, 0);
      assert.equal(campaign.definition.steps[0]!.variants[0]!.template, TEMPLATE_BODY);
      assert.equal(campaign.definition.throttlePerMinute, 60);

      // The view follows the enrollment live.
      await until(
        async () => (await stats.locator('[data-figure="enrolled"] td').innerText()).trim() === "2",
        15_000,
        "2 enrolled shown",
      );
      assert.match(await stats.locator("[data-channel]").innerText(), /SMS/);
      assert.match(await stats.locator("[data-audience]").innerText(), /vip/);
      assert.equal(await stats.locator("canvas[role=img]").count(), 1);
      await screenshot(page, "view-campaign-stats");
      await assertAccessible(page, "the stats view");

      // Pause, then stop after confirming, by keyboard.
      await tabTo(page, /^Pause$/);
      await page.keyboard.press("Enter");
      await stats.locator('[data-status="paused"]').waitFor();
      await tabTo(page, /^Stop…$/);
      await page.keyboard.press("Enter");
      assert.match((await focused(page)).name, /^Keep it paused$/);
      await tabTo(page, /^Stop the campaign$/, true);
      await page.keyboard.press("Enter");
      await stats.locator('[data-status="stopped"]').waitFor();
      const stopped = await api<{ campaign: CampaignOut }>(gw, "GET", `/v1/campaigns/${id}`);
      assert.equal(stopped.campaign.status, "stopped");

      // The list shows it.
      await page.goto(`${gw.url}/#/campaigns`);
      const row = page.locator(`tr[data-campaign-id="${id}"]`);
      await row.waitFor();
      assert.match(await row.innerText(), /Spring VIPs\s+Stopped\s+2/);
      await screenshot(page, "view-campaigns");
      await assertAccessible(page, "the campaign list");

      // At phone width every campaign view fits without sideways scrolling.
      await page.setViewportSize({ width: 390, height: 800 });
      for (
        const [path, view] of [
          ["#/campaigns", "cove-campaigns-view"],
          ["#/campaigns/new", "cove-campaign-wizard"],
          [`#/campaigns/${id}`, "cove-campaign-stats"],
        ]
      ) {
        await page.goto(`${gw.url}/${path}`);
        await page.locator(`${view}[data-ready]`).waitFor();
        assert.ok(
          await page.locator("html").evaluate((el) =>
            el.scrollWidth <= el.ownerDocument.defaultView!.innerWidth
          ),
          `no horizontal scrolling at 390 px on ${path}`,
        );
      }
      await screenshot(page, "view-campaign-stats-phone");

      // The refused create and the bad preview answered 400 on purpose; nothing else failed.
      assert.deepEqual(
        unexpectedErrors(log).filter((e) => !/status of 400 \(Bad Request\)/.test(e)),
        [],
      );
    } finally {
      await browser.close();
      await gw.close();
    }
  },
});
