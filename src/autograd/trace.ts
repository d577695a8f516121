// The op trace: while traceOps(fn) runs, every op appends what it did — its name, its
// inputs, its output and the attributes that reproduce it exactly — whether or not it
// records gradients. It is the shared IR of ONNX export (src/onnx/export) and of a
// compiled inference plan. Ops add to it through record() (src/autograd/graph.ts) or,
// for ops outside the tape, traceOp(); with no trace active both cost one comparison.
import type { Tensor } from '../tensor.js';

export type TraceAttrs = Readonly<Record<string, unknown>>;

export interface TracedOp {
  /** The op's name as simdnet spells it ('conv2d', 'add', 'split', …). */
  readonly op: string;
  /** The op's tensor inputs in order (null for an optional one not given, e.g. a bias). */
  readonly inputs: readonly (Tensor | null)[];
  readonly output: Tensor;
  /** What reproduces the op beyond its inputs: resolved options, geometry, axes, scalar
   * operands, state tensors that are not differentiable inputs. Read-only: the objects are
   * the op's own (a geometry shared with its backward rule). */
  readonly attrs: TraceAttrs;
  /** The scope active when the op ran (see traceScope: a module's path), '' outside any. */
  readonly scope: string;
}

const NO_ATTRS: TraceAttrs = Object.freeze({});
let log: TracedOp[] | null = null;
let scope = '';

/** Whether a trace is active: call sites build their attrs only then. */
export function tracing(): boolean {
  return log !== null;
}

/** Appends an op to the active trace; does nothing when none is active. `attrs` is any
 * object of named fields (an op's geometry interface is one as it is). */
export function traceOp(op: string, output: Tensor, inputs: readonly (Tensor | null | undefined)[], attrs?: object): void {
  if (log === null) return;
  log.push({ op, inputs: inputs.map((t) => t ?? null), output, attrs: (attrs ?? NO_ATTRS) as TraceAttrs, scope });
}

function isPromise(value: unknown): boolean {
  return value !== null && typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function';
}

/** Runs fn with a trace active and returns its result with the ops it ran, in order. fn
 * must be synchronous. Inside another traceOps the inner ops are also added to the outer
 * trace, so the outer one stays complete. */
export function traceOps<T>(fn: () => T): { result: T; ops: TracedOp[] } {
  if (typeof fn !== 'function') throw new Error(`traceOps: expected a function, got ${String(fn)}`);
  const outer = log;
  const ops: TracedOp[] = [];
  log = ops;
  try {
    const result = fn();
    if (isPromise(result)) throw new Error('traceOps: the function returned a promise; a trace is synchronous (trace each synchronous step)');
    return { result, ops };
  } finally {
    log = outer;
    if (outer !== null) for (const t of ops) outer.push(t);
  }
}

/** Runs fn with `name` as the scope of the ops it traces (the exporter names a module's
 * ops by its path this way). Without an active trace it only calls fn. */
export function traceScope<T>(name: string, fn: () => T): T {
  if (typeof name !== 'string') throw new Error(`traceScope: name must be a string, got ${String(name)}`);
  if (log === null) return fn();
  const before = scope;
  scope = name;
  try {
    return fn();
  } finally {
    scope = before;
  }
}
