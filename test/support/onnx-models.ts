// Reads the whole-model ONNX fixtures (test/fixtures/onnx-models/<name>.{onnx,json}, written
// by scripts/fixtures/onnx_models.py: small CNNs exported by PyTorch, with PyTorch's own
// outputs) and holds the one comparison rule every test of them uses.
//
// Tolerance: max |actual − reference| ≤ 1e-4 · max(1, max |reference|) per output. The
// reference is PyTorch's float32 forward; an engine in float32 differs by reordered sums
// through a dozen layers (onnxruntime-web: max error ≤ 5.7e-6, ≤ 1.1e-6 of max |ref|), while a wrong attribute
// (padding, a transposed weight, BatchNorm's epsilon, a resize mode) is off by 1e-2 or more.
import { readFileSync, readdirSync } from 'node:fs';
import { Tensor } from '../../src/index.js';
import { decode, type StoredValue } from './onnx-fixtures.js';

export interface ModelFixture {
  name: string;
  /** The ai.onnx opset the model was exported at. */
  opset: number;
  torch: string;
  onnx: string;
  export: { training: 'EVAL' | 'PRESERVE'; dynamicBatch: boolean; doConstantFolding: boolean };
  /** Node op types of the graph, with their counts. */
  opTypes: Record<string, number>;
  inputs: StoredValue[];
  /** PyTorch's outputs on `inputs`, in graph order, named as in the graph. */
  outputs: StoredValue[];
  notes: string;
  /** The .onnx file. */
  bytes: Uint8Array;
}

export const MODEL_DIR = new URL('../fixtures/onnx-models/', import.meta.url);
export const MODEL_RTOL = 1e-4;

export function readModelFixtures(): ModelFixture[] {
  return readdirSync(MODEL_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const doc = JSON.parse(readFileSync(new URL(f, MODEL_DIR), 'utf8')) as Omit<ModelFixture, 'bytes'>;
      const bytes = new Uint8Array(readFileSync(new URL(`${doc.name}.onnx`, MODEL_DIR)));
      return { ...doc, bytes };
    });
}

export function float32Of(v: StoredValue): Float32Array {
  const d = decode(v).data;
  if (!(d instanceof Float32Array)) throw new Error(`fixture value ${v.name} is ${v.dtype}, not float32`);
  return d;
}

/** A fresh tensor of a stored value (a copy: nothing a test runs can change the fixture). */
export function tensorOf(v: StoredValue): Tensor {
  return new Tensor(float32Of(v).slice(), v.shape);
}

export interface Agreement {
  maxError: number;
  maxReference: number;
  bound: number;
  ok: boolean;
}

/** Compares `actual` with the reference under the rule above; NaN anywhere fails. */
export function agreement(actual: ArrayLike<number>, reference: ArrayLike<number>): Agreement {
  if (actual.length !== reference.length) {
    return { maxError: Infinity, maxReference: NaN, bound: NaN, ok: false };
  }
  let maxError = 0;
  let maxReference = 0;
  for (let i = 0; i < reference.length; i++) {
    const e = Math.abs(actual[i] - reference[i]);
    if (!(e <= maxError)) maxError = Number.isNaN(e) ? Infinity : e; // a NaN counts as an infinite error
    maxReference = Math.max(maxReference, Math.abs(reference[i]));
  }
  const bound = MODEL_RTOL * Math.max(1, maxReference);
  return { maxError, maxReference, bound, ok: maxError <= bound };
}

/** A failure message for `what`, or null when it agrees (shape and values). */
export function mismatch(what: string, shape: readonly number[], data: ArrayLike<number>, reference: StoredValue): string | null {
  if (shape.length !== reference.shape.length || shape.some((d, i) => d !== reference.shape[i])) {
    return `${what}: shape [${shape.join(', ')}], PyTorch's is [${reference.shape.join(', ')}]`;
  }
  const a = agreement(data, float32Of(reference));
  if (a.ok) return null;
  return `${what}: max |error| ${a.maxError.toExponential(3)} > ${a.bound.toExponential(3)} (1e-4 · max(1, max |ref| ${a.maxReference.toFixed(4)}))`;
}
