// BackendBuffer for the backends whose kernels run on JavaScript arrays (naive, js): the
// memory is one Float32Array and a view is a subarray of it.
import type { BackendBuffer } from './backend.js';

/** Checks a buffer request: a whole number of floats a typed array can hold. */
export function checkBufferFloats(floats: number): void {
  if (!Number.isSafeInteger(floats) || floats < 0 || floats > 2 ** 30) throw new Error(`allocate: floats must be an integer in [0, 2^30], got ${String(floats)}`);
}

/** Checks a view request against a buffer of `floats` floats. */
export function checkView(floats: number, offset: number, length: number, released: boolean): void {
  if (released) throw new Error('BackendBuffer.view: the buffer was released');
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > floats) {
    throw new Error(`BackendBuffer.view: [${offset}, ${offset} + ${length}) is outside the buffer of ${floats} floats`);
  }
}

export function allocateHost(floats: number): BackendBuffer {
  checkBufferFloats(floats);
  let data: Float32Array | null = new Float32Array(floats);
  return {
    floats,
    array: data,
    view(offset, length) {
      checkView(floats, offset, length, data === null);
      return (data as Float32Array).subarray(offset, offset + length);
    },
    release() {
      data = null;
    },
  };
}
