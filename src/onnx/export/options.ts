// toOnnx's options, checked before anything runs.
import { checkOptions, describeValue } from '../../ops/validate.js';
import { DEFAULT_OPSET, MAX_OPSET, MIN_OPSET } from './opsets.js';

export interface ToOnnxOptions {
  /** The input's shape with its batch, e.g. [1, 3, 224, 224]; one shape per input for a
   * forward that takes several ([[1, 3, 32, 32], [1, 10]]). The model runs once on a
   * deterministic input of this shape to record its ops. */
  inputShape: readonly number[] | readonly (readonly number[])[];
  /** ONNX opset, 13 to 17 (default 17). */
  opset?: number;
  /** Graph input names (default 'input', or 'input0', 'input1', … for several). */
  inputNames?: readonly string[];
  /** Graph output names (default 'output', or 'output0', … for several). */
  outputNames?: readonly string[];
  /** Make axis 0 of every input a symbolic 'batch' dimension (default false: the file
   * accepts only inputShape's batch). */
  dynamicBatch?: boolean;
  /** The model's doc_string. */
  docString?: string;
}

export interface ParsedOptions {
  inputShapes: number[][];
  opset: number;
  inputNames: string[];
  outputNames: readonly string[] | null;
  dynamicBatch: boolean;
  docString: string;
}

const KEYS = ['inputShape', 'opset', 'inputNames', 'outputNames', 'dynamicBatch', 'docString'] as const;

function isShape(value: unknown): value is number[] {
  return Array.isArray(value) && value.length > 0 && value.every((d) => Number.isInteger(d) && d >= 1);
}

function parseShapes(value: unknown): number[][] {
  const fail = (): never => {
    throw new Error(
      `toOnnx: inputShape must be a shape of positive integers with its batch (e.g. [1, 3, 32, 32]) or a non-empty array of them, got ${describeValue(value)}`,
    );
  };
  if (!Array.isArray(value) || value.length === 0) return fail();
  if (value.every((d) => typeof d === 'number')) return isShape(value) ? [[...value]] : fail();
  if (!value.every(isShape)) return fail();
  return (value as number[][]).map((s) => [...s]);
}

/** A list of distinct non-empty names, or null when not given. */
export function parseNames(what: string, value: unknown, count: number | null): string[] | null {
  if (value === undefined) return null;
  if (!Array.isArray(value) || !value.every((n) => typeof n === 'string' && n !== '')) {
    throw new Error(`toOnnx: ${what} must be an array of non-empty strings, got ${describeValue(value)}`);
  }
  if (new Set(value).size !== value.length) throw new Error(`toOnnx: ${what} ${describeValue(value)} repeat a name`);
  if (count !== null && value.length !== count) {
    throw new Error(`toOnnx: ${what} has ${value.length} name${value.length === 1 ? '' : 's'} for ${count} ${what.startsWith('input') ? 'input' : 'output'}${count === 1 ? '' : 's'}`);
  }
  return [...value];
}

/** Default value names: 'input' for one, 'input0', 'input1', … for several. */
export function defaultNames(base: string, count: number): string[] {
  return count === 1 ? [base] : Array.from({ length: count }, (_, i) => `${base}${i}`);
}

export function parseOptions(options: ToOnnxOptions): ParsedOptions {
  const o = checkOptions('toOnnx', options, KEYS, true);
  if (o.inputShape === undefined) throw new Error('toOnnx: inputShape is required (the input shape with its batch, e.g. [1, 3, 32, 32])');
  const inputShapes = parseShapes(o.inputShape);
  const opset = o.opset ?? DEFAULT_OPSET;
  if (!Number.isInteger(opset) || opset < MIN_OPSET || opset > MAX_OPSET) {
    throw new Error(`toOnnx: opset must be an integer from ${MIN_OPSET} to ${MAX_OPSET}, got ${describeValue(o.opset)}`);
  }
  if (o.dynamicBatch !== undefined && typeof o.dynamicBatch !== 'boolean') throw new Error(`toOnnx: dynamicBatch must be true or false, got ${describeValue(o.dynamicBatch)}`);
  if (o.docString !== undefined && typeof o.docString !== 'string') throw new Error(`toOnnx: docString must be a string, got ${describeValue(o.docString)}`);
  if (o.dynamicBatch && inputShapes.some((s) => s[0] !== inputShapes[0][0])) {
    throw new Error(`toOnnx: with dynamicBatch, axis 0 of every input is the batch, but inputShape gives ${inputShapes.map((s) => `[${s.join(', ')}]`).join(' and ')}`);
  }
  const inputNames = parseNames('inputNames', o.inputNames, inputShapes.length) ?? defaultNames('input', inputShapes.length);
  const outputNames = parseNames('outputNames', o.outputNames, null);
  const clash = outputNames?.find((n) => inputNames.includes(n));
  if (clash !== undefined) throw new Error(`toOnnx: '${clash}' is both an input and an output name`);
  return { inputShapes, opset, inputNames, outputNames, dynamicBatch: o.dynamicBatch ?? false, docString: o.docString ?? '' };
}
