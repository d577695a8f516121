// The speed targets the project holds simdnet's wasm backend to, checked against one run's
// medians. "wasm" is the variant the loader picks by default: relaxed, else simd, else scalar.
import { fmtNum, fmtRatio } from './format.js';
import { isPeer, type EngineResult, type RowResult } from './report.js';

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

/** ours must take at most `factor` × `peer`'s time (issue 12's whole-network goals). */
function timeShareCheck(row: RowResult, target: string, peerId: string, factor: number): TargetCheck {
  const ours = defaultWasm(row);
  const peer = row.results.find((e) => e.engine === peerId);
  if (!timed(ours)) return { target, row: row.name, met: false, detail: why(ours?.engine ?? 'wasm', ours) };
  if (!timed(peer)) return { target, row: row.name, met: null, detail: why(peerId, peer) };
  const share = ours.medianMs / peer.medianMs;
  return { target, row: row.name, met: share <= factor, detail: `${ours.engine} ${fmtNum(ours.medianMs)} ms vs ${peerId} ${fmtNum(peer.medianMs)} ms: ${fmtRatio(share)} its time (goal ≤ ${factor}×)` };
}

/** ours ≥ `factor` × the faster of several peers' throughput; not judged unless all ran. */
function bestOfCheck(row: RowResult, target: string, peerIds: readonly string[], factor: number): TargetCheck {
  const ours = defaultWasm(row);
  if (!timed(ours)) return { target, row: row.name, met: false, detail: why(ours?.engine ?? 'wasm', ours) };
  const peers = peerIds.map((id) => ({ id, r: row.results.find((e) => e.engine === id) }));
  const missing = peers.find((p) => !timed(p.r));
  if (missing) return { target, row: row.name, met: null, detail: why(missing.id, missing.r) };
  const best = peers.reduce((b, p) => ((p.r as EngineResult).medianMs as number) < ((b.r as EngineResult).medianMs as number) ? p : b);
  const ratio = ((best.r as EngineResult).medianMs as number) / ours.medianMs;
  return { target, row: row.name, met: ratio >= factor, detail: `${ours.engine} ${fmtNum(ours.throughput)} vs ${best.id} ${fmtNum(best.r?.throughput)} ${row.unit}: ${fmtRatio(ratio)} (goal ≥ ${factor}×)` };
}

/** Issue 13's speed-up on 2 cores: relaxed on 2 threads at least `factor` × relaxed on 1. */
function threadsCheck(row: RowResult, target: string, factor: number): TargetCheck {
  const one = row.results.find((e) => e.engine === 'wasm-relaxed');
  const two = row.results.find((e) => e.engine === 'wasm-relaxed-t2');
  if (!timed(one)) return { target, row: row.name, met: null, detail: why('wasm-relaxed', one) };
  if (!timed(two)) return { target, row: row.name, met: null, detail: why('wasm-relaxed-t2', two) };
  const ratio = one.medianMs / two.medianMs;
  return { target, row: row.name, met: ratio >= factor, detail: `${fmtNum(one.medianMs)} → ${fmtNum(two.medianMs)} ms: ${fmtRatio(ratio)} (goal ≥ ${factor}×)` };
}

/** Issue 12's goals are judged on the compiled rows: the plan is simdnet's inference path. */
const COMPILED = ' compiled';

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
    // Judged where the 2-thread column was asked for.
    const threaded = row.results.some((e) => e.engine === 'wasm-relaxed-t2');
    if (threaded && /^kernels\/conv2d resnet-b\d+ /.test(n)) checks.push(threadsCheck(row, 'ResNet 3×3 conv ≥ 1.8× on 2 threads', 1.8));
    if (threaded && (n === 'e2e/resnet18 inference b1' || n === `e2e/resnet18 inference b1${COMPILED}`)) checks.push(threadsCheck(row, 'ResNet-18 b1 ≥ 1.8× on 2 threads', 1.8));
    if (threaded && n === 'e2e/lenet train-step b64') checks.push(threadsCheck(row, 'LeNet training step b64 ≥ 1.5× on 2 threads', 1.5));
    if (n.startsWith('e2e/lenet inference')) checks.push(ratioCheck(row, 'LeNet inference ahead of TF.js wasm', 'tfjs-wasm', 1, true));
    if (n === `e2e/lenet inference b256${COMPILED}`) checks.push(bestOfCheck(row, 'LeNet inference b256 ≥ 1.5× the better of TF.js wasm and onnxruntime-web', ['tfjs-wasm', 'ort-web'], 1.5));
    if (n === `e2e/resnet18 inference b1${COMPILED}`) checks.push(timeShareCheck(row, "ResNet-18 b1 in ≤ 0.6× onnxruntime-web's time", 'ort-web', 0.6));
    if (n === `e2e/mobilenetv2 inference b1${COMPILED}`) checks.push(timeShareCheck(row, "MobileNetV2 b1 in ≤ 0.7× onnxruntime-web's time", 'ort-web', 0.7));
    if (n.startsWith('e2e/lenet train-step')) {
      const ours = defaultWasm(row);
      const fast = (target: string, ok: (r: EngineResult & { medianMs: number }) => boolean, detail: (r: EngineResult & { medianMs: number }) => string): TargetCheck =>
        timed(ours) ? { target, row: n, met: ok(ours), detail: detail(ours) } : { target, row: n, met: false, detail: why(ours?.engine ?? 'wasm', ours) };
      checks.push(fast('LeNet training step ≤ 15 ms', (r) => r.medianMs <= 15, (r) => `${r.engine} ${fmtNum(r.medianMs)} ms`));
      checks.push(fast('LeNet training step ≥ 10k img/s', (r) => (r.throughput ?? 0) >= 10000, (r) => `${r.engine} ${fmtNum(r.throughput)} img/s (${fmtNum(r.medianMs)} ms)`));
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
      if (isPeer(r.engine)) continue;
      if (r.status === 'disagrees' || r.status === 'error') failures.push(`${row.name}: ${why(r.engine, r)}`);
    }
  }
  for (const c of checks) if (c.met === false) failures.push(`${c.row}: ${c.target} missed (${c.detail})`);
  return failures;
}
