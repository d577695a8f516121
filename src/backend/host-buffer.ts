// BackendBuffer for the backends whose kernels run on JavaScript arrays (naive, js): the
// memory is one Float32Array and a view is a subarray of it.
import type { AllocateOptions, BackendBuffer } from './backend.js';

/** Checks a buffer request: a whole number of floats a typed array can hold. */
export function checkBufferFloats(floats: number): void {
  if (!Number.isSafeInteger(floats) || floats < 0 || floats > 2 ** 30) throw new Error(`allocate: floats must be an integer in [0, 2^30], got ${String(floats)}`);
}

/** Checks allocate's options: an object with at most a boolean `zero`; returns whether to zero. */
export function checkAllocateOptions(options: AllocateOptions | undefined): boolean {
  if (options === undefined) return true;
  if (options === null || typeof options !== 'object') throw new Error(`allocate: options must be an object, got ${String(options)}`);
  for (const key of Object.keys(options)) if (key !== 'zero') throw new Error(`allocate: unknown option '${key}' (known: zero)`);
  if (options.zero !== undefined && typeof options.zero !== 'boolean') throw new Error(`allocate: zero must be true or false, got ${String(options.zero)}`);
  return options.zero ?? true;
}

/** Checks a view request against a buffer of `floats` floats. */
export function checkView(floats: number, offset: number, length: number, released: boolean): void {
  if (released) throw new Error('BackendBuffer.view: the buffer was released');
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > floats) {
    throw new Error(`BackendBuffer.view: [${offset}, ${offset} + ${length}) is outside the buffer of ${floats} floats`);
  }
}

/** A plain array: always zeros (a fresh array costs nothing more zeroed). */
export function allocateHost(floats: number, options?: AllocateOptions): BackendBuffer {
  checkBufferFloats(floats);
  checkAllocateOptions(options);
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
