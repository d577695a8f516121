// Conv and ConvTranspose. With a constant 4-D weight (and bias) the node becomes a
// Conv2d / ConvTranspose2d child module holding them as parameters, so the imported
// network fine-tunes; otherwise (a weight computed in the graph, 1-D convolution,
// padding that depends on the input size) it calls the conv2d / convTranspose2d op.
import { conv2d, convTranspose2d, convTranspose2dGeometry, reshape } from '../../ops/index.js';
import { conv2dGeometry } from '../../ops/geometry.js';
import type { Tensor } from '../../tensor.js';
import type { CompileContext, Dims, ExecNode, ImportContext, ModuleBinding, NodeContext, OpDef, RunInput } from '../exec.js';
import { as4d, convTransposePads, dims4d, from4d, fromDims4d, readSpatial, resolveSpatial, spatialRank, staticPads, type Spatial2d, type SpatialAttrs } from './spatial.js';
import { dimsOf, optionalTensorAt, tensorAt } from './util.js';

/** A module's run: the child's forward on x, checked to be 4-D first. */
function moduleRun(c: CompileContext, ins: readonly RunInput[]): Tensor {
  const x = tensorAt(c, ins, 0);
  if (x.rank !== 4) c.fail(`input [${x.shape.join(', ')}] must be [N, C, H, W] for the ${c.module?.key} module`);
  return (c.module as NonNullable<CompileContext['module']>).get().forward(x);
}

/** The weight sizes of the node's module while it is the one import made (else unknown). */
function moduleWeightDims(c: CompileContext, type: string): Dims | null {
  const m = c.module?.typed(type) as unknown as { weight: Tensor } | null;
  return m ? m.weight.shape : null;
}

// -------------------------------------------------------------------------------------------
// Conv

interface ConvAttrs {
  s: SpatialAttrs;
  group: number;
}

function readConv(c: NodeContext): ConvAttrs {
  const s = readSpatial(c, true);
  const group = c.attrs.int('group', 1);
  if (group < 1) c.fail(`attribute 'group' ${group} must be positive`);
  return { s, group };
}

function convGeometry(c: CompileContext, a: ConvAttrs, x: Dims, w: Dims): { g: Spatial2d; out: number[] } {
  const rank = spatialRank(c, x);
  if (w.length !== x.length) c.fail(`weight [${w.join(', ')}] must have the input's rank ${x.length}`);
  const g = resolveSpatial(c, a.s, x.slice(2), w.slice(2));
  try {
    const geo = conv2dGeometry('Conv', dims4d(x), dims4d(w), { stride: g.stride, dilation: g.dilation, padding: g.padding, groups: a.group });
    return { g, out: fromDims4d([geo.batch, geo.outChannels, geo.outHeight, geo.outWidth], rank + 2) };
  } catch (e) {
    return c.fail((e as Error).message);
  }
}

/** The compile() of Conv and ConvTranspose: a child module's forward when the weights
 * became one, else the op on the weight input; shapes from the op's own geometry. */
function compileConvLike<A, G>(
  c: CompileContext, a: A, moduleType: string,
  geometry: (c: CompileContext, a: A, x: Dims, w: Dims) => { g: G; out: number[] },
  apply: (x: Tensor, w: Tensor, b: Tensor | null, g: G) => Tensor,
): ExecNode {
  if (c.module) {
    return {
      hostInputs: [],
      infer: (ins) => {
        const x = dimsOf(ins[0]);
        const w = moduleWeightDims(c, moduleType);
        return [x && w ? geometry(c, a, x, w).out : null];
      },
      run: (ins) => [moduleRun(c, ins)],
    };
  }
  return {
    hostInputs: [],
    infer: (ins) => {
      const x = dimsOf(ins[0]);
      const w = dimsOf(ins[1]);
      return [x && w ? geometry(c, a, x, w).out : null];
    },
    run: (ins) => {
      const x = tensorAt(c, ins, 0);
      const w = tensorAt(c, ins, 1);
      return [apply(x, w, optionalTensorAt(ins, 2), geometry(c, a, x.shape, w.shape).g)];
    },
  };
}

const Conv: OpDef = {
  compile(c): ExecNode {
    const a = readConv(c);
    c.attrs.finish('Conv');
    return compileConvLike(c, a, 'Conv2d', convGeometry, (x, w, b, g) =>
      from4d(conv2d(as4d(x), as4d(w), b, { stride: g.stride, dilation: g.dilation, padding: g.padding, groups: a.group }), x.rank));
  },

  toModule(c: ImportContext): ModuleBinding | null {
    const w = c.constant(1);
    const b = c.has(2) ? c.constant(2) : undefined;
    if (!w || !w.floats || w.dims.length !== 4 || (c.has(2) && (!b || !b.floats))) return null;
    const a = readConv(c);
    if (!staticPads(a.s)) return null;
    const [oc, icPerGroup, kh, kw] = w.dims;
    if (b && (b.dims.length !== 1 || b.dims[0] !== oc)) c.fail(`bias [${b.dims.join(', ')}] must be [${oc}] for weight [${w.dims.join(', ')}]`);
    // Any input size gives the same pads here (staticPads); a 1×1 stand-in resolves them.
    const g = resolveSpatial(c, a.s, [kh, kw], [kh, kw]);
    if (oc % a.group !== 0) c.fail(`group ${a.group} must divide the weight's ${oc} output channels`);
    return {
      type: 'Conv2d',
      config: {
        inChannels: icPerGroup * a.group, outChannels: oc, kernelSize: [kh, kw], stride: g.stride, padding: g.padding, dilation: g.dilation,
        groups: a.group, bias: b !== undefined,
      },
      state: b ? { weight: w.floats, bias: b.floats as Float32Array } : { weight: w.floats },
      absorbs: b ? [1, 2] : [1],
      weightName: w.name,
    };
  },
};

// -------------------------------------------------------------------------------------------
// ConvTranspose: pads, output_padding, or output_shape (which sets the pads: total =
// stride·(in − 1) + output_padding + dilation·(k − 1) + 1 − out per dimension, split with
// the odd one at the end for SAME_UPPER and at the start otherwise; a negative total is
// extra output padding at the end), or auto_pad SAME_* (out = in·stride).

interface ConvTransposeAttrs {
  s: SpatialAttrs;
  group: number;
  outputPadding: number[] | undefined;
  outputShape: number[] | undefined;
}

function readConvTranspose(c: NodeContext): ConvTransposeAttrs {
  const { s, group } = readConv(c);
  return { s, group, outputPadding: c.attrs.ints('output_padding'), outputShape: c.attrs.ints('output_shape') };
}

interface TransposeGeometry {
  stride: [number, number];
  dilation: [number, number];
  padding: [number, number, number, number];
  outputPadding: [number, number];
}

function transposeGeometry(c: NodeContext, a: ConvTransposeAttrs, inSize: readonly number[], kernel: readonly number[]): TransposeGeometry {
  const n = inSize.length;
  const ones = new Array<number>(n).fill(1);
  const strides = a.s.strides ?? ones;
  const dilations = a.s.dilations ?? ones;
  if (a.s.kernel && a.s.kernel.some((k, i) => k !== kernel[i])) c.fail(`attribute 'kernel_shape' [${a.s.kernel.join(', ')}] differs from the weight's [${kernel.join(', ')}]`);
  for (const [name, v] of [['strides', strides], ['dilations', dilations], ['output_padding', a.outputPadding ?? ones]] as const) {
    if (v.length !== n) c.fail(`attribute '${name}' [${v.join(', ')}] has ${v.length} values for ${n} spatial dimensions`);
  }
  const given = a.s.pads ?? new Array<number>(2 * n).fill(0);
  if (given.length !== 2 * n) c.fail(`attribute 'pads' [${given.join(', ')}] has ${given.length} values for ${n} spatial dimensions`);
  if (a.outputShape && a.outputShape.length < n) c.fail(`attribute 'output_shape' [${a.outputShape.join(', ')}] has fewer than ${n} values`);
  const { pads, outputPadding: extra } = convTransposePads({
    strides, dilations, kernel, inSize, outputPadding: a.outputPadding ?? new Array<number>(n).fill(0), pads: given, autoPad: a.s.autoPad, outputShape: a.outputShape,
  });
  const two = (v: number[], fill: number): [number, number] => (n === 1 ? [fill, v[0]] : [v[0], v[1]]);
  return {
    stride: two(strides, 1), dilation: two(dilations, 1), outputPadding: two(extra, 0),
    padding: n === 1 ? [0, 0, pads[0], pads[1]] : [pads[0], pads[2], pads[1], pads[3]],
  };
}

function convTransposeOut(c: CompileContext, a: ConvTransposeAttrs, x: Dims, w: Dims): { g: TransposeGeometry; out: number[] } {
  const rank = spatialRank(c, x);
  if (w.length !== x.length) c.fail(`weight [${w.join(', ')}] must have the input's rank ${x.length}`);
  const g = transposeGeometry(c, a, x.slice(2), w.slice(2));
  try {
    const geo = convTranspose2dGeometry('ConvTranspose', dims4d(x), dims4d(w), { ...g, groups: a.group });
    return { g, out: fromDims4d([x[0], w[1] * a.group, geo.outHeight, geo.outWidth], rank + 2) };
  } catch (e) {
    return c.fail((e as Error).message);
  }
}

const ConvTranspose: OpDef = {
  compile(c): ExecNode {
    const a = readConvTranspose(c);
    c.attrs.finish('ConvTranspose');
    return compileConvLike(c, a, 'ConvTranspose2d', convTransposeOut, (x, w, b, g) => {
      const y = convTranspose2d(as4d(x), as4d(w), b, { ...g, groups: a.group });
      return x.rank === 3 ? reshape(y, [y.shape[0], y.shape[1], y.shape[3]]) : y;
    });
  },

  toModule(c: ImportContext): ModuleBinding | null {
    const w = c.constant(1);
    const b = c.has(2) ? c.constant(2) : undefined;
    if (!w || !w.floats || w.dims.length !== 4 || (c.has(2) && (!b || !b.floats))) return null;
    const a = readConvTranspose(c);
    // output_shape gives pads that depend on the input size.
    if (a.outputShape) return null;
    const [ic, ocPerGroup, kh, kw] = w.dims;
    const g = transposeGeometry(c, a, [1, 1], [kh, kw]);
    // ConvTranspose2d takes an output padding below the stride or the dilation only.
    if (g.outputPadding.some((e, d) => e >= g.stride[d] && e >= g.dilation[d])) return null;
    const oc = ocPerGroup * a.group;
    if (b && (b.dims.length !== 1 || b.dims[0] !== oc)) c.fail(`bias [${b.dims.join(', ')}] must be [${oc}] for weight [${w.dims.join(', ')}] and group ${a.group}`);
    return {
      type: 'ConvTranspose2d',
      config: {
        inChannels: ic, outChannels: oc, kernelSize: [kh, kw], stride: g.stride, padding: g.padding, outputPadding: g.outputPadding,
        dilation: g.dilation, groups: a.group, bias: b !== undefined,
      },
      state: b ? { weight: w.floats, bias: b.floats as Float32Array } : { weight: w.floats },
      absorbs: b ? [1, 2] : [1],
      weightName: w.name,
    };
  },
};

export const CONV_OPS: Record<string, OpDef> = { Conv, ConvTranspose };
