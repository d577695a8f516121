// Every method of the wasm backend refuses a view of linear memory that a memory.grow
// detached before the call: such a view reads as length 0, and a kernel that takes its
// element count from an array's length (the shared TypeScript kernels, the elementwise
// maps) would otherwise do nothing, or write NaN, without a word.
import type { Arena } from './arena.js';

export function guardStaleViews<T extends object>(methods: T, arena: Arena): T {
  const guarded = {} as T;
  for (const [name, d] of Object.entries(Object.getOwnPropertyDescriptors(methods))) {
    if (typeof d.value === 'function') {
      const method = d.value as (...args: unknown[]) => unknown;
      d.value = function (this: unknown, ...args: unknown[]): unknown {
        for (let i = 0; i < args.length; i++) {
          const a = args[i];
          if (a instanceof Float32Array && a.length === 0 && arena.stale(a)) {
            throw new Error(`${name}: an array is a stale view of WebAssembly memory (detached by memory.grow); take tensor.data again after any op`);
          }
        }
        return method.apply(this, args);
      };
    }
    Object.defineProperty(guarded, name, d);
  }
  return guarded;
}
