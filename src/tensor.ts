// Tensor: a shape and contiguous row-major float32 storage. No strides: a reshape is a
// view on the same data, anything else that changes layout copies. A tensor that requires
// a gradient carries the tape node of the op that made it (src/autograd).
//
// The storage is a plain Float32Array (naive and js op outputs, tensors users make) or a
// buffer owned by a backend (wasm op outputs: a block of linear memory that kernels read
// and write in place). `data` is a view made on demand; a memory.grow detaches the views
// of unshared memory, so take `data` again after any op instead of keeping it.
// dispose() (or tidy) frees backend memory at once; a collected tensor's memory is
// freed by a FinalizationRegistry otherwise.
import { Random } from './random.js';
import type { Backend } from './backend/backend.js';
import { currentBackend } from './backend/registry.js';
import { TensorStorage, allocateStorage } from './tensor-storage.js';
import { trackTensor, untrackTensor } from './tensor-scope.js';
import { record, type GradNode } from './autograd/graph.js';
import { traceOp, tracing } from './autograd/trace.js';
import { runBackward, type BackwardOptions } from './autograd/backward.js';

export type Shape = readonly number[];

export function shapeSize(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

function checkShape(op: string, shape: Shape): void {
  if (!Array.isArray(shape)) throw new Error(`${op}: shape must be an array of sizes, got ${String(shape)}`);
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new Error(`${op}: shape ${formatShape(shape)} has a size that is not a non-negative integer (${d})`);
    }
  }
}

export class Tensor {
  readonly shape: Shape;
  readonly size: number;
  /** dL/dthis after backward(), for leaves that require a gradient (accumulates across
   * backward calls; null until the first, and after zeroGrad). */
  grad: Tensor | null = null;
  /** The tape node of the op that made this tensor (null for leaves and outside the tape). */
  gradNode: GradNode | null = null;
  private leafRequiresGrad = false;
  /** The plain array holding the data, or null when a backend owns it (or after dispose). */
  private host: Float32Array | null;
  /** The backend memory holding the data (shared by the tensors that view it), or null. */
  private storage: TensorStorage | null;
  private disposed = false;

  constructor(data: Float32Array | TensorStorage, shape: Shape) {
    checkShape('Tensor', shape);
    const size = shapeSize(shape);
    if (data instanceof TensorStorage) {
      if (data.floats !== size) throw new Error(`Tensor: storage has ${data.floats} elements but shape ${formatShape(shape)} needs ${size}`);
      data.retain();
      this.storage = data;
      this.host = null;
    } else {
      if (!(data instanceof Float32Array)) throw new Error('Tensor: data must be a Float32Array');
      if (data.length !== size) {
        throw new Error(`Tensor: data has ${data.length} elements but shape ${formatShape(shape)} needs ${size}`);
      }
      this.storage = null;
      this.host = data;
    }
    this.shape = Object.freeze([...shape]);
    this.size = size;
    trackTensor(this);
  }

  /** The values, row-major. On wasm a fresh view of linear memory: valid until the next op
   * (which may grow memory and detach it), so read `data` again rather than keeping it.
   * Writing to it changes the tensor. Throws after dispose(). */
  get data(): Float32Array {
    const host = this.host;
    if (host !== null) return host;
    const storage = this.storage;
    if (storage === null) throw new Error(`Tensor ${formatShape(this.shape)} was disposed (by dispose() or the end of a tidy scope); it cannot be read or used`);
    return storage.view();
  }

  /** Whether the data lives in memory a backend owns (wasm linear memory), not a plain array. */
  get resident(): boolean {
    return this.storage !== null;
  }

  /** Whether dispose() has run (by hand or at the end of a tidy scope). */
  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Frees the tensor's backend memory now (it is shared with reshapes and detach(), and
   * freed when the last of them is disposed). Idempotent; any use afterwards throws. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    untrackTensor(this);
    this.host = null;
    const storage = this.storage;
    this.storage = null;
    // The tape node stays: a backward through this tensor still runs its rule (and throws
    // if the rule needs this data), rather than treating it as a leaf and stopping there.
    if (storage !== null) storage.drop();
  }

  /** The storage a new tensor over the same data shares (reshape, detach, Parameter). @internal */
  static shareData(t: Tensor): Float32Array | TensorStorage {
    if (t.storage !== null) return t.storage;
    return t.data;
  }

  /** Whether gradients flow to this tensor: set it on leaves (inputs, parameters); an op's
   * output requires one when an input did and recording was on. */
  get requiresGrad(): boolean {
    return this.gradNode !== null || this.leafRequiresGrad;
  }

  set requiresGrad(value: boolean) {
    if (typeof value !== 'boolean') throw new Error(`Tensor.requiresGrad: expected true or false, got ${String(value)}`);
    if (this.gradNode !== null) {
      throw new Error(`Tensor.requiresGrad: tensor ${formatShape(this.shape)} was made by '${this.gradNode.op}'; only leaves can be set (use detach() for a leaf copy)`);
    }
    this.leafRequiresGrad = value;
  }

  /** Back-propagates from this tensor: a scalar by default, or any shape with the gradient
   * of the output given. Leaves that require a gradient get it added into .grad; the
   * graph's saved tensors are released unless { retainGraph: true }. */
  backward(grad?: Tensor, options?: BackwardOptions): void {
    runBackward(this, grad, options);
  }

  /** The same data as a leaf outside the tape (no gradient flows through it). */
  detach(): Tensor {
    const y = new Tensor(Tensor.shareData(this), this.shape);
    if (tracing()) traceOp('detach', y, [this]);
    return y;
  }

  /** A copy of the data as a new leaf (no gradient, not on the tape). */
  copyDetached(): Tensor {
    const y = this.copy();
    if (tracing()) traceOp('copyDetached', y, [this]);
    return y;
  }

  /** A new leaf of ones with this shape. */
  onesLike(): Tensor {
    return new Tensor(new Float32Array(this.size).fill(1), this.shape);
  }

  /** The value of a one-element tensor as a number. */
  item(): number {
    if (this.size !== 1) throw new Error(`Tensor.item: tensor ${formatShape(this.shape)} has ${this.size} elements, not one`);
    return this.data[0];
  }

  get rank(): number {
    return this.shape.length;
  }

  /** A view with another shape over the same data; one size may be -1 (inferred). */
  reshape(shape: Shape): Tensor {
    const dims = [...shape];
    const free = dims.indexOf(-1);
    if (free !== -1) {
      if (dims.indexOf(-1, free + 1) !== -1) throw new Error(`reshape: only one size may be -1 in ${formatShape(shape)}`);
      const known = shapeSize(dims.filter((_, i) => i !== free));
      if (known === 0 || this.size % known !== 0) {
        throw new Error(`reshape: cannot reshape ${formatShape(this.shape)} (${this.size} elements) to ${formatShape(shape)}`);
      }
      dims[free] = this.size / known;
    }
    checkShape('reshape', dims);
    if (shapeSize(dims) !== this.size) {
      throw new Error(`reshape: cannot reshape ${formatShape(this.shape)} (${this.size} elements) to ${formatShape(shape)}`);
    }
    const from = this.shape;
    const y = new Tensor(Tensor.shareData(this), dims);
    return record('reshape', y, [this], currentBackend(), (dy) => [dy.reshape(from)], tracing() ? { shape: y.shape } : undefined);
  }

  /** A copy; on the tape like any op (the gradient passes through unchanged). */
  clone(): Tensor {
    return record('clone', this.copy(), [this], currentBackend(), (dy) => [dy]);
  }

  /** A copy in the same kind of memory (the same backend's when a backend owns it). */
  private copy(): Tensor {
    if (this.storage === null) return new Tensor(this.data.slice(), this.shape);
    const y = zerosOn(this.storage.backend, this.shape);
    y.data.set(this.data); // y first: allocating may grow memory and detach an older view
    return y;
  }

  /** The element at a full index, e.g. t.get(0, 2, 1, 1) for NCHW. */
  get(...index: number[]): number {
    return this.data[this.offset('get', index)];
  }

  set(value: number, ...index: number[]): void {
    this.data[this.offset('set', index)] = value;
  }

  toArray(): number[] {
    return Array.from(this.data);
  }

  toString(): string {
    return `Tensor(${formatShape(this.shape)}${this.requiresGrad ? ', requiresGrad' : ''})`;
  }

  private offset(op: string, index: number[]): number {
    if (index.length !== this.shape.length) {
      throw new Error(`Tensor.${op}: index [${index.join(', ')}] does not match shape ${formatShape(this.shape)}`);
    }
    let offset = 0;
    for (let i = 0; i < index.length; i++) {
      const k = index[i];
      if (!Number.isInteger(k) || k < 0 || k >= this.shape[i]) {
        throw new Error(`Tensor.${op}: index [${index.join(', ')}] is out of bounds for shape ${formatShape(this.shape)}`);
      }
      offset = offset * this.shape[i] + k;
    }
    return offset;
  }
}

type Nested = number | readonly Nested[];

function flatten(value: Nested, out: number[], dims: number[], depth: number): void {
  if (typeof value === 'number') {
    if (depth !== dims.length && dims.length > 0) throw new Error('tensor: nested array is ragged');
    out.push(value);
    return;
  }
  if (depth === dims.length) {
    // Once a number has been seen the rank is fixed: a deeper array is ragged ([1, [2]]).
    if (out.length > 0) throw new Error('tensor: nested array is ragged');
    dims.push(value.length);
  } else if (dims[depth] !== value.length) throw new Error('tensor: nested array is ragged');
  for (const v of value) flatten(v, out, dims, depth + 1);
}

/** Build a tensor from a flat array (with a shape) or from nested arrays (shape inferred). */
export function tensor(data: ArrayLike<number> | Nested, shape?: Shape): Tensor {
  if (typeof data === 'number') return new Tensor(Float32Array.of(data), shape ?? []);
  let flat: Float32Array;
  let inferred: number[];
  if (data instanceof Float32Array) {
    flat = data;
    inferred = [data.length];
  } else if (ArrayBuffer.isView(data)) {
    flat = Float32Array.from(data as ArrayLike<number>);
    inferred = [flat.length];
  } else {
    const values: number[] = [];
    inferred = [];
    flatten(data as Nested, values, inferred, 0);
    flat = Float32Array.from(values);
  }
  const target = shape ?? inferred;
  checkShape('tensor', target);
  if (shapeSize(target) !== flat.length) {
    throw new Error(`tensor: ${flat.length} values do not fit shape ${formatShape(target)}`);
  }
  return new Tensor(flat, target);
}

/** A zero-filled tensor in memory owned by `backend` (linear memory on wasm, a plain
 * array on naive and js): what ops make their outputs with. */
export function zerosOn(backend: Backend, shape: Shape): Tensor {
  checkShape('zeros', shape);
  return new Tensor(allocateStorage(backend, shapeSize(shape)), shape);
}

/** A tensor in `backend`'s memory whose contents are unspecified (on wasm, reused memory):
 * for an op's output that its kernel overwrites entirely, which saves zeroing it. */
export function emptyOn(backend: Backend, shape: Shape): Tensor {
  checkShape('empty', shape);
  return new Tensor(allocateStorage(backend, shapeSize(shape), false), shape);
}

export function zeros(shape: Shape): Tensor {
  checkShape('zeros', shape);
  return new Tensor(new Float32Array(shapeSize(shape)), shape);
}

export function full(shape: Shape, value: number): Tensor {
  checkShape('full', shape);
  return new Tensor(new Float32Array(shapeSize(shape)).fill(value), shape);
}

export function ones(shape: Shape): Tensor {
  return full(shape, 1);
}

export interface RandomOptions {
  seed?: number;
  /** A generator to draw from instead of a fresh one (shares its stream). */
  random?: Random;
}

/** Normal(mean, std) values; a seed makes them reproducible. */
export function randn(shape: Shape, options: RandomOptions & { mean?: number; std?: number } = {}): Tensor {
  const t = zeros(shape);
  const rng = options.random ?? new Random(options.seed);
  const mean = options.mean ?? 0;
  const std = options.std ?? 1;
  if (!Number.isFinite(mean) || !Number.isFinite(std) || std < 0) {
    throw new Error(`randn: mean (${mean}) must be finite and std (${std}) finite and non-negative`);
  }
  for (let i = 0; i < t.size; i++) t.data[i] = mean + std * rng.normal();
  return t;
}

/** Uniform values in [low, high); a seed makes them reproducible. */
export function rand(shape: Shape, options: RandomOptions & { low?: number; high?: number } = {}): Tensor {
  const t = zeros(shape);
  const rng = options.random ?? new Random(options.seed);
  const low = options.low ?? 0;
  const high = options.high ?? 1;
  if (!Number.isFinite(low) || !Number.isFinite(high) || !(high > low)) throw new Error(`rand: high (${high}) must be greater than low (${low})`);
  for (let i = 0; i < t.size; i++) t.data[i] = rng.uniform(low, high);
  return t;
}

/** A trainable tensor held by a Module: requires a gradient from the start. `name` is its
 * dotted path (PyTorch's state_dict key) as the module that last listed it named it. */
export class Parameter extends Tensor {
  name = '';

  constructor(value: Tensor | Float32Array, shape?: Shape) {
    if (value instanceof Tensor) super(Tensor.shareData(value), value.shape);
    else super(value, shape ?? [value.length]);
    this.requiresGrad = true;
    untrackTensor(this); // a module's state: never disposed by a tidy scope
  }
}

/** Clears a tensor's gradient: one in backend memory (wasm) is disposed at once, a plain
 * array is left to the collector (someone may still read it). */
export function releaseGrad(t: Tensor): void {
  if (t.grad !== null && t.grad.resident) t.grad.dispose();
  t.grad = null;
}
