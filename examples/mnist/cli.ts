// The parts of `npm start` around training that are about the user, not the model: which
// engine runs and why, loading the chosen data set with errors worth reading, and what an
// interrupted run reports and exits with.
import type { Backend } from '../../src/backend/backend.js';
import { supportsVariant } from '../../src/backend/wasm.js';
import { loadFashionMnist, loadMnist, type Mnist } from '../../src/data/index.js';
import type { DatasetName } from './args.js';

/** An error to print as one line (no stack trace), with the exit status to use. */
export class CliError extends Error {
  constructor(message: string, readonly status = 1) {
    super(message);
    this.name = 'CliError';
  }
}

/** Exit status after Ctrl-C, as shells report a process ended by SIGINT (128 + 2). */
export const INTERRUPTED_STATUS = 130;

export const DATASET_TITLES: Record<DatasetName, string> = { mnist: 'MNIST', 'fashion-mnist': 'Fashion-MNIST' };

/** One line naming the backend and, for wasm, the variant and why it is that one. */
export function describeEngine(backend: Backend): string {
  const variant = (backend as Backend & { variant?: string }).variant;
  if (backend.name !== 'wasm' || !variant) return `engine: ${backend.name} backend`;
  if (variant === 'relaxed') return 'engine: wasm backend, variant relaxed (relaxed-SIMD fused multiply-add, the fastest)';
  const why = supportsVariant('relaxed')
    ? 'chosen by --backend/variant'
    : 'this engine lacks relaxed SIMD; Node 20 needs --experimental-wasm-relaxed-simd, which npm start passes';
  return `engine: wasm backend, variant ${variant} (${why})`;
}

/** Loads the data set, standardized; a missing data set is a CliError with the install command. */
export async function loadDataset(dataset: DatasetName, options: { train?: number; test?: number }): Promise<Mnist> {
  const load = dataset === 'fashion-mnist' ? loadFashionMnist : loadMnist;
  try {
    return await load({ ...options, normalize: true });
  } catch (err) {
    throw new CliError((err as Error).message);
  }
}

export interface Interruption {
  /** 1-based epoch and batch of the last completed step (0, 0: none). */
  epoch: number;
  batch: number;
  batches: number;
  /** Test loss and accuracy of the weights that were saved. */
  testLoss: number;
  testAccuracy: number;
}

/** What an interrupted run prints: where it stopped, and how good the saved weights are. */
export function interruptedLine(i: Interruption): string {
  const where = i.batch === 0 ? 'before the first step (the saved weights are the initial ones)' : `in epoch ${i.epoch} after batch ${i.batch}/${i.batches}`;
  return `interrupted ${where}; the saved weights reach test accuracy ${(100 * i.testAccuracy).toFixed(2)}% (test loss ${i.testLoss.toFixed(4)})`;
}
