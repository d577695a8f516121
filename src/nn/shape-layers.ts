// Layers over the shape ops, as PyTorch has them: the 2-D pads (ZeroPad2d, ConstantPad2d,
// ReflectionPad2d, ReplicationPad2d), ChannelShuffle (ShuffleNet) and Unflatten.
import type { PadMode } from '../backend/backend.js';
import { pad } from '../ops/pad.js';
import { reshape } from '../ops/shape.js';
import { transpose } from '../ops/transpose.js';
import { describeValue } from '../ops/validate.js';
import { formatShape, type Tensor } from '../tensor.js';
import { Module } from './module.js';
import { checkLayerOptions, positiveInt } from './options.js';

/** p on every side, [h, w] (h top and bottom, w left and right), or [top, bottom, left,
 * right] — simdnet's order for conv padding. PyTorch's 4-tuple is (left, right, top,
 * bottom): nn.ZeroPad2d((l, r, t, b)) is ZeroPad2d({ padding: [t, b, l, r] }). */
export type Pad2d = number | readonly [number, number] | readonly [number, number, number, number];

export interface Pad2dLayerOptions {
  padding: Pad2d;
}

function parsePad2d(type: string, value: unknown, negative: boolean): [number, number, number, number] {
  const list = typeof value === 'number' ? [value, value, value, value] : Array.isArray(value) && value.length === 2 ? [value[0], value[0], value[1], value[1]] : value;
  const ok = (v: unknown): boolean => Number.isInteger(v) && (negative || (v as number) >= 0);
  if (!Array.isArray(list) || list.length !== 4 || !list.every(ok)) {
    const what = negative ? 'integers' : 'non-negative integers';
    throw new Error(`${type}: padding must be a number, [h, w] or [top, bottom, left, right] of ${what}, got ${describeValue(value)}`);
  }
  return [list[0], list[1], list[2], list[3]];
}

/** Pads the last two axes (H and W of NCHW or CHW). */
abstract class Pad2dLayer extends Module {
  readonly padding: readonly [number, number, number, number];

  constructor(
    type: string,
    options: Pad2dLayerOptions,
    keys: readonly string[],
    private readonly mode: PadMode,
  ) {
    super();
    const o = checkLayerOptions(type, options, true, keys);
    if (o.padding === undefined) throw new Error(`${type}: padding is required`);
    this.padding = Object.freeze(parsePad2d(type, o.padding, mode === 'constant'));
  }

  override config(): Record<string, unknown> {
    return { padding: [...this.padding] };
  }

  protected padValue(): number | undefined {
    return undefined;
  }

  forward(x: Tensor): Tensor {
    if (x.rank < 2) throw new Error(`${this.type}: expected an input of rank ≥ 2 ([N, C, H, W] or [C, H, W]), got ${formatShape(x.shape)}`);
    const [top, bottom, left, right] = this.padding;
    const value = this.padValue();
    return pad(x, [[top, bottom], [left, right]], { axes: [-2, -1], mode: this.mode, ...(value === undefined ? {} : { value }) });
  }
}

/** Zeros around H and W (negative amounts crop). */
export class ZeroPad2d extends Pad2dLayer {
  static readonly typeName = 'ZeroPad2d';

  constructor(options: Pad2dLayerOptions) {
    super('ZeroPad2d', options, ['padding'], 'constant');
  }
}

/** A constant around H and W (negative amounts crop). */
export class ConstantPad2d extends Pad2dLayer {
  static readonly typeName = 'ConstantPad2d';
  readonly value: number;

  constructor(options: Pad2dLayerOptions & { value: number }) {
    super('ConstantPad2d', options, ['padding', 'value'], 'constant');
    const v = options.value;
    if (typeof v !== 'number' || Number.isNaN(v)) throw new Error(`ConstantPad2d: value must be a number (not NaN), got ${describeValue(v)}`);
    this.value = v;
  }

  override config(): Record<string, unknown> {
    return { ...super.config(), value: this.value };
  }

  protected override padValue(): number {
    return this.value;
  }
}

/** The mirror image of H and W without repeating the border (each amount < the axis size). */
export class ReflectionPad2d extends Pad2dLayer {
  static readonly typeName = 'ReflectionPad2d';

  constructor(options: Pad2dLayerOptions) {
    super('ReflectionPad2d', options, ['padding'], 'reflect');
  }
}

/** The border row and column of H and W repeated (ONNX 'edge'). */
export class ReplicationPad2d extends Pad2dLayer {
  static readonly typeName = 'ReplicationPad2d';

  constructor(options: Pad2dLayerOptions) {
    super('ReplicationPad2d', options, ['padding'], 'edge');
  }
}

/** ShuffleNet's channel shuffle: [N, C, …] seen as [N, groups, C/groups, …], the two group
 * axes swapped, back to [N, C, …] (output channel j·groups + i is input channel i·C/groups + j). */
export class ChannelShuffle extends Module {
  static readonly typeName = 'ChannelShuffle';
  readonly groups: number;

  constructor(options: { groups: number }) {
    super();
    const o = checkLayerOptions('ChannelShuffle', options, true, ['groups']);
    this.groups = positiveInt('ChannelShuffle', 'groups', o.groups);
  }

  override config(): Record<string, unknown> {
    return { groups: this.groups };
  }

  forward(x: Tensor): Tensor {
    const g = this.groups;
    if (x.rank < 2 || x.shape[1] % g !== 0) {
      throw new Error(`ChannelShuffle: expected an input [N, C, …] with C divisible by groups ${g}, got ${formatShape(x.shape)}`);
    }
    const [n, c, ...rest] = x.shape;
    const perm = [0, 2, 1, ...rest.map((_, i) => 3 + i)];
    return reshape(transpose(reshape(x, [n, g, c / g, ...rest]), perm), x.shape);
  }
}

/** Axis `dim` split into `unflattenedSize` (one entry may be −1), the inverse of Flatten. A view. */
export class Unflatten extends Module {
  static readonly typeName = 'Unflatten';
  readonly dim: number;
  readonly unflattenedSize: readonly number[];

  constructor(options: { dim: number; unflattenedSize: readonly number[] }) {
    super();
    const o = checkLayerOptions('Unflatten', options, true, ['dim', 'unflattenedSize']);
    if (!Number.isInteger(o.dim)) throw new Error(`Unflatten: dim must be an integer, got ${describeValue(o.dim)}`);
    const sizes = o.unflattenedSize;
    if (!Array.isArray(sizes) || sizes.length === 0 || !sizes.every((s) => Number.isInteger(s) && (s >= 1 || s === -1)) || sizes.filter((s) => s === -1).length > 1) {
      throw new Error(`Unflatten: unflattenedSize must be a non-empty array of positive sizes (one may be -1), got ${describeValue(sizes)}`);
    }
    this.dim = o.dim;
    this.unflattenedSize = Object.freeze([...sizes]);
  }

  override config(): Record<string, unknown> {
    return { dim: this.dim, unflattenedSize: [...this.unflattenedSize] };
  }

  forward(x: Tensor): Tensor {
    const d = this.dim < 0 ? this.dim + x.rank : this.dim;
    if (d < 0 || d >= x.rank) throw new Error(`Unflatten: dim ${this.dim} is not an axis of input ${formatShape(x.shape)}`);
    const known = this.unflattenedSize.reduce((a, s) => (s === -1 ? a : a * s), 1);
    const size = x.shape[d];
    if (this.unflattenedSize.includes(-1) ? size % known !== 0 : known !== size) {
      throw new Error(`Unflatten: unflattenedSize ${formatShape(this.unflattenedSize)} does not fit axis ${d} (size ${size}) of input ${formatShape(x.shape)}`);
    }
    return reshape(x, [...x.shape.slice(0, d), ...this.unflattenedSize, ...x.shape.slice(d + 1)]);
  }
}
