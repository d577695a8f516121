// Writes the model file (see format.ts): any Module whose types the loader can rebuild
// (built-ins and registered classes), optionally with an optimizer's state.
import { registeredModule, type Module } from '../nn/module.js';
import type { Tensor } from '../tensor.js';
import {
  MODEL_FORMAT_VERSION, MODEL_MAGIC, PREAMBLE_V2, align4, fileChecksum,
  type ModelHeaderV2, type ModelTensorEntry, type OptimizerHeader, type TensorKind,
} from './format.js';

/** What an optimizer hands to a checkpoint (Optimizer.stateDict()). */
export interface OptimizerState {
  type: string;
  settings: Record<string, unknown>;
  iterations: number;
  parameters: number;
  /** State tensors by name ('<parameter index>.<what>'). */
  tensors: Record<string, Tensor>;
}

export interface SaveOptions {
  /** Also store this optimizer's state (a checkpoint that resumes training exactly). */
  optimizer?: { readonly parameters: readonly Tensor[]; stateDict(): OptimizerState };
}

/** Throws unless load can rebuild m: a built-in (a Sequential's children too) or a
 * registered class (whose constructor builds its own children). */
function checkRebuildable(m: Module, path: string): void {
  const ctor = m.constructor as { typeName?: string; name: string };
  if (Object.hasOwn(ctor, 'typeName')) {
    // Containers rebuild their children from config, so each child must be rebuildable too.
    if (m.type === 'Sequential' || m.type === 'OnnxModel') for (const [name, child] of m.namedChildren()) checkRebuildable(child, path ? `${path}.${name}` : name);
    return;
  }
  if (registeredModule(m.type) !== m.constructor) {
    throw new Error(`save: module '${path || '(root)'}' is a ${ctor.name}, which load cannot rebuild: call registerModule(${ctor.name}) first`);
  }
}

export function encodeModel(model: Module, options: SaveOptions = {}): Uint8Array {
  checkRebuildable(model, '');
  if (options === null || typeof options !== 'object') throw new Error('save: options must be an object');
  const unknown = Object.keys(options).filter((k) => k !== 'optimizer');
  if (unknown.length > 0) throw new Error(`save: unknown option ${unknown.map((k) => `'${k}'`).join(', ')} (known: optimizer)`);
  const named: [string, TensorKind, Tensor][] = [];
  const params = new Set<Tensor>(model.parameters());
  for (const [name, t] of Object.entries(model.stateDict())) named.push([name, params.has(t) ? 'parameter' : 'buffer', t]);
  let optimizer: OptimizerHeader | undefined;
  if (options.optimizer !== undefined) {
    const o = options.optimizer;
    if (!o || typeof o.stateDict !== 'function' || !Array.isArray(o.parameters)) throw new Error('save: optimizer must be an Optimizer');
    if (!o.parameters.every((p) => params.has(p))) throw new Error("save: the optimizer updates parameters that are not this model's");
    const s = o.stateDict();
    optimizer = { type: s.type, settings: s.settings, iterations: s.iterations, parameters: s.parameters };
    for (const [name, t] of Object.entries(s.tensors)) named.push([`optimizer.${name}`, 'optimizer', t]);
  }
  // Load refuses non-finite values, so save does too rather than write a file that cannot be read.
  for (const [name, , t] of named) {
    const bad = t.data.findIndex((v) => !Number.isFinite(v));
    if (bad !== -1) throw new Error(`save: tensor '${name}' holds a non-finite value (${t.data[bad]}) at index ${bad}; the model file would be refused by load`);
  }
  let offset = 0;
  const entries: ModelTensorEntry[] = named.map(([name, kind, t]) => {
    const e: ModelTensorEntry = { name, kind, shape: [...t.shape], dtype: 'float32', offset };
    offset += t.size * 4;
    return e;
  });
  const header: ModelHeaderV2 = {
    format: 'simdnet-model',
    version: MODEL_FORMAT_VERSION,
    module: { type: model.type, config: model.config() },
    modules: model.namedModules().map(([path, m]) => ({ path, type: m.type })),
    tensors: entries,
    ...(optimizer ? { optimizer } : {}),
    dataBytes: offset,
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = align4(PREAMBLE_V2 + json.length);
  const bytes = new Uint8Array(dataStart + offset);
  for (let i = 0; i < 8; i++) bytes[i] = MODEL_MAGIC.charCodeAt(i);
  const view = new DataView(bytes.buffer);
  view.setUint32(8, MODEL_FORMAT_VERSION, true);
  view.setUint32(12, json.length, true);
  bytes.set(json, PREAMBLE_V2);
  named.forEach(([, , t], k) => {
    const base = dataStart + entries[k].offset;
    for (let i = 0; i < t.size; i++) view.setFloat32(base + 4 * i, t.data[i], true);
  });
  view.setUint32(16, fileChecksum(bytes), true);
  return bytes;
}
