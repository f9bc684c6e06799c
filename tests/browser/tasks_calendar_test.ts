/**
 * The tasks board and the bookings calendar in a real browser, on data made
 * over REST: a task shows in its status's column, moves with the keyboard
 * (done, reopened, reassigned) and keeps the focus; the create form shows
 * the gateway's field error next to its field; a task created by REST while
 * the board is open appears live. A booking shows on its day of the week,
 * in the viewer's time zone, one booked by REST while the calendar is open
 * appears live, and rescheduling and cancelling it show on its card. Both
 * views collapse to one column at phone width.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { dateIn, mondayOf } from "../../ui/dashboard/views/_calendar_week.ts";
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

const ZONE = "Europe/Berlin";
const allDay = [{ start: "00:00", end: "24:00" }];

interface Task {
  taskId: string;
  status: string;
  assignee: string | null;
}
interface Booking {
  id: string;
  start: string;
}

/** Two members (Sam with working hours every day, Ada), a lead, a task and a booking. */
async function seed(gw: Gateway) {
  for (const [id, name] of [["sam", "Sam Rivera"], ["ada", "Ada Lin"]]) {
    await api(gw, "POST", "/v1/team/members", {
      id,
      name,
      email: `${id}@cove.test`,
      types: ["sales", "support", "technical"],
    });
  }
  await api(gw, "PUT", "/v1/team/members/sam/hours", {
    timeZone: "UTC",
    weekly: Object.fromEntries(["1", "2", "3", "4", "5", "6", "7"].map((d) => [d, allDay])),
  });
  const { leadId } = await api<{ leadId: string }>(gw, "POST", "/v1/leads", {
    idempotencyKey: "lead-pat",
    contact: { name: "Pat Doe", email: "pat@lead.test" },
  });
  const { task } = await api<{ task: Task }>(gw, "POST", "/v1/tasks", {
    leadId,
    type: "sales",
    title: "Call Pat back",
    priority: "medium",
    dueAt: new Date(Date.now() + 3_600_000).toISOString(),
    idempotencyKey: "task-1",
  });
  const now = Date.now();
  const free = await api<{ status: string; slots: { start: string }[] }>(
    gw,
    "GET",
    `/v1/availability?member=sam&from=${new Date(now).toISOString()}&to=${
      new Date(now + 2 * 86_400_000).toISOString()
    }&durationMinutes=30`,
  );
  assert.equal(free.status, "ok");
  const book = (start: string, key: string, name: string) =>
    api<{ booking: Booking }>(gw, "POST", "/v1/bookings", {
      memberId: "sam",
      leadId,
      start,
      durationMinutes: 30,
      attendee: { name, email: "pat@lead.test", timeZone: "America/New_York" },
      idempotencyKey: key,
    }).then((r) => r.booking);
  return { leadId, task, slots: free.slots.map((s) => s.start), book };
}

/** Whether `selector` is the focused element inside its shadow root. */
function focused(page: Page, selector: string): Promise<boolean> {
  return page.locator(selector).evaluate((el) =>
    (el.getRootNode() as unknown as { activeElement: unknown }).activeElement === el
  );
}

/** Opens the week holding `start` in the calendar (it opens on the current week). */
async function showWeekOf(page: Page, start: string): Promise<void> {
  const target = mondayOf(dateIn(Date.parse(start), ZONE));
  const heading = page.locator("#week-title");
  const shown = await heading.getAttribute("data-monday");
  if (shown === target) return;
  const button = shown! < target ? "Next week" : "Previous week";
  await page.getByRole("button", { name: button }).press("Enter");
  await page.locator(`#week-title[data-monday="${target}"]`).waitFor();
}

Deno.test({
  name: "the tasks board moves tasks by keyboard and live; the calendar books, moves and cancels",
  ...BROWSER_TEST,
  async fn() {
    const gw = await startGateway();
    const browser = await launchBrowser();
    try {
      const data = await seed(gw);
      const { context, log } = await contextWithLog(browser, {
        viewport: { width: 1280, height: 900 },
        timezoneId: ZONE,
        locale: "en-GB",
      });
      const page = await context.newPage();
      await page.goto(`${gw.url}/signin#code=${await gw.signinCode()}`);
      await page.locator(".link[data-state=live]").waitFor({ timeout: 15_000 });

      // --- Tasks board ---
      await page.getByRole("link", { name: "Tasks" }).click();
      const id = data.task.taskId;
      assert.equal(data.task.status, "assigned", "round-robin gave the task to a member");
      const card = `article[data-task-id="${id}"]`;
      await page.locator(`section[data-status=assigned] ${card}`).waitFor({ timeout: 10_000 });
      // Lead names follow the cards (read after them).
      await until(
        async () => (await page.locator(card).innerText()).includes("Lead: Pat Doe"),
        5_000,
        "the task names its lead",
      );
      const text = await page.locator(card).innerText();
      assert.match(text, /Call Pat back/);
      assert.match(text, /Assignee: (Sam Rivera|Ada Lin)/);
      assert.match(text, /Due: .*(CET|CEST|GMT\+1|GMT\+2)/);
      assert.equal(
        await page.locator(`${card} a`).getAttribute("href"),
        `#/leads/${encodeURIComponent(data.leadId)}`,
      );

      // Done with the keyboard: the card moves to Done and keeps the focus.
      await page.getByRole("button", { name: "Mark done: Call Pat back" }).press("Enter");
      await page.locator(`section[data-status=done] ${card}`).waitFor({ timeout: 5_000 });
      await until(() => focused(page, card), 2_000, "the moved card has the focus");
      // Reopened, it goes back to its assignee's column; then handed to the other member.
      await page.getByRole("button", { name: "Reopen: Call Pat back" }).press("Enter");
      await page.locator(`section[data-status=assigned] ${card}`).waitFor({ timeout: 5_000 });
      const other = data.task.assignee === "sam" ? ["ada", "Ada Lin"] : ["sam", "Sam Rivera"];
      await page.locator(`${card} select`).selectOption(other[0]!);
      await page.getByRole("button", { name: "Assign Call Pat back" }).press("Enter");
      await until(
        async () => (await page.locator(card).innerText()).includes(`Assignee: ${other[1]}`),
        5_000,
        "the task shows its new assignee",
      );
      const [row] = await gw.sql!<{ assignee: string; status: string }[]>`
        SELECT assignee, status FROM tasks WHERE task_id = ${id}`;
      assert.deepEqual({ ...row }, { assignee: other[0], status: "assigned" });

      // The create form: the gateway's field error is shown next to its field.
      await page.getByRole("button", { name: "New task" }).press("Enter");
      await until(() => focused(page, "#new-leadId"), 2_000, "the form opens on its first field");
      await page.getByLabel("Lead", { exact: true }).fill(data.leadId);
      await page.getByLabel("Due (your time)").fill("2030-01-02T10:00");
      await page.getByRole("button", { name: "Create task" }).click();
      const titleError = page.locator("#new-title-error");
      await titleError.waitFor({ timeout: 5_000 });
      assert.equal(await titleError.getAttribute("role"), "alert");
      assert.equal(
        await page.getByLabel("Title", { exact: true }).getAttribute("aria-describedby"),
        "new-title-error",
      );
      await page.getByLabel("Title", { exact: true }).fill("Send Pat the quote");
      await page.getByRole("button", { name: "Create task" }).click();
      await page.locator("section[data-status=assigned] article", { hasText: "Send Pat the quote" })
        .waitFor({ timeout: 5_000 });
      await until(async () => !(await titleError.isVisible()), 2_000, "the title error cleared");

      // A task created over REST while the board is open appears live, marked new, naming its
      // lead even though the lead is newer than the board.
      const { leadId: lateLead } = await api<{ leadId: string }>(gw, "POST", "/v1/leads", {
        idempotencyKey: "lead-quinn",
        contact: { name: "Quinn Late", email: "quinn@lead.test" },
      });
      const live = await api<{ task: Task }>(gw, "POST", "/v1/tasks", {
        leadId: lateLead,
        type: "support",
        title: "Quinn asked about invoices",
        priority: "high",
        dueAt: new Date(Date.now() - 60_000).toISOString(),
        idempotencyKey: "task-live",
      });
      const liveCard = page.locator(`article[data-task-id="${live.task.taskId}"]`);
      await liveCard.waitFor({ timeout: 10_000 });
      assert.equal(await liveCard.getAttribute("data-fresh"), "");
      assert.match(await liveCard.innerText(), /Overdue/, "past due is said in words");
      await until(
        async () => (await liveCard.innerText()).includes("Lead: Quinn Late"),
        5_000,
        "the new lead is named",
      );

      // Filters are the list route's: by type, then overdue only, then none again.
      const titles = () =>
        page.locator("article[data-task-id] h4").evaluateAll((hs) =>
          hs.map((h) => h.textContent).sort().join("|")
        );
      await page.getByLabel("Type", { exact: true }).first().selectOption("support");
      await until(
        async () => await titles() === "Quinn asked about invoices",
        5_000,
        "only the support task",
      );
      await page.getByLabel("Type", { exact: true }).first().selectOption("");
      await page.getByLabel("Overdue only").check();
      await until(
        async () => await titles() === "Quinn asked about invoices",
        5_000,
        "only the overdue task",
      );
      await page.getByLabel("Overdue only").uncheck();
      await until(async () => (await titles()).split("|").length === 3, 5_000, "all tasks again");
      await screenshot(page, "view-tasks");
      const taskIssues = await axeViolations(page);
      assert.deepEqual(taskIssues, [], formatViolations("tasks", taskIssues));

      // --- Bookings calendar ---
      const first = await data.book(data.slots[0]!, "book-1", "Pat Doe");
      await page.getByRole("link", { name: "Bookings" }).click();
      await page.locator("cove-bookings-calendar[data-ready]").waitFor({ timeout: 10_000 });
      await showWeekOf(page, first.start);
      const day = dateIn(Date.parse(first.start), ZONE);
      const booking = `article[data-booking-id="${first.id}"]`;
      await page.locator(`section[data-date="${day}"] ${booking}`).waitFor({ timeout: 10_000 });
      const shown = await page.locator(booking).innerText();
      assert.match(shown, /Pat Doe/);
      assert.match(shown, /With Sam Rivera/);
      assert.match(shown, /Confirmed/);
      assert.match(shown, /Their time: .*\(America\/New_York\)/, "the attendee's own time too");
      assert.match(shown, /CET|CEST|GMT\+1|GMT\+2/, "the time names its zone");
      await page.getByText("Times are in your time zone, Europe/Berlin.").waitFor();

      // Booked over REST while open: it appears live.
      const second = await data.book(data.slots[4]!, "book-2", "Pat Second");
      await showWeekOf(page, second.start);
      await page.locator(`article[data-booking-id="${second.id}"]`).waitFor({ timeout: 10_000 });
      await showWeekOf(page, first.start);

      // Rescheduled from the offered slots, by keyboard.
      await page.getByRole("button", { name: /^Reschedule the meeting with Pat Doe/ })
        .press("Enter");
      const slotSelect = page.locator(`#slot-${first.id}`);
      await slotSelect.waitFor({ timeout: 5_000 });
      const target = data.slots[2]!;
      await slotSelect.selectOption(target);
      await page.getByRole("button", { name: "Move meeting" }).press("Enter");
      await until(
        async () => (await page.locator(`${booking} time`).getAttribute("datetime")) === target,
        5_000,
        "the booking shows its new time",
      );

      // Cancelled: its status says so in words.
      await showWeekOf(page, target);
      await page.getByRole("button", { name: /^Cancel the meeting with Pat Doe/ }).press("Enter");
      await page.getByLabel(/^Reason/).fill("Pat is travelling");
      await page.getByRole("button", { name: "Confirm cancellation" }).press("Enter");
      await until(
        async () => (await page.locator(booking).getAttribute("data-status")) === "cancelled",
        5_000,
        "the booking shows cancelled",
      );
      assert.match(await page.locator(booking).innerText(), /Cancelled\s+Pat is travelling/);
      const list = await api<{ items: { id: string; status: string }[] }>(
        gw,
        "GET",
        "/v1/bookings?member=sam",
      );
      assert.equal(list.items.find((b) => b.id === first.id)?.status, "cancelled");

      // Booked from the form: a member's free time, a lead, and it shows on its day.
      await page.getByRole("button", { name: "Book a meeting" }).press("Enter");
      await page.getByLabel("Team member", { exact: true }).last().selectOption("sam");
      await page.getByRole("button", { name: "Show free times" }).press("Enter");
      const time = page.locator("#book-start");
      await time.waitFor({ timeout: 5_000 });
      const booked = data.slots[6]!;
      await time.selectOption(booked);
      await page.getByLabel("Lead", { exact: true }).fill(data.leadId);
      // Choosing a known lead fills in whom the confirmation goes to.
      await until(
        async () => await page.getByLabel("Attendee name").inputValue() === "Pat Doe",
        2_000,
        "the lead's name filled in",
      );
      assert.equal(await page.getByLabel(/^Attendee email/).inputValue(), "pat@lead.test");
      await page.getByLabel("Attendee name").fill("Pat Booked");
      const panelIssues = await axeViolations(page);
      assert.deepEqual(panelIssues, [], formatViolations("calendar", panelIssues));
      await screenshot(page, "view-calendar-book");
      await page.getByRole("button", { name: "Book", exact: true }).press("Enter");
      await showWeekOf(page, booked);
      const made = page.locator(
        `section[data-date="${dateIn(Date.parse(booked), ZONE)}"] article[data-status=confirmed]`,
        { hasText: "Pat Booked" },
      );
      await made.waitFor({ timeout: 10_000 });
      assert.equal(await made.getByRole("link").innerText(), "Pat Booked");
      assert.equal(await made.locator("time").getAttribute("datetime"), booked);
      await screenshot(page, "view-calendar");

      // Phone width: one column, nothing spilling sideways.
      const phone = await contextWithLog(browser, {
        viewport: { width: 390, height: 800 },
        timezoneId: ZONE,
      });
      const small = await phone.context.newPage();
      await small.goto(`${gw.url}/signin#code=${await gw.signinCode()}`);
      await small.locator(".link[data-state=live]").waitFor({ timeout: 15_000 });
      for (const [view, grid] of [["tasks", ".columns"], ["calendar", ".week"]] as const) {
        await small.goto(`${gw.url}/#/${view}`);
        await small.locator(grid).waitFor({ timeout: 10_000 });
        const columns = await small.locator(grid).evaluate((el) =>
          el.ownerDocument.defaultView!.getComputedStyle(el).gridTemplateColumns.split(" ").length
        );
        assert.equal(columns, 1, `${view} is one column at 390 px`);
        assert.ok(
          await small.locator("html").evaluate((el) =>
            el.scrollWidth <= el.ownerDocument.defaultView!.innerWidth
          ),
          `${view}: no horizontal scrolling at 390 px`,
        );
        await screenshot(small, `view-${view}-phone`);
      }

      // The browser reports the refused create (the missing title) itself; that one is expected.
      const errors = unexpectedErrors(log);
      assert.equal(errors.filter((e) => /status of 400 .*\/v1\/tasks$/.test(e)).length, 1);
      assert.deepEqual(errors.filter((e) => !/status of 400 .*\/v1\/tasks$/.test(e)), []);
      assert.deepEqual(unexpectedErrors(phone.log), []);
    } finally {
      await browser.close();
      await gw.close();
    }
  },
});
