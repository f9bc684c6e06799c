/**
 * The import and delivery views in a real browser against a real node: a
 * CSV of a few hundred rows (duplicates and invalid rows among them) chosen
 * through the file input is mapped, started once for a double click, and
 * followed to the end by the progress bar, its counts equal to the
 * server's, its rejected rows listed with their reasons; the delivery view
 * shows the default providers in sandbox mode and the empty dead-letter
 * list.
 *
 * @module
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
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

/** Rows in the file. */
const ROWS = 300;

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

      // A file that is not CSV is refused before anything is sent.
      const input = view.getByLabel(/CSV file/);
      await input.setInputFiles({
        name: "leads.xlsx",
        mimeType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        buffer: Buffer.from("PK\u0003\u0004"),
      });
      await view.getByRole("alert").getByText(/leads\.xlsx is not a CSV file/).waitFor();

      const { csv, rejectedRows } = peopleCsv();
      await input.setInputFiles({
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
      // A field filled twice is refused by the API, next to the column it names.
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
      await screenshot(page, "view-ops");

      // The browser reports the refused mapping's 400 itself; that one was asked for.
      const refused = /status of 400 .*\/v1\/imports\/preview/;
      assert.equal(log.errors.filter((e) => refused.test(e)).length, 1, log.errors.join("\n"));
      assert.deepEqual(unexpectedErrors(log).filter((e) => !refused.test(e)), []);
    } finally {
      await browser.close();
      await gw.close();
    }
  },
});
