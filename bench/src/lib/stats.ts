/** Summaries of repeated measurements: median and spread. */

/** A summary of several measurements of one quantity. */
export interface ISummary {
  n: number;
  median: number;
  min: number;
  max: number;
  p5: number;
  p95: number;
  p99: number;
  mean: number;
}

/** The `p`-th percentile (0–100) of sorted values, interpolated. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) {
    return NaN;
  }
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
}

/** Median, extremes and percentiles of `values`. */
export function summarize(values: number[]): ISummary {
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    n: sorted.length,
    median: percentile(sorted, 50),
    min: sorted[0] ?? NaN,
    max: sorted[sorted.length - 1] ?? NaN,
    p5: percentile(sorted, 5),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    mean: sorted.length ? sum / sorted.length : NaN
  };
}

/** Milliseconds since `start` (from `performance.now()`). */
export function since(start: number): number {
  return performance.now() - start;
}

/** Round for reports: 3 significant digits. */
export function round(value: number): number {
  if (!Number.isFinite(value) || value === 0) {
    return value;
  }
  const digits = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(value))));
  return Number(value.toFixed(Math.min(digits, 6)));
}

/** Apply {@link round} to every number of a summary. */
export function rounded(summary: ISummary): ISummary {
  const out = { ...summary };
  for (const key of Object.keys(out) as Array<keyof ISummary>) {
    out[key] = round(out[key]);
  }
  return out;
}
