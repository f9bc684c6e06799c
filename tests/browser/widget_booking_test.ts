/**
 * The widget's server-side settings and its meeting picker in a real
 * browser: a site key set to show phone and company only, with booking on,
 * embedded on another origin for a visitor in Paris. The form shows exactly
 * those fields with their labels, lists free times by day in the visitor's
 * zone, a time is picked with the keyboard, and the submit captures the lead
 * and books that time (checked over REST); the thank-you names the time.
 * When the time is taken meanwhile, the thank-you offers the times free now
 * and books the one picked for the same lead.
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
  startHostPage,
  unexpectedErrors,
} from "./_support.ts";

interface BookingList {
  items: {
    leadId: string;
    start: string;
    end: string;
    status: string;
    attendee: { phone?: string };
  }[];
}

const longDay = [{ start: "08:00", end: "20:00" }];

/** Member `rosa`, free 08:00-20:00 UTC every day, and a site key showing phone and company with booking on. */
async function bookableSiteKey(gw: Gateway, origin: string): Promise<string> {
  await api(gw, "POST", "/v1/team/members", { id: "rosa", name: "Rosa", types: ["sales"] });
  await api(gw, "PUT", "/v1/team/members/rosa/hours", {
    timeZone: "UTC",
    weekly: {
      "1": longDay,
      "2": longDay,
      "3": longDay,
      "4": longDay,
      "5": longDay,
      "6": longDay,
      "7": longDay,
    },
  });
  return (await api<{ key: string }>(gw, "POST", "/v1/site-keys", {
    allowedOrigins: [origin],
    widget: {
      fields: ["company", "phone"],
      labels: { company: "Bakery name" },
      thankYou: "Thanks! Rosa will call you back.",
      booking: true,
    },
  })).key;
}

Deno.test({
  name: "a widget with phone and company fields and booking shows those and free times; " +
    "a time picked by keyboard is booked with the lead",
  ...BROWSER_TEST,
  async fn() {
    const gw = await startGateway();
    let key = "";
    const host = startHostPage(gw.url, () => key);
    const browser = await launchBrowser();
    try {
      key = await bookableSiteKey(gw, host.origin);

      const { context, log } = await contextWithLog(browser, {
        timezoneId: "Europe/Paris",
        locale: "en-US",
        viewport: { width: 390, height: 900 },
      });
      const page = await context.newPage();
      await page.goto(host.url);
      await page.getByText("Times are in your time zone, Europe/Paris.").waitFor();
      const firstTime = page.locator("label.time input").first();
      await firstTime.waitFor({ timeout: 10_000 });

      // Exactly the configured fields, in the stable order, with the configured label.
      const labels = await page.locator(".field label").allTextContents();
      assert.deepEqual(labels.map((l) => l.trim()), ["Phone", "Bakery name"]);
      assert.equal(await page.getByLabel("Name", { exact: true }).count(), 0);
      assert.equal(await page.getByLabel("Email").count(), 0);
      // Times grouped by day, each radio named by its day and time.
      const days = await page.locator(".slots h3").allTextContents();
      // Seven days ahead: six or seven of them with times, as today's may be over.
      assert.ok(days.length >= 6, `a week of days: ${days}`);
      const firstName = await firstTime.getAttribute("aria-label");
      assert.ok(firstName?.startsWith(days[0]!), `${firstName} starts with ${days[0]}`);

      // Keyboard only. Sent empty, the form asks for the one way to reach a person it shows
      // and puts focus there; then phone, company, into the radio group and two times down.
      await page.keyboard.press("Tab");
      await page.keyboard.press("Enter");
      await page.getByText("Give a phone number so we can reach you.").first().waitFor();
      assert.ok(
        await page.getByLabel("Phone").evaluate((el) =>
          (el.getRootNode() as { activeElement: unknown }).activeElement === el
        ),
      );
      await page.keyboard.type("(415) 555-0142");
      await page.keyboard.press("Tab");
      await page.keyboard.type("Rosa's Bakery");
      await page.keyboard.press("Tab"); // the group's checked radio: "No call for now"
      await page.keyboard.press("ArrowDown"); // the first time
      await page.keyboard.press("ArrowDown"); // the second time
      const picked = page.locator("label.time input:checked");
      assert.equal(await picked.count(), 1);
      const pickedName = (await picked.getAttribute("aria-label"))!;
      const [start, end] = (await picked.inputValue()).split("/");
      assert.equal(
        pickedName,
        await page.locator("label.time input").nth(1).getAttribute("aria-label"),
      );
      await screenshot(page, "widget-booking");
      await page.keyboard.press("Tab"); // the honeypot is skipped: straight to Send
      await page.keyboard.press("Enter");

      await page.getByText("Thank you!").waitFor({ timeout: 10_000 });
      await page.getByText("Thanks! Rosa will call you back.").waitFor();
      const meeting = (await page.locator(".meeting").textContent())!;
      const time = pickedName.split(", ").at(-1)!;
      assert.match(meeting, /^Your call is booked for /);
      assert.ok(meeting.includes(time), `${meeting} names ${time}`);
      assert.ok(meeting.includes("(Europe/Paris)"), meeting);
      await screenshot(page, "widget-booking-thanks");

      // Over REST: one booking at that time, for the lead the widget captured.
      const bookings = await api<BookingList>(gw, "GET", "/v1/bookings?member=rosa");
      assert.equal(bookings.items.length, 1);
      const [booking] = bookings.items;
      assert.equal(booking!.start, start);
      assert.equal(booking!.end, end);
      assert.equal(booking!.status, "confirmed");
      assert.equal(booking!.attendee.phone, "+14155550142");
      const lead = await api<{ source: string; contact: { company?: string; timeZone?: string } }>(
        gw,
        "GET",
        `/v1/leads/${booking!.leadId}`,
      );
      assert.equal(lead.source, "widget");
      assert.equal(lead.contact.company, "Rosa's Bakery");
      assert.equal(lead.contact.timeZone, "Europe/Paris");
      assert.deepEqual(unexpectedErrors(log), []);
    } finally {
      await browser.close();
      await host.close();
      await gw.close();
    }
  },
});

Deno.test({
  name: "a time taken while the visitor was choosing: the lead is still captured and the " +
    "thank-you says the time is no longer free and books another time picked there",
  ...BROWSER_TEST,
  async fn() {
    const gw = await startGateway();
    let key = "";
    const host = startHostPage(gw.url, () => key);
    const browser = await launchBrowser();
    try {
      key = await bookableSiteKey(gw, host.origin);
      const { context, log } = await contextWithLog(browser, { timezoneId: "Europe/Paris" });
      const page = await context.newPage();
      await page.goto(host.url);
      const first = page.locator("label.time input").first();
      await first.waitFor({ timeout: 10_000 });
      const [start] = (await first.inputValue()).split("/");

      // Staff book that very time for someone else over REST.
      const other = await api<{ leadId: string }>(gw, "POST", "/v1/leads", {
        idempotencyKey: "staff-1",
        contact: { name: "Sam Lee", email: "sam@example.com" },
      });
      await api(gw, "POST", "/v1/bookings", {
        memberId: "rosa",
        leadId: other.leadId,
        start,
        durationMinutes: 30,
        attendee: { name: "Sam Lee", email: "sam@example.com" },
        idempotencyKey: "staff-booking-1",
      });

      await page.getByLabel("Phone").fill("(415) 555-0177");
      await first.check();
      await page.getByRole("button", { name: "Send" }).click();
      await page.getByText("Thank you!").waitFor({ timeout: 10_000 });
      assert.match((await page.locator(".meeting").textContent())!, /no longer free/);

      const bookings = await api<BookingList>(gw, "GET", "/v1/bookings?member=rosa");
      assert.deepEqual(bookings.items.map((b) => b.leadId), [other.leadId]);
      const leads = () =>
        gw.sql!<{ id: string }[]>`
          SELECT lead_id AS id FROM leads WHERE phone = '+14155550177' AND source = 'widget'`;
      const captured = await leads();
      assert.equal(captured.length, 1, "the visitor's lead is captured");

      // The times free now are offered in the thank-you, the taken one no longer among them.
      const offered = page.locator(".thanks label.time input");
      await offered.first().waitFor({ timeout: 10_000 });
      await page.getByText("pick another below").waitFor();
      assert.notEqual((await offered.first().inputValue()).split("/")[0], start);
      await screenshot(page, "widget-booking-taken");
      // Keyboard only: focus is on the thank-you; into the group, one time down, book it.
      assert.ok(
        await page.locator(".thanks").evaluate((el) =>
          (el.getRootNode() as { activeElement: unknown }).activeElement === el
        ),
      );
      await page.keyboard.press("Tab"); // the group's first time (none is checked)
      await page.keyboard.press("ArrowDown"); // the second time, now checked
      const picked = page.locator(".thanks label.time input:checked");
      assert.equal(await picked.count(), 1);
      const pickedName = (await picked.getAttribute("aria-label"))!;
      const [newStart, newEnd] = (await picked.inputValue()).split("/");
      assert.equal(pickedName, await offered.nth(1).getAttribute("aria-label"));
      await page.keyboard.press("Tab");
      assert.ok(
        await page.getByRole("button", { name: "Book this time" }).evaluate((el) =>
          (el.getRootNode() as { activeElement: unknown }).activeElement === el
        ),
      );
      await page.keyboard.press("Enter");

      const meeting = page.locator(".meeting", { hasText: /^Your call is booked for / });
      await meeting.waitFor({ timeout: 10_000 });
      const time = pickedName.split(", ").at(-1)!;
      assert.ok((await meeting.textContent())!.includes(time), `names ${time}`);
      assert.equal(await page.locator(".thanks label.time").count(), 0, "no times offered now");
      await screenshot(page, "widget-booking-rebooked");

      // Over REST: exactly one booking for the visitor's lead, at the time picked; one lead.
      const after = await api<BookingList>(gw, "GET", "/v1/bookings?member=rosa");
      const mine = after.items.filter((b) => b.leadId === captured[0]!.id);
      assert.equal(mine.length, 1);
      assert.equal(mine[0]!.start, newStart);
      assert.equal(mine[0]!.end, newEnd);
      assert.equal(mine[0]!.status, "confirmed");
      assert.equal(after.items.length, 2);
      assert.deepEqual((await leads()).map((l) => l.id), [captured[0]!.id], "still one lead");
      assert.deepEqual(unexpectedErrors(log), []);
    } finally {
      await browser.close();
      await host.close();
      await gw.close();
    }
  },
});
