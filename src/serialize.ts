// The model file: 8 magic bytes "SIMDNET\0", uint32 LE format version, uint32 LE header
// length, a UTF-8 JSON header (architecture, tensor names/shapes/offsets), zero padding to
// a multiple of 4, then every tensor as little-endian float32. Decoding checks everything
// before building anything, so bad bytes give an Error and nothing else.
import { createLayer } from './nn/layer-types.js';
import type { Layer } from './nn/layer.js';
import { formatShape, shapeSize } from './tensor.js';

export const MODEL_MAGIC = 'SIMDNET\0';
export const MODEL_FORMAT_VERSION = 1;
const PREAMBLE = 16;

export interface ModelTensorEntry {
  name: string;
  kind: 'parameter' | 'buffer';
  shape: number[];
  dtype: 'float32';
  /** Byte offset from the start of the data section. */
  offset: number;
}

export interface ModelHeader {
  format: 'simdnet-model';
  version: number;
  layers: { type: string; config: Record<string, unknown> }[];
  tensors: ModelTensorEntry[];
  dataBytes: number;
}

/** Named tensors of a layer list, in order: '<index>.<name>' for parameters then buffers. */
export function namedTensors(layers: readonly Layer[]): { name: string; kind: 'parameter' | 'buffer'; data: Float32Array; shape: readonly number[] }[] {
  const out: { name: string; kind: 'parameter' | 'buffer'; data: Float32Array; shape: readonly number[] }[] = [];
  layers.forEach((layer, i) => {
    for (const p of layer.parameters()) out.push({ name: `${i}.${p.name.split('.').pop()}`, kind: 'parameter', data: p.value.data, shape: p.value.shape });
    for (const b of layer.buffers()) out.push({ name: `${i}.${b.name}`, kind: 'buffer', data: b.value.data, shape: b.value.shape });
  });
  return out;
}

const align4 = (n: number): number => (n + 3) & ~3;

/** Serializes layers (architecture and weights) to bytes. */
export function encodeModel(layers: readonly Layer[]): Uint8Array {
  const tensors = namedTensors(layers);
  let offset = 0;
  const entries: ModelTensorEntry[] = tensors.map((t) => {
    const e: ModelTensorEntry = { name: t.name, kind: t.kind, shape: [...t.shape], dtype: 'float32', offset };
    offset += t.data.length * 4;
    return e;
  });
  const header: ModelHeader = {
    format: 'simdnet-model',
    version: MODEL_FORMAT_VERSION,
    layers: layers.map((l) => ({ type: l.type, config: l.config() })),
    tensors: entries,
    dataBytes: offset,
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = align4(PREAMBLE + json.length);
  const bytes = new Uint8Array(dataStart + offset);
  for (let i = 0; i < 8; i++) bytes[i] = MODEL_MAGIC.charCodeAt(i);
  const view = new DataView(bytes.buffer);
  view.setUint32(8, MODEL_FORMAT_VERSION, true);
  view.setUint32(12, json.length, true);
  bytes.set(json, PREAMBLE);
  tensors.forEach((t, k) => {
    const base = dataStart + entries[k].offset;
    for (let i = 0; i < t.data.length; i++) view.setFloat32(base + 4 * i, t.data[i], true);
  });
  return bytes;
}

function fail(message: string): never {
  throw new Error(`loadModel: ${message}`);
}

/** Parses and checks the preamble and header without building layers. */
export function readModelHeader(bytes: Uint8Array): { header: ModelHeader; dataStart: number } {
  if (!(bytes instanceof Uint8Array)) fail(`expected a Uint8Array, got ${String(bytes)}`);
  if (bytes.length < PREAMBLE) fail(`file is truncated (${bytes.length} bytes, the preamble alone is ${PREAMBLE})`);
  for (let i = 0; i < 8; i++) {
    if (bytes[i] !== MODEL_MAGIC.charCodeAt(i)) fail('not a simdnet model file (bad magic bytes; expected "SIMDNET\\0")');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== MODEL_FORMAT_VERSION) fail(`unsupported format version ${version} (this build reads version ${MODEL_FORMAT_VERSION})`);
  const headerLength = view.getUint32(12, true);
  if (PREAMBLE + headerLength > bytes.length) fail(`file is truncated (header of ${headerLength} bytes does not fit in ${bytes.length} bytes)`);
  let header: ModelHeader;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(PREAMBLE, PREAMBLE + headerLength))) as ModelHeader;
  } catch (err) {
    fail(`header is not valid JSON (${(err as Error).message})`);
  }
  if (!header || typeof header !== 'object' || header.format !== 'simdnet-model') fail('header does not describe a simdnet model');
  if (header.version !== version) fail(`header version ${String(header.version)} does not match the preamble's ${version}`);
  if (!Array.isArray(header.layers) || !Array.isArray(header.tensors)) fail('header lacks its layers or tensors list');
  if (!Number.isInteger(header.dataBytes) || header.dataBytes < 0) fail(`header has a bad dataBytes (${String(header.dataBytes)})`);
  const dataStart = align4(PREAMBLE + headerLength);
  const expected = dataStart + header.dataBytes;
  if (bytes.length !== expected) {
    fail(`file has ${bytes.length} bytes but its header describes ${expected}${bytes.length < expected ? ' (truncated)' : ' (trailing bytes)'}`);
  }
  return { header, dataStart };
}

/** Rebuilds layers with their weights from encodeModel's bytes. */
export function decodeModel(bytes: Uint8Array): Layer[] {
  const { header, dataStart } = readModelHeader(bytes);
  const layers = header.layers.map((entry, i) => {
    if (!entry || typeof entry.type !== 'string') fail(`layer ${i} has no type`);
    try {
      return createLayer(entry.type, entry.config ?? {});
    } catch (err) {
      return fail(`layer ${i} (${entry.type}) cannot be built: ${(err as Error).message}`);
    }
  });
  const expected = namedTensors(layers);
  const byName = new Map<string, ModelTensorEntry>();
  for (const e of header.tensors) {
    if (!e || typeof e.name !== 'string' || byName.has(e.name)) fail(`tensor entry ${JSON.stringify(e?.name)} is missing a name or repeated`);
    byName.set(e.name, e);
  }
  if (byName.size !== expected.length) fail(`file has ${byName.size} tensors but its architecture needs ${expected.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const plan = expected.map((t) => {
    const e = byName.get(t.name) ?? fail(`tensor '${t.name}' is missing`);
    if (e.dtype !== 'float32') fail(`tensor '${t.name}' has dtype ${String(e.dtype)} (only float32 is supported)`);
    if (!Array.isArray(e.shape) || e.shape.length !== t.shape.length || e.shape.some((d, i) => d !== t.shape[i])) {
      fail(`tensor '${t.name}' has shape ${Array.isArray(e.shape) ? formatShape(e.shape) : String(e.shape)} but the architecture needs ${formatShape(t.shape)}`);
    }
    const size = shapeSize(t.shape) * 4;
    if (!Number.isInteger(e.offset) || e.offset < 0 || e.offset % 4 !== 0 || e.offset + size > header.dataBytes) {
      fail(`tensor '${t.name}' has a bad offset ${String(e.offset)} (${size} bytes in a ${header.dataBytes}-byte data section)`);
    }
    return { target: t.data, start: dataStart + e.offset };
  });
  for (const { target, start } of plan) {
    for (let i = 0; i < target.length; i++) target[i] = view.getFloat32(start + 4 * i, true);
  }
  return layers;
}
