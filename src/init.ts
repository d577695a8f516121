// Weight initializers and the global seed. Every random draw the library makes without
// an explicit generator (layer init, Dropout masks, fit's shuffle without a seed) comes
// from one global generator, so setSeed(n) makes a whole run reproducible bit for bit.
import { Random } from './random.js';
import { Tensor, formatShape, shapeSize, type Shape } from './tensor.js';

let globalRng = new Random();

/** Re-seeds the global generator (init, Dropout, shuffling all draw from it). */
export function setSeed(seed: number): void {
  if (!Number.isFinite(seed)) throw new Error(`setSeed: seed must be a finite number, got ${seed}`);
  globalRng = new Random(seed);
}

/** The global generator (seeded by setSeed). */
export function globalRandom(): Random {
  return globalRng;
}

export interface Fans {
  fanIn: number;
  fanOut: number;
}

/** Fans as PyTorch computes them: Linear [out, in] → (in, out); Conv [OC, IC/g, kH, kW]
 * → (IC/g·kH·kW, OC·kH·kW). */
export function computeFans(shape: Shape): Fans {
  if (shape.length < 2) throw new Error(`computeFans: shape ${formatShape(shape)} needs at least 2 dimensions`);
  const receptive = shapeSize(shape.slice(2));
  return { fanIn: shape[1] * receptive, fanOut: shape[0] * receptive };
}

/** (shape, random) → a fresh tensor. */
export type Initializer = (shape: Shape, random: Random) => Tensor;

export type InitName =
  | 'glorotUniform' | 'xavierUniform' | 'glorotNormal' | 'xavierNormal'
  | 'heUniform' | 'kaimingUniform' | 'heNormal' | 'kaimingNormal' | 'zeros';

export interface InitializerOptions {
  seed?: number;
  random?: Random;
}

function rngOf(options: InitializerOptions): Random {
  if (options.random) return options.random;
  return options.seed !== undefined ? new Random(options.seed) : globalRng;
}

function checkedFans(op: string, shape: Shape): Fans {
  const fans = computeFans(shape);
  if (!(fans.fanIn > 0 && fans.fanOut > 0)) throw new Error(`${op}: shape ${formatShape(shape)} has an empty fan`);
  return fans;
}

function uniform(shape: Shape, limit: number, rng: Random): Tensor {
  const t = new Tensor(new Float32Array(shapeSize(shape)), shape);
  for (let i = 0; i < t.size; i++) t.data[i] = rng.uniform(-limit, limit);
  return t;
}

function normal(shape: Shape, std: number, rng: Random): Tensor {
  const t = new Tensor(new Float32Array(shapeSize(shape)), shape);
  for (let i = 0; i < t.size; i++) t.data[i] = std * rng.normal();
  return t;
}

/** U(-l, l), l = √(6 / (fanIn + fanOut)) (Glorot & Bengio 2010). */
export function glorotUniform(shape: Shape, options: InitializerOptions = {}): Tensor {
  const { fanIn, fanOut } = checkedFans('glorotUniform', shape);
  return uniform(shape, Math.sqrt(6 / (fanIn + fanOut)), rngOf(options));
}

/** N(0, σ²), σ = √(2 / (fanIn + fanOut)). */
export function glorotNormal(shape: Shape, options: InitializerOptions = {}): Tensor {
  const { fanIn, fanOut } = checkedFans('glorotNormal', shape);
  return normal(shape, Math.sqrt(2 / (fanIn + fanOut)), rngOf(options));
}

/** U(-l, l), l = √(6 / fanIn) (He et al. 2015, for ReLU networks). */
export function heUniform(shape: Shape, options: InitializerOptions = {}): Tensor {
  const { fanIn } = checkedFans('heUniform', shape);
  return uniform(shape, Math.sqrt(6 / fanIn), rngOf(options));
}

/** N(0, σ²), σ = √(2 / fanIn). */
export function heNormal(shape: Shape, options: InitializerOptions = {}): Tensor {
  const { fanIn } = checkedFans('heNormal', shape);
  return normal(shape, Math.sqrt(2 / fanIn), rngOf(options));
}

export const xavierUniform = glorotUniform;
export const xavierNormal = glorotNormal;
export const kaimingUniform = heUniform;
export const kaimingNormal = heNormal;

/** All initializers by name (the names a layer's `init` option accepts). */
export const initializers: Readonly<Record<InitName, Initializer>> = Object.freeze({
  glorotUniform: (s: Shape, random: Random) => glorotUniform(s, { random }),
  xavierUniform: (s: Shape, random: Random) => glorotUniform(s, { random }),
  glorotNormal: (s: Shape, random: Random) => glorotNormal(s, { random }),
  xavierNormal: (s: Shape, random: Random) => glorotNormal(s, { random }),
  heUniform: (s: Shape, random: Random) => heUniform(s, { random }),
  kaimingUniform: (s: Shape, random: Random) => heUniform(s, { random }),
  heNormal: (s: Shape, random: Random) => heNormal(s, { random }),
  kaimingNormal: (s: Shape, random: Random) => heNormal(s, { random }),
  zeros: (s: Shape) => new Tensor(new Float32Array(shapeSize(s)), s),
});

/** Runs an initializer given by name or function and checks what it returned. */
export function initialize(init: InitName | Initializer, shape: Shape, random: Random = globalRng): Tensor {
  const fn = typeof init === 'function' ? init : initializers[init as InitName];
  if (typeof fn !== 'function') {
    throw new Error(`initialize: unknown initializer '${String(init)}' (expected one of ${Object.keys(initializers).join(', ')} or a function)`);
  }
  const t = fn(shape, random);
  if (!(t instanceof Tensor) || t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new Error(`initialize: initializer returned ${t instanceof Tensor ? formatShape(t.shape) : String(t)}, expected a tensor of shape ${formatShape(shape)}`);
  }
  return t;
}

/** Runs fn with the global generator replaced by `random`, then puts the old one back. */
export function withGlobalRandom<T>(random: Random, fn: () => T): T {
  const before = globalRng;
  globalRng = random;
  try {
    return fn();
  } finally {
    globalRng = before;
  }
}
