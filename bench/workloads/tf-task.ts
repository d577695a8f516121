// A TF.js task from an op closure: inputs are made on the engine's backend beforehand, the
// op runs inside tidy (its outputs are disposed, nothing leaks across runs), and the check
// reads the outputs back and converts them to simdnet's layout.
import type { Tensor as TfTensor } from '@tensorflow/tfjs-core';
import type { TfjsEngine } from '../engines.js';
import { useTfBackend } from '../tfjs.js';
import type { Task } from './types.js';

export async function tfTask(
  engine: TfjsEngine,
  makeInputs: () => TfTensor[],
  op: (inputs: TfTensor[]) => TfTensor[],
  toSimdnetLayout: (outputs: Float32Array[]) => Float32Array[],
): Promise<Task> {
  const { tf } = engine;
  await useTfBackend(tf, engine.backendName);
  const inputs = makeInputs();
  const switchBack = (): void => {
    // Tasks of one engine never interleave with another's, but be safe: a wrong current
    // backend would silently copy the inputs across on every run.
    if (tf.getBackend() !== engine.backendName) throw new Error(`TF.js backend switched to '${tf.getBackend()}' mid-row`);
  };
  return {
    activate: () => useTfBackend(tf, engine.backendName),
    check() {
      switchBack();
      const outs = tf.tidy(() => op(inputs));
      try {
        return toSimdnetLayout(outs.map((t) => t.dataSync() as Float32Array));
      } finally {
        for (const t of outs) t.dispose();
      }
    },
    run() {
      tf.tidy(() => {
        op(inputs);
      });
    },
    dispose() {
      for (const t of inputs) t.dispose();
    },
  };
}
