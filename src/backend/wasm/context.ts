// One loaded module: its kernels, its arena, and the permanent blocks every call reuses
// (a parameter block and the GEMM packing workspace, allocated once at load).
import { Arena } from './arena.js';
import { PARAM_BYTES, runGemm, type GemmCall, type KernelExports } from './kernels.js';

export class WasmContext {
  readonly arena: Arena;
  readonly params: number;
  readonly work: number;

  constructor(readonly kernels: KernelExports) {
    this.arena = new Arena(kernels.memory, kernels.heapBase());
    this.params = this.arena.alloc('loadWasmBackend', PARAM_BYTES);
    this.work = this.arena.alloc('loadWasmBackend', kernels.gemmWorkspaceBytes());
  }

  /** Runs `body` with scratch allocations that are released when it returns or throws. */
  scoped<T>(body: (arena: Arena) => T): T {
    const mark = this.arena.mark();
    try {
      return body(this.arena);
    } finally {
      this.arena.release(mark);
    }
  }

  gemm(call: GemmCall): void {
    runGemm(this.kernels, this.params, this.work, call);
  }
}
