// The chart title and subtitle, shared by run.ts and render.ts.
import type { BenchReport } from './report.js';

export const CHART_TITLE = 'simdnet vs TensorFlow.js — naive vs GEMM (js) vs WASM';

export function chartSubtitle(report: BenchReport): string[] {
  const m = report.machine;
  return [
    `${report.date.slice(0, 16).replace('T', ' ')} UTC${report.quick ? ' (--quick)' : ''} · ${m.cpu} (${m.cores} cores) · Node ${m.node} · ${m.platform}`,
    `simdnet wasm variants: ${m.wasmVariants.join(', ') || 'none'} · TF.js ${m.tfjs} (cpu, and wasm single-threaded)${m.load ? ` · load average ${m.load.start.toFixed(1)} → ${m.load.end.toFixed(1)}` : ''}${m.note ? ` · ${m.note}` : ''}`,
  ];
}
