// How many times to run one engine on one row, from how long its check run took, so slow
// engines (naive on big rows, TF.js cpu training) take 1–3 runs and fast ones many.

export interface RunPlan {
  iterations: number;
  /** Extra untimed runs before timing (the check run already warmed the code once). */
  warmupIterations: number;
}

export const BUDGET_MS = { full: 1500, quick: 300 } as const;

export function planRuns(checkMs: number, quick: boolean): RunPlan {
  const budget = quick ? BUDGET_MS.quick : BUDGET_MS.full;
  const maxRuns = quick ? 30 : 200;
  const est = Math.max(checkMs, 0.01);
  let minRuns: number;
  if (quick) minRuns = est > 1000 ? 1 : est > 100 ? 2 : 3;
  else minRuns = est > 2500 ? 1 : est > 600 ? 2 : est > 150 ? 3 : 5;
  const iterations = Math.min(maxRuns, Math.max(minRuns, Math.round(budget / est)));
  // Short kernels still JIT/tier-up over their first calls: a few warm-up runs, bounded
  // to ~1/5 of the budget.
  const warmupIterations = est * 3 > budget / 5 ? 0 : Math.min(10, Math.max(1, Math.floor(budget / 5 / est)));
  return { iterations, warmupIterations };
}
