// onnxruntime-web in Node (its wasm backend, one thread) for the ONNX export tests: load
// bytes, run on simdnet tensors, and measure the agreement the tests assert.
import * as ort from 'onnxruntime-web';
import type { Tensor } from '../../src/index.js';

ort.env.wasm.numThreads = 1;

export interface OrtOutput {
  dims: readonly number[];
  data: Float32Array;
}

export async function ortSession(bytes: Uint8Array): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
}

/** Runs the session with inputs by name; returns every output by name. */
export async function runOrt(session: ort.InferenceSession, inputs: Readonly<Record<string, Tensor>>): Promise<Record<string, OrtOutput>> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(inputs)) feeds[name] = new ort.Tensor('float32', Float32Array.from(t.data), [...t.shape]);
  const results = await session.run(feeds);
  const out: Record<string, OrtOutput> = {};
  for (const [name, t] of Object.entries(results)) out[name] = { dims: [...t.dims], data: t.data as Float32Array };
  return out;
}

/** max |actual − expected| / max |expected|: the error relative to the largest output. */
export function errorOfLargest(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let worst = 0;
  let largest = 0;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Number.isNaN(actual[i]) !== Number.isNaN(expected[i]) ? Infinity : Math.abs(actual[i] - expected[i]) || 0);
    largest = Math.max(largest, Math.abs(expected[i]));
  }
  return largest === 0 ? worst : worst / largest;
}
