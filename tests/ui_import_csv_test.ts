import assert from "node:assert/strict";
import {
  checkFile,
  customFieldFor,
  previewCsv,
  rejectionsCsv,
  rowsText,
} from "../ui/dashboard/views/_import_csv.ts";

Deno.test("import preview: header and first rows; quotes, semicolons, CRLF, a BOM, a cut-off last line", () => {
  const text =
    '\uFEFFName;E-mail;Notes\r\n"Reyes; Dana";dana@example.com;"said ""hi""\nthen left"\r\n' +
    "\r\nSam;sam@example.com\r\nKim;kim@exa";
  const p = previewCsv(text, 5);
  assert.deepEqual(p, {
    header: ["Name", "E-mail", "Notes"],
    rows: [
      ["Reyes; Dana", "dana@example.com", 'said "hi"\nthen left'],
      ["Sam", "sam@example.com", ""],
    ],
    delimiter: ";",
  });
  assert.deepEqual(previewCsv("Email\nx@example.com", 5, true)?.rows, [["x@example.com"]]);
  assert.deepEqual(previewCsv("a,b\n1,2\n3,4\n5,6\n", 2)?.rows, [["1", "2"], ["3", "4"]]);
  assert.equal(previewCsv("\n\n", 5), null);
});

Deno.test("import checks: not CSV, empty and too large are refused before upload, naming the limit", () => {
  const mb = 1024 * 1024;
  assert.equal(checkFile({ name: "leads.csv", size: 10, type: "text/csv" }, 20 * mb), null);
  assert.equal(checkFile({ name: "leads.CSV", size: 10, type: "" }, 20 * mb), null);
  assert.match(checkFile({ name: "leads.xlsx", size: 10, type: "" }, 20 * mb)!, /not a CSV/);
  assert.match(checkFile({ name: "a.csv", size: 10, type: "image/png" }, 20 * mb)!, /not a CSV/);
  assert.match(checkFile({ name: "a.csv", size: 0, type: "text/csv" }, 20 * mb)!, /empty/);
  assert.match(
    checkFile({ name: "a.csv", size: 25 * mb, type: "text/csv" }, 20 * mb)!,
    /25 MB; an import takes at most 20 MB/,
  );
});

Deno.test("import wording: rows with digit grouping; rejected rows as CSV safe to open in a spreadsheet", () => {
  assert.equal(rowsText(1234, 10000, "en-US"), "1,234 of 10,000 rows");
  assert.equal(rowsText(1, 1, "en-US"), "1 of 1 row");
  assert.equal(
    rejectionsCsv([
      { row: 5, issues: [{ path: "contact.email", message: "Invalid email", column: "E-mail" }] },
      { row: 9, issues: [{ path: "contact", message: 'needs "email", or phone' }] },
      { row: 12, issues: [{ path: "contact.name", message: "=HYPERLINK()", column: "Name" }] },
    ]),
    "Row,Column,Field,Reason\r\n5,E-mail,contact.email,Invalid email\r\n" +
      '9,,contact,"needs ""email"", or phone"\r\n12,Name,contact.name,\'=HYPERLINK()\r\n',
  );
  assert.equal(customFieldFor("Shoe Size (EU)"), "customFields.shoe_size_eu");
  assert.equal(customFieldFor("2024 spend"), "customFields.spend");
  assert.equal(customFieldFor("###"), null);
});
