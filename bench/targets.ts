// The speed targets the project holds simdnet's wasm backend to, checked against one run's
// medians. "wasm" is the variant the loader picks by default: relaxed, else simd, else scalar.
import { fmtNum, fmtRatio } from './format.js';
import type { EngineResult, RowResult } from './report.js';

export interface TargetCheck {
  /** What is required, e.g. "faster than TF.js wasm". */
  target: string;
  row: string;
  /** null: cannot be judged (an engine did not run), with the reason in detail. */
  met: boolean | null;
  detail: string;
}

const WASM_ORDER = ['wasm-relaxed', 'wasm-simd', 'wasm-scalar'];

/** The default wasm variant's result on a row (the first variant that loaded). */
export function defaultWasm(row: RowResult): EngineResult | undefined {
  for (const id of WASM_ORDER) {
    const r = row.results.find((e) => e.engine === id);
    if (r && r.status !== 'unavailable') return r;
  }
  return undefined;
}

function timed(r: EngineResult | undefined): r is EngineResult & { medianMs: number } {
  return r !== undefined && r.status === 'ok' && r.medianMs !== undefined;
}

function why(name: string, r: EngineResult | undefined): string {
  if (!r) return `${name} did not run`;
  if (r.status === 'disagrees') return `${name} disagrees with the reference`;
  return `${name} ${r.status}${r.message ? `: ${r.message}` : ''}`;
}

/** ours must be at least `factor` × as fast as `other` (factor 1: strictly faster). */
function ratioCheck(row: RowResult, target: string, otherId: string, factor: number, strict: boolean): TargetCheck {
  const ours = defaultWasm(row);
  const other = row.results.find((e) => e.engine === otherId);
  if (!timed(ours)) return { target, row: row.name, met: false, detail: why(ours?.engine ?? 'wasm', ours) };
  if (!timed(other)) return { target, row: row.name, met: null, detail: why(otherId, other) };
  const ratio = other.medianMs / ours.medianMs;
  const met = strict ? ratio > factor : ratio >= factor;
  return { target, row: row.name, met, detail: `${ours.engine} ${fmtNum(ours.throughput)} vs ${otherId} ${fmtNum(other.throughput)} ${row.unit}: ${fmtRatio(ratio)}` };
}

export function evaluateTargets(rows: readonly RowResult[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const row of rows) {
    const n = row.name;
    if (n.startsWith('kernels/gemm')) checks.push(ratioCheck(row, 'SGEMM ahead of TF.js wasm', 'tfjs-wasm', 1, true));
    if (n.startsWith('kernels/conv2d') && n.endsWith(' fwd')) checks.push(ratioCheck(row, 'conv forward ahead of TF.js wasm', 'tfjs-wasm', 1, true));
    if (n.startsWith('kernels/conv2d') && n.endsWith(' bwd-input')) checks.push(ratioCheck(row, 'conv backward-input ≥ 10× TF.js wasm', 'tfjs-wasm', 10, false));
    if (n.startsWith('kernels/conv2d')) {
      checks.push(ratioCheck(row, 'conv ≥ 30× naive', 'naive', 30, false));
      checks.push(ratioCheck(row, 'conv ≥ 8× js', 'js', 8, false));
    }
    if (n.startsWith('e2e/lenet inference')) checks.push(ratioCheck(row, 'LeNet inference ahead of TF.js wasm', 'tfjs-wasm', 1, true));
    if (n.startsWith('e2e/lenet train-step')) {
      const ours = defaultWasm(row);
      checks.push(
        timed(ours)
          ? { target: 'LeNet training step ≤ 15 ms', row: n, met: ours.medianMs <= 15, detail: `${ours.engine} ${fmtNum(ours.medianMs)} ms` }
          : { target: 'LeNet training step ≤ 15 ms', row: n, met: false, detail: why(ours?.engine ?? 'wasm', ours) },
      );
    }
  }
  return checks;
}

export function formatTargets(checks: readonly TargetCheck[]): string {
  const met = checks.filter((c) => c.met === true).length;
  const judged = checks.filter((c) => c.met !== null).length;
  const lines = [`Targets: ${met} of ${judged} met${judged < checks.length ? ` (${checks.length - judged} not judged)` : ''}`];
  for (const c of checks) lines.push(`  ${c.met === null ? '–' : c.met ? '✔' : '✘'} ${c.target} — ${c.row}: ${c.detail}`);
  return lines.join('\n');
}

/** Why a run fails under --assert: simdnet engines that disagree or throw, missed targets. */
export function assertionFailures(rows: readonly RowResult[], checks: readonly TargetCheck[]): string[] {
  const failures: string[] = [];
  for (const row of rows) {
    for (const r of row.results) {
      if (r.engine.startsWith('tfjs-')) continue;
      if (r.status === 'disagrees' || r.status === 'error') failures.push(`${row.name}: ${why(r.engine, r)}`);
    }
  }
  for (const c of checks) if (c.met === false) failures.push(`${c.row}: ${c.target} missed (${c.detail})`);
  return failures;
}
