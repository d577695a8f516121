// Resize (opsets 11 and 13): roi, scales and sizes are host inputs; nearest and linear
// (bilinear over H and W of NCHW) with every coordinate mode simdnet's resize op has.
// Cubic, exclude_outside and resizing N or C are refused.
import { resize } from '../../ops/index.js';
import { resizeGeometry, type ResizeCoordinateMode, type ResizeNearestMode, type ResizeOptions } from '../../ops/resize.js';
import type { CompileContext, Dims, ExecNode, Known, OpDef } from '../exec.js';
import type { HostValue } from '../host.js';
import { dimsOf, tensorAt } from './util.js';

const COORDINATE_MODES: readonly ResizeCoordinateMode[] = ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'tf_crop_and_resize'];
const NEAREST_MODES: readonly ResizeNearestMode[] = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'];

const Resize: OpDef = {
  compile(c: CompileContext): ExecNode {
    const modeName = c.attrs.oneOf('mode', 'nearest', ['nearest', 'linear', 'cubic'] as const);
    if (modeName === 'cubic') c.fail("attribute 'mode' is 'cubic'; simdnet resizes with 'nearest' and 'linear' (bilinear) only");
    const mode = modeName === 'linear' ? 'bilinear' : 'nearest';
    const coordinateMode = c.attrs.oneOf('coordinate_transformation_mode', 'half_pixel', COORDINATE_MODES);
    c.attrs.oneOfInts('exclude_outside', 0, [0]);
    c.attrs.ignore('cubic_coeff_a'); // mode cubic only
    const nearestMode = c.attrs.oneOf('nearest_mode', 'round_prefer_floor', NEAREST_MODES);
    const extrapolation = c.attrs.float('extrapolation_value', 0);
    c.attrs.finish('Resize');
    const crop = coordinateMode === 'tf_crop_and_resize';

    const options = (x: Dims, [roi, scales, sizes]: readonly (HostValue | undefined)[]): ResizeOptions => {
      if (x.length !== 4) c.fail(`input [${x.join(', ')}] must be [N, C, H, W] (simdnet resizes H and W)`);
      const sc = scales && scales.data.length > 0 ? [...scales.data] : null;
      const sz = sizes && sizes.data.length > 0 ? [...sizes.data] : null;
      if ((sc === null) === (sz === null)) c.fail('exactly one of input 2 (scales) and input 3 (sizes) must be given');
      const o: ResizeOptions = { mode, coordinateMode, ...(mode === 'nearest' ? { nearestMode } : {}) };
      if (sz) {
        if (sz.length !== 4) c.fail(`sizes [${sz.join(', ')}] must have 4 values`);
        if (sz[0] !== x[0] || sz[1] !== x[1]) c.fail(`sizes [${sz.join(', ')}] resize N or C of input [${x.join(', ')}]; simdnet resizes H and W only`);
        o.size = [sz[2], sz[3]];
      } else if (sc) {
        if (sc.length !== 4) c.fail(`scales [${sc.join(', ')}] must have 4 values`);
        if (sc[0] !== 1 || sc[1] !== 1) c.fail(`scales [${sc.join(', ')}] resize N or C; simdnet resizes H and W only`);
        o.scale = [sc[2], sc[3]];
      }
      if (crop) {
        if (!roi || roi.data.length !== 8) c.fail('tf_crop_and_resize needs input 1 (roi) with 8 values');
        const r = roi.data;
        if (r[0] !== 0 || r[1] !== 0 || r[4] !== 1 || r[5] !== 1) c.fail(`roi [${r.join(', ')}] crops N or C`);
        o.roi = [r[2], r[3], r[6], r[7]];
        o.extrapolationValue = extrapolation;
      }
      return o;
    };
    const params = (ins: readonly (Known | undefined)[]): (HostValue | undefined)[] | null => {
      const out: (HostValue | undefined)[] = [];
      for (let i = 1; i <= 3; i++) {
        const k = ins[i];
        if (k && !k.host) return null;
        out.push(k?.host ?? undefined);
      }
      return out;
    };
    return {
      hostInputs: [1, 2, 3],
      infer: (ins) => {
        const x = dimsOf(ins[0]);
        const p = params(ins);
        if (!x || !p) return [null];
        try {
          const g = resizeGeometry('Resize', x, options(x, p));
          return [[x[0], x[1], g.outHeight, g.outWidth]];
        } catch (e) {
          return c.fail((e as Error).message);
        }
      },
      run: (ins) => {
        const x = tensorAt(c, ins, 0);
        return [resize(x, options(x.shape, [1, 2, 3].map((i) => ins[i] as HostValue | undefined)))];
      },
    };
  },
};

export const RESIZE_OPS: Record<string, OpDef> = { Resize };
