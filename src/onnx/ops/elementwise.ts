// Elementwise ONNX ops: activations and math on tensors (through simdnet's ops), the
// arithmetic that also runs on the host for shape computations (Add, Sub, Mul, Div on
// int64 sizes), and the host-only comparisons and logic (Equal, Where, Not, ...) that
// exporters emit around Expand and Reshape.
import { abs, add, clip, div, elu, erf, exp, hardSigmoid, hardSwish, leakyRelu, log, logSoftmax, maxOf, meanOf, minOf, mul, neg, pow, reciprocal, relu, reshape, sigmoid, softmax, softplus, sqrt, sub, sumOf, tanh } from '../../ops/index.js';
import type { Tensor } from '../../tensor.js';
import type { CompileContext, ExecNode, Known, OpDef, RunInput } from '../exec.js';
import { broadcastAll, isFloatType, mapBroadcast, type HostValue } from '../host.js';
import { dimsOf, hostInputs, isTensor, product, scalarOf, tensorAt } from './util.js';

type HostFn = (v: number) => number;

/** A unary op on tensors (run) that also runs on the host when given (host). */
function unaryOp(compile: (c: CompileContext) => (x: Tensor) => Tensor, hostFn?: HostFn, hostOnlyFloat = false): OpDef {
  return {
    compile(c) {
      const run = compile(c);
      c.attrs.finish(c.node.op);
      return {
        hostInputs: [],
        host: hostFn
          ? (ins) => {
              const h = hostInputs(ins);
              if (!h || !h[0]) return null;
              const x = h[0];
              if (hostOnlyFloat && !isFloatType(x.dtype)) c.fail(`input 0 is ${x.dtype}; ${c.node.op} takes float data`);
              return [mapBroadcast(c.node.op, x.dtype, [x], hostFn)];
            }
          : undefined,
        infer: (ins) => [dimsOf(ins[0])],
        run: (ins) => [run(tensorAt(c, ins, 0))],
      };
    },
  };
}

/** An op simdnet computes only on the host (its inputs must be constants or shapes). */
function hostOnly(c: CompileContext, outputs: number, f: (h: (HostValue | undefined)[]) => HostValue[], inferDims?: (ins: readonly (Known | undefined)[]) => (readonly number[] | null)[]): ExecNode {
  return {
    hostInputs: c.node.inputs.map((_, i) => i),
    host: (ins) => {
      const h = hostInputs(ins);
      return h ? f(h) : null;
    },
    infer: (ins) => (inferDims ? inferDims(ins) : new Array(outputs).fill(null)),
    run: () => c.fail(`${c.node.op} runs on constants and shapes only; here its input is computed from tensor data`),
  };
}

const simple = (f: (x: Tensor) => Tensor) => () => f;

function checkSameType(c: CompileContext, values: readonly HostValue[]): void {
  const t = values[0].dtype;
  const other = values.find((v) => v.dtype !== t);
  if (other) c.fail(`inputs have different types (${t} and ${other.dtype})`);
}

/** Numpy-broadcast sizes of the known inputs. */
function broadcastDims(c: CompileContext, ins: readonly (Known | undefined)[]): readonly number[] | null {
  const dims = ins.map((k) => k?.dims ?? null);
  if (dims.some((d) => d === null)) return null;
  const out = broadcastAll(dims as (readonly number[])[]);
  if (!out) c.fail(`input shapes ${dims.map((d) => `[${d?.join(', ')}]`).join(' and ')} do not broadcast`);
  return out;
}

function intDiv(a: number, b: number): number {
  if (b === 0) throw new Error('integer division by zero');
  return Math.trunc(a / b);
}

/** Add, Sub, Mul, Div: tensors through ops (broadcasting); host values with ONNX's
 * integer semantics (Div truncates toward zero). */
function arithmetic(device: (a: Tensor, b: Tensor) => Tensor, f: (a: number, b: number) => number, intF: (a: number, b: number) => number = f): OpDef {
  return {
    compile(c) {
      c.attrs.finish(c.node.op);
      return {
        hostInputs: [],
        host: (ins) => {
          const h = hostInputs(ins);
          if (!h || !h[0] || !h[1]) return null;
          const [a, b] = h as HostValue[];
          checkSameType(c, [a, b]);
          const fn = isFloatType(a.dtype) ? f : intF;
          try {
            return [mapBroadcast(c.node.op, a.dtype, [a, b], fn)];
          } catch (e) {
            return c.fail((e as Error).message);
          }
        },
        infer: (ins) => [broadcastDims(c, ins)],
        run: (ins) => [device(tensorAt(c, ins, 0), tensorAt(c, ins, 1))],
      };
    },
  };
}

/** Sum, Mean, Max, Min over any number of inputs (numpy broadcasting). */
function variadic(device: (xs: Tensor[]) => Tensor, f: ((values: number[]) => number) | null): OpDef {
  return {
    compile(c) {
      c.attrs.finish(c.node.op);
      if (c.node.inputs.length === 0 || c.node.inputs.some((n) => n === '')) c.fail('needs at least one input, none omitted');
      return {
        hostInputs: [],
        host: f
          ? (ins) => {
              const h = hostInputs(ins);
              if (!h) return null;
              checkSameType(c, h as HostValue[]);
              return [mapBroadcast(c.node.op, (h[0] as HostValue).dtype, h as HostValue[], (...v) => f(v))];
            }
          : undefined,
        infer: (ins) => [broadcastDims(c, ins)],
        run: (ins) => [device(ins.map((_, i) => tensorAt(c, ins, i)))],
      };
    },
  };
}

/** Equal, Less, ...: host only, bool output. */
function comparison(f: (a: number, b: number) => boolean): OpDef {
  return {
    compile(c) {
      c.attrs.finish(c.node.op);
      return hostOnly(c, 1, (h) => {
        const [a, b] = h as HostValue[];
        checkSameType(c, [a, b]);
        return [mapBroadcast(c.node.op, 'bool', [a, b], (x, y) => (f(x, y) ? 1 : 0))];
      }, (ins) => [broadcastDims(c, ins)]);
    },
  };
}

function logic(f: (a: boolean, b: boolean) => boolean): OpDef {
  return {
    compile(c) {
      c.attrs.finish(c.node.op);
      return hostOnly(c, 1, (h) => [mapBroadcast(c.node.op, 'bool', h as HostValue[], (x, y) => (f(x !== 0, y !== 0) ? 1 : 0))], (ins) => [broadcastDims(c, ins)]);
    },
  };
}

/** Softmax / LogSoftmax: opset 13 normalizes one axis (default −1); before, the input is
 * coerced to 2-D at axis (default 1) and each row is normalized. */
function softmaxLike(f: (x: Tensor, axis: number) => Tensor): OpDef {
  return {
    compile(c) {
      const axis = c.attrs.int('axis', c.opset >= 13 ? -1 : 1);
      c.attrs.finish(c.node.op);
      return {
        hostInputs: [],
        infer: (ins) => {
          const d = dimsOf(ins[0]);
          if (d && (axis < -d.length || axis >= Math.max(1, d.length))) c.fail(`attribute 'axis' ${axis} is outside a rank-${d.length} input`);
          return [d];
        },
        run: (ins) => {
          const x = tensorAt(c, ins, 0);
          if (axis < -x.rank || axis >= Math.max(1, x.rank)) c.fail(`attribute 'axis' ${axis} is outside a rank-${x.rank} input`);
          if (c.opset >= 13) return [f(x, axis)];
          const a = axis < 0 ? axis + x.rank : axis;
          const rows = reshape(x, [product(x.shape.slice(0, a)), product(x.shape.slice(a))]);
          return [reshape(f(rows, -1), x.shape)];
        },
      };
    },
  };
}

/** Clip (opset 11+): min and max are optional scalar inputs, read on the host. */
const Clip: OpDef = {
  compile(c) {
    c.attrs.finish(c.node.op);
    const bound = (ins: readonly RunInput[], i: number, fallback: number): number => {
      const v = ins[i];
      if (v === undefined) return fallback;
      if (isTensor(v)) return c.fail(`input ${i} must be a constant or computed from shapes`);
      return scalarOf(c, v, `input ${i} (${i === 1 ? 'min' : 'max'})`);
    };
    return {
      hostInputs: [1, 2],
      host: (ins) => {
        const h = hostInputs(ins);
        if (!h || !h[0]) return null;
        const lo = h[1] ? scalarOf(c, h[1], 'min') : -Infinity;
        const hi = h[2] ? scalarOf(c, h[2], 'max') : Infinity;
        return [mapBroadcast('Clip', h[0].dtype, [h[0]], (v) => Math.min(Math.max(v, lo), hi))];
      },
      infer: (ins) => [dimsOf(ins[0])],
      run: (ins) => [clip(tensorAt(c, ins, 0), { min: bound(ins, 1, -Infinity), max: bound(ins, 2, Infinity) })],
    };
  },
};

/** Pow: the exponent must be one number (a constant or a host value); a host base and
 * exponent compute on the host. */
const Pow: OpDef = {
  compile(c) {
    c.attrs.finish(c.node.op);
    return {
      hostInputs: [1],
      host: (ins) => {
        const h = hostInputs(ins);
        if (!h || !h[0] || !h[1]) return null;
        return [mapBroadcast('Pow', h[0].dtype, [h[0], h[1]], (a, b) => a ** b)];
      },
      infer: (ins) => {
        const e = ins[1]?.host;
        if (e && e.data.length !== 1 && new Set(e.data).size !== 1) c.fail(`input 1 (the exponent) must be one number, got shape [${e.dims.join(', ')}]`);
        return [broadcastDims(c, ins)];
      },
      run: (ins) => {
        const x = tensorAt(c, ins, 0);
        const e = ins[1] as HostValue;
        if (e.data.length === 0 || new Set(e.data).size !== 1) c.fail(`input 1 (the exponent) must be one number (simdnet's pow takes a scalar exponent), got shape [${e.dims.join(', ')}]`);
        const y = pow(x, e.data[0]);
        const dims = broadcastAll([x.shape, e.dims]);
        return [dims && dims.length !== y.rank ? reshape(y, dims) : y];
      },
    };
  },
};

/** PRelu on tensors: the slope broadcasts to x (right-aligned); its span of axes without
 * leading and trailing 1s must match x's own, so x is seen as [outer, C, inner] with the
 * slope as [C] (prelu's per-channel layout). */
export function preluAny(c: CompileContext, x: Tensor, slope: Tensor, run: (x3: Tensor, s: Tensor) => Tensor): Tensor {
  const offset = x.rank - slope.rank;
  if (offset < 0) c.fail(`slope [${slope.shape.join(', ')}] has a higher rank than x [${x.shape.join(', ')}]`);
  const axes = slope.shape.map((_, i) => i).filter((i) => slope.shape[i] !== 1);
  if (axes.length === 0) return run(x, reshape(slope, [1]));
  const [first, last] = [axes[0], axes[axes.length - 1]];
  for (let i = first; i <= last; i++) {
    if (slope.shape[i] !== x.shape[offset + i]) c.fail(`slope [${slope.shape.join(', ')}] does not broadcast as one span of channels of x [${x.shape.join(', ')}]`);
  }
  const outer = product(x.shape.slice(0, offset + first));
  const channels = product(slope.shape.slice(first, last + 1));
  const inner = product(x.shape.slice(offset + last + 1));
  return reshape(run(reshape(x, [outer, channels, inner]), reshape(slope, [channels])), x.shape);
}

/** Where: host only (a select on tensors is not an op of simdnet). */
const Where: OpDef = {
  compile(c) {
    c.attrs.finish(c.node.op);
    return hostOnly(c, 1, (h) => {
      const [cond, a, b] = h as HostValue[];
      checkSameType(c, [a, b]);
      return [mapBroadcast('Where', a.dtype, [cond, a, b], (k, x, y) => (k ? x : y))];
    }, (ins) => [broadcastDims(c, ins)]);
  },
};

const Mod: OpDef = {
  compile(c) {
    const fmod = c.attrs.oneOfInts('fmod', 0, [0, 1]);
    c.attrs.finish(c.node.op);
    return hostOnly(c, 1, (h) => {
      const [a, b] = h as HostValue[];
      checkSameType(c, [a, b]);
      if (!fmod && isFloatType(a.dtype)) c.fail('fmod 0 with float inputs is not allowed (ONNX requires fmod 1)');
      return [mapBroadcast('Mod', a.dtype, [a, b], (x, y) => {
        if (y === 0 && !isFloatType(a.dtype)) throw new Error('Mod: integer modulo by zero');
        const r = x % y;
        return fmod || r === 0 || r < 0 === y < 0 ? r : r + y;
      })];
    }, (ins) => [broadcastDims(c, ins)]);
  },
};

const reluHost = (v: number): number => (v > 0 || Number.isNaN(v) ? v : 0);

export const ELEMENTWISE_OPS: Record<string, OpDef> = {
  Relu: unaryOp(simple((x) => relu(x)), reluHost),
  LeakyRelu: unaryOp((c) => {
    const alpha = c.attrs.float('alpha', 0.01);
    return (x) => leakyRelu(x, alpha);
  }),
  Sigmoid: unaryOp(simple((x) => sigmoid(x))),
  Tanh: unaryOp(simple((x) => tanh(x))),
  HardSigmoid: unaryOp((c) => {
    const options = { alpha: c.attrs.float('alpha', 0.2), beta: c.attrs.float('beta', 0.5) };
    return (x) => hardSigmoid(x, options);
  }),
  HardSwish: unaryOp(simple((x) => hardSwish(x))),
  Elu: unaryOp((c) => {
    const alpha = c.attrs.float('alpha', 1);
    return (x) => elu(x, { alpha });
  }),
  // Selu is gamma·elu(x, alpha) by ONNX's definition.
  Selu: unaryOp((c) => {
    const alpha = c.attrs.float('alpha', Math.fround(1.6732632));
    const gamma = c.attrs.float('gamma', Math.fround(1.0507010));
    return (x) => mul(elu(x, { alpha }), gamma);
  }),
  // ONNX Softplus is log(1 + eˣ); simdnet's switches to x above 20, where float32 cannot tell them apart.
  Softplus: unaryOp(simple((x) => softplus(x))),
  Exp: unaryOp(simple((x) => exp(x)), Math.exp, true),
  Log: unaryOp(simple((x) => log(x)), Math.log, true),
  Sqrt: unaryOp(simple((x) => sqrt(x)), Math.sqrt, true),
  Abs: unaryOp(simple((x) => abs(x)), Math.abs),
  Neg: unaryOp(simple((x) => neg(x)), (v) => -v),
  Reciprocal: unaryOp(simple((x) => reciprocal(x)), (v) => 1 / v, true),
  Erf: unaryOp(simple((x) => erf(x))),
  Softmax: softmaxLike((x, axis) => softmax(x, axis)),
  LogSoftmax: softmaxLike((x, axis) => logSoftmax(x, axis)),
  Clip,
  Pow,

  Add: arithmetic((a, b) => add(a, b), (a, b) => a + b),
  Sub: arithmetic((a, b) => sub(a, b), (a, b) => a - b),
  Mul: arithmetic((a, b) => mul(a, b), (a, b) => a * b),
  Div: arithmetic((a, b) => div(a, b), (a, b) => a / b, intDiv),
  Sum: variadic((xs) => sumOf(xs), (v) => v.reduce((s, x) => s + x, 0)),
  Mean: variadic((xs) => meanOf(xs), null),
  Max: variadic((xs) => maxOf(xs), (v) => (v.some(Number.isNaN) ? Number.NaN : Math.max(...v))),
  Min: variadic((xs) => minOf(xs), (v) => (v.some(Number.isNaN) ? Number.NaN : Math.min(...v))),

  Floor: { compile: (c) => (c.attrs.finish('Floor'), hostOnly(c, 1, (h) => [mapBroadcast('Floor', (h[0] as HostValue).dtype, [h[0] as HostValue], Math.floor)], (ins) => [dimsOf(ins[0])])) },
  Ceil: { compile: (c) => (c.attrs.finish('Ceil'), hostOnly(c, 1, (h) => [mapBroadcast('Ceil', (h[0] as HostValue).dtype, [h[0] as HostValue], Math.ceil)], (ins) => [dimsOf(ins[0])])) },
  // Round halves to even, as ONNX.
  Round: {
    compile: (c) => (c.attrs.finish('Round'), hostOnly(c, 1, (h) => [mapBroadcast('Round', (h[0] as HostValue).dtype, [h[0] as HostValue], (v) => {
      const r = Math.round(v);
      return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
    })], (ins) => [dimsOf(ins[0])])),
  },
  Sign: { compile: (c) => (c.attrs.finish('Sign'), hostOnly(c, 1, (h) => [mapBroadcast('Sign', (h[0] as HostValue).dtype, [h[0] as HostValue], Math.sign)], (ins) => [dimsOf(ins[0])])) },
  Not: { compile: (c) => (c.attrs.finish('Not'), hostOnly(c, 1, (h) => [mapBroadcast('Not', 'bool', [h[0] as HostValue], (v) => (v ? 0 : 1))], (ins) => [dimsOf(ins[0])])) },
  Mod,
  Equal: comparison((a, b) => a === b),
  Less: comparison((a, b) => a < b),
  Greater: comparison((a, b) => a > b),
  LessOrEqual: comparison((a, b) => a <= b),
  GreaterOrEqual: comparison((a, b) => a >= b),
  And: logic((a, b) => a && b),
  Or: logic((a, b) => a || b),
  Xor: logic((a, b) => a !== b),
  Where,
};
