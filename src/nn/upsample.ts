// Upsample (and PyTorch's UpsamplingNearest2d / UpsamplingBilinear2d) over the resize op,
// with PyTorch's semantics (F.interpolate on NCHW):
//   'nearest'        asymmetric coordinates, rounded down: source = floor(o/scale)
//   'nearest-exact'  half-pixel coordinates, rounded half up: floor((o + 0.5)/scale)
//   'bilinear'       half-pixel (alignCorners false, clamped at 0 as PyTorch does) or
//                    align_corners, which PyTorch computes from the integer output size
//   'bicubic'        the same coordinates (half-pixel not clamped: the edge is read
//                    instead), Keys' cubic with A = −0.75, as PyTorch
// With scaleFactor the output is floor(in·scaleFactor), and the coordinates use
// scaleFactor itself (PyTorch's recompute_scale_factor None/False).
import { parseSize2, type Size2 } from '../ops/geometry.js';
import { resize, type ResizeOptions } from '../ops/resize.js';
import { formatShape, type Tensor } from '../tensor.js';
import { Module } from './module.js';
import { bool, checkLayerOptions } from './options.js';

export type UpsampleMode = 'nearest' | 'nearest-exact' | 'bilinear' | 'bicubic';

export interface UpsampleOptions {
  /** Output [height, width] (or one number for both). Exactly one of size and scaleFactor. */
  size?: Size2;
  /** Factor per axis (or one for both), positive. */
  scaleFactor?: number | readonly [number, number];
  /** Default 'nearest'. */
  mode?: UpsampleMode;
  /** Bilinear and bicubic only: sample the corners' centres exactly (PyTorch's align_corners); default false. */
  alignCorners?: boolean;
}

const MODES: readonly UpsampleMode[] = ['nearest', 'nearest-exact', 'bilinear', 'bicubic'];
const interpolates = (mode: UpsampleMode): boolean => mode === 'bilinear' || mode === 'bicubic';

function parseScaleFactor(type: string, value: unknown): [number, number] {
  const pair = typeof value === 'number' ? [value, value] : value;
  if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((v) => typeof v === 'number' && Number.isFinite(v) && v > 0)) {
    throw new Error(`${type}: scaleFactor must be a positive finite number or [h, w] of them, got ${Array.isArray(value) ? `[${value.join(', ')}]` : String(value)}`);
  }
  return [pair[0], pair[1]];
}

export class Upsample extends Module {
  static readonly typeName = 'Upsample';
  readonly size: [number, number] | null;
  readonly scaleFactor: [number, number] | null;
  readonly mode: UpsampleMode;
  readonly alignCorners: boolean;

  constructor(options: UpsampleOptions) {
    super();
    const parsed = parseUpsample('Upsample', checkLayerOptions('Upsample', options, true, ['size', 'scaleFactor', 'mode', 'alignCorners']));
    this.size = parsed.size;
    this.scaleFactor = parsed.scaleFactor;
    this.mode = parsed.mode;
    this.alignCorners = parsed.alignCorners;
  }

  override config(): Record<string, unknown> {
    const sizing = this.size ? { size: [...this.size] } : { scaleFactor: [...(this.scaleFactor as [number, number])] };
    return { ...sizing, mode: this.mode, ...(interpolates(this.mode) ? { alignCorners: this.alignCorners } : {}) };
  }

  forward(x: Tensor): Tensor {
    return upsample('Upsample', x, this);
  }
}

interface ParsedUpsample {
  size: [number, number] | null;
  scaleFactor: [number, number] | null;
  mode: UpsampleMode;
  alignCorners: boolean;
}

function parseUpsample(type: string, o: UpsampleOptions): ParsedUpsample {
  if ((o.size === undefined) === (o.scaleFactor === undefined)) {
    throw new Error(`${type}: give exactly one of size and scaleFactor, got ${o.size === undefined ? 'neither' : 'both'}`);
  }
  const mode = o.mode ?? 'nearest';
  if (!MODES.includes(mode)) throw new Error(`${type}: mode must be ${MODES.map((m) => `'${m}'`).join(', ')}, got ${String(o.mode)}`);
  if (!interpolates(mode) && o.alignCorners !== undefined) throw new Error(`${type}: alignCorners applies to modes 'bilinear' and 'bicubic' only (mode is '${mode}')`);
  return {
    size: o.size === undefined ? null : parseSize2(type, 'size', o.size, [1, 1]),
    scaleFactor: o.scaleFactor === undefined ? null : parseScaleFactor(type, o.scaleFactor),
    mode,
    alignCorners: bool(type, 'alignCorners', o.alignCorners, false),
  };
}

function upsample(type: string, x: Tensor, p: ParsedUpsample): Tensor {
  if (x.rank !== 4) throw new Error(`${type}: expected input [N, C, H, W], got ${formatShape(x.shape)}`);
  let sizing: Pick<ResizeOptions, 'size' | 'scale'> = p.size ? { size: p.size } : { scale: p.scaleFactor as [number, number] };
  if (p.mode === 'nearest') return resize(x, { ...sizing, mode: 'nearest', coordinateMode: 'asymmetric', nearestMode: 'floor' });
  if (p.mode === 'nearest-exact') return resize(x, { ...sizing, mode: 'nearest', coordinateMode: 'half_pixel', nearestMode: 'round_prefer_ceil' });
  const mode = p.mode === 'bicubic' ? 'bicubic' : 'bilinear';
  if (!p.alignCorners) return resize(x, { ...sizing, mode, coordinateMode: 'half_pixel' });
  // align_corners from the integer output size, as PyTorch (resize's scale would use in·scale).
  if (p.scaleFactor) {
    const s = p.scaleFactor;
    const size = [x.shape[2], x.shape[3]].map((len, d) => {
      const out = Math.floor(len * s[d]);
      if (out < 1) throw new Error(`${type}: output ${d === 0 ? 'height' : 'width'} would be empty (input ${len} × scaleFactor ${s[d]}, input ${formatShape(x.shape)})`);
      return out;
    });
    sizing = { size: [size[0], size[1]] };
  }
  return resize(x, { ...sizing, mode, coordinateMode: 'align_corners' });
}

type SizingOptions = Pick<UpsampleOptions, 'size' | 'scaleFactor'>;

/** PyTorch's UpsamplingNearest2d: Upsample with mode 'nearest'. */
export class UpsamplingNearest2d extends Module {
  static readonly typeName = 'UpsamplingNearest2d';
  private readonly parsed: ParsedUpsample;

  constructor(options: SizingOptions) {
    super();
    this.parsed = parseUpsample('UpsamplingNearest2d', checkLayerOptions('UpsamplingNearest2d', options, true, ['size', 'scaleFactor']));
  }

  override config(): Record<string, unknown> {
    return this.parsed.size ? { size: [...this.parsed.size] } : { scaleFactor: [...(this.parsed.scaleFactor as [number, number])] };
  }

  forward(x: Tensor): Tensor {
    return upsample('UpsamplingNearest2d', x, this.parsed);
  }
}

/** PyTorch's UpsamplingBilinear2d: Upsample with mode 'bilinear' and alignCorners true. */
export class UpsamplingBilinear2d extends Module {
  static readonly typeName = 'UpsamplingBilinear2d';
  private readonly parsed: ParsedUpsample;

  constructor(options: SizingOptions) {
    super();
    const o = checkLayerOptions('UpsamplingBilinear2d', options, true, ['size', 'scaleFactor']);
    this.parsed = parseUpsample('UpsamplingBilinear2d', { ...o, mode: 'bilinear', alignCorners: true });
  }

  override config(): Record<string, unknown> {
    return this.parsed.size ? { size: [...this.parsed.size] } : { scaleFactor: [...(this.parsed.scaleFactor as [number, number])] };
  }

  forward(x: Tensor): Tensor {
    return upsample('UpsamplingBilinear2d', x, this.parsed);
  }
}
