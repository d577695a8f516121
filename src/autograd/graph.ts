// The tape: each op output that needs a gradient carries the node that made it (the op's
// name, its inputs, the backend it ran on and its backward rule). Nothing is recorded
// inside noGrad(), or when no input requires a gradient. Every op also goes to the op
// trace when one is active (src/autograd/trace.ts), gradients or not.
import type { Backend } from '../backend/backend.js';
import type { Tensor } from '../tensor.js';
import { traceOp, tracing } from './trace.js';

/** Given dL/dy and which inputs need a gradient, returns dL/dinput for each input
 * (null where not needed). Runs with recording off. */
export type BackwardRule = (dy: Tensor, needs: readonly boolean[]) => readonly (Tensor | null)[];

export interface GradNode {
  readonly op: string;
  readonly backend: Backend;
  /** Null once backward has run and released what the node saved. */
  inputs: readonly (Tensor | null)[] | null;
  rule: BackwardRule | null;
}

let enabled = true;

/** Whether ops record gradients now (false inside noGrad). */
export function isGradEnabled(): boolean {
  return enabled;
}

/** Runs fn with recording off: no tape, nothing saved. fn must be synchronous (an async
 * body would resume after the scope has ended). */
export function noGrad<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw new Error(`noGrad: expected a function, got ${String(fn)}`);
  const before = enabled;
  enabled = false;
  try {
    const out = fn();
    if (out !== null && typeof out === 'object' && typeof (out as { then?: unknown }).then === 'function') {
      throw new Error('noGrad: the function returned a promise; noGrad scopes are synchronous (await outside, or wrap each synchronous step)');
    }
    return out;
  } finally {
    enabled = before;
  }
}

/** True when an op over these inputs must record: recording is on and one input needs a gradient. */
export function needsGrad(inputs: readonly (Tensor | null | undefined)[]): boolean {
  if (!enabled) return false;
  for (const t of inputs) if (t && t.requiresGrad) return true;
  return false;
}

/** Attaches the node to y when needed; returns y. The rule's closure is what is saved.
 * `attrs` (what reproduces the op beyond its inputs) goes to the active op trace; call
 * sites build it only while tracing() is true, so the untraced path allocates nothing. */
export function record(
  op: string, y: Tensor, inputs: readonly (Tensor | null | undefined)[], backend: Backend, rule: BackwardRule, attrs?: object,
): Tensor {
  if (tracing()) traceOp(op, y, inputs, attrs);
  if (needsGrad(inputs)) y.gradNode = { op, backend, inputs: inputs.map((t) => t ?? null), rule };
  return y;
}
