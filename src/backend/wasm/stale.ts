// The shared TypeScript kernels the wasm backend runs (activations, softmax, layout...)
// loop over their arrays without checking lengths: a view of linear memory that a
// memory.grow detached reads as length 0, and such a loop would write NaN or nothing.
// Wrapped here, every call refuses a detached view with an Error instead.
import type { Arena } from './arena.js';

export function guardStaleViews<T extends object>(kernels: T, arena: Arena): T {
  const guarded: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(kernels)) {
    if (typeof value !== 'function') {
      guarded[name] = value;
      continue;
    }
    const kernel = value as (...args: unknown[]) => unknown;
    guarded[name] = (...args: unknown[]): unknown => {
      for (const a of args) {
        if (a instanceof Float32Array && a.length === 0 && arena.stale(a)) {
          throw new Error(`${name}: an array is a stale view of WebAssembly memory (detached by memory.grow); take tensor.data again after any op`);
        }
      }
      return kernel(...args);
    };
  }
  return guarded as T;
}
