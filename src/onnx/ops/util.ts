// Helpers shared by the op definitions: reading run-time inputs, host parameters and
// axes, with errors that name the node (through the context's fail).
import { Tensor } from '../../tensor.js';
import type { CompileContext, Dims, ExecNode, Known, RunInput, RunOutput } from '../exec.js';
import { isFloatType, type HostValue } from '../host.js';

export function isTensor(v: unknown): v is Tensor {
  return v instanceof Tensor;
}

/** Run-time tensor input i (required). */
export function tensorAt(c: CompileContext, ins: readonly RunInput[], i: number): Tensor {
  const v = ins[i];
  if (!(v instanceof Tensor)) c.fail(`input ${i} ('${c.node.inputs[i] ?? ''}') is required`);
  return v;
}

/** Run-time optional tensor input i, or null. */
export function optionalTensorAt(ins: readonly RunInput[], i: number): Tensor | null {
  const v = ins[i];
  return v instanceof Tensor ? v : null;
}

/** Run-time host input i (required). */
export function hostAt(c: CompileContext, ins: readonly RunInput[], i: number): HostValue {
  const v = ins[i];
  if (v === undefined || v instanceof Tensor) c.fail(`input ${i} ('${c.node.inputs[i] ?? ''}') is required`);
  return v;
}

/** The integers of a host value (an int64 shape, axes, pads). */
export function intsOf(c: CompileContext, h: HostValue, what: string): number[] {
  if (isFloatType(h.dtype)) c.fail(`${what} must be an integer tensor, got ${h.dtype}`);
  return [...h.data];
}

/** A one-element host value as a number (a scalar bound, a ratio). */
export function scalarOf(c: CompileContext, h: HostValue, what: string): number {
  if (h.data.length !== 1) c.fail(`${what} must be a scalar, got shape [${h.dims.join(', ')}]`);
  return h.data[0];
}

/** An axis in [−rank, rank) as [0, rank). */
export function axisOf(c: CompileContext, axis: number, rank: number, what = 'axis'): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) c.fail(`${what} ${axis} is outside [${-rank}, ${rank - 1}] for a rank-${rank} input`);
  return axis < 0 ? axis + rank : axis;
}

/** Distinct axes, normalized. */
export function axesOf(c: CompileContext, axes: readonly number[], rank: number, what = 'axes'): number[] {
  const out = axes.map((a) => axisOf(c, a, rank, what));
  if (new Set(out).size !== out.length) c.fail(`${what} [${axes.join(', ')}] repeat an axis`);
  return out;
}

export function dimsOf(k: Known | undefined): Dims | null {
  return k ? k.dims : null;
}

/** Every given input's host value (omitted inputs stay undefined), or null when one is not known on the host. */
export function hostInputs(ins: readonly (Known | undefined)[]): (HostValue | undefined)[] | null {
  const out: (HostValue | undefined)[] = [];
  for (const k of ins) {
    if (k === undefined) out.push(undefined);
    else if (k.host) out.push(k.host);
    else return null;
  }
  return out;
}

/** The host value of a parameter input during planning, or null when not known yet. */
export function knownHost(ins: readonly (Known | undefined)[], i: number): HostValue | null | undefined {
  const k = ins[i];
  if (k === undefined) return undefined;
  return k.host;
}

/** A node that runs one tensor op on its first input and keeps its sizes. */
export function sameShapeNode(run: (x: Tensor, ins: readonly RunInput[]) => RunOutput, hostInputPositions: readonly number[] = []): ExecNode {
  return {
    hostInputs: hostInputPositions,
    infer: (ins) => [dimsOf(ins[0])],
    run: (ins) => [run(ins[0] as Tensor, ins)],
  };
}

export function product(dims: Dims): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}
