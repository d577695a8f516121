// One step per plan node: the node's kernel on the backend, over Float32Array views of
// the arena (the caller hands fresh views to every run). Geometry comes from the trace's
// attrs (the ops computed and validated it); only shapes are read from the graph here.
import type { AdaptivePool2dGeometry, Backend, BinaryKind, Conv2dGeometry, Pool2dGeometry, PreparedProduct, StoreActivation } from '../backend/backend.js';
import { broadcastStrides } from '../ops/arithmetic.js';
import { shapeSize } from '../tensor.js';
import type { Activation, PlanGraph, PlanNode } from './graph.js';

/** The floats of a value (its storage) during one run. */
export type Views = (id: number) => Float32Array;
export type Step = (view: Views) => void;

/** What building a step made: the step, and the products it prepared (released with the
 * plan; their constant inputs live in the backend's prepared memory, not the plan's). */
export interface BuiltStep {
  step: Step;
  prepared: PreparedProduct | null;
}

function applyActivation(be: Backend, a: Activation, y: Float32Array): void {
  switch (a.kind) {
    case 'relu': be.relu(y, y); break;
    case 'clip': be.clip(y, a.min, a.max, y); break;
    case 'hardSwish': be.hardSwish(y, y); break;
    case 'sigmoid': be.sigmoid(y, y); break;
    case 'silu': be.silu(y, y); break;
  }
}

function withEpilogue(be: Backend, n: PlanNode, product: Step): Step {
  const e = n.epilogue;
  if (!e) return product;
  return (v) => {
    product(v);
    const y = v(n.output);
    if (e.residual !== null) be.binary('add', y, v(e.residual), y);
    if (e.activation) applyActivation(be, e.activation, y);
  };
}

/** The epilogue activations kernels apply in their store; sigmoid and silu (exp in
 * float64 in the TypeScript kernels) stay a pass after it. */
function storeActivation(a: Activation | null): StoreActivation | null {
  if (!a) return null;
  if (a.kind === 'relu' || a.kind === 'hardSwish') return { kind: a.kind };
  if (a.kind === 'clip') return { kind: 'clip', min: a.min, max: a.max };
  return null;
}

/** The constant floats of value id at build time (null: computed at run time). */
function constantData(g: PlanGraph, id: number | null): Float32Array | null | undefined {
  if (id === null) return null;
  const data = g.values[g.values[id].storage].data;
  return data ?? undefined;
}

/** A conv2d or linear step on a product the backend prepared, or null when it prepares none. */
function preparedStep(be: Backend, n: PlanNode, g: PlanGraph, prepare: (w: Float32Array, b: Float32Array | null, store: StoreActivation | null) => PreparedProduct | null): BuiltStep | null {
  const [x, wId, bId] = n.inputs as [number, number, number | null];
  const w = constantData(g, wId);
  const b = constantData(g, bId);
  if (!w || b === undefined) return null;
  const e = n.epilogue;
  const store = storeActivation(e?.activation ?? null);
  const product = prepare(w, b, store);
  if (!product) return null;
  const residual = e?.residual ?? null;
  const after = e?.activation && !store ? e.activation : null;
  return {
    prepared: product,
    step: (v) => {
      const y = v(n.output);
      product.run(v(x), y, residual === null ? null : v(residual));
      if (after) applyActivation(be, after, y);
    },
  };
}

const PREPARE: Record<string, (be: Backend, n: PlanNode, g: PlanGraph) => BuiltStep | null> = {
  conv2d: (be, n, g) => {
    if (!be.prepareConv2d) return null;
    const geometry = n.attrs as unknown as Conv2dGeometry;
    const residual = n.epilogue?.residual != null;
    return preparedStep(be, n, g, (w, b, activation) => be.prepareConv2d?.(geometry, w, b, { activation, residual }) ?? null);
  },
  linear: (be, n, g) => {
    if (!be.prepareLinear) return null;
    const [x, w] = n.inputs as [number, number];
    const [batch, inFeatures] = g.values[x].shape;
    const outFeatures = g.values[w].shape[0];
    const residual = n.epilogue?.residual != null;
    return preparedStep(be, n, g, (wd, b, activation) => be.prepareLinear?.(batch, inFeatures, outFeatures, wd, b, { activation, residual }) ?? null);
  },
};

const UNARY: Record<string, (be: Backend, n: PlanNode, x: Float32Array, y: Float32Array) => void> = {
  relu: (be, _n, x, y) => be.relu(x, y),
  relu6: (be, _n, x, y) => be.clip(x, 0, 6, y),
  clip: (be, n, x, y) => be.clip(x, n.attrs.min as number, n.attrs.max as number, y),
  hardSwish: (be, _n, x, y) => be.hardSwish(x, y),
  hardSigmoid: (be, n, x, y) => be.hardSigmoid(x, n.attrs.alpha as number, n.attrs.beta as number, y),
  sigmoid: (be, _n, x, y) => be.sigmoid(x, y),
  tanh: (be, _n, x, y) => be.tanh(x, y),
  silu: (be, _n, x, y) => be.silu(x, y),
  leakyRelu: (be, n, x, y) => be.leakyRelu(x, n.attrs.slope as number, y),
};

const BINARY = new Set<string>(['add', 'sub', 'mul', 'div', 'maximum', 'minimum']);

type Builder = (be: Backend, n: PlanNode, g: PlanGraph) => Step;

function averagePoolStep(be: Backend, n: PlanNode): Step {
  const geometry = n.attrs as unknown as Pool2dGeometry;
  return (v) => be.avgPool2d(geometry, v(n.inputs[0] as number), v(n.output));
}

const BUILDERS: Record<string, Builder> = {
  conv2d: (be, n) => {
    const geometry = n.attrs as unknown as Conv2dGeometry;
    const [x, w, b] = n.inputs as [number, number, number | null];
    return withEpilogue(be, n, (v) => be.conv2d(geometry, v(x), v(w), b === null ? null : v(b), v(n.output)));
  },
  linear: (be, n, g) => {
    const [x, w, b] = n.inputs as [number, number, number | null];
    const [batch, inFeatures] = g.values[x].shape;
    const outFeatures = g.values[w].shape[0];
    const params = { transA: false, transB: true, alpha: 1, beta: 0 };
    return withEpilogue(be, n, (v) => {
      const y = v(n.output);
      be.gemm(batch, outFeatures, inFeatures, v(x), v(w), y, params);
      if (b !== null) be.addBias(y, v(b), batch, outFeatures, 1, y);
    });
  },
  batchNorm2d: (be, n, g) => {
    // Eval mode: y = (x − mean)·invStd·gamma + beta with the running statistics, as the op.
    const [x, gamma, beta] = n.inputs as [number, number | null, number | null];
    const [batch, channels, h, w] = g.values[x].shape;
    const mean = Float64Array.from(g.values[n.attrValues.runningMean].data as Float32Array);
    const eps = n.attrs.eps as number;
    const invStd = Float64Array.from(g.values[n.attrValues.runningVar].data as Float32Array, (s) => 1 / Math.sqrt(s + eps));
    const ones = new Float32Array(channels).fill(1);
    const zerosC = new Float32Array(channels);
    const geometry = { batch, channels, inner: h * w };
    return (v) => be.batchNormApply(geometry, v(x), mean, invStd, gamma === null ? ones : v(gamma), beta === null ? zerosC : v(beta), v(n.output));
  },
  maxPool2d: (be, n) => {
    const geometry = n.attrs as unknown as Pool2dGeometry;
    const argmax = new Int32Array(geometry.batch * geometry.channels * geometry.outHeight * geometry.outWidth);
    return (v) => be.maxPool2d(geometry, v(n.inputs[0] as number), v(n.output), argmax);
  },
  avgPool2d: averagePoolStep,
  // The op traces the whole-plane window geometry: the same kernel.
  globalAvgPool2d: averagePoolStep,
  adaptiveAvgPool2d: (be, n) => {
    const geometry = n.attrs as unknown as AdaptivePool2dGeometry;
    return (v) => be.adaptiveAvgPool2d(geometry, v(n.inputs[0] as number), v(n.output));
  },
  concat: (be, n, g) => {
    const parts = n.inputs as number[];
    const shape = g.values[parts[0]].shape;
    const axis = n.attrs.axis as number;
    const geometry = { outer: shapeSize(shape.slice(0, axis)), inner: shapeSize(shape.slice(axis + 1)), sizes: parts.map((p) => g.values[p].shape[axis]) };
    return (v) => be.concat(geometry, parts.map(v), v(n.output));
  },
  softmax: (be, n, g) => softmaxStep(be, n, g, false),
  logSoftmax: (be, n, g) => softmaxStep(be, n, g, true),
};

function softmaxStep(be: Backend, n: PlanNode, g: PlanGraph, log: boolean): Step {
  const x = n.inputs[0] as number;
  const shape = g.values[x].shape;
  const axis = n.attrs.axis as number;
  const size = shape[axis];
  const inner = shapeSize(shape.slice(axis + 1));
  const geometry = { outer: shapeSize(shape) / (size * inner), size, inner };
  if (inner === 1) return (v) => (log ? be.logSoftmax : be.softmax).call(be, v(x), geometry.outer, size, v(n.output));
  return (v) => (log ? be.logSoftmaxStrided : be.softmaxStrided).call(be, geometry, v(x), v(n.output));
}

function binaryStep(be: Backend, n: PlanNode, g: PlanGraph): Step {
  const kind = n.op as BinaryKind;
  const [a, b] = n.inputs as [number, number];
  const shape = g.values[n.output].shape;
  const sa = g.values[a].shape;
  const sb = g.values[b].shape;
  const same = (s: readonly number[]) => s.length === shape.length && s.every((d, i) => d === shape[i]);
  if (same(sa) && same(sb)) return (v) => be.binary(kind, v(a), v(b), v(n.output));
  const geometry = { shape, aStrides: broadcastStrides(sa, shape), bStrides: broadcastStrides(sb, shape) };
  return (v) => be.broadcastBinary(kind, geometry, v(a), v(b), v(n.output));
}

/** Ops the plan runs; compile refuses a model using any other. */
export function supportedOps(): string[] {
  return [...Object.keys(BUILDERS), ...Object.keys(UNARY), ...BINARY].sort();
}

/** The node's step: on a product the backend prepares when it can, else on its kernels. */
export function buildStep(be: Backend, n: PlanNode, g: PlanGraph): BuiltStep {
  const prepared = PREPARE[n.op]?.(be, n, g);
  return prepared ?? { step: kernelStep(be, n, g), prepared: null };
}

function kernelStep(be: Backend, n: PlanNode, g: PlanGraph): Step {
  const builder = BUILDERS[n.op];
  if (builder) return builder(be, n, g);
  const unary = UNARY[n.op];
  if (unary) {
    const x = n.inputs[0] as number;
    return (v) => unary(be, n, v(x), v(n.output));
  }
  if (BINARY.has(n.op)) return binaryStep(be, n, g);
  throw new Error(`compile: the op '${n.op}' is not supported by compiled plans yet (supported: ${supportedOps().join(', ')}); run the model uncompiled`);
}
