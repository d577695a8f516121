// Argument checks shared by the ops. Each throws an Error naming the op and the offending
// shapes/values, before anything is allocated or written.
import type { Backend } from '../backend/backend.js';
import { currentBackend } from '../backend/registry.js';
import { Tensor, formatShape, type Shape } from '../tensor.js';

/** The backend to run on: the one passed, else the current one. */
export function resolveBackend(op: string, backend: Backend | undefined): Backend {
  if (backend === undefined) return currentBackend();
  if (backend === null || typeof backend !== 'object' || typeof backend.conv2d !== 'function') {
    throw new Error(`${op}: backend must be a Backend (from getBackend/loadBackend), got ${String(backend)}`);
  }
  return backend;
}

export function checkTensor(op: string, name: string, value: unknown): asserts value is Tensor {
  if (!(value instanceof Tensor)) throw new Error(`${op}: ${name} must be a Tensor, got ${describeValue(value)}`);
}

export function checkRankOf(op: string, name: string, t: Tensor, rank: number): void {
  if (t.rank !== rank) throw new Error(`${op}: ${name} must have rank ${rank}, got shape ${formatShape(t.shape)}`);
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** `name` must have exactly `expected` (e.g. dy must match the forward output). */
export function checkShapeIs(op: string, name: string, actual: Shape, expected: Shape, why: string): void {
  if (!sameShape(actual, expected)) {
    throw new Error(`${op}: ${name} has shape ${formatShape(actual)} but ${why} needs ${formatShape(expected)}`);
  }
}

/** An options argument: undefined (→ {}) or a plain object with only the known keys, so a
 * typo such as `strides` or `pad` is an error instead of a silently ignored option. */
export function checkOptions<T extends object>(op: string, options: T | undefined, known: readonly string[], required = false): T {
  if (options === undefined && !required) return {} as T;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new Error(`${op}: options must be an object, got ${describeValue(options)}`);
  }
  const unknown = Object.keys(options).filter((k) => !known.includes(k));
  if (unknown.length > 0) {
    const allowed = known.length > 0 ? `known: ${known.join(', ')}` : 'it takes none';
    throw new Error(`${op}: unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')} (${allowed})`);
  }
  return options;
}

export const CONV_KEYS = ['stride', 'padding', 'dilation', 'groups'] as const;
export const POOL_KEYS = ['kernelSize', 'stride', 'padding'] as const;
export const MAX_POOL_KEYS = [...POOL_KEYS, 'dilation', 'ceilMode'] as const;
export const AVG_POOL_KEYS = [...POOL_KEYS, 'ceilMode', 'countIncludePad'] as const;
export const IM2COL_KEYS = ['kernelSize', 'stride', 'padding', 'dilation'] as const;

/** A shape given as a plain array (xShape arguments of the backward ops). */
export function checkShapeArg(op: string, name: string, shape: unknown, rank: number): Shape {
  if (!Array.isArray(shape) || shape.length !== rank || !shape.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new Error(`${op}: ${name} must be an array of ${rank} positive integers, got ${describeValue(shape)}`);
  }
  return shape as Shape;
}

export function checkFiniteNumber(op: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new Error(`${op}: ${name} must be a finite number, got ${describeValue(value)}`);
  }
  return value;
}

export function checkBoolean(op: string, name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new Error(`${op}: ${name} must be true or false, got ${describeValue(value)}`);
  return value;
}

export function describeValue(value: unknown): string {
  if (value instanceof Tensor) return `Tensor ${formatShape(value.shape)}`;
  if (Array.isArray(value)) return `[${value.map(describeValue).join(', ')}]`;
  if (typeof value === 'string') return `'${value}'`;
  if (value !== null && typeof value === 'object') return value.constructor?.name ?? 'object';
  return String(value);
}
