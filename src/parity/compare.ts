// compareBackends: one model, one input, every backend against the naive reference, layer
// by layer. Each submodule's forward is shadowed for the run (as summary() does) so its
// outputs are captured; the model runs in eval mode inside noGrad, then (optionally) once
// more with the tape for the gradients of a fixed scalar loss Σ y·r (r a seeded random
// tensor), which are compared for the input and every parameter. The current backend,
// the modules' modes and the parameters' .grad are put back afterwards.
import type { Backend } from '../backend/backend.js';
import { naiveBackend } from '../backend/naive.js';
import { currentBackend, setBackend } from '../backend/registry.js';
import { noGrad } from '../autograd/graph.js';
import type { Module } from '../nn/module.js';
import { mul } from '../ops/arithmetic.js';
import { sum } from '../ops/reduce.js';
import { checkOptions } from '../ops/validate.js';
import { Tensor, randn, type Shape } from '../tensor.js';
import { resolveBackends, type ParityBackendSpec, type SkippedBackend } from './backends.js';
import { checkTolerance, errorStats, worse, type ErrorStats, type Tolerance } from './tolerance.js';

export interface CompareBackendsOptions {
  /** Default ['js', 'wasm']: js and every wasm variant the engine validates. */
  backends?: ParityBackendSpec[];
  /** The backend every other is compared with; only 'naive' (float64 sums) for now. */
  reference?: 'naive';
  /** Default { rtol: 1e-4, atol: 1e-5 }: |a − e| ≤ rtol·|e| + atol. */
  tolerance?: Partial<Tolerance>;
  /** Also compare the gradients of Σ y·r (r seeded random) w.r.t. the input and every parameter (default false). */
  backward?: boolean;
}

/** One compared tensor: a module's output (name = its path, '' for the model), or a gradient. */
export interface ParityEntry extends ErrorStats {
  name: string;
  /** The module's type, or 'grad' for a gradient. */
  type: string;
  shape: Shape;
  /** Why the entry could not be compared element by element (e.g. a call count or shape differs). */
  note?: string;
}

export interface BackendParity {
  /** 'js', 'wasm:simd', ... or the label of a user's Backend. */
  backend: string;
  ok: boolean;
  /** The model's output. */
  output: ParityEntry;
  /** Each submodule's output, pre-order (a module called k times gives k entries, name#2, ...). */
  layers: ParityEntry[];
  /** With backward: 'input' then every parameter by its state-dict name. */
  gradients: ParityEntry[];
  /** The entry with the largest error/bound ratio. */
  worst: ParityEntry;
}

export interface ParityReport {
  reference: 'naive';
  tolerance: Tolerance;
  inputShape: Shape;
  ok: boolean;
  backends: BackendParity[];
  /** Backends that were asked for but cannot run here, with the reason. */
  skipped: SkippedBackend[];
}

interface Capture {
  /** Per module path, the outputs of each call, in order. */
  layers: Map<string, { type: string; outputs: Tensor[] }>;
  output: Tensor;
  gradients: Map<string, Tensor | null> | null;
}

type Forward = (...args: Tensor[]) => Tensor;

function snapshot(t: Tensor): Tensor {
  return new Tensor(t.data.slice(), t.shape);
}

/** Runs fn with every submodule's forward shadowed to record its Tensor outputs. */
function hooked<T>(model: Module, fn: (layers: Capture['layers']) => T): T {
  const layers: Capture['layers'] = new Map();
  const restore = model.namedModules().slice(1).map(([path, m]) => {
    const slot = m as unknown as { forward: Forward };
    const own = Object.hasOwn(m, 'forward');
    const original = slot.forward;
    const entry = { type: m.type, outputs: [] as Tensor[] };
    layers.set(path, entry);
    slot.forward = (...args: Tensor[]) => {
      const y = original.apply(m, args);
      if (y instanceof Tensor) entry.outputs.push(snapshot(y));
      return y;
    };
    return () => {
      if (own) slot.forward = original;
      else delete (m as unknown as { forward?: unknown }).forward;
    };
  });
  try {
    return fn(layers);
  } finally {
    restore.forEach((r) => r());
  }
}

function checkOutput(y: unknown): Tensor {
  if (!(y instanceof Tensor)) throw new Error(`compareBackends: the model's forward must return one Tensor, got ${String(y)}`);
  return y;
}

function runOn(backend: Backend, model: Module, input: Tensor, weights: Tensor | null): Capture {
  setBackend(backend);
  const { layers, output } = hooked(model, (layers) => ({ layers, output: snapshot(checkOutput(noGrad(() => model.forward(input.copyDetached())))) }));
  if (weights === null) return { layers, output, gradients: null };
  const params = model.namedParameters();
  const saved = params.map(([, p]) => p.grad);
  try {
    for (const [, p] of params) p.grad = null;
    const x = input.copyDetached();
    x.requiresGrad = true;
    sum(mul(checkOutput(model.forward(x)), weights)).backward();
    const gradients = new Map<string, Tensor | null>([['input', x.grad && snapshot(x.grad)]]);
    for (const [name, p] of params) gradients.set(name, p.grad && snapshot(p.grad));
    return { layers, output, gradients };
  } finally {
    params.forEach(([, p], i) => (p.grad = saved[i]));
  }
}

function entry(name: string, type: string, actual: Tensor | null | undefined, expected: Tensor | null | undefined, tol: Tolerance): ParityEntry {
  const shape = expected?.shape ?? actual?.shape ?? [];
  const missing = (why: string): ParityEntry => ({
    name, type, shape, size: 0, failures: 1, maxAbsError: Infinity, worstRatio: Infinity, worstIndex: -1, actual: NaN, expected: NaN, ok: false, note: why,
  });
  if (!expected && !actual) return { ...errorStats([], [], tol), name, type, shape };
  if (!actual) return missing('no value on this backend');
  if (!expected) return missing('no value on the reference');
  if (actual.shape.join() !== expected.shape.join()) return missing(`shape [${actual.shape.join(', ')}] vs reference [${expected.shape.join(', ')}]`);
  return { ...errorStats(actual.data, expected.data, tol), name, type, shape };
}

function compareCaptures(label: string, got: Capture, ref: Capture, tol: Tolerance): BackendParity {
  const layers: ParityEntry[] = [];
  for (const [path, r] of ref.layers) {
    const g = got.layers.get(path);
    const calls = Math.max(r.outputs.length, g?.outputs.length ?? 0);
    for (let i = 0; i < calls; i++) {
      const e = entry(i === 0 ? path : `${path}#${i + 1}`, r.type, g?.outputs[i], r.outputs[i], tol);
      layers.push(e);
    }
  }
  const output = entry('(output)', 'output', got.output, ref.output, tol);
  const gradients: ParityEntry[] = [];
  if (ref.gradients) for (const [name, r] of ref.gradients) gradients.push(entry(name, 'grad', got.gradients?.get(name), r, tol));
  const all = [output, ...layers, ...gradients];
  const worst = all.reduce<ParityEntry | null>((w, e) => worse(w, e) as ParityEntry, null) as ParityEntry;
  return { backend: label, ok: all.every((e) => e.ok), output, layers, gradients, worst };
}

/** Runs model on input on each backend and on the reference (naive), and reports the worst
 * error of every submodule's output, of the model's output and (with backward) of every
 * gradient. Restores the current backend. Only the wasm variants this engine validates run;
 * the others are listed in report.skipped. */
export async function compareBackends(model: Module, input: Tensor, options?: CompareBackendsOptions): Promise<ParityReport> {
  const op = 'compareBackends';
  const opts = checkOptions(op, options, ['backends', 'reference', 'tolerance', 'backward']);
  if (model === null || typeof model !== 'object' || typeof (model as Module).forward !== 'function' || typeof (model as Module).namedModules !== 'function') {
    throw new Error(`${op}: model must be a Module, got ${String(model)}`);
  }
  if (!(input instanceof Tensor)) throw new Error(`${op}: input must be a Tensor, got ${String(input)}`);
  if (opts.reference !== undefined && opts.reference !== 'naive') throw new Error(`${op}: reference must be 'naive', got ${String(opts.reference)}`);
  if (opts.backward !== undefined && typeof opts.backward !== 'boolean') throw new Error(`${op}: backward must be true or false, got ${String(opts.backward)}`);
  const tol = checkTolerance(op, opts.tolerance);
  const { run, skipped } = await resolveBackends(op, opts.backends);
  const previous = currentBackend();
  const modes = model.namedModules().map(([, m]) => [m, m.training] as const);
  model.eval();
  try {
    const ref = runOn(naiveBackend, model, input, null);
    const weights = opts.backward ? randn(ref.output.shape, { seed: 7 }) : null;
    const reference = weights ? runOn(naiveBackend, model, input, weights) : ref;
    const backends = run.map(({ label, backend }) => compareCaptures(label, runOn(backend, model, input, weights), reference, tol));
    return { reference: 'naive', tolerance: tol, inputShape: input.shape, ok: backends.every((b) => b.ok), backends, skipped };
  } finally {
    for (const [m, mode] of modes) m.training = mode;
    setBackend(previous);
  }
}
