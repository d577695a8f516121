// How many times to run one engine on one row, from how long its check run took, so slow
// engines (naive on big rows, TF.js cpu training) take 1–3 runs and fast ones many; and the
// median, mean and minimum of the samples (ms). Pure.

export interface RunPlan {
  iterations: number;
  /** Extra untimed runs before timing (the check run already warmed the code once). */
  warmupIterations: number;
}

/** Timed milliseconds per engine and row, over both passes. */
export const BUDGET_MS = { full: 2500, quick: 300 } as const;

export function planRuns(checkMs: number, quick: boolean): RunPlan {
  const budget = quick ? BUDGET_MS.quick : BUDGET_MS.full;
  const maxRuns = quick ? 30 : 200;
  const est = Math.max(checkMs, 0.01);
  let minRuns: number;
  if (quick) minRuns = est > 1000 ? 1 : est > 100 ? 2 : 3;
  else minRuns = est > 2500 ? 1 : est > 600 ? 2 : est > 150 ? 3 : 5;
  const iterations = Math.min(maxRuns, Math.max(minRuns, Math.round(budget / est)));
  // Short kernels still JIT/tier-up and refill caches (another engine ran in between):
  // a few untimed runs before each pass, bounded to ~1/20 of the budget.
  const warmupIterations = est > budget / 20 ? 0 : Math.min(5, Math.max(1, Math.floor(budget / 20 / est)));
  return { iterations, warmupIterations };
}

/** A single call this slow is timed by its own check run (one sample), not run again:
 * naive on the biggest rows and TF.js cpu's backward kernels take seconds per call. */
export const REUSE_CHECK_MS = { full: 3000, quick: 1000 } as const;

export function reuseCheckRun(checkMs: number, quick: boolean): boolean {
  return checkMs >= (quick ? REUSE_CHECK_MS.quick : REUSE_CHECK_MS.full);
}

/** No single call may take longer than this: an engine whose speed on an earlier row of the
 * same kind predicts more is skipped, with the prediction as the reason. */
export const CALL_CAP_MS = { full: 20000, quick: 2500 } as const;

/** Work done per millisecond by one engine on one kind of row, and where it was measured. */
export interface Rate {
  perMs: number;
  row: string;
}

/** Speeds seen so far, by engine and row kind (e.g. 'tfjs-cpu|conv2d bwd-filter'). */
export class RateBook {
  private readonly rates = new Map<string, Rate>();

  record(engine: string, kind: string, work: number, ms: number, row: string): void {
    if (ms > 0 && work > 0) this.rates.set(`${engine}|${kind}`, { perMs: work / ms, row });
  }

  /** Predicted ms of one call, or null when this engine has not run this kind yet. */
  predict(engine: string, kind: string, work: number): { ms: number; from: string } | null {
    const r = this.rates.get(`${engine}|${kind}`);
    return r ? { ms: work / r.perMs, from: r.row } : null;
  }
}

/** Why an engine should not run a row, or null when it should. */
export function skipReason(book: RateBook, engine: string, kind: string, work: number, heavy: boolean, quick: boolean): string | null {
  if (quick && heavy && (engine === 'naive' || engine === 'tfjs-cpu')) return 'quick';
  const p = book.predict(engine, kind, work);
  const cap = quick ? CALL_CAP_MS.quick : CALL_CAP_MS.full;
  if (p && p.ms > cap) return `~${Math.round(p.ms / 1000)} s per call predicted from ${p.from}; cap ${cap / 1000} s`;
  return null;
}

/** Timed runs split over the two interleaved passes: the first pass takes the odd one. */
export function splitPasses(iterations: number): [number, number] {
  const first = Math.ceil(iterations / 2);
  return [first, iterations - first];
}

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
