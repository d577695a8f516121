// Convolution and pooling attributes: ONNX's kernel_shape, strides, dilations, pads and
// auto_pad as simdnet's 2-D options. ONNX pads are [x1_begin, x2_begin, x1_end,
// x2_end], simdnet's [top, bottom, left, right]. SAME_UPPER / SAME_LOWER give
// ceil(in / stride) outputs at any stride (simdnet's 'same' keeps the input size), so
// they resolve to explicit pads for each input size. 1-D ([N, C, L]) runs as 2-D with
// height 1; 3-D (5-D tensors) is refused.
import { reshape } from '../../ops/index.js';
import type { Tensor } from '../../tensor.js';
import type { Dims, NodeContext } from '../exec.js';

export type AutoPad = 'NOTSET' | 'VALID' | 'SAME_UPPER' | 'SAME_LOWER';
export const AUTO_PADS: readonly AutoPad[] = ['NOTSET', 'VALID', 'SAME_UPPER', 'SAME_LOWER'];

export interface SpatialAttrs {
  /** kernel_shape, when the node gives it. */
  readonly kernel: number[] | undefined;
  readonly strides: number[] | undefined;
  readonly dilations: number[] | undefined;
  readonly pads: number[] | undefined;
  readonly autoPad: AutoPad;
}

export interface Spatial2d {
  readonly kernel: [number, number];
  readonly stride: [number, number];
  readonly dilation: [number, number];
  /** [top, bottom, left, right]. */
  readonly padding: [number, number, number, number];
}

export function readSpatial(c: NodeContext, withDilations: boolean): SpatialAttrs {
  const kernel = c.attrs.ints('kernel_shape');
  const strides = c.attrs.ints('strides');
  const dilations = withDilations ? c.attrs.ints('dilations') : undefined;
  const pads = c.attrs.ints('pads');
  const autoPad = c.attrs.oneOf('auto_pad', 'NOTSET', AUTO_PADS);
  if (autoPad !== 'NOTSET' && pads && pads.some((p) => p !== 0)) c.fail(`attribute 'pads' [${pads.join(', ')}] is given with auto_pad ${autoPad}`);
  return { kernel, strides, dilations, pads, autoPad };
}

/** Spatial rank of an input: 1 for [N, C, L], 2 for [N, C, H, W]; others are refused. */
export function spatialRank(c: NodeContext, dims: Dims): 1 | 2 {
  const r = dims.length - 2;
  if (r === 3) c.fail(`3-D ${c.node.op} (5-D input [${dims.join(', ')}]) is not supported: simdnet images are NCHW, 2-D`);
  if (r !== 1 && r !== 2) c.fail(`input [${dims.join(', ')}] must be [N, C, H, W] or [N, C, L]`);
  return r;
}

function listOf(c: NodeContext, name: string, v: number[] | undefined, n: number, fallback: number): number[] {
  const out = v ?? new Array<number>(n).fill(fallback);
  if (out.length !== n) c.fail(`attribute '${name}' [${out.join(', ')}] has ${out.length} values for ${n} spatial dimensions`);
  return out;
}

/** The 2-D geometry for an input of spatial size `inSize` (1 or 2 values) and a kernel. */
export function resolveSpatial(c: NodeContext, s: SpatialAttrs, inSize: readonly number[], kernelOf: readonly number[] | null): Spatial2d {
  const n = inSize.length;
  if (s.kernel && kernelOf && s.kernel.some((k, i) => k !== kernelOf[i])) c.fail(`attribute 'kernel_shape' [${s.kernel.join(', ')}] differs from the weight's [${kernelOf.join(', ')}]`);
  const kernel = s.kernel ?? (kernelOf ? [...kernelOf] : undefined);
  if (!kernel) c.fail("attribute 'kernel_shape' is required");
  if (kernel.length !== n) c.fail(`attribute 'kernel_shape' [${kernel.join(', ')}] has ${kernel.length} values for ${n} spatial dimensions`);
  const strides = listOf(c, 'strides', s.strides, n, 1);
  const dilations = listOf(c, 'dilations', s.dilations, n, 1);
  let pads = listOf(c, 'pads', s.pads, 2 * n, 0);
  if (s.autoPad === 'VALID') pads = new Array<number>(2 * n).fill(0);
  else if (s.autoPad !== 'NOTSET') {
    const begin: number[] = [];
    const end: number[] = [];
    for (let d = 0; d < n; d++) {
      const out = Math.ceil(inSize[d] / strides[d]);
      const total = Math.max(0, (out - 1) * strides[d] + dilations[d] * (kernel[d] - 1) + 1 - inSize[d]);
      const small = Math.floor(total / 2);
      begin.push(s.autoPad === 'SAME_UPPER' ? small : total - small);
      end.push(s.autoPad === 'SAME_UPPER' ? total - small : small);
    }
    pads = [...begin, ...end];
  }
  if (pads.some((p) => p < 0)) c.fail(`attribute 'pads' [${pads.join(', ')}] has a negative value`);
  if (n === 1) return { kernel: [1, kernel[0]], stride: [1, strides[0]], dilation: [1, dilations[0]], padding: [0, 0, pads[0], pads[1]] };
  return {
    kernel: [kernel[0], kernel[1]], stride: [strides[0], strides[1]], dilation: [dilations[0], dilations[1]],
    padding: [pads[0], pads[2], pads[1], pads[3]],
  };
}

/** Whether the pads are the same for every input size (no SAME_* with a stride above 1). */
export function staticPads(s: SpatialAttrs): boolean {
  return s.autoPad === 'NOTSET' || s.autoPad === 'VALID' || (s.strides ?? []).every((v) => v === 1);
}

/** [N, C, L] as [N, C, 1, L]; 4-D unchanged. */
export function as4d(x: Tensor): Tensor {
  return x.rank === 3 ? reshape(x, [x.shape[0], x.shape[1], 1, x.shape[2]]) : x;
}

export function dims4d(d: Dims): number[] {
  return d.length === 3 ? [d[0], d[1], 1, d[2]] : [...d];
}

/** A 2-D result back to the input's spatial rank. */
export function fromDims4d(d: Dims, rank: number): number[] {
  return rank === 3 ? [d[0], d[1], d[3]] : [...d];
}

export function from4d(y: Tensor, rank: number): Tensor {
  return rank === 3 ? reshape(y, [y.shape[0], y.shape[1], y.shape[3]]) : y;
}

export interface TransposePadsInput {
  strides: readonly number[];
  dilations: readonly number[];
  kernel: readonly number[];
  inSize: readonly number[];
  outputPadding: readonly number[];
  pads: readonly number[];
  autoPad: AutoPad;
  /** The output_shape attribute (its last inSize.length values are the spatial sizes). */
  outputShape: readonly number[] | null | undefined;
}

/** ConvTranspose's pads and output padding as ONNX defines them: given pads, or from
 * output_shape / auto_pad SAME_* (out = in·stride), where per dimension total = stride·(in − 1)
 * + output_padding + dilation·(k − 1) + 1 − out is split with the odd one at the end for
 * SAME_UPPER and at the start otherwise, and a negative total is extra output padding. */
export function convTransposePads(a: TransposePadsInput): { pads: number[]; outputPadding: number[] } {
  const n = a.inSize.length;
  const extra = [...a.outputPadding];
  if (a.outputShape || a.autoPad === 'SAME_UPPER' || a.autoPad === 'SAME_LOWER') {
    const target = a.outputShape ? a.outputShape.slice(-n) : a.inSize.map((v, d) => v * a.strides[d]);
    const begin: number[] = [];
    const end: number[] = [];
    for (let d = 0; d < n; d++) {
      const total = a.strides[d] * (a.inSize[d] - 1) + extra[d] + a.dilations[d] * (a.kernel[d] - 1) + 1 - target[d];
      if (total < 0) {
        extra[d] -= total;
        begin.push(0);
        end.push(0);
      } else {
        const half = Math.floor(total / 2);
        begin.push(a.autoPad === 'SAME_UPPER' ? half : total - half);
        end.push(a.autoPad === 'SAME_UPPER' ? total - half : half);
      }
    }
    return { pads: [...begin, ...end], outputPadding: extra };
  }
  return { pads: a.autoPad === 'VALID' ? new Array<number>(2 * n).fill(0) : [...a.pads], outputPadding: extra };
}
