// add, sub, mul, div with numpy broadcasting (a number is a scalar operand). Same-shape
// operands take the flat kernel; others read through strides (0 on broadcast dimensions),
// and each gradient is summed back to its operand's shape.
import type { Backend, BinaryKind, BroadcastGeometry } from '../backend/backend.js';
import { record } from '../autograd/graph.js';
import { tracing } from '../autograd/trace.js';
import { Tensor, formatShape, zerosOn, type Shape } from '../tensor.js';
import { checkTensor, resolveBackend, sameShape } from './validate.js';

export type Operand = Tensor | number;

/** Per operand, its value when it was given as a number (a constant the op made into a
 * 0-d tensor), else null: the op trace's `scalars` attribute. */
export function scalarsOf(values: readonly unknown[]): (number | null)[] {
  return values.map((v) => (typeof v === 'number' ? v : null));
}

export function operand(op: string, name: string, v: Operand): Tensor {
  if (typeof v === 'number') return new Tensor(Float32Array.of(v), []);
  checkTensor(op, name, v);
  return v;
}

/** The numpy broadcast of two shapes, or an Error naming both. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`${op}: shapes ${formatShape(a)} and ${formatShape(b)} do not broadcast (dimension ${i} of the result: ${da} vs ${db})`);
    }
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** Strides of a contiguous `shape` aligned to the right of `target`, 0 where it broadcasts. */
export function broadcastStrides(shape: Shape, target: Shape): number[] {
  const strides = new Array<number>(target.length).fill(0);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const t = target.length - shape.length + i;
    strides[t] = shape[i] === 1 && target[t] !== 1 ? 0 : s;
    s *= shape[i];
  }
  return strides;
}

function contiguousStrides(shape: Shape): number[] {
  return broadcastStrides(shape, shape);
}

/** dy summed down to `shape` (the adjoint of broadcasting to dy's shape). */
export function reduceTo(be: Backend, dy: Tensor, shape: Shape): Tensor {
  if (sameShape(dy.shape, shape)) return dy;
  const out = zerosOn(be, shape);
  be.sumToShape({ shape: dy.shape, aStrides: contiguousStrides(dy.shape), bStrides: broadcastStrides(shape, dy.shape) }, dy.data, out.data);
  return out;
}

/** a ∘ b on the backend into a new tensor of the broadcast shape. */
export function compute(be: Backend, kind: BinaryKind, a: Tensor, b: Tensor, shape: Shape): Tensor {
  const y = zerosOn(be, shape);
  if (sameShape(a.shape, b.shape) && sameShape(a.shape, shape)) be.binary(kind, a.data, b.data, y.data);
  else {
    const g: BroadcastGeometry = { shape, aStrides: broadcastStrides(a.shape, shape), bStrides: broadcastStrides(b.shape, shape) };
    be.broadcastBinary(kind, g, a.data, b.data, y.data);
  }
  return y;
}

function binaryOp(kind: BinaryKind, x: Operand, z: Operand, backend: Backend | undefined): Tensor {
  const op = kind;
  const a = operand(op, 'a', x);
  const b = operand(op, 'b', z);
  const be = resolveBackend(op, backend);
  const shape = sameShape(a.shape, b.shape) ? a.shape : broadcastShapes(op, a.shape, b.shape);
  const y = compute(be, kind, a, b, shape);
  return record(op, y, [a, b], be, (dy, [needA, needB]) => {
    let da: Tensor | null = null;
    let db: Tensor | null = null;
    if (kind === 'add' || kind === 'sub') {
      if (needA) da = reduceTo(be, dy, a.shape);
      if (needB) {
        db = reduceTo(be, dy, b.shape);
        if (kind === 'sub') {
          db = db === dy ? dy.copyDetached() : db;
          be.axpby(-1, db.data, 0, db.data);
        }
      }
    } else if (kind === 'mul') {
      if (needA) da = reduceTo(be, compute(be, 'mul', dy, b, shape), a.shape);
      if (needB) db = reduceTo(be, compute(be, 'mul', dy, a, shape), b.shape);
    } else {
      // d(a/b)/da = 1/b; d(a/b)/db = −y/b.
      if (needA) da = reduceTo(be, compute(be, 'div', dy, b, shape), a.shape);
      if (needB) {
        const t = compute(be, 'mul', dy, y, shape);
        const q = compute(be, 'div', t, b, shape);
        be.axpby(-1, q.data, 0, q.data);
        db = reduceTo(be, q, b.shape);
      }
    }
    return [da, db];
  }, tracing() ? { scalars: scalarsOf([x, z]) } : undefined);
}

/** a + b (broadcasting). */
export function add(a: Operand, b: Operand, backend?: Backend): Tensor {
  return binaryOp('add', a, b, backend);
}

/** a − b (broadcasting). */
export function sub(a: Operand, b: Operand, backend?: Backend): Tensor {
  return binaryOp('sub', a, b, backend);
}

/** a · b elementwise (broadcasting). */
export function mul(a: Operand, b: Operand, backend?: Backend): Tensor {
  return binaryOp('mul', a, b, backend);
}

/** a / b elementwise (broadcasting). */
export function div(a: Operand, b: Operand, backend?: Backend): Tensor {
  return binaryOp('div', a, b, backend);
}

/** −x. */
export function neg(x: Tensor, backend?: Backend): Tensor {
  return binaryOp('mul', x, -1, backend);
}

