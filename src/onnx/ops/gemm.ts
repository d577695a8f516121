// Gemm and MatMul. Gemm with a constant 2-D B becomes a Linear child module: weight =
// alpha·B (transposed when transB = 0, as Linear's weight is [out, in]) and bias =
// beta·C when C is one row ([N], [1, N] or a scalar); otherwise the gemm op runs.
import { add, gemm, matmul, mul, transpose } from '../../ops/index.js';
import type { Tensor } from '../../tensor.js';
import type { CompileContext, Dims, ExecNode, ImportContext, ModuleBinding, NodeContext, OpDef } from '../exec.js';
import { broadcastAll } from '../host.js';
import { dimsOf, optionalTensorAt, tensorAt } from './util.js';

interface GemmAttrs {
  transA: boolean;
  transB: boolean;
  alpha: number;
  beta: number;
}

function readGemm(c: NodeContext): GemmAttrs {
  return {
    transA: c.attrs.oneOfInts('transA', 0, [0, 1]) === 1,
    transB: c.attrs.oneOfInts('transB', 0, [0, 1]) === 1,
    alpha: c.attrs.float('alpha', 1),
    beta: c.attrs.float('beta', 1),
  };
}

function gemmDims(c: CompileContext, g: GemmAttrs, a: Dims, b: Dims, cDims: Dims | null): number[] {
  if (a.length !== 2 || b.length !== 2) c.fail(`A [${a.join(', ')}] and B [${b.join(', ')}] must be matrices`);
  const [m, k] = g.transA ? [a[1], a[0]] : [a[0], a[1]];
  const [k2, n] = g.transB ? [b[1], b[0]] : [b[0], b[1]];
  if (k !== k2) c.fail(`inner dimensions differ: A [${a.join(', ')}]${g.transA ? 'ᵀ' : ''} · B [${b.join(', ')}]${g.transB ? 'ᵀ' : ''}`);
  if (cDims) {
    const out = broadcastAll([[m, n], cDims]);
    if (!out || out.length !== 2 || out[0] !== m || out[1] !== n) c.fail(`C [${cDims.join(', ')}] does not broadcast to [${m}, ${n}]`);
  }
  return [m, n];
}

const Gemm: OpDef = {
  compile(c): ExecNode {
    const g = readGemm(c);
    c.attrs.finish('Gemm');
    const module = c.module;
    if (module) {
      return {
        hostInputs: [],
        infer: (ins) => {
          const a = dimsOf(ins[0]);
          const linear = module.typed('Linear') as unknown as { weight: Tensor } | null;
          return [a && linear ? gemmDims(c, { ...g, transB: true }, a, linear.weight.shape, null) : null];
        },
        run: (ins) => {
          const a = tensorAt(c, ins, 0);
          if (a.rank !== 2) c.fail(`A [${a.shape.join(', ')}] must be a matrix`);
          return [module.get().forward(g.transA ? transpose(a) : a)];
        },
      };
    }
    return {
      hostInputs: [],
      infer: (ins) => {
        const a = dimsOf(ins[0]);
        const b = dimsOf(ins[1]);
        if (!a || !b) return [null];
        const cd = c.has(2) ? dimsOf(ins[2]) : null;
        if (c.has(2) && !cd) return [null];
        return [gemmDims(c, g, a, b, cd)];
      },
      run: (ins) => {
        const a = tensorAt(c, ins, 0);
        const b = tensorAt(c, ins, 1);
        const cIn = optionalTensorAt(ins, 2);
        gemmDims(c, g, a.shape, b.shape, cIn ? cIn.shape : null);
        const y = gemm(a, b, { transA: g.transA, transB: g.transB, alpha: g.alpha });
        if (!cIn || g.beta === 0) return [y];
        return [add(y, g.beta === 1 ? cIn : mul(cIn, g.beta))];
      },
    };
  },

  toModule(c: ImportContext): ModuleBinding | null {
    const b = c.constant(1);
    if (!b || !b.floats || b.dims.length !== 2) return null;
    const g = readGemm(c);
    const [n, k] = g.transB ? [b.dims[0], b.dims[1]] : [b.dims[1], b.dims[0]];
    let bias: Float32Array | null = null;
    if (c.has(2)) {
      const cc = c.constant(2);
      if (!cc || !cc.floats) return null;
      const row = cc.dims.length === 0 || (cc.dims.length === 1 && (cc.dims[0] === n || cc.dims[0] === 1)) || (cc.dims.length === 2 && cc.dims[0] === 1 && (cc.dims[1] === n || cc.dims[1] === 1));
      if (!row) return null;
      const values = cc.floats;
      bias = Float32Array.from({ length: n }, (_, j) => g.beta * values[values.length === 1 ? 0 : j]);
    }
    // Linear's weight is [out, in] = op(B)ᵀ, scaled by alpha.
    const w = new Float32Array(n * k);
    const src = b.floats;
    for (let o = 0; o < n; o++) {
      for (let i = 0; i < k; i++) w[o * k + i] = g.alpha * (g.transB ? src[o * k + i] : src[i * n + o]);
    }
    return {
      type: 'Linear',
      config: { inFeatures: k, outFeatures: n, bias: bias !== null },
      state: bias ? { weight: w, bias } : { weight: w },
      absorbs: c.has(2) ? [1, 2] : [1],
      weightName: b.name,
    };
  },
};

/** numpy matmul sizes (1-D operands as a row on the left, a column on the right). */
function matmulDims(c: CompileContext, a: Dims, b: Dims): number[] {
  if (a.length === 0 || b.length === 0) c.fail('operands must have at least one dimension');
  const as = a.length === 1 ? [1, a[0]] : a;
  const bs = b.length === 1 ? [b[0], 1] : b;
  const [m, k] = as.slice(-2);
  const [k2, n] = bs.slice(-2);
  if (k !== k2) c.fail(`inner dimensions differ: [${a.join(', ')}] · [${b.join(', ')}]`);
  const batch = broadcastAll([as.slice(0, -2), bs.slice(0, -2)]);
  if (!batch) c.fail(`batch dimensions of [${a.join(', ')}] and [${b.join(', ')}] do not broadcast`);
  return [...batch, ...(a.length === 1 ? [] : [m]), ...(b.length === 1 ? [] : [n])];
}

const MatMul: OpDef = {
  compile(c): ExecNode {
    c.attrs.finish('MatMul');
    return {
      hostInputs: [],
      infer: (ins) => {
        const a = dimsOf(ins[0]);
        const b = dimsOf(ins[1]);
        return [a && b ? matmulDims(c, a, b) : null];
      },
      run: (ins) => [matmul(tensorAt(c, ins, 0), tensorAt(c, ins, 1))],
    };
  },
};

export const GEMM_OPS: Record<string, OpDef> = { Gemm, MatMul };
