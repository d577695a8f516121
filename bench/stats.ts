// Median, mean and minimum of timing samples (ms). Pure.

export interface Summary {
  medianMs: number;
  meanMs: number;
  minMs: number;
  runs: number;
}

/** The median of an even count is the mean of the two middle samples. Empty → NaN. */
export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { medianMs: NaN, meanMs: NaN, minMs: NaN, runs: 0 };
  const mid = n >> 1;
  const medianMs = n % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  const meanMs = sorted.reduce((s, v) => s + v, 0) / n;
  return { medianMs, meanMs, minMs: sorted[0], runs: n };
}
