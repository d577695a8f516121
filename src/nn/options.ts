// Checks for layer constructor options, each naming the layer and the bad value.
import { Random } from '../random.js';
import { checkOptions } from '../ops/validate.js';
import { globalRandom, type InitName, type Initializer } from '../init.js';

/** An options object with only the known keys (a typo such as `pad` or `strides` is an
 * error, not a silently ignored option). */
export function checkLayerOptions<T extends object>(type: string, options: T | undefined, required: boolean, known: readonly string[]): T {
  return checkOptions(type, options, known, required);
}

export function positiveInt(type: string, name: string, value: unknown, fallback?: number): number {
  const v = value === undefined ? fallback : value;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new Error(`${type}: ${name} must be a positive integer, got ${String(value)}`);
  }
  return v;
}

export function numberIn(type: string, name: string, value: unknown, fallback: number, min: number, max: number, maxInclusive = true): number {
  const v = value === undefined ? fallback : value;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || (maxInclusive ? v > max : v >= max)) {
    throw new Error(`${type}: ${name} must be a number in [${min}, ${max}${maxInclusive ? ']' : ')'}, got ${String(value)}`);
  }
  return v;
}

export function bool(type: string, name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new Error(`${type}: ${name} must be true or false, got ${String(value)}`);
  return value;
}

/** Options every layer with weights accepts. */
export interface WeightInitOptions {
  /** Weight initializer (name or function); biases start at zero. */
  init?: InitName | Initializer;
  /** Generator for the initial weights (default: the global one, see setSeed). */
  random?: Random;
}

export function randomOf(options: WeightInitOptions): Random {
  return options.random ?? globalRandom();
}
