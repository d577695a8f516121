// MaxPool, AveragePool (2-D and 1-D, with ceil_mode, dilations for max, count_include_pad
// for average) and the global pools (any spatial rank, as a reshape around the 2-D op).
import { avgPool2d, globalAvgPool2d, globalMaxPool2d, maxPool2dWithIndices, reshape } from '../../ops/index.js';
import { pool2dGeometry } from '../../ops/geometry.js';
import type { Tensor } from '../../tensor.js';
import type { CompileContext, Dims, ExecNode, OpDef } from '../exec.js';
import { hostValue } from '../host.js';
import { as4d, dims4d, from4d, fromDims4d, readSpatial, resolveSpatial, spatialRank, type Spatial2d, type SpatialAttrs } from './spatial.js';
import { dimsOf, tensorAt } from './util.js';

interface PoolAttrs {
  s: SpatialAttrs;
  ceil: boolean;
  countIncludePad: boolean;
}

/** ONNX's output size (opsets 11–17: ceil or floor, without PyTorch's rule that the last
 * window starts inside the input or the leading padding). */
function onnxOutputSize(input: number, before: number, after: number, kernel: number, stride: number, dilation: number, ceil: boolean): number {
  const span = (input + before + after - dilation * (kernel - 1) - 1) / stride;
  return (ceil ? Math.ceil(span) : Math.floor(span)) + 1;
}

function poolGeometry(c: CompileContext, a: PoolAttrs, x: Dims, max: boolean): { g: Spatial2d; out: number[] } {
  const rank = spatialRank(c, x);
  const g = resolveSpatial(c, a.s, x.slice(2), null);
  let geo;
  try {
    geo = pool2dGeometry(c.node.op, dims4d(x), {
      kernelSize: g.kernel, stride: g.stride, padding: g.padding, ceilMode: a.ceil, countIncludePad: a.countIncludePad, ...(max ? { dilation: g.dilation } : {}),
    });
  } catch (e) {
    return c.fail((e as Error).message);
  }
  // simdnet keeps PyTorch's ceil-mode rule; where ONNX's formula gives one more window,
  // refuse rather than return a smaller output.
  const x4 = dims4d(x);
  const want = [0, 1].map((d) =>
    onnxOutputSize(x4[2 + d], g.padding[2 * d], g.padding[2 * d + 1], g.kernel[d], g.stride[d], g.dilation[d], a.ceil),
  );
  if (want[0] !== geo.outHeight || want[1] !== geo.outWidth) {
    c.fail(`ceil_mode 1 on input [${x.join(', ')}] gives ONNX's output [${want.join(', ')}] but PyTorch's rule (a window starts inside the input or the leading padding) gives [${geo.outHeight}, ${geo.outWidth}]; simdnet pools only the latter`);
  }
  return { g, out: fromDims4d([geo.batch, geo.channels, geo.outHeight, geo.outWidth], rank + 2) };
}

/** ONNX's column-major (storage_order 1) flat index of each row-major index into x [N, C, H, W]. */
function columnMajor(argmax: Int32Array, h: number, w: number): number[] {
  return Array.from(argmax, (k) => {
    const plane = Math.floor(k / (h * w));
    const r = Math.floor((k % (h * w)) / w);
    return plane * h * w + (k % w) * h + r;
  });
}

const MaxPool: OpDef = {
  compile(c): ExecNode {
    const a: PoolAttrs = { s: readSpatial(c, true), ceil: c.attrs.oneOfInts('ceil_mode', 0, [0, 1]) === 1, countIncludePad: true };
    const storageOrder = c.attrs.oneOfInts('storage_order', 0, [0, 1]);
    c.attrs.finish('MaxPool');
    const indices = c.hasOutput(1);
    return {
      hostInputs: [],
      hostOutputs: [1],
      infer: (ins) => {
        const x = dimsOf(ins[0]);
        const out = x ? poolGeometry(c, a, x, true).out : null;
        return indices ? [out, out] : [out];
      },
      run: (ins) => {
        const x = tensorAt(c, ins, 0);
        const { g } = poolGeometry(c, a, x.shape, true);
        const x4 = as4d(x);
        const { y, argmax } = maxPool2dWithIndices(x4, { kernelSize: g.kernel, stride: g.stride, padding: g.padding, dilation: g.dilation, ceilMode: a.ceil });
        const out = from4d(y, x.rank);
        if (!indices) return [out];
        const flat = storageOrder === 0 ? Array.from(argmax) : columnMajor(argmax, x4.shape[2], x4.shape[3]);
        return [out, hostValue('int64', out.shape, flat)];
      },
    };
  },
};

const AveragePool: OpDef = {
  compile(c): ExecNode {
    const a: PoolAttrs = {
      s: readSpatial(c, false),
      ceil: c.attrs.oneOfInts('ceil_mode', 0, [0, 1]) === 1,
      // ONNX's default (0) leaves the padding out of each window's count; simdnet's counts it.
      countIncludePad: c.attrs.oneOfInts('count_include_pad', 0, [0, 1]) === 1,
    };
    c.attrs.finish('AveragePool');
    return {
      hostInputs: [],
      infer: (ins) => {
        const x = dimsOf(ins[0]);
        return [x ? poolGeometry(c, a, x, false).out : null];
      },
      run: (ins) => {
        const x = tensorAt(c, ins, 0);
        const { g } = poolGeometry(c, a, x.shape, false);
        return [from4d(avgPool2d(as4d(x), { kernelSize: g.kernel, stride: g.stride, padding: g.padding, ceilMode: a.ceil, countIncludePad: a.countIncludePad }), x.rank)];
      },
    };
  },
};

/** GlobalAveragePool / GlobalMaxPool over every spatial axis: [N, C, ...] → [N, C, 1, ...]. */
function globalPool(run: (x: Tensor) => Tensor): OpDef {
  return {
    compile(c): ExecNode {
      c.attrs.finish(c.node.op);
      const outDims = (x: Dims): number[] => {
        if (x.length < 3) c.fail(`input [${x.join(', ')}] must be [N, C, ...] with at least one spatial axis`);
        return [x[0], x[1], ...x.slice(2).map(() => 1)];
      };
      return {
        hostInputs: [],
        infer: (ins) => {
          const x = dimsOf(ins[0]);
          return [x ? outDims(x) : null];
        },
        run: (ins) => {
          const x = tensorAt(c, ins, 0);
          const out = outDims(x.shape);
          if (x.rank === 4) return [run(x)];
          const spatial = x.shape.slice(2).reduce((p, d) => p * d, 1);
          return [reshape(run(reshape(x, [x.shape[0], x.shape[1], spatial, 1])), out)];
        },
      };
    },
  };
}

export const POOL_OPS: Record<string, OpDef> = {
  MaxPool,
  AveragePool,
  GlobalAveragePool: globalPool((x) => globalAvgPool2d(x)),
  GlobalMaxPool: globalPool((x) => globalMaxPool2d(x)),
};
