// The ops with per-channel parameters: BatchNormalization (→ BatchNorm2d, running
// statistics as its buffers, eval-mode semantics in eval mode), InstanceNormalization
// (→ InstanceNorm2d), LayerNormalization (→ LayerNorm) and PRelu (→ PReLU), each a child
// module when its parameters are constants, and the functional op otherwise. Inputs of
// another rank than the 4-D layers take run as [N, C, rest, 1] (per-channel statistics
// are the same).
import { batchNorm2d, instanceNorm, layerNormWithStats, prelu, reshape } from '../../ops/index.js';
import type { Tensor } from '../../tensor.js';
import type { CompileContext, ExecNode, ImportContext, ModuleBinding, ModuleRef, OpDef } from '../exec.js';
import { preluAny } from './elementwise.js';
import { dimsOf, optionalTensorAt, product, tensorAt } from './util.js';

/** x as [N, C, rest, 1] when it is not 4-D (rank ≥ 2). */
function channels4d(c: CompileContext, x: Tensor): Tensor {
  if (x.rank === 4) return x;
  if (x.rank < 2) c.fail(`input [${x.shape.join(', ')}] must be [N, C, ...]`);
  return reshape(x, [x.shape[0], x.shape[1], product(x.shape.slice(2)), 1]);
}

function runModule4d(c: CompileContext, module: ModuleRef, x: Tensor): Tensor {
  const y = module.get().forward(channels4d(c, x));
  return y.rank === x.rank ? y : reshape(y, x.shape);
}

function vector(c: ImportContext, i: number, channels: number | null): Float32Array | null {
  const t = c.constant(i);
  if (!t || !t.floats || t.dims.length !== 1 || (channels !== null && t.dims[0] !== channels)) return null;
  return t.floats;
}

const BatchNormalization: OpDef = {
  compile(c): ExecNode {
    const eps = c.attrs.float('epsilon', 1e-5);
    c.attrs.float('momentum', 0.9);
    if (c.opset >= 14 && c.attrs.oneOfInts('training_mode', 0, [0, 1]) === 1) {
      c.fail("attribute 'training_mode' is 1 (the batch statistics of a training graph); export the model in eval mode");
    }
    c.attrs.finish('BatchNormalization');
    for (let i = 1; i < 5; i++) if (c.hasOutput(i)) c.fail(`output ${i} ('${c.node.outputs[i]}') is a training-mode statistic; simdnet imports inference graphs (export in eval mode)`);
    const module = c.module;
    return {
      hostInputs: [],
      infer: (ins) => {
        const x = dimsOf(ins[0]);
        if (x && x.length < 2) c.fail(`input [${x.join(', ')}] must be [N, C, ...]`);
        return [module && !module.typed('BatchNorm2d') ? null : x];
      },
      run: (ins) => {
        const x = tensorAt(c, ins, 0);
        if (module) return [runModule4d(c, module, x)];
        const y = batchNorm2d(channels4d(c, x), tensorAt(c, ins, 3), tensorAt(c, ins, 4), tensorAt(c, ins, 1), tensorAt(c, ins, 2), { eps, training: false });
        return [y.rank === x.rank ? y : reshape(y, x.shape)];
      },
    };
  },

  toModule(c: ImportContext): ModuleBinding | null {
    const scale = vector(c, 1, null);
    if (!scale) return null;
    const n = scale.length;
    const [bias, mean, variance] = [vector(c, 2, n), vector(c, 3, n), vector(c, 4, n)];
    const eps = c.attrs.float('epsilon', 1e-5);
    const momentum = c.attrs.float('momentum', 0.9);
    if (!bias || !mean || !variance || !(eps > 0) || !(momentum >= 0 && momentum <= 1)) return null;
    return {
      type: 'BatchNorm2d',
      // ONNX: running = running·momentum + batch·(1 − momentum); PyTorch weighs the batch by its momentum.
      config: { numFeatures: n, eps, momentum: Math.fround(1 - momentum) },
      state: { weight: scale, bias, running_mean: mean, running_var: variance, num_batches_tracked: new Float32Array(1) },
      absorbs: [1, 2, 3, 4],
      weightName: (c.constant(1) as { name: string }).name,
    };
  },
};

const InstanceNormalization: OpDef = {
  compile(c): ExecNode {
    const eps = c.attrs.float('epsilon', 1e-5);
    c.attrs.finish('InstanceNormalization');
    const module = c.module;
    return {
      hostInputs: [],
      infer: (ins) => {
        const x = dimsOf(ins[0]);
        if (x && x.length < 3) c.fail(`input [${x.join(', ')}] must be [N, C, D1, ...]`);
        return [module && !module.typed('InstanceNorm2d') ? null : x];
      },
      run: (ins) => {
        const x = tensorAt(c, ins, 0);
        if (module) return [runModule4d(c, module, x)];
        return [instanceNorm(x, tensorAt(c, ins, 1), tensorAt(c, ins, 2), { eps })];
      },
    };
  },

  toModule(c: ImportContext): ModuleBinding | null {
    const scale = vector(c, 1, null);
    const bias = scale ? vector(c, 2, scale.length) : null;
    const eps = c.attrs.float('epsilon', 1e-5);
    if (!scale || !bias || !(eps > 0)) return null;
    return {
      type: 'InstanceNorm2d',
      config: { numFeatures: scale.length, eps, affine: true },
      state: { weight: scale, bias },
      absorbs: [1, 2],
      weightName: (c.constant(1) as { name: string }).name,
    };
  },
};

/** LayerNormalization (opset 17): statistics over the axes from `axis` on. */
const LayerNormalization: OpDef = {
  compile(c): ExecNode {
    const axis = c.attrs.int('axis', -1);
    const eps = c.attrs.float('epsilon', 1e-5);
    c.attrs.oneOfInts('stash_type', 1, [1]);
    c.attrs.finish('LayerNormalization');
    const module = c.module;
    const stats = c.hasOutput(1) || c.hasOutput(2);
    const axisOf = (rank: number): number => {
      if (axis < -rank || axis >= rank) c.fail(`attribute 'axis' ${axis} is outside a rank-${rank} input`);
      return axis < 0 ? axis + rank : axis;
    };
    return {
      hostInputs: [],
      infer: (ins) => {
        const x = dimsOf(ins[0]);
        if (!x || (module && !module.typed('LayerNorm'))) return stats ? [null, null, null] : [null];
        const a = axisOf(x.length);
        const stat = x.map((d, i) => (i < a ? d : 1));
        return [x, stat, stat].slice(0, c.node.outputs.length);
      },
      run: (ins) => {
        const x = tensorAt(c, ins, 0);
        const a = axisOf(x.rank);
        if (module) return [module.get().forward(x)];
        const { y, mean, invStdDev } = layerNormWithStats(x, x.shape.slice(a), tensorAt(c, ins, 1), optionalTensorAt(ins, 2), { eps });
        return [y, mean, invStdDev].slice(0, c.node.outputs.length);
      },
    };
  },

  toModule(c: ImportContext): ModuleBinding | null {
    const scale = c.constant(1);
    const bias = c.has(2) ? c.constant(2) : undefined;
    const eps = c.attrs.float('epsilon', 1e-5);
    const axis = c.attrs.int('axis', -1);
    if (!scale || !scale.floats || scale.dims.length === 0 || (c.has(2) && (!bias || !bias.floats)) || c.hasOutput(1) || c.hasOutput(2) || !(eps > 0)) return null;
    if (bias && bias.dims.join() !== scale.dims.join()) return null;
    // LayerNorm normalizes the trailing dimensions: a negative axis names them whatever the rank.
    if (axis !== -scale.dims.length) return null;
    return {
      type: 'LayerNorm',
      config: { normalizedShape: [...scale.dims], eps, elementwiseAffine: true },
      state: { weight: scale.floats, bias: bias?.floats ?? new Float32Array(scale.floats.length) },
      absorbs: c.has(2) ? [1, 2] : [1],
      weightName: scale.name,
    };
  },
};

/** PRelu: the slope broadcasts to x; [C, 1, …, 1] of rank r − 1 (or one value) is a PReLU module. */
const PRelu: OpDef = {
  compile(c): ExecNode {
    c.attrs.finish('PRelu');
    const module = c.module;
    return {
      hostInputs: [],
      infer: (ins) => [module && !module.typed('PReLU') ? null : dimsOf(ins[0])],
      run: (ins) => {
        const x = tensorAt(c, ins, 0);
        if (module) {
          // The PReLU import made applies its weight with ONNX's broadcasting (the slope's
          // own shape, [C, 1, …]); a module put in its place runs as it is.
          const own = module.typed('PReLU') as unknown as { weight: Tensor } | null;
          if (!own) return [module.get().forward(x)];
          const ones = new Array<number>(Math.max(0, (c.node.inputRank ?? 2) - 2)).fill(1);
          return [preluAny(c, x, reshape(own.weight, own.weight.size === 1 ? [1] : [own.weight.size, ...ones]), (x3, s) => prelu(x3, s))];
        }
        return [preluAny(c, x, tensorAt(c, ins, 1), (x3, s) => prelu(x3, s))];
      },
    };
  },

  toModule(c: ImportContext): ModuleBinding | null {
    const slope = c.constant(1);
    if (!slope || !slope.floats) return null;
    const n = slope.floats.length;
    if (n === 1) return { type: 'PReLU', config: { numParameters: 1 }, state: { weight: Float32Array.of(slope.floats[0]) }, absorbs: [1], weightName: slope.name };
    const [channels, ...rest] = slope.dims;
    if (channels !== n || rest.some((d) => d !== 1)) return null;
    return { type: 'PReLU', config: { numParameters: n }, state: { weight: slope.floats }, absorbs: [1], weightName: slope.name, inputRank: slope.dims.length + 1 };
  },
};

export const NORM_OPS: Record<string, OpDef> = { BatchNormalization, InstanceNormalization, LayerNormalization, PRelu };
