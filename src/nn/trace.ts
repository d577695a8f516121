// traceModule: a Module's forward run under an op trace (src/autograd/trace.ts), each op
// tagged with the path of the submodule that ran it ('layer1.0.conv1'; '' for the root's
// own forward). Each submodule's forward is wrapped for the run and restored after it,
// even when forward throws.
import { traceOps, traceScope, type TracedOp } from '../autograd/trace.js';
import type { Tensor } from '../tensor.js';
import type { Module } from './module.js';

export interface ModuleTrace {
  /** What forward returned. */
  readonly result: unknown;
  readonly ops: TracedOp[];
  /** Every module of the tree by its path ('' is the root): a TracedOp's scope names one. */
  readonly modules: ReadonlyMap<string, Module>;
}

type Forward = (...inputs: Tensor[]) => Tensor;

export function traceModule(model: Module, inputs: readonly Tensor[], call: (m: Module, xs: readonly Tensor[]) => unknown = (m, xs) => m.forward(...xs)): ModuleTrace {
  const modules = model.namedModules();
  const restores: (() => void)[] = [];
  try {
    for (const [path, m] of modules) {
      if (path === '') continue;
      const own = Object.getOwnPropertyDescriptor(m, 'forward');
      const forward = m.forward as Forward;
      const scoped: Forward = (...args) => traceScope(path, () => forward.apply(m, args));
      // Not enumerable: Module finds submodules and parameters among its enumerable fields.
      Object.defineProperty(m, 'forward', { value: scoped, configurable: true, writable: true, enumerable: false });
      restores.push(() => {
        if (own) Object.defineProperty(m, 'forward', own);
        else delete (m as { forward?: Forward }).forward;
      });
    }
    const { result, ops } = traceOps(() => call(model, inputs));
    return { result, ops, modules: new Map(modules) };
  } finally {
    for (const restore of restores) restore();
  }
}
