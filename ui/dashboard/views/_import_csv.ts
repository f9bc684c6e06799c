/**
 * The import view's pure logic: a first look at a chosen file (its header
 * and first rows, read from its beginning only, so a large file is not read
 * twice), the checks made before uploading, the progress wording and the
 * rejected rows as a CSV to download. The server parses the whole file
 * itself; this reading only has to agree on the header.
 *
 * @module
 */

/** The header and first rows of a file, as shown before uploading. */
export interface CsvPreview {
  /** Column names of the first row, trimmed (as the server names them in a mapping). */
  header: string[];
  /** The first data rows (blank ones left out), each padded to the header's width. */
  rows: string[][];
  /** `,`, `;` or a tab, picked as the server picks it. */
  delimiter: string;
}

const DELIMITERS = [",", ";", "\t"] as const;

/** The delimiter occurring most often outside quotes in the first line (the server's rule). */
export function detectDelimiter(text: string): string {
  const counts = new Map<string, number>(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === "\n" || ch === "\r")) break;
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  let best = ",";
  for (const d of DELIMITERS) if (counts.get(d)! > counts.get(best)!) best = d;
  return best;
}

/**
 * Reads the header and up to `maxRows` rows of `text` (the start of a file;
 * a last line cut short is dropped). Quoted fields may hold delimiters,
 * doubled quotes and line breaks. Answers null when there is no header.
 */
export function previewCsv(text: string, maxRows = 5, complete = false): CsvPreview | null {
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const delimiter = detectDelimiter(body);
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  let i = 0;
  const endRecord = () => {
    record.push(field);
    records.push(record);
    record = [];
    field = "";
  };
  while (i < body.length && records.length <= maxRows) {
    const ch = body[i]!;
    if (quoted) {
      if (ch === '"' && body[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === "") quoted = true;
    else if (ch === delimiter) {
      record.push(field);
      field = "";
    } else if (ch === "\r" || ch === "\n") {
      if (ch === "\r" && body[i + 1] === "\n") i++;
      endRecord();
    } else field += ch;
    i++;
  }
  // The text may end mid-line (only the file's start was read): keep that line only if whole.
  if ((field !== "" || record.length > 0) && complete) endRecord();
  const [first, ...rest] = records;
  if (!first || first.every((c) => c.trim() === "")) return null;
  const header = first.map((c) => c.trim());
  const rows = rest
    .filter((r) => !r.every((c) => c.trim() === ""))
    .slice(0, maxRows)
    .map((r) => header.map((_, k) => r[k] ?? ""));
  return { header, rows, delimiter };
}

/** What is wrong with a file before it is sent, or null: not CSV, empty, or over `maxBytes`. */
export function checkFile(
  file: { name: string; size: number; type: string },
  maxBytes: number,
): string | null {
  const csvType = file.type === "" ||
    /^(text\/(csv|plain|tab-separated-values)|application\/(vnd\.ms-excel|csv))$/i
      .test(file.type);
  if (!/\.(csv|tsv|txt)$/i.test(file.name) || !csvType) {
    return `${file.name} is not a CSV file. Export the sheet as CSV (comma or semicolon separated) and choose that file.`;
  }
  if (file.size === 0) return `${file.name} is empty.`;
  if (file.size > maxBytes) {
    return `${file.name} is ${megabytes(file.size)}; an import takes at most ${
      megabytes(maxBytes)
    }. Split the file and import the parts one after another.`;
  }
  return null;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toLocaleString(undefined, { maximumFractionDigits: 1 })} MB`;
}

/** "1,234 of 10,000 rows", with the browser's digit grouping. */
export function rowsText(done: number, total: number, locale?: string): string {
  const n = new Intl.NumberFormat(locale);
  return `${n.format(done)} of ${n.format(total)} ${total === 1 ? "row" : "rows"}`;
}

/** One failed row as the API reports it. */
export interface RejectedRow {
  /** Row number as a spreadsheet shows the file (header is row 1). */
  row: number;
  issues: { path: string; message: string; column?: string }[];
}

/** The rejected rows as CSV text (row, column, field, reason), one line per issue. */
export function rejectionsCsv(errors: readonly RejectedRow[]): string {
  const lines = [["Row", "Column", "Field", "Reason"]];
  for (const e of errors) {
    for (const i of e.issues) lines.push([String(e.row), i.column ?? "", i.path, i.message]);
  }
  return lines.map((cells) => cells.map(csvCell).join(",")).join("\r\n") + "\r\n";
}

function csvCell(s: string): string {
  // A leading = + - @ would run as a formula in a spreadsheet; a quote mark keeps it text.
  const safe = /^[=+\-@]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/**
 * The field a column goes to when the person makes it a custom field:
 * `customFields.<name>`, name in lowercase letters, digits and `_` starting
 * with a letter (as the API keys custom fields); null when nothing is left.
 */
export function customFieldFor(column: string): string | null {
  const name = column.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^[^a-z]+|_+$/g, "")
    .slice(0, 64);
  return name ? `customFields.${name}` : null;
}
