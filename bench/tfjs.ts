// TensorFlow.js 4.22 in the same process, as the rows use it: the cpu backend and the wasm
// backend (XNNPACK, SIMD, single thread: its threaded build is never used under Node), both
// from tfjs-core without tfjs-node, loaded only when a TF.js engine is asked for (the .wasm
// files load from the package's dist folder on disk); the layout conversions between
// simdnet and TF.js; and a row's TF.js task made from an op closure.
import { createRequire, register } from 'node:module';
import path from 'node:path';
import type { Tensor as TfTensor } from '@tensorflow/tfjs-core';
import type { TfjsEngine } from './engines.js';
import type { Task } from './workloads/common.js';

export type Tf = typeof import('@tensorflow/tfjs-core');
export type TfBackendName = 'cpu' | 'wasm';

export interface TfSetup {
  tf: Tf;
  version: string;
  /** Backend name → null when ready, else why it could not start. */
  status: Record<TfBackendName, string | null>;
}

/** tfjs-core's Node bundle registers no gradients (the full @tensorflow/tfjs package does);
 * register them from its ESM build. Registries live on globalThis, so the bundle sees them. */
async function registerGradients(tf: Tf): Promise<void> {
  if (tf.getGradient('MaxPool')) return;
  register('./tfjs-esm-resolve.mjs', import.meta.url);
  await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
  if (!tf.getGradient('MaxPool')) throw new Error('TF.js gradients did not register');
}

export async function setupTfjs(): Promise<TfSetup> {
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-cpu');
  const { setWasmPaths } = await import('@tensorflow/tfjs-backend-wasm');
  await registerGradients(tf);
  const require = createRequire(import.meta.url);
  const dist = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;
  setWasmPaths(dist);
  // Production mode, as a user timing TF.js would run it (also silences its tfjs-node banner).
  tf.enableProdMode();
  const status: Record<TfBackendName, string | null> = { cpu: null, wasm: null };
  for (const name of ['wasm', 'cpu'] as const) {
    try {
      if (!(await tf.setBackend(name))) status[name] = `tf.setBackend('${name}') returned false`;
    } catch (e) {
      status[name] = (e as Error).message;
    }
  }
  if (status.wasm === null) {
    await tf.setBackend('wasm');
    if (!tf.env().getBool('WASM_HAS_SIMD_SUPPORT')) status.wasm = 'TF.js wasm loaded without SIMD';
  }
  return { tf, version: tf.version_core, status };
}

/** Makes a TF.js backend current; everything created afterwards lives there. */
export async function useTfBackend(t: Tf, name: TfBackendName): Promise<void> {
  if (t.getBackend() !== name && !(await t.setBackend(name))) throw new Error(`tf.setBackend('${name}') failed`);
}

// ---------------------------------------------------------------- layouts
// Between simdnet (NCHW, weights OIHW) and TF.js (NHWC, filters HWIO), done once outside the
// timed region so both engines do the same work. Pure.

/** [N, C, H, W] → [N, H, W, C]. */
export function nchwToNhwc(src: Float32Array, n: number, c: number, h: number, w: number): Float32Array {
  const dst = new Float32Array(src.length);
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) dst[((b * h + y) * w + x) * c + ch] = src[((b * c + ch) * h + y) * w + x];
  return dst;
}

/** [N, H, W, C] → [N, C, H, W]. */
export function nhwcToNchw(src: Float32Array, n: number, c: number, h: number, w: number): Float32Array {
  const dst = new Float32Array(src.length);
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) dst[((b * c + ch) * h + y) * w + x] = src[((b * h + y) * w + x) * c + ch];
  return dst;
}

/** Conv weight [O, I, kH, kW] → TF.js filter [kH, kW, I, O]. With I = 1 (depthwise, one
 * filter per channel) the result is also TF.js's depthwise filter [kH, kW, C, 1]. */
export function oihwToHwio(src: Float32Array, o: number, i: number, kh: number, kw: number): Float32Array {
  const dst = new Float32Array(src.length);
  for (let a = 0; a < o; a++)
    for (let b = 0; b < i; b++)
      for (let y = 0; y < kh; y++)
        for (let x = 0; x < kw; x++) dst[((y * kw + x) * i + b) * o + a] = src[((a * i + b) * kh + y) * kw + x];
  return dst;
}

/** TF.js filter [kH, kW, I, O] → [O, I, kH, kW]. */
export function hwioToOihw(src: Float32Array, o: number, i: number, kh: number, kw: number): Float32Array {
  const dst = new Float32Array(src.length);
  for (let a = 0; a < o; a++)
    for (let b = 0; b < i; b++)
      for (let y = 0; y < kh; y++)
        for (let x = 0; x < kw; x++) dst[((a * i + b) * kh + y) * kw + x] = src[((y * kw + x) * i + b) * o + a];
  return dst;
}

/** Linear weight [out, in] → TF.js matMul operand [in, out] (and back: it is a transpose). */
export function transpose2d(src: Float32Array, rows: number, cols: number): Float32Array {
  const dst = new Float32Array(src.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) dst[c * rows + r] = src[r * cols + c];
  return dst;
}

// ---------------------------------------------------------------- tasks

/** A TF.js task from an op closure: inputs are made on the engine's backend beforehand, the
 * op runs inside tidy (its outputs are disposed, nothing leaks across runs), and the check
 * reads the outputs back and converts them to simdnet's layout. */
export async function tfTask(
  engine: TfjsEngine,
  makeInputs: () => TfTensor[],
  op: (inputs: TfTensor[]) => TfTensor[],
  toSimdnetLayout: (outputs: Float32Array[]) => Float32Array[],
): Promise<Task> {
  const { tf } = engine;
  await useTfBackend(tf, engine.backendName);
  const inputs = makeInputs();
  const switchBack = (): void => {
    // Tasks of one engine never interleave with another's, but be safe: a wrong current
    // backend would silently copy the inputs across on every run.
    if (tf.getBackend() !== engine.backendName) throw new Error(`TF.js backend switched to '${tf.getBackend()}' mid-row`);
  };
  return {
    activate: () => useTfBackend(tf, engine.backendName),
    check() {
      switchBack();
      const outs = tf.tidy(() => op(inputs));
      try {
        return toSimdnetLayout(outs.map((t) => t.dataSync() as Float32Array));
      } finally {
        for (const t of outs) t.dispose();
      }
    },
    run() {
      tf.tidy(() => {
        op(inputs);
      });
    },
    dispose() {
      for (const t of inputs) t.dispose();
    },
  };
}
