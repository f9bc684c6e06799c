import assert from "node:assert/strict";
import { ValidationError } from "../../shared/errors.ts";
import { detectDelimiter, parseCsv } from "./csv.ts";

Deno.test("csv: quoted fields keep commas, quotes and line breaks; rows are numbered as a sheet shows them", () => {
  const text = [
    "Name,Email,Notes",
    '"Reyes, Dana",dana@example.com,"Line one',
    'line two, with a comma and ""quotes"""',
    "",
    "Sam Lee,sam@example.com,",
    "Short row",
  ].join("\r\n") + "\r\n";
  const t = parseCsv(text);
  assert.deepEqual(t.header, ["Name", "Email", "Notes"]);
  assert.deepEqual(t.rows, [
    {
      row: 2,
      cells: [
        "Reyes, Dana",
        "dana@example.com",
        'Line one\r\nline two, with a comma and "quotes"',
      ],
    },
    // Row 3 is the blank line: left out, but it still counts, as in a spreadsheet.
    { row: 4, cells: ["Sam Lee", "sam@example.com", ""] },
    { row: 5, cells: ["Short row", "", ""] },
  ]);
});

Deno.test("csv: a byte-order mark, semicolons or tabs, and a stray quote in an unquoted field", () => {
  const t = parseCsv('\uFEFFE-mail;Company\nx@example.com;Joe\'s "Best" Plumbing\n');
  assert.equal(t.delimiter, ";");
  assert.deepEqual(t.header, ["E-mail", "Company"]);
  assert.deepEqual(t.rows[0]!.cells, ["x@example.com", 'Joe\'s "Best" Plumbing']);
  assert.equal(detectDelimiter("a\tb\tc\n1,2\t3"), "\t");
  assert.equal(detectDelimiter('"a;b",c'), ",");
});

Deno.test("csv: a file without a header or with an unclosed quote names `csv`", () => {
  for (const text of ["", "\n\n", 'Email\n"x@example.com\n']) {
    let err: unknown;
    try {
      parseCsv(text);
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof ValidationError, `${JSON.stringify(text)}: ${err}`);
    assert.deepEqual(err.issues.map((i) => i.path), ["csv"]);
  }
});
