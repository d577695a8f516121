// What a benchmark row is: a named piece of work with a size, and per engine a task that
// runs it. Inputs are made once per row (seeded, uniformTensor) and shared by every engine.
import { rand, type Shape, type Tensor } from '../../src/tensor.js';
import type { Engine } from '../engines.js';
import type { Unit } from '../flops.js';

/** One engine's prepared run of one row. */
export interface Task {
  /** Runs once and returns the outputs in simdnet's layout (NCHW, OIHW) for the agreement
   * check. Also the first, warming call. */
  check(): Float32Array[] | Promise<Float32Array[]>;
  /** The timed work: exactly the computation, nothing converted or copied. A promise only
   * when `async` is set (onnxruntime's session.run); every other task stays synchronous. */
  run(): void | Promise<void>;
  /** run() returns a promise: time it with tinybench's async runner, awaiting each call. */
  async?: boolean;
  /** Makes this engine current before its check and before each timing pass (TF.js keeps
   * one current backend per process; tensors must not be copied across on every run). */
  activate?(): Promise<void>;
  /** Frees what prepare() made (TF.js tensors). */
  dispose(): void;
}

/** A row while it runs: its shared inputs and a way to make each engine's task. */
export interface RowInstance {
  prepare(engine: Engine): Promise<Task>;
}

export interface Workload {
  /** Unique, filterable: "kernels/conv2d resnet-b8 fwd". */
  name: string;
  description: string;
  /** A few words of shape for the chart, e.g. "x 8×64×56×56 → 64, 3×3, pad 1". */
  shape: string;
  /** Rows of one kind share a speed per engine (e.g. 'conv2d bwd-filter'), which predicts
   * how long a bigger row of that kind will take. */
  kind: string;
  unit: Unit;
  /** FLOPs, bytes or images of one run. */
  work: number;
  tolerance: number;
  /** Too slow for naive under --quick (> ~1 GFLOP): naive is skipped, js is the reference. */
  heavy: boolean;
  /** Set when TF.js has no counterpart: its engines are skipped with this reason. */
  onlySimdnet?: string;
  /** true: the row is a whole network its task can hand to onnxruntime (toOnnx); a string:
   * why it cannot; absent: a single kernel, which onnxruntime engines skip. */
  ort?: true | string;
  /** Allocates the inputs (seeded) and returns the row. */
  create(): RowInstance;
}

/** Seeded inputs, uniform in [-scale, scale): bounded, so sums over k ≤ 1024 stay well
 * inside float32. TF.js copies are made from these. */
export function uniformTensor(shape: Shape, seed: number, scale = 1): Tensor {
  return rand(shape, { seed, low: -scale, high: scale });
}
