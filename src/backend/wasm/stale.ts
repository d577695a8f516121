// Every method of the wasm backend refuses a view of linear memory that a memory.grow
// detached before the call: such a view reads as length 0, and a kernel that takes its
// element count from an array's length (the shared TypeScript kernels, the elementwise
// maps) would otherwise do nothing, or write NaN, without a word.
import type { Arena } from './arena.js';

/** Throws naming the method if an argument is a stale view of this arena's memory. */
export function refuseStaleViews(name: string, args: readonly unknown[], arena: Arena): void {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a instanceof Float32Array && a.length === 0 && arena.stale(a)) {
      throw new Error(`${name}: an array is a stale view of WebAssembly memory (detached by memory.grow); take tensor.data again after any op`);
    }
  }
}
