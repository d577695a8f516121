// Values computed on the host: the shape arithmetic that exporters emit (Shape, Gather,
// Unsqueeze, Concat, Cast, Slice, Range, arithmetic on int64) runs here on plain number
// arrays, never on a backend. Integer dtypes hold exact integers (int64 within ±2^53),
// float dtypes hold float32 values (every result rounded with Math.fround), bool 0 or 1.
import { broadcastStrides } from '../ops/arithmetic.js';
import { Tensor, shapeSize } from '../tensor.js';
import type { HostTensorSpec } from './spec.js';
import type { OnnxDType } from './tensor-proto.js';

export interface HostValue {
  readonly dtype: OnnxDType;
  readonly dims: readonly number[];
  readonly data: readonly number[];
}

export function isFloatType(dtype: OnnxDType): boolean {
  return dtype === 'float32' || dtype === 'float64' || dtype === 'float16';
}

export function hostValue(dtype: OnnxDType, dims: readonly number[], data: readonly number[]): HostValue {
  return { dtype, dims: [...dims], data };
}

export function fromSpec(t: HostTensorSpec): HostValue {
  return { dtype: t.dtype, dims: [...t.dims], data: [...t.data] };
}

export function toSpec(h: HostValue): HostTensorSpec {
  return { dtype: h.dtype, dims: [...h.dims], data: [...h.data] };
}

/** A host value as a float32 tensor; integers are refused by the caller (see graph.ts). */
export function hostToTensor(h: HostValue): Tensor {
  return new Tensor(Float32Array.from(h.data), h.dims);
}

/** Rounds a result to what its dtype holds. */
export function store(dtype: OnnxDType, v: number, what: string): number {
  if (isFloatType(dtype)) return Math.fround(v);
  if (dtype === 'bool') return v ? 1 : 0;
  if (!Number.isFinite(v)) throw new Error(`${what}: ${dtype} result ${v} is not a number`);
  const n = Math.trunc(v);
  if (!Number.isSafeInteger(n)) throw new Error(`${what}: ${dtype} result ${v} is beyond ±2^53, which simdnet cannot hold exactly`);
  return n;
}

/** For each output element (row-major over outDims), the offset into a value read through `strides`. */
export function offsets(outDims: readonly number[], strides: readonly number[]): Int32Array {
  const n = shapeSize(outDims);
  const out = new Int32Array(n);
  const rank = outDims.length;
  const index = new Array<number>(rank).fill(0);
  let at = 0;
  for (let i = 0; i < n; i++) {
    out[i] = at;
    for (let d = rank - 1; d >= 0; d--) {
      index[d]++;
      at += strides[d];
      if (index[d] < outDims[d]) break;
      at -= strides[d] * outDims[d];
      index[d] = 0;
    }
  }
  return out;
}

/** The numpy broadcast of several shapes, or null when they do not broadcast. */
export function broadcastAll(shapes: readonly (readonly number[])[]): number[] | null {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let d = 1;
    for (const s of shapes) {
      const v = s[s.length - rank + i] ?? 1;
      if (v === 1) continue;
      if (d !== 1 && d !== v) return null;
      d = v;
    }
    out.push(d);
  }
  return out;
}

/** Elementwise f over broadcast operands. */
export function mapBroadcast(what: string, dtype: OnnxDType, values: readonly HostValue[], f: (...v: number[]) => number): HostValue {
  const dims = broadcastAll(values.map((v) => v.dims));
  if (!dims) throw new Error(`${what}: shapes ${values.map((v) => `[${v.dims.join(', ')}]`).join(' and ')} do not broadcast`);
  const reads = values.map((v) => offsets(dims, broadcastStrides(v.dims, dims)));
  const n = shapeSize(dims);
  const data = new Array<number>(n);
  const args = new Array<number>(values.length);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < values.length; k++) args[k] = values[k].data[reads[k][i]];
    data[i] = store(dtype, f(...args), what);
  }
  return { dtype, dims, data };
}

/** Casts to another dtype: float → integer truncates toward zero (as ONNX's C cast), NaN
 * to an integer is refused, anything → bool is (v ≠ 0). */
export function cast(what: string, x: HostValue, to: OnnxDType): HostValue {
  const data = x.data.map((v) => {
    if (!isFloatType(to) && to !== 'bool' && Number.isNaN(v)) throw new Error(`${what}: cannot cast NaN to ${to}`);
    return store(to, v, what);
  });
  return { dtype: to, dims: [...x.dims], data };
}

/** Row-major strides of dims. */
export function stridesOf(dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length).fill(1);
  for (let i = dims.length - 2; i >= 0; i--) s[i] = s[i + 1] * dims[i + 1];
  return s;
}

/** x with its axes permuted (y's axis i is x's axis perm[i]). */
export function transposeHost(x: HostValue, perm: readonly number[]): HostValue {
  const xs = stridesOf(x.dims);
  const dims = perm.map((p) => x.dims[p]);
  const read = offsets(dims, perm.map((p) => xs[p]));
  return { dtype: x.dtype, dims, data: Array.from(read, (o) => x.data[o]) };
}

/** The window start + i·step on each axis (a SliceGeometry's starts/steps/outShape). */
export function windowHost(x: HostValue, outDims: readonly number[], starts: readonly number[], steps: readonly number[]): HostValue {
  const xs = stridesOf(x.dims);
  const base = starts.reduce((acc, s, d) => acc + s * xs[d], 0);
  const read = offsets(outDims, steps.map((s, d) => s * xs[d]));
  return { dtype: x.dtype, dims: [...outDims], data: Array.from(read, (o) => x.data[base + o]) };
}

/** The values joined along axis (shapes already checked). */
export function concatHost(values: readonly HostValue[], axis: number): HostValue {
  const first = values[0];
  const outer = shapeSize(first.dims.slice(0, axis));
  const inner = shapeSize(first.dims.slice(axis + 1));
  const dims = [...first.dims];
  dims[axis] = values.reduce((s, v) => s + v.dims[axis], 0);
  const data: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (const v of values) {
      const row = v.dims[axis] * inner;
      for (let i = 0; i < row; i++) data.push(v.data[o * row + i]);
    }
  }
  return { dtype: first.dtype, dims, data };
}

/** Gather along axis with already normalized indices (shape of indices kept in place of the axis). */
export function gatherHost(x: HostValue, indices: HostValue, axis: number): HostValue {
  const outer = shapeSize(x.dims.slice(0, axis));
  const inner = shapeSize(x.dims.slice(axis + 1));
  const size = x.dims[axis];
  const dims = [...x.dims.slice(0, axis), ...indices.dims, ...x.dims.slice(axis + 1)];
  const data: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (const k of indices.data) {
      const at = (o * size + k) * inner;
      for (let i = 0; i < inner; i++) data.push(x.data[at + i]);
    }
  }
  return { dtype: x.dtype, dims, data };
}

/** x broadcast to dims (numpy rules, dims already the broadcast result). */
export function expandHost(x: HostValue, dims: readonly number[]): HostValue {
  const read = offsets(dims, broadcastStrides(x.dims, dims));
  return { dtype: x.dtype, dims: [...dims], data: Array.from(read, (o) => x.data[o]) };
}

/** A reduction over axes (normalized, distinct); keepDims keeps them as 1. */
export function reduceHost(what: string, x: HostValue, axes: readonly number[], keepDims: boolean, init: number, f: (acc: number, v: number) => number): HostValue {
  const kept = x.dims.map((d, i) => (axes.includes(i) ? 1 : d));
  const into = offsets(x.dims, broadcastStrides(kept, x.dims));
  const acc = new Array<number>(shapeSize(kept)).fill(init);
  for (let i = 0; i < x.data.length; i++) acc[into[i]] = f(acc[into[i]], x.data[i]);
  const dims = keepDims ? kept : x.dims.filter((_, i) => !axes.includes(i));
  return { dtype: x.dtype, dims, data: acc.map((v) => store(x.dtype, v, what)) };
}
