// Reads the model file (format.ts). Everything is checked before anything is built or
// written: magic, version, checksum (v2), header, sizes, every tensor's name and shape,
// and that every value is finite. Version 1 files (a Sequential's layer list) still load.
import { withGlobalRandom } from '../init.js';
import { Random } from '../random.js';
import { Tensor, formatShape, shapeSize } from '../tensor.js';
import type { Module } from '../nn/module.js';
import { createModule, type ModuleSpec } from '../nn/module-types.js';
import type { OptimizerState } from './encode.js';
import {
  MODEL_FORMAT_VERSION, MODEL_MAGIC, PREAMBLE_V1, PREAMBLE_V2, align4, fileChecksum,
  type ModelHeaderV2, type ModelTensorEntry,
} from './format.js';

function fail(message: string, cause?: unknown): never {
  throw new Error(`loadModel: ${message}`, cause === undefined ? undefined : { cause });
}

interface ParsedFile {
  version: number;
  spec: ModuleSpec;
  modules: { path: string; type: string }[] | null;
  tensors: ModelTensorEntry[];
  optimizer: ModelHeaderV2['optimizer'] | null;
  dataStart: number;
  dataBytes: number;
}

interface HeaderV1 {
  format: string;
  version: number;
  layers: ModuleSpec[];
  tensors: ModelTensorEntry[];
  dataBytes: number;
}

/** Parses and checks the preamble, checksum and header without building anything. */
export function readModelHeader(bytes: Uint8Array): ParsedFile {
  if (!(bytes instanceof Uint8Array)) fail(`expected a Uint8Array, got ${String(bytes)}`);
  if (bytes.length < PREAMBLE_V1) fail(`file is truncated (${bytes.length} bytes, the preamble alone is ${PREAMBLE_V1})`);
  for (let i = 0; i < 8; i++) {
    if (bytes[i] !== MODEL_MAGIC.charCodeAt(i)) fail('not a simdnet model file (bad magic bytes; expected "SIMDNET\\0")');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== 1 && version !== MODEL_FORMAT_VERSION) fail(`unsupported format version ${version} (this build reads versions 1 and ${MODEL_FORMAT_VERSION})`);
  const preamble = version === 1 ? PREAMBLE_V1 : PREAMBLE_V2;
  if (bytes.length < preamble) fail(`file is truncated (${bytes.length} bytes, the preamble alone is ${preamble})`);
  const headerLength = view.getUint32(12, true);
  if (preamble + headerLength > bytes.length) fail(`file is truncated (header of ${headerLength} bytes does not fit in ${bytes.length} bytes)`);
  if (version === MODEL_FORMAT_VERSION) {
    const stored = view.getUint32(16, true);
    const actual = fileChecksum(bytes);
    if (stored !== actual) fail(`checksum mismatch (stored ${stored.toString(16)}, computed ${actual.toString(16)}): the file is corrupt or truncated`);
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(preamble, preamble + headerLength)));
  } catch (err) {
    fail(`header is not valid JSON (${(err as Error).message})`, err);
  }
  if (!header || typeof header !== 'object' || header.format !== 'simdnet-model') fail('header does not describe a simdnet model');
  if (header.version !== version) fail(`header version ${String(header.version)} does not match the preamble's ${version}`);
  if (!Array.isArray(header.tensors)) fail('header lacks its tensors list');
  const dataBytes = header.dataBytes as number;
  if (!Number.isInteger(dataBytes) || dataBytes < 0) fail(`header has a bad dataBytes (${String(dataBytes)})`);
  const dataStart = align4(preamble + headerLength);
  const expected = dataStart + dataBytes;
  if (bytes.length !== expected) {
    fail(`file has ${bytes.length} bytes but its header describes ${expected}${bytes.length < expected ? ' (truncated)' : ' (trailing bytes)'}`);
  }
  if (version === 1) return fromV1(header as unknown as HeaderV1, dataStart);
  const h = header as unknown as ModelHeaderV2;
  if (!h.module || typeof h.module !== 'object' || typeof h.module.type !== 'string') fail('header lacks its module tree');
  if (!Array.isArray(h.modules)) fail('header lacks its modules list');
  return { version, spec: h.module, modules: h.modules, tensors: h.tensors, optimizer: h.optimizer ?? null, dataStart, dataBytes };
}

/** Version 1: a layer list with tensors '<index>.<name>' (BatchNorm's runningMean/runningVar). */
function fromV1(h: HeaderV1, dataStart: number): ParsedFile {
  if (!Array.isArray(h.layers)) fail('header lacks its layers list');
  const rename: Record<string, string> = { runningMean: 'running_mean', runningVar: 'running_var' };
  const tensors = h.tensors.map((e) => {
    const name = typeof e?.name === 'string' ? e.name.replace(/\.(runningMean|runningVar)$/, (_, k: string) => `.${rename[k]}`) : e?.name;
    return { ...e, name };
  });
  return { version: 1, spec: { type: 'Sequential', config: { layers: h.layers } }, modules: null, tensors, optimizer: null, dataStart, dataBytes: h.dataBytes };
}

export interface Checkpoint {
  model: Module;
  /** The optimizer state saved with the model, or null (give it to optimizer.loadStateDict). */
  optimizer: OptimizerState | null;
}

/** The model and optimizer state from save()'s bytes. Bad bytes throw and build nothing. */
export function loadCheckpoint(bytes: Uint8Array): Checkpoint {
  const file = readModelHeader(bytes);
  let model: Module;
  try {
    // A user constructor initializes weights that are about to be overwritten: give it
    // a throwaway generator so loading leaves the global random stream untouched.
    model = withGlobalRandom(new Random(0), () => createModule(file.spec));
  } catch (err) {
    fail(`the module tree cannot be built: ${(err as Error).message}`, err);
  }
  if (file.modules) {
    const built = model.namedModules().map(([path, m]) => `${path}:${m.type}`).join(' ');
    const saved = file.modules.map((m) => `${m.path}:${m.type}`).join(' ');
    if (built !== saved) fail(`the rebuilt module tree (${built}) differs from the saved one (${saved}): does the class build the same modules from its config?`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const byName = new Map<string, ModelTensorEntry>();
  for (const e of file.tensors) {
    if (!e || typeof e.name !== 'string' || byName.has(e.name)) fail(`tensor entry ${JSON.stringify(e?.name)} is missing a name or repeated`);
    byName.set(e.name, e);
  }
  const read = (e: ModelTensorEntry, name: string): Float32Array => {
    if (e.dtype !== 'float32') fail(`tensor '${name}' has dtype ${String(e.dtype)} (only float32 is supported)`);
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isInteger(d) && d >= 0)) fail(`tensor '${name}' has a bad shape ${JSON.stringify(e.shape)}`);
    const size = shapeSize(e.shape) * 4;
    if (!Number.isInteger(e.offset) || e.offset < 0 || e.offset % 4 !== 0 || e.offset + size > file.dataBytes) {
      fail(`tensor '${name}' has a bad offset ${String(e.offset)} (${size} bytes in a ${file.dataBytes}-byte data section)`);
    }
    const out = new Float32Array(size / 4);
    const start = file.dataStart + e.offset;
    for (let i = 0; i < out.length; i++) {
      out[i] = view.getFloat32(start + 4 * i, true);
      if (!Number.isFinite(out[i])) fail(`tensor '${name}' holds a non-finite value (${out[i]}) at index ${i}`);
    }
    return out;
  };
  const state: Record<string, Tensor> = {};
  const own = model.stateDict();
  for (const [name, target] of Object.entries(own)) {
    const e = byName.get(name);
    if (!e) {
      if (file.version === 1 && name.endsWith('num_batches_tracked')) continue; // v1 had no such buffer
      fail(`tensor '${name}' is missing`);
    }
    if (!Array.isArray(e.shape) || e.shape.length !== target.rank || e.shape.some((d, i) => d !== target.shape[i])) {
      fail(`tensor '${name}' has shape ${Array.isArray(e.shape) ? formatShape(e.shape) : String(e.shape)} but the module needs ${formatShape(target.shape)}`);
    }
    state[name] = new Tensor(read(e, name), target.shape);
    byName.delete(name);
  }
  let optimizer: OptimizerState | null = null;
  if (file.optimizer) {
    const tensors: Record<string, Tensor> = {};
    for (const [name, e] of [...byName]) {
      if (!name.startsWith('optimizer.')) continue;
      const data = read(e, name); // checks the shape first
      tensors[name.slice('optimizer.'.length)] = new Tensor(data, e.shape);
      byName.delete(name);
    }
    const o = file.optimizer;
    if (typeof o.type !== 'string' || !Number.isInteger(o.iterations) || o.iterations < 0 || !Number.isInteger(o.parameters)) fail('header has a bad optimizer entry');
    optimizer = { type: o.type, settings: o.settings ?? {}, iterations: o.iterations, parameters: o.parameters, tensors };
  }
  if (byName.size > 0) fail(`file has tensors the module does not have: ${[...byName.keys()].map((k) => `'${k}'`).join(', ')}`);
  model.loadStateDict(state, { strict: false });
  return { model, optimizer };
}

/** A model rebuilt from save()'s bytes (any module; see loadCheckpoint for optimizer state). */
export function loadModel(bytes: Uint8Array): Module {
  return loadCheckpoint(bytes).model;
}
