/**
 * Charts as inline SVG strings, drawn here rather than by a charting library:
 * email clients run no JavaScript, and the few bar charts a report needs
 * are a page of code with no dependency to keep working in Deno.
 *
 * @module
 */

/** One bar: its label and value. */
export interface Bar {
  label: string;
  value: number;
}

/** Escapes text for HTML and SVG (element content and attribute values). */
export function escapeXml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );
}

const FONT = `font-family="Arial, Helvetica, sans-serif" font-size="11"`;

/** Vertical bars with their values above them and labels below. */
export function columnChart(
  title: string,
  bars: Bar[],
  opts: { width?: number; height?: number; color?: string } = {},
): string {
  const width = opts.width ?? 560;
  const height = opts.height ?? 200;
  const color = opts.color ?? "#3b82f6";
  const top = 20;
  const bottom = 24;
  const plot = height - top - bottom;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const slot = width / Math.max(1, bars.length);
  const barWidth = Math.max(4, slot * 0.6);
  const parts = bars.map((b, i) => {
    const h = Math.round((b.value / max) * plot);
    const x = Math.round(i * slot + (slot - barWidth) / 2);
    const cx = Math.round(i * slot + slot / 2);
    const y = top + plot - h;
    return `<rect x="${x}" y="${y}" width="${
      Math.round(barWidth)
    }" height="${h}" fill="${color}"/>` +
      `<text x="${cx}" y="${y - 4}" text-anchor="middle" ${FONT}>${b.value}</text>` +
      `<text x="${cx}" y="${height - 8}" text-anchor="middle" ${FONT}>${escapeXml(b.label)}</text>`;
  });
  return svg(title, width, height, parts.join(""));
}

/** Horizontal bars, one per row, label on the left and value at the bar's end. */
export function barChart(
  title: string,
  bars: Bar[],
  opts: { width?: number; color?: string } = {},
): string {
  const width = opts.width ?? 560;
  const row = 26;
  const height = Math.max(row, bars.length * row);
  const labelWidth = 110;
  const plot = width - labelWidth - 50;
  const color = opts.color ?? "#10b981";
  const max = Math.max(1, ...bars.map((b) => b.value));
  const parts = bars.map((b, i) => {
    const w = Math.round((b.value / max) * plot);
    const y = i * row;
    return `<text x="0" y="${y + 17}" ${FONT}>${escapeXml(b.label)}</text>` +
      `<rect x="${labelWidth}" y="${y + 5}" width="${w}" height="${row - 10}" fill="${color}"/>` +
      `<text x="${labelWidth + w + 6}" y="${y + 17}" ${FONT}>${b.value}</text>`;
  });
  return svg(title, width, height, parts.join(""));
}

function svg(title: string, width: number, height: number, body: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(title)}">` +
    `<title>${escapeXml(title)}</title>${body}</svg>`;
}
