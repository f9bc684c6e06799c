/**
 * Every view of the dashboard in a real browser, whatever state each is in:
 * with a few leads, a task and a campaign draft created over REST, each
 * entry of the navigation, a lead, the campaign wizard and a campaign are
 * shown until their first load ended (`data-ready`), saved as
 * `main-<view>.png` (1280×800) and `phone-<view>.png` (390×844), and
 * checked by axe-core against WCAG 2.0/2.1 A and AA, shadow DOM included;
 * at 390 px no view may widen the page (reflow), and a failure names the
 * elements that reach past the edge. All problems are listed at once, so
 * one run says what every view's owner has to fix. Keyboard: Tab from the top of the page reaches every navigation link,
 * each with a visible focus outline. No console errors.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { href, NAV, type ViewName } from "../../ui/dashboard/router.ts";
import { type AxeViolation, axeViolations, formatViolations } from "./_axe.ts";
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

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

/** A little of everything the views read: leads, a task, a campaign draft. */
async function seed(gw: Gateway): Promise<{ leadId: string; campaignId: string }> {
  const leads = [];
  for (const [i, name] of ["Ada Lovelace", "Grace Hopper", "Alan Turing"].entries()) {
    leads.push(
      await api<{ leadId: string }>(gw, "POST", "/v1/leads", {
        idempotencyKey: `views-${i}`,
        source: i === 0 ? "widget" : "rest",
        contact: {
          name,
          email: `lead${i}@views.test`,
          ...(i === 1 ? { phone: "+14155550123" } : {}),
        },
        ...(i === 0 ? { message: "Can you call me tomorrow?" } : {}),
      }),
    );
  }
  const leadId = leads[0]!.leadId;
  await api(gw, "PATCH", `/v1/leads/${leads[1]!.leadId}`, { status: "contacted" });
  await api(gw, "POST", "/v1/tasks", {
    leadId,
    type: "sales",
    title: "Call Ada back",
    dueAt: Date.now() + 3_600_000,
    priority: "high",
    idempotencyKey: "views-task",
  });
  const { campaign } = await api<{ campaign: { id: string } }>(gw, "POST", "/v1/campaigns", {
    name: "Spring offer",
    audience: { statuses: ["new"] },
    steps: [{
      channel: "email",
      delayMinutes: 0,
      variants: [{ subject: "Spring", template: "Hi {{firstName}}, our spring offer is here." }],
    }],
    split: [100],
    throttlePerMinute: 100,
  });
  return { leadId, campaignId: campaign.id };
}

/** In the page: true when no element, in any open shadow root, says it is loading. */
const NOTHING_BUSY = `(() => {
  const busy = (root) => [...root.querySelectorAll("*")].some((el) =>
    el.getAttribute("aria-busy") === "true" || (el.shadowRoot !== null && busy(el.shadowRoot)));
  return !busy(document);
})()`;

/**
 * In the page: the innermost elements reaching past the viewport's right edge (not counting what
 * scrolls inside its box), named by their path through shadow roots.
 */
const WIDEST = `(() => {
  const out = [];
  const walk = (root, path) => {
    for (const el of root.children) {
      const name = path + " > " + el.localName + (el.className ? "." + String(el.className).trim().split(/\\s+/).join(".") : "");
      const past = el.getBoundingClientRect().right > innerWidth + 1;
      const before = out.length;
      // What scrolls inside a box does not widen the page.
      if (getComputedStyle(el).overflowX === "visible") {
        walk(el, name);
        if (el.shadowRoot) walk(el.shadowRoot, name + " >>>");
      }
      if (past && out.length === before) out.push(name + " (" + Math.round(el.getBoundingClientRect().width) + " px)");
    }
  };
  walk(document.body, "body");
  return out.slice(0, 3).join("; ");
})()`;

/** Waits until the view shown has loaded once and nothing inside it is still loading. */
async function shown(page: Page, view: ViewName): Promise<void> {
  await page.locator(`main[data-view="${view}"] > [data-ready]`).waitFor({ timeout: 15_000 });
  // Views inside the view (the overview's table) mark themselves busy while they load.
  await until(() => page.evaluate<boolean>(NOTHING_BUSY), 10_000, `${view}: nothing busy`);
}

/** The deepest focused element (through shadow roots) and its focus outline. */
function focused(page: Page) {
  return page.evaluate<{ href: string | null; inNav: boolean; outline: string } | null>(`(() => {
    let el = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    if (!el) return null;
    const style = getComputedStyle(el);
    return {
      href: el.getAttribute("href"),
      inNav: el.closest("nav") !== null,
      outline: style.outlineStyle + " " + style.outlineWidth,
    };
  })()`);
}

Deno.test({
  name: "every dashboard view loads, passes axe (WCAG 2.1 AA) at desktop and phone width, " +
    "fits 390 px without sideways scrolling, and its navigation takes the keyboard",
  ...BROWSER_TEST,
  async fn() {
    const gw = await startGateway();
    const browser = await launchBrowser();
    try {
      const { leadId, campaignId } = await seed(gw);
      const { context, log } = await contextWithLog(browser, { viewport: DESKTOP });
      const page = await context.newPage();
      await page.goto(`${gw.url}/signin#code=${await gw.signinCode()}`);
      await page.locator(".link[data-state=live]").waitFor({ timeout: 15_000 });

      // The sign-in form itself, in a context with no session.
      const out = await contextWithLog(browser, { viewport: DESKTOP });
      const signin = await out.context.newPage();
      await signin.goto(`${gw.url}/`);
      await signin.getByLabel("Sign-in link or code").waitFor();
      const violations: string[] = [];
      const overflow: string[] = [];
      const check = (where: string, found: AxeViolation[]) => {
        if (found.length) violations.push(formatViolations(where, found));
      };
      check("signin", await axeViolations(signin));
      await screenshot(signin, "main-signin");
      await signin.setViewportSize(PHONE);
      await screenshot(signin, "phone-signin");
      check("signin (phone)", await axeViolations(signin));
      assert.deepEqual(unexpectedErrors(out.log), []);
      await out.context.close();

      // Keyboard: from the top of the page, Tab reaches every navigation link, focus visible.
      await shown(page, "overview");
      const outlines = new Map<string, string>();
      for (let i = 0; i < 30 && outlines.size < NAV.length; i++) {
        await page.keyboard.press("Tab");
        const f = await focused(page);
        if (f?.inNav && f.href) outlines.set(f.href, f.outline);
      }
      assert.deepEqual([...outlines.keys()], NAV.map(([view]) => href(view)));
      for (const [link, outline] of outlines) {
        assert.ok(
          !/^none|\s0px$/.test(outline),
          `${link} focused has no visible outline (${outline})`,
        );
      }

      const views: [string, ViewName, string][] = [
        ...NAV.map(([view]) => [view, view, href(view)] as [string, ViewName, string]),
        ["lead", "lead", href("lead", { id: leadId })],
        ["campaign-new", "campaign-new", href("campaign-new")],
        ["campaign", "campaign", href("campaign", { id: campaignId })],
      ];
      for (const [name, view, fragment] of views) {
        await page.setViewportSize(DESKTOP);
        await page.evaluate((h) => location.hash = h, fragment);
        await shown(page, view);
        await screenshot(page, `main-${name}`);
        check(name, await axeViolations(page));
        await page.setViewportSize(PHONE);
        // Reflow (WCAG 1.4.10): at phone width nothing widens the page; wide content scrolls
        // inside its box. Charts resize a frame after the viewport does: give them a moment.
        const fits = () =>
          page.evaluate<boolean>(`document.documentElement.scrollWidth <= ${PHONE.width}`);
        if (!await until(fits, 3_000, "fits").catch(() => false)) {
          const width = await page.evaluate<number>("document.documentElement.scrollWidth");
          overflow.push(
            `${name}: the page is ${width} px wide at ${PHONE.width}: ${await page.evaluate<string>(
              WIDEST,
            )}`,
          );
        }
        await screenshot(page, `phone-${name}`);
        check(`${name} (phone)`, await axeViolations(page));
      }
      // axe sees into open shadow roots: an unlabelled field in one is reported.
      await page.evaluate(`(() => {
        const host = document.createElement("div");
        host.id = "axe-canary";
        host.attachShadow({ mode: "open" }).innerHTML = "<input type=text>";
        document.body.append(host);
      })()`);
      const canary = await axeViolations(page);
      assert.ok(
        canary.some((v) =>
          v.id === "label" && v.nodes.some((n) => n.target.includes("axe-canary"))
        ),
        `axe missed the unlabelled field in a shadow root: ${formatViolations("canary", canary)}`,
      );
      await page.evaluate(`document.getElementById("axe-canary").remove()`);

      const problems = [...overflow, ...violations];
      assert.equal(problems.length, 0, `views to fix:\n${problems.join("\n")}`);
      assert.deepEqual(unexpectedErrors(log), []);
    } finally {
      await browser.close();
      await gw.close();
    }
  },
});
