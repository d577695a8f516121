// The model file, version 2: 8 magic bytes "SIMDNET\0", uint32 LE version, uint32 LE
// header length, uint32 LE CRC-32 of every other byte of the file, a UTF-8 JSON header
// (module tree, tensor names/shapes/offsets, optional optimizer state), zero padding to a
// multiple of 4, then every tensor as little-endian float32. Version 1 (no checksum, a
// layer list) is still read: see decode.ts.
export const MODEL_MAGIC = 'SIMDNET\0';
export const MODEL_FORMAT_VERSION = 2;
export const PREAMBLE_V1 = 16;
export const PREAMBLE_V2 = 20;

export type TensorKind = 'parameter' | 'buffer' | 'optimizer';

export interface ModelTensorEntry {
  name: string;
  kind: TensorKind;
  shape: number[];
  dtype: 'float32';
  /** Byte offset from the start of the data section. */
  offset: number;
}

export interface ModuleSpecJson {
  type: string;
  config: Record<string, unknown>;
}

export interface OptimizerHeader {
  type: string;
  settings: Record<string, unknown>;
  iterations: number;
  /** How many parameters the optimizer updates (its state tensors are named by index). */
  parameters: number;
}

export interface ModelHeaderV2 {
  format: 'simdnet-model';
  version: 2;
  module: ModuleSpecJson;
  /** Every module of the tree by path ('' is the root), for readers and for checking the rebuild. */
  modules: { path: string; type: string }[];
  tensors: ModelTensorEntry[];
  optimizer?: OptimizerHeader;
  dataBytes: number;
}

export const align4 = (n: number): number => (n + 3) & ~3;

let crcTable: Uint32Array | null = null;

/** CRC-32 (IEEE 802.3, reflected, as zlib) of bytes, continuing from `crc`. */
export function crc32(bytes: Uint8Array, crc = 0): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/** The checksum a v2 file stores: everything but the checksum field itself. */
export function fileChecksum(bytes: Uint8Array): number {
  return crc32(bytes.subarray(PREAMBLE_V2), crc32(bytes.subarray(0, PREAMBLE_V2 - 4)));
}
