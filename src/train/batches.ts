// Slicing and gathering examples (rows of x, entries of y) into mini-batches.
import { Random } from '../random.js';
import { Tensor, formatShape, shapeSize } from '../tensor.js';
import type { LossTarget } from '../ops/loss.js';

/** Number of examples in targets (labels or a tensor whose first dimension is N). */
export function targetCount(y: LossTarget): number {
  if (y instanceof Tensor) return y.rank === 0 ? 1 : y.shape[0];
  return y.length;
}

export function checkData(op: string, x: Tensor, y?: LossTarget): number {
  if (!(x instanceof Tensor)) throw new Error(`${op}: x must be a Tensor, got ${String(x)}`);
  if (x.rank < 1 || x.shape[0] < 1) throw new Error(`${op}: x must have a batch dimension with at least one example, got ${formatShape(x.shape)}`);
  const n = x.shape[0];
  if (y !== undefined) {
    if (!(y instanceof Tensor) && !(y instanceof Int32Array) && !Array.isArray(y)) {
      throw new Error(`${op}: y must be a Tensor, an Int32Array or an array of labels, got ${String(y)}`);
    }
    if (targetCount(y) !== n) throw new Error(`${op}: x has ${n} examples (${formatShape(x.shape)}) but y has ${targetCount(y)}`);
    if (!(y instanceof Tensor)) {
      const bad = Array.from(y).findIndex((v) => !Number.isInteger(v));
      if (bad !== -1) throw new Error(`${op}: label ${String(y[bad])} at index ${bad} is not an integer class`);
    }
  }
  return n;
}

export function checkBatchSize(op: string, value: number | undefined, fallback: number): number {
  const b = value ?? fallback;
  if (!Number.isInteger(b) || b < 1) throw new Error(`${op}: batchSize must be a positive integer, got ${String(value)}`);
  return b;
}

/** Rows [start, end) of x (a view) or, with an index permutation, a gathered copy. */
export function takeRows(x: Tensor, order: Int32Array | null, start: number, end: number): Tensor {
  const row = shapeSize(x.shape.slice(1));
  const shape = [end - start, ...x.shape.slice(1)];
  if (!order) return new Tensor(x.resident ? x.data.slice(start * row, end * row) : x.data.subarray(start * row, end * row), shape);
  const out = new Float32Array((end - start) * row);
  for (let i = start; i < end; i++) out.set(x.data.subarray(order[i] * row, (order[i] + 1) * row), (i - start) * row);
  return new Tensor(out, shape);
}

export function takeTargets(y: LossTarget, order: Int32Array | null, start: number, end: number): LossTarget {
  if (y instanceof Tensor) return takeRows(y.rank === 0 ? y.reshape([1]) : y, order, start, end);
  const out = new Int32Array(end - start);
  for (let i = start; i < end; i++) {
    out[i - start] = y[order ? order[i] : i];
  }
  return out;
}

/** A Fisher–Yates permutation of 0..n-1. */
export function permutation(n: number, random: Random): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = random.int(i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

/** Concatenates batch outputs along the first dimension. */
export function concatRows(parts: Tensor[]): Tensor {
  const rest = parts[0].shape.slice(1);
  const total = parts.reduce((n, p) => n + p.shape[0], 0);
  const out = new Float32Array(total * shapeSize(rest));
  let offset = 0;
  for (const p of parts) {
    out.set(p.data, offset);
    offset += p.size;
  }
  return new Tensor(out, [total, ...rest]);
}

/** Lets the event loop run (timers, input, rendering) between batches. */
export function yieldToEventLoop(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve));
  if (typeof MessageChannel === 'function') {
    const channel = new MessageChannel();
    return new Promise((resolve) => {
      channel.port1.onmessage = () => {
        channel.port1.close();
        resolve();
      };
      channel.port2.postMessage(null);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}
