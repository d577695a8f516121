// The IDX file format of the MNIST distribution: 0x00 0x00, a type byte, a rank byte,
// rank big-endian uint32 sizes, then the values big-endian. Works on bytes only (no fs),
// so it runs in browsers as well.

export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxFile {
  dims: number[];
  data: IdxData;
}

const TYPES: Record<number, { name: string; size: number }> = {
  0x08: { name: 'uint8', size: 1 },
  0x09: { name: 'int8', size: 1 },
  0x0b: { name: 'int16', size: 2 },
  0x0c: { name: 'int32', size: 4 },
  0x0d: { name: 'float32', size: 4 },
  0x0e: { name: 'float64', size: 8 },
};

/** Parses an IDX file; a bad magic, unknown type or wrong length is an Error. */
export function readIdx(bytes: Uint8Array, what = 'IDX data'): IdxFile {
  if (!(bytes instanceof Uint8Array)) throw new Error(`readIdx: ${what} must be a Uint8Array, got ${String(bytes)}`);
  if (bytes.length < 4) throw new Error(`readIdx: ${what} is truncated (${bytes.length} bytes, the header alone needs 4)`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new Error(`readIdx: ${what} has a bad magic number (first bytes 0x${bytes[0].toString(16)} 0x${bytes[1].toString(16)}, expected 0x00 0x00)`);
  }
  const type = TYPES[bytes[2]];
  if (!type) throw new Error(`readIdx: ${what} has unknown data type 0x${bytes[2].toString(16)}`);
  const rank = bytes[3];
  if (rank < 1) throw new Error(`readIdx: ${what} has rank 0`);
  const headerSize = 4 + 4 * rank;
  if (bytes.length < headerSize) throw new Error(`readIdx: ${what} is truncated (${bytes.length} bytes, the header needs ${headerSize})`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let count = 1;
  for (let i = 0; i < rank; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    dims.push(d);
    count *= d;
  }
  const expected = headerSize + count * type.size;
  if (bytes.length !== expected) {
    throw new Error(
      `readIdx: ${what} has ${bytes.length} bytes but its header (${type.name}, dims [${dims.join(', ')}]) needs ${expected}` +
        (bytes.length < expected ? ' (truncated)' : ' (trailing bytes)'),
    );
  }
  return { dims, data: decode(view, headerSize, count, bytes[2]) };
}

function decode(view: DataView, offset: number, count: number, type: number): IdxData {
  switch (type) {
    case 0x08:
      return new Uint8Array(view.buffer, view.byteOffset + offset, count).slice();
    case 0x09:
      return new Int8Array(view.buffer, view.byteOffset + offset, count).slice();
    case 0x0b: {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(offset + 2 * i, false);
      return out;
    }
    case 0x0c: {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(offset + 4 * i, false);
      return out;
    }
    case 0x0d: {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(offset + 4 * i, false);
      return out;
    }
    default: {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(offset + 8 * i, false);
      return out;
    }
  }
}
