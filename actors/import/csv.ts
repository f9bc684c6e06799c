/**
 * Reading an uploaded CSV file into a header and numbered rows. csv-parse
 * (the parser of the node-csv project) is the only place that knows the
 * format's corners: quoted fields with commas, quotes and line breaks, a
 * byte-order mark, CRLF line ends. This file is its one adapter.
 *
 * @module
 */
import { parse } from "csv-parse/sync";
import { ValidationError } from "../../shared/errors.ts";

/** One data row of a file. */
export interface CsvRow {
  /**
   * Its row number as a spreadsheet shows the file: the header is row 1, a
   * blank line is a row too, and a quoted field spanning lines stays one row.
   * Error reports use it so a user can find the row.
   */
  row: number;
  /** Its cells, in header order; a short row is padded with empty cells. */
  cells: string[];
}

/** A parsed file. */
export interface CsvTable {
  /** The column names of the first row, trimmed. */
  header: string[];
  /** The data rows, blank rows left out. */
  rows: CsvRow[];
  /** The field delimiter that was detected: `,`, `;` or a tab. */
  delimiter: string;
}

const DELIMITERS = [",", ";", "\t"] as const;

/**
 * Picks the delimiter from the header line: the candidate that occurs most
 * often outside quotes. Spreadsheets in many European locales export with
 * `;`, and some tools with tabs; the header shows which.
 */
export function detectDelimiter(text: string): string {
  const counts = new Map<string, number>(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === "\n" || ch === "\r")) break;
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  let best: string = ",";
  for (const d of DELIMITERS) if (counts.get(d)! > counts.get(best)!) best = d;
  return best;
}

/**
 * Parses CSV text. A malformed file (an unclosed quote, a stray quote right
 * after a closing one) throws a ValidationError naming `csv` with the line;
 * an empty file, one naming `csv` too. Rows with more cells than the header
 * keep only the header's columns.
 */
export function parseCsv(text: string): CsvTable {
  const delimiter = detectDelimiter(text.startsWith("\uFEFF") ? text.slice(1) : text);
  let records: string[][];
  try {
    records = parse(text, {
      bom: true,
      delimiter,
      relax_column_count: true,
      // A quote inside an unquoted field (Joe's "Best" Plumbing) is kept as text.
      relax_quotes: true,
      skip_empty_lines: false,
    }) as string[][];
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw new ValidationError("csv import", [{
      path: "csv",
      message: `not valid CSV: ${message}`,
    }]);
  }
  const first = records[0];
  if (first === undefined || first.every((c) => c.trim() === "")) {
    throw new ValidationError("csv import", [{
      path: "csv",
      message: "the first row must name the columns",
    }]);
  }
  const header = first.map((c) => c.trim());
  const width = header.length;
  const rows: CsvRow[] = [];
  for (let i = 1; i < records.length; i++) {
    const cells = records[i]!;
    if (cells.every((c) => c.trim() === "")) continue;
    if (cells.length < width) {
      for (let k = cells.length; k < width; k++) cells.push("");
    } else if (cells.length > width) cells.length = width;
    rows.push({ row: i + 1, cells });
  }
  return { header, rows, delimiter };
}
