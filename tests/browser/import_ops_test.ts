/**
 * The import and delivery views in a real browser against a real node: a
 * CSV of a few hundred rows (duplicates and invalid rows among them) chosen
 * through the file input is mapped, started once for a double click, and
 * followed to the end by the progress bar, its counts equal to the
 * server's, its rejected rows listed with their reasons; the delivery view
 * shows the default providers in sandbox mode and the empty dead-letter
 * list. Then a node whose SMS goes to a local stand-in for Twilio that
 * refuses messages: a campaign's SMS become dead letters, listed with the
 * provider's error; one is replayed (delivered this time), one discarded.
 *
 * @module
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { startFakeTwilio, twilioError, twilioMessage } from "../../actors/channels/fake_twilio.ts";
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
import { axeViolations, formatViolations } from "./_axe.ts";

/** Fails naming `where` and each rule broken, if axe finds any WCAG A/AA violation. */
async function assertAccessible(page: Parameters<typeof axeViolations>[0], where: string) {
  const issues = await axeViolations(page);
  assert.deepEqual(issues, [], formatViolations(where, issues));
}

/** Rows in the file. */
const ROWS = 300;

/** Rows in the file that is cancelled while it runs: far more than a second's work. */
const BIG_ROWS = 20_000;

/**
 * A file of {@link ROWS} data rows: most are new people; every 25th repeats
 * an earlier person's address under another name (merged), every 30th is an
 * earlier row again word for word (repeated), every 40th has a bad email
 * and no phone (rejected). A column nobody maps is left out.
 */
function peopleCsv(): { csv: string; rejectedRows: number[] } {
  const lines = ["Name,E-mail,Phone,Notes,Favourite cake"];
  const rejectedRows: number[] = [];
  for (let i = 1; i <= ROWS; i++) {
    const row = i + 1; // the header is row 1
    if (i % 40 === 0) {
      lines.push(`Bad ${i},not-an-email-${i},,typo,lemon`);
      rejectedRows.push(row);
    } else if (i % 30 === 0) lines.push(lines[i - 11]!);
    else if (i % 25 === 0) lines.push(`Again ${i},person${i - 20}@import.test,,again,carrot`);
    else lines.push(`Person ${i},person${i}@import.test,,"likes ""cake""",chocolate`);
  }
  return { csv: lines.join("\n") + "\n", rejectedRows };
}

interface Progress {
  importId: string;
  status: string;
  total: number;
  done: number;
  created: number;
  merged: number;
  repeated: number;
  failed: number;
  errors: { row: number; issues: { message: string }[] }[];
}

Deno.test({
  name:
    "import view: a CSV is mapped, started once and followed to the end; delivery view: sandbox providers",
  ...BROWSER_TEST,
  async fn() {
    const gw = await startGateway();
    const browser = await launchBrowser();
    try {
      const { context, log } = await contextWithLog(browser, {
        viewport: { width: 1280, height: 900 },
      });
      const page = await context.newPage();
      await page.goto(`${gw.url}/signin#code=${await gw.signinCode()}`);
      await page.locator(".link[data-state=live]").waitFor({ timeout: 15_000 });
      await page.getByRole("link", { name: "Import" }).click();
      const view = page.locator("cove-import-view[data-ready]");
      await view.waitFor();
      await view.getByText("No imports yet.").waitFor();

      // A file that is not CSV, dropped on the drop zone, is refused before anything is sent.
      const dropped = await page.evaluateHandle(`(() => {
        const data = new DataTransfer();
        data.items.add(new File(["PK"], "leads.xlsx", {
          type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }));
        return data;
      })()`);
      await view.locator(".drop").dispatchEvent("drop", { dataTransfer: dropped });
      await view.getByRole("alert").getByText(/leads\.xlsx is not a CSV file/).waitFor();

      // Columns named like no field start unmapped, the API's reason shown; mapping one fixes it.
      await view.getByLabel(/CSV file/).setInputFiles({
        name: "odd.csv",
        mimeType: "text/csv",
        buffer: Buffer.from("Who,Reach\nDana,dana@example.com\n"),
      });
      await view.getByRole("alert").getByText(/no column maps to contact\.email/).waitFor();
      await view.getByLabel("Reach", { exact: true }).selectOption("contact.email");
      await until(async () => (await view.getByRole("alert").count()) === 0, 5_000, "Reach mapped");
      await view.getByRole("button", { name: "Choose another file" }).click();

      // The file input, labelled, takes the CSV.
      const { csv, rejectedRows } = peopleCsv();
      await view.getByLabel(/CSV file/).setInputFiles({
        name: "people.csv",
        mimeType: "text/csv",
        buffer: Buffer.from(csv),
      });
      // The mapping the API resolves is shown with the first rows; the unknown column is left out.
      const email = view.getByLabel("E-mail", { exact: true });
      await until(
        async () => (await email.inputValue()) === "contact.email",
        5_000,
        "E-mail mapped",
      );
      assert.equal(await view.getByLabel("Notes", { exact: true }).inputValue(), "message");
      const cake = view.getByLabel("Favourite cake", { exact: true });
      assert.equal(await cake.inputValue(), "");
      await view.getByRole("cell", { name: "person1@import.test" }).waitFor();
      await assertAccessible(page, "import mapping");
      // A field filled twice would be refused: the API says so, shown next to the column it names.
      await email.selectOption("contact.name");
      await view.getByRole("alert").getByText(/contact\.name is already filled from column "Name"/)
        .waitFor();
      assert.equal(await email.getAttribute("aria-invalid"), "true");
      await email.selectOption("contact.email");
      await cake.selectOption("customFields.favourite_cake");
      await until(
        async () => (await view.getByRole("alert").count()) === 0,
        5_000,
        "the mapping is accepted again",
      );

      // Two clicks in a row start one import.
      await view.getByRole("button", { name: "Start import" }).dblclick();
      const progress = view.locator("progress#job-progress");
      await progress.waitFor();
      await view.locator("section[data-status=completed]").waitFor({ timeout: 20_000 });
      const { items } = await api<{ items: { importId: string }[] }>(gw, "GET", "/v1/imports");
      assert.equal(items.length, 1, "one import for a double click");
      const server = await api<Progress>(gw, "GET", `/v1/imports/${items[0]!.importId}`);
      assert.equal(server.status, "completed");
      assert.equal(server.total, ROWS);
      assert.equal(server.done, ROWS);
      assert.equal(server.failed, rejectedRows.length);
      assert.ok(server.merged > 0 && server.repeated > 0, JSON.stringify(server));

      // The bar reached the total, and every count is the server's.
      assert.equal(await progress.getAttribute("max"), String(ROWS));
      assert.equal(await progress.getAttribute("value"), String(ROWS));
      const rowsText = `${ROWS} of ${ROWS} rows`;
      assert.equal(await progress.getAttribute("aria-valuetext"), rowsText);
      await view.locator(".progress-text").getByText(rowsText).waitFor();
      for (const k of ["created", "merged", "repeated", "failed"] as const) {
        assert.equal(
          await view.locator(`dd[data-count=${k}]`).textContent(),
          String(server[k]),
          k,
        );
      }
      // A rejected row shows its row number and the reason the server gave.
      const first = server.errors[0]!;
      assert.equal(first.row, rejectedRows[0]);
      const rejected = view.locator(`tr[data-row="${first.row}"]`);
      await rejected.getByText(first.issues[0]!.message).waitFor();
      assert.equal(await view.locator("tr[data-row]").count(), rejectedRows.length);
      // The custom column went to the leads.
      const lead = await api<{ items: { lead_id: string }[] }>(gw, "GET", "/v1/leads?limit=1");
      const detail = await api<{ customFields?: Record<string, unknown> }>(
        gw,
        "GET",
        `/v1/leads/${lead.items[0]!.lead_id}`,
      );
      assert.ok(detail.customFields?.favourite_cake, JSON.stringify(detail));
      await screenshot(page, "view-import");
      await assertAccessible(page, "import done");

      // A large import is followed while it runs, and cancelled: rows done so far stay.
      await view.getByRole("button", { name: "Import another file" }).click();
      const big = ["Email"];
      for (let i = 0; i < BIG_ROWS; i++) big.push(`bulk${i}@import.test`);
      await view.getByLabel(/CSV file/).setInputFiles({
        name: "bulk.csv",
        mimeType: "text/csv",
        buffer: Buffer.from(big.join("\n") + "\n"),
      });
      await view.getByRole("button", { name: "Start import" }).click();
      await view.locator("section[data-status=running]").waitFor();
      await until(
        async () => Number(await progress.getAttribute("value")) > 0,
        15_000,
        "the bar moved",
      );
      await screenshot(page, "view-import-running");
      // Leaving the view and coming back shows the running import again.
      await page.getByRole("link", { name: "Delivery" }).click();
      await page.locator("cove-ops-view[data-ready]").waitFor();
      await page.getByRole("link", { name: "Import" }).click();
      await view.locator("section[data-status=running]").waitFor();
      await view.getByRole("button", { name: "Cancel import" }).click();
      await view.locator("section[data-status=cancelled]").waitFor();
      await view.locator(".progress-text").getByText(/\(cancelled\)/).waitFor();
      const imports = await api<{ items: { importId: string; status: string; done: number }[] }>(
        gw,
        "GET",
        "/v1/imports",
      );
      const bulk = imports.items.find((i) => i.importId !== server.importId)!;
      assert.equal(bulk.status, "cancelled");
      assert.ok(bulk.done < BIG_ROWS, `${bulk.done} of ${BIG_ROWS} rows before the cancel`);
      await page.setViewportSize({ width: 390, height: 844 });
      await until(
        () => page.locator("html").evaluate((el) => el.scrollWidth <= 390),
        5_000,
        "the import view fits 390 px",
      ).catch(async (e) => {
        await screenshot(page, "view-import-phone");
        throw e;
      });
      await page.setViewportSize({ width: 1280, height: 900 });

      // The delivery view: the default providers are sandboxes, said in words; no dead letters.
      await page.getByRole("link", { name: "Delivery" }).click();
      const ops = page.locator("cove-ops-view[data-ready]");
      await ops.waitFor();
      for (const channel of ["sms", "email"]) {
        const card = ops.locator(`li.card[data-channel=${channel}]`);
        await card.getByText("Sandbox: messages are not delivered").waitFor();
        await card.getByText(/Circuit breaker:\s*Closed/).waitFor();
      }
      await ops.getByRole("heading", { name: "Dead letters" }).waitFor();
      await ops.getByText(/No dead letters: every message was delivered/).waitFor();
      await ops.getByRole("table", { name: /Outgoing messages/ }).waitFor();
      await screenshot(page, "view-ops-empty");
      await assertAccessible(page, "delivery, empty");

      assert.deepEqual(unexpectedErrors(log), []);
    } finally {
      await browser.close();
      await gw.close();
    }
  },
});

/** A zone where it is now early afternoon, so the send window (09:00-20:00 local) is open. */
function afternoonZone(now = new Date()): string {
  const offset = ((14 - now.getUTCHours() + 36) % 24) - 12; // -12..11 hours from UTC
  // Etc/GMT names count the other way: Etc/GMT-3 is three hours ahead of UTC.
  return offset === 0 ? "UTC" : `Etc/GMT${offset > 0 ? "-" : "+"}${Math.abs(offset)}`;
}

const TWILIO_ENV = {
  TWILIO_ACCOUNT_SID: `AC${"0".repeat(32)}`,
  TWILIO_AUTH_TOKEN: "test-token",
  TWILIO_FROM: "+15005550006",
} as const;

Deno.test({
  name: "delivery view: SMS refused by the provider are dead letters; one replayed, one discarded",
  ...BROWSER_TEST,
  async fn() {
    let refusing = true;
    await using twilio = startFakeTwilio({
      authToken: TWILIO_ENV.TWILIO_AUTH_TOKEN,
      reply: (req) =>
        refusing
          ? {
            status: 400,
            body: twilioError(400, 21610, "Attempt to send to unsubscribed recipient"),
          }
          : { status: 201, body: twilioMessage(req) },
    });
    // The node picks its providers from the environment once, as it starts.
    const env = { ...TWILIO_ENV, TWILIO_BASE_URL: twilio.baseUrl };
    for (const [k, v] of Object.entries(env)) Deno.env.set(k, v);
    let gw;
    try {
      gw = await startGateway();
    } finally {
      for (const k of Object.keys(env)) Deno.env.delete(k);
    }
    const browser = await launchBrowser();
    try {
      const phones = ["+14155550101", "+14155550102"];
      for (const [i, phone] of phones.entries()) {
        await api(gw, "POST", "/v1/leads", {
          idempotencyKey: `dl-${i}`,
          source: "rest",
          contact: { name: `Text Me ${i}`, phone, timeZone: afternoonZone() },
          consent: [{ channel: "sms", granted: true, source: "test form" }],
          tags: ["dead-letter-test"],
        });
      }
      const { campaign } = await api<{ campaign: { id: string } }>(gw, "POST", "/v1/campaigns", {
        name: "Hello by text",
        audience: { tagsAny: ["dead-letter-test"] },
        steps: [{
          channel: "sms",
          delayMinutes: 0,
          variants: [{ template: "Hi, this is Rosa's Bakery." }],
        }],
      });
      await api(gw, "POST", `/v1/campaigns/${campaign.id}/launch`);
      type Page = { items: { id: number; lastError: string }[] };
      // Waited for in the database: every REST call counts against the admin's rate limit.
      await until(
        async () => {
          const [r] = await gw.sql!<{ n: number }[]>`
          SELECT count(*)::int AS n FROM outbox WHERE channel = 'sms' AND status = 'dead'`;
          return r!.n === 2;
        },
        20_000,
        "both SMS dead letters",
      );
      const dead = (await api<Page>(gw, "GET", "/v1/dead-letters?channel=sms")).items;
      assert.equal(dead.length, 2);
      assert.match(dead[0]!.lastError, /twilio rejected 400/);

      const { context, log } = await contextWithLog(browser, {
        viewport: { width: 1280, height: 900 },
      });
      const page = await context.newPage();
      await page.goto(`${gw.url}/signin#code=${await gw.signinCode()}`);
      await page.locator(".link[data-state=live]").waitFor({ timeout: 15_000 });
      await page.goto(`${gw.url}/#/ops`);
      const ops = page.locator("cove-ops-view[data-ready]");
      await ops.waitFor();
      await ops.locator("li.card[data-channel=sms]")
        .getByText("Live: messages are delivered through twilio").waitFor();
      await ops.locator("li.card[data-channel=email]")
        .getByText("Sandbox: messages are not delivered").waitFor();
      await ops.getByLabel("Channel").selectOption("sms");
      const [first, second] = dead.map((d) => ops.locator(`tr[data-id="${d.id}"]`));
      await first!.getByText(/twilio rejected 400/).waitFor();
      assert.equal(await first!.locator("td.num").textContent(), "1");
      // The recipient and the message are read on demand.
      await first!.getByText("Recipient and message").click();
      await first!.locator("dd.to").getByText(/^\+1415555010[12]$/).waitFor();
      await screenshot(page, "view-ops-dead-letters");
      await assertAccessible(page, "delivery with dead letters");

      // The provider takes messages again: a replay is delivered.
      refusing = false;
      await first!.getByRole("button", { name: /^Replay/ }).click();
      await first!.getByText(/Replayed: back in the outbox/).waitFor();
      await until(() => twilio.requests.length === 3, 15_000, "the replayed SMS was sent");

      // Discard asks first; "Keep" leaves the row as it was.
      await second!.getByRole("button", { name: /^Discard/ }).click();
      await second!.getByRole("button", { name: "Keep" }).click();
      await second!.getByRole("button", { name: /^Discard/ }).click();
      await second!.getByRole("button", { name: "Yes, discard" }).click();
      await second!.getByText("Discarded: it will not be sent.").waitFor();
      const left = await api<Page>(gw, "GET", "/v1/dead-letters");
      assert.deepEqual(left.items, []);
      const outbox = await api<{ channels: Record<string, { discarded: number; dead: number }> }>(
        gw,
        "GET",
        "/v1/outbox",
      );
      assert.deepEqual([outbox.channels.sms?.dead, outbox.channels.sms?.discarded], [0, 1]);
      // The outbox table shows it too, on the next read: waiting, sent, dead, discarded.
      const smsRow = ops.getByRole("table", { name: /Outgoing messages/ })
        .getByRole("row", { name: /^SMS/ });
      await until(
        async () => (await smsRow.locator("td").allTextContents()).join(" ") === "0 1 0 1",
        15_000,
        "the outbox table counts one sent and one discarded SMS",
      );
      await screenshot(page, "view-ops");
      // At a phone's width the page does not scroll sideways (wide tables scroll in their box).
      await page.setViewportSize({ width: 390, height: 844 });
      await until(
        () => page.locator("html").evaluate((el) => el.scrollWidth <= 390),
        5_000,
        "the delivery view fits 390 px",
      );
      await screenshot(page, "view-ops-phone");
      assert.deepEqual(unexpectedErrors(log), []);
    } finally {
      await browser.close();
      await gw.close();
    }
  },
});
