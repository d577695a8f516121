// loadOnnx: the bytes of an .onnx file → an OnnxModel (synchronous).
import { createModule } from '../nn/module-types.js';
import { checkOptions } from '../ops/validate.js';
import { importGraph } from './import.js';
import { OnnxModel } from './model.js';
import { readOnnx } from './read.js';
import type { OnnxGraphSpec, ValueInfoSpec } from './spec.js';

export interface LoadOnnxOptions {
  /** Sizes to use instead of the ones the file declares, by input name: a name (or
   * '?') for a free dimension, e.g. { input: ['batch', 3, 224, 224] }. */
  inputShapes?: Record<string, readonly (number | string)[]>;
}

function withShapes(spec: OnnxGraphSpec, shapes: Record<string, readonly (number | string)[]>): OnnxGraphSpec {
  const names = spec.inputs.map((i) => i.name);
  for (const [name, shape] of Object.entries(shapes)) {
    if (!names.includes(name)) throw new Error(`loadOnnx: inputShapes names '${name}', which is not a graph input (inputs: ${names.map((n) => `'${n}'`).join(', ')})`);
    if (!Array.isArray(shape) || !shape.every((d) => (Number.isInteger(d) && (d as number) >= 0) || (typeof d === 'string' && d !== ''))) {
      throw new Error(`loadOnnx: inputShapes['${name}'] must be an array of sizes and dimension names, got ${JSON.stringify(shape)}`);
    }
  }
  const inputs = spec.inputs.map((i): ValueInfoSpec => (shapes[i.name] ? { name: i.name, dtype: i.dtype, shape: [...shapes[i.name]] } : i));
  return { ...spec, inputs };
}

/** Imports an ONNX model (opsets 11–17 of the default domain) as an OnnxModel in eval mode. */
export function loadOnnx(bytes: Uint8Array | ArrayBuffer, options: LoadOnnxOptions = {}): OnnxModel {
  const o = checkOptions('loadOnnx', options, ['inputShapes']);
  const imported = importGraph(readOnnx(bytes));
  const spec = o.inputShapes ? withShapes(imported.spec, o.inputShapes) : imported.spec;
  const model = new OnnxModel(spec, { build: createModule, label: 'loadOnnx' });
  for (const [key, target] of Object.entries(model.stateDict())) {
    const value = imported.state.get(key);
    if (!value || value.length !== target.size) throw new Error(`loadOnnx: internal error: no value of ${target.size} elements for '${key}'`);
    target.data.set(value);
  }
  return model;
}
