/**
 * Benchmarks of the Cove runtime. `bench/runtime_bench.ts` is the runnable
 * script (`deno task bench`, `--quick` for a short run); results and how they
 * were taken are written up in `BENCHMARKS.md`. This module holds the small
 * statistics and formatting helpers the benchmark scripts share.
 *
 * @module
 */

/** Latency figures of a set of samples, in the samples' unit. */
export interface LatencySummary {
  /** Number of samples; the other figures are NaN when it is 0. */
  count: number;
  /** Median (nearest rank). */
  p50: number;
  /** 99th percentile (nearest rank): the tail that 1 in 100 calls sees. */
  p99: number;
  /** Slowest sample. */
  max: number;
  /** Arithmetic mean; one slow outlier moves it, so read it beside p50. */
  mean: number;
}

/** The `q` quantile (0..1) of already sorted samples (nearest rank). */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil(q * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))]!;
}

/** Sorts a copy of the samples and summarises them. */
export function summarize(samples: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    count: sorted.length,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    max: sorted.length ? sorted[sorted.length - 1]! : NaN,
    mean: sorted.length ? sum / sorted.length : NaN,
  };
}

/** A whole number with thousands separators: 12,345. */
export function int(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "n/a";
}

/** Milliseconds with a precision that suits their size: 0.012 ms, 1.23 ms, 123 ms. */
export function ms(n: number): string {
  if (!Number.isFinite(n)) return "n/a";
  if (n < 0.1) return `${(n * 1000).toFixed(2)} µs`;
  if (n < 10) return `${n.toFixed(2)} ms`;
  if (n < 100) return `${n.toFixed(1)} ms`;
  return `${Math.round(n).toLocaleString("en-US")} ms`;
}

/** Renders rows as a plain-text table with a header rule; cells are left-aligned. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (c ?? "").padEnd(widths[i]!)).join(" | ").trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("-|-"), ...rows.map(line)].join(
    "\n",
  );
}
