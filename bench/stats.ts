/**
 * Medians and percentiles.
 *
 * @module
 */

/** The median of `values`; `NaN` when there are none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const high = sorted[middle] ?? Number.NaN;
  if (sorted.length % 2 === 1) return high;
  return ((sorted[middle - 1] ?? Number.NaN) + high) / 2;
}

/**
 * Percentiles of `values` by the nearest-rank method (the smallest value with at least p % of
 * the values at or below it); `NaN` for each when there are none.
 *
 * @example
 * ```ts
 * percentiles(latencies, [50, 99, 99.9]); // [p50, p99, p99.9]
 * ```
 */
export function percentiles(values: Float64Array, ps: readonly number[]): number[] {
  if (values.length === 0) return ps.map(() => Number.NaN);
  const sorted = Float64Array.from(values).sort();
  return ps.map((p) => {
    const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
    return sorted[rank - 1] ?? Number.NaN;
  });
}
