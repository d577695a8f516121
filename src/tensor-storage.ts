// A tensor's data when a backend owns it: one BackendBuffer shared by the tensors that
// view it (a reshape, detach(), a Parameter made from a tensor), freed when the last of
// them is disposed, or, as a safety net, when the storage is garbage-collected. A view
// handed out by data keeps its storage alive (viewOwners), so a view still in use is
// never freed under it by the collector. Nothing the registry holds (the buffer) refers
// back to a view or the storage, or the storage could never be collected.
import type { Backend, BackendBuffer } from './backend/backend.js';

const NO_ZERO = Object.freeze({ zero: false });

const collected = new FinalizationRegistry<BackendBuffer>((buffer) => buffer.release());
const viewOwners = new WeakMap<Float32Array, TensorStorage>();

export class TensorStorage {
  private refs = 0;
  private lastView: Float32Array | null = null;

  constructor(
    readonly backend: Backend,
    private readonly buffer: BackendBuffer,
    readonly floats: number,
  ) {
    collected.register(this, buffer, this);
  }

  retain(): void {
    this.refs++;
  }

  /** One tensor less; the last one frees the memory. */
  drop(): void {
    if (--this.refs > 0) return;
    collected.unregister(this);
    this.buffer.release();
    this.lastView = null;
  }

  /** A view of all the floats, kept and re-made only once a memory.grow detached it (its
   * length drops to 0; a shared memory's views never detach). */
  view(): Float32Array {
    const last = this.lastView;
    if (last !== null && last.length === this.floats) return last;
    const v = this.buffer.view(0, this.floats);
    viewOwners.set(v, this);
    this.lastView = v;
    return v;
  }
}

/** Memory for `floats` floats from `backend`: a plain array when the backend's buffers are
 * plain arrays (naive, js), else a storage over the backend's buffer. Zero-filled unless
 * `zero` is false (then only for an output its kernel overwrites entirely). */
export function allocateStorage(backend: Backend, floats: number, zero = true): Float32Array | TensorStorage {
  const buffer = zero ? backend.allocate(floats) : backend.allocate(floats, NO_ZERO);
  if (buffer.array !== undefined) return buffer.array;
  return new TensorStorage(backend, buffer, floats);
}
