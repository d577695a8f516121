// The shape of a benchmark run's results (what latest.json holds) and the ratios derived
// from the medians. Pure, so unit-tested.
import type { Unit } from './flops.js';

/** Every engine a row can report, in display order. */
export const ENGINES = [
  { id: 'naive', label: 'simdnet naive', color: '#9a9a9a' },
  { id: 'js', label: 'simdnet js (im2col+GEMM)', color: '#e8a33d' },
  { id: 'wasm-scalar', label: 'simdnet wasm scalar', color: '#a6c8e8' },
  { id: 'wasm-simd', label: 'simdnet wasm SIMD', color: '#3a7cc2' },
  { id: 'wasm-relaxed', label: 'simdnet wasm relaxed-SIMD', color: '#123f7a' },
  { id: 'wasm-relaxed-t2', label: 'simdnet wasm relaxed-SIMD, 2 threads', color: '#0a2142' },
  { id: 'tfjs-cpu', label: 'TF.js 4.22 cpu', color: '#f0a0a0' },
  { id: 'tfjs-wasm', label: 'TF.js 4.22 wasm (XNNPACK)', color: '#c62828' },
  { id: 'ort-web', label: 'onnxruntime-web wasm (1 thread)', color: '#6a3d9a' },
  { id: 'ort-web-t2', label: 'onnxruntime-web wasm (2 threads)', color: '#3f1d66' },
  { id: 'ort-node', label: 'onnxruntime-node native (1 thread)', color: '#b15928' },
] as const;

export type EngineId = (typeof ENGINES)[number]['id'];

export function isTfjs(id: string): boolean {
  return id.startsWith('tfjs-');
}

/** The ORT engines' versions, '(1 thread)' added unless they say their thread counts. */
export function threadNote(ort: string): string {
  return /thread/.test(ort) ? ort : `${ort} (1 thread)`;
}

export function isOrt(id: string): boolean {
  return id.startsWith('ort-');
}

/** Another project's engine (TF.js, onnxruntime): never the reference, never simdnet's result. */
export function isPeer(id: string): boolean {
  return isTfjs(id) || isOrt(id);
}

/** ok: timed; disagrees: output differs from the reference, not timed; error: the engine
 * threw (e.g. a kernel TF.js lacks); skipped: left out on purpose (--quick); unavailable:
 * the engine could not be loaded at all (e.g. relaxed SIMD without the V8 flag). */
export type Status = 'ok' | 'disagrees' | 'error' | 'skipped' | 'unavailable';

export interface EngineResult {
  engine: string;
  status: Status;
  medianMs?: number;
  meanMs?: number;
  minMs?: number;
  runs?: number;
  /** In the row's unit (GFLOP/s, GB/s, img/s) at the median. */
  throughput?: number;
  /** naive median / this median. */
  speedupVsNaive?: number;
  /** Best TF.js median on this row / this median: > 1 means faster than TF.js. */
  vsTfjs?: number;
  /** onnxruntime-web's median on this row / this median. */
  vsOrt?: number;
  /** Best peer (TF.js or onnxruntime-web) median / this median, and which peer that was.
   * onnxruntime-node is native code, the hardware reference, not a peer to beat. */
  vsPeer?: number;
  bestPeer?: string;
  /** Against the reference; absent for the reference itself. */
  maxRelErr?: number;
  /** Error text, skip reason. */
  message?: string;
}

export interface RowResult {
  name: string;
  /** What the row computes, with shapes, e.g. "x 64×1×28×28, w 6×1×5×5, pad 2". */
  description: string;
  /** The chart's short shape line (absent in files written before it existed). */
  shape?: string;
  unit: Unit;
  /** FLOPs, bytes, or images per run. */
  work: number;
  /** The engine every other output is compared with (naive, or js when naive is skipped). */
  reference: string | null;
  tolerance: number;
  results: EngineResult[];
}

export interface Machine {
  cpu: string;
  cores: number;
  node: string;
  v8: string;
  platform: string;
  /** The wasm variants that loaded and validate on this engine. */
  wasmVariants: string[];
  tfjs: string;
  /** onnxruntime versions ('not loaded' when no ORT engine ran; absent in older files). */
  ort?: string;
  /** os.loadavg()[0] when the run started and ended: above ~1 other processes shared the
   * cores, and the numbers are noisier. */
  load?: { start: number; end: number };
  /** Anything else about the conditions (e.g. "shared machine"), added with --render <file> --note. */
  note?: string;
}

export interface BenchReport {
  date: string;
  machine: Machine;
  quick: boolean;
  filters: string[];
  durationSeconds: number;
  rows: RowResult[];
}

/** The fastest timed engine among those `which` accepts. */
function fastest(results: EngineResult[], which: (id: string) => boolean): EngineResult | undefined {
  let best: EngineResult | undefined;
  for (const r of results) {
    if (!which(r.engine) || r.status !== 'ok' || r.medianMs === undefined) continue;
    if (!best || r.medianMs < (best.medianMs as number)) best = r;
  }
  return best;
}

/** Fills speedupVsNaive, vsTfjs, vsOrt and vsPeer for every timed engine of a row (peers:
 * TF.js and onnxruntime-web, which run in the same JS/wasm sandbox as simdnet). */
export function deriveRatios(results: EngineResult[]): EngineResult[] {
  const naive = results.find((r) => r.engine === 'naive' && r.status === 'ok')?.medianMs;
  const bestTf = fastest(results, isTfjs)?.medianMs;
  const bestOrt = fastest(results, (id) => id === 'ort-web')?.medianMs;
  const bestPeer = fastest(results, (id) => isPeer(id) && id !== 'ort-node');
  return results.map((r) => {
    if (r.status !== 'ok' || r.medianMs === undefined || !(r.medianMs > 0)) return r;
    const out: EngineResult = { ...r };
    if (naive !== undefined) out.speedupVsNaive = naive / r.medianMs;
    if (bestTf !== undefined) out.vsTfjs = bestTf / r.medianMs;
    if (bestOrt !== undefined) out.vsOrt = bestOrt / r.medianMs;
    if (bestPeer?.medianMs !== undefined) {
      out.vsPeer = bestPeer.medianMs / r.medianMs;
      out.bestPeer = bestPeer.engine;
    }
    return out;
  });
}

/** Single-line machine description printed with every table. */
export function machineLine(m: Machine): string {
  const variants = m.wasmVariants.length > 0 ? m.wasmVariants.join(', ') : 'none loaded';
  const load = m.load ? ` · load average ${m.load.start.toFixed(1)}${Number.isFinite(m.load.end) ? ` → ${m.load.end.toFixed(1)}` : ''}` : '';
  const note = `${load}${m.note ? ` · ${m.note}` : ''}`;
  const tf = m.tfjs === 'not loaded' ? 'TF.js not run' : `TF.js ${m.tfjs} (cpu; wasm single-threaded)`;
  const ort = m.ort === undefined ? '' : m.ort === 'not loaded' ? ' · onnxruntime not run' : ` · ${threadNote(m.ort)}`;
  return `${m.cpu} (${m.cores} cores) · Node ${m.node} (V8 ${m.v8}) · ${m.platform} · simdnet wasm variants: ${variants} · ${tf}${ort}${note}`;
}
