// Reductions: ReduceMean / Max / Min / Sum on tensors (simdnet's reduce ops), ReduceSumSquare,
// ReduceL1 and ReduceL2 as ONNX defines them (a sum of x², |x|, its square root), and all
// of them plus ReduceProd on the host. Axes are an attribute before opset 18, except
// ReduceSum's, which is an input from opset 13 (with noop_with_empty_axes).
import { abs, max, mean, min, mul, reshape, sqrt, sum } from '../../ops/index.js';
import type { Tensor } from '../../tensor.js';
import type { CompileContext, Dims, ExecNode, OpDef } from '../exec.js';
import { reduceHost, type HostValue } from '../host.js';
import { axesOf, dimsOf, intsOf, tensorAt } from './util.js';

interface Reduction {
  host: ((x: HostValue, axes: number[], keep: boolean) => HostValue) | null;
  device: ((x: Tensor, axes: number[], keep: boolean) => Tensor) | null;
}

const hostWith = (init: number, f: (a: number, v: number) => number, finish?: (acc: HostValue, count: number) => HostValue) =>
  (x: HostValue, axes: number[], keep: boolean): HostValue => {
    const r = reduceHost('Reduce', { ...x, dims: x.dims }, axes, keep, init, f);
    return finish ? finish(r, axes.reduce((n, a) => n * x.dims[a], 1)) : r;
  };

const REDUCTIONS: Record<string, Reduction> = {
  ReduceSum: { host: hostWith(0, (a, v) => a + v), device: (x, axes, keepDims) => sum(x, { axis: axes, keepDims }) },
  ReduceMean: {
    host: hostWith(0, (a, v) => a + v, (r, n) => ({ ...r, data: r.data.map((v) => Math.fround(v / n)) })),
    device: (x, axes, keepDims) => mean(x, { axis: axes, keepDims }),
  },
  ReduceMax: { host: hostWith(-Infinity, (a, v) => (v > a || Number.isNaN(v) ? v : a)), device: (x, axes, keepDims) => max(x, { axis: axes, keepDims }) },
  ReduceMin: { host: hostWith(Infinity, (a, v) => (v < a || Number.isNaN(v) ? v : a)), device: (x, axes, keepDims) => min(x, { axis: axes, keepDims }) },
  ReduceProd: { host: hostWith(1, (a, v) => a * v), device: null },
  ReduceSumSquare: { host: hostWith(0, (a, v) => a + v * v), device: (x, axes, keepDims) => sum(mul(x, x), { axis: axes, keepDims }) },
  ReduceL1: { host: hostWith(0, (a, v) => a + Math.abs(v)), device: (x, axes, keepDims) => sum(abs(x), { axis: axes, keepDims }) },
  ReduceL2: {
    host: hostWith(0, (a, v) => a + v * v, (r) => ({ ...r, data: r.data.map((v) => Math.fround(Math.sqrt(v))) })),
    device: (x, axes, keepDims) => sqrt(sum(mul(x, x), { axis: axes, keepDims })),
  },
};

function reduceOp(name: string, r: Reduction): OpDef {
  return {
    compile(c: CompileContext): ExecNode {
      const keep = c.attrs.oneOfInts('keepdims', 1, [0, 1]) === 1;
      const axesInput = name === 'ReduceSum' && c.opset >= 13;
      const attrAxes = axesInput ? undefined : c.attrs.ints('axes');
      const noop = axesInput && c.attrs.oneOfInts('noop_with_empty_axes', 0, [0, 1]) === 1;
      c.attrs.finish(name);
      /** The axes to reduce (all when none are given), or null for noop_with_empty_axes. */
      const axesFor = (x: Dims, given: HostValue | undefined | null): number[] | null => {
        const list = axesInput ? (given ? intsOf(c, given, 'input 1 (axes)') : []) : (attrAxes ?? []);
        if (list.length === 0) return noop ? null : [...x.keys()];
        return axesOf(c, list, x.length);
      };
      const outDims = (x: Dims, axes: number[] | null): number[] => {
        if (!axes) return [...x];
        return keep ? x.map((d, i) => (axes.includes(i) ? 1 : d)) : x.filter((_, i) => !axes.includes(i));
      };
      return {
        hostInputs: axesInput ? [1] : [],
        host: r.host
          ? (ins) => {
              const x = ins[0]?.host;
              if (!x || (ins[1] && !ins[1].host)) return null;
              const axes = axesFor(x.dims, ins[1]?.host);
              return [axes ? (r.host as NonNullable<Reduction['host']>)(x, axes, keep) : x];
            }
          : undefined,
        infer: (ins) => {
          const x = dimsOf(ins[0]);
          if (!x || (ins[1] && !ins[1].host)) return [null];
          return [outDims(x, axesFor(x, ins[1]?.host))];
        },
        run: (ins) => {
          const x = tensorAt(c, ins, 0);
          const axes = axesFor(x.shape, ins[1] as HostValue | undefined);
          if (!axes) return [x];
          if (!r.device) return c.fail(`${name} on a tensor computed from data is not supported (simdnet computes it on the host, for constants and shapes)`);
          const y = r.device(x, axes, keep);
          const want = outDims(x.shape, axes);
          return [y.rank === want.length ? y : reshape(y, want)];
        },
      };
    },
  };
}

export const REDUCE_OPS: Record<string, OpDef> = Object.fromEntries(Object.entries(REDUCTIONS).map(([name, r]) => [name, reduceOp(name, r)]));
