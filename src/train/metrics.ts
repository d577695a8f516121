// Classification accuracy from logits/probabilities [N, C] and class labels or one-hot rows.
import { Tensor, formatShape } from '../tensor.js';
import type { LossTarget } from '../ops/loss.js';

function argmaxRow(data: ArrayLike<number>, base: number, cols: number): number {
  let best = 0;
  for (let c = 1; c < cols; c++) if (data[base + c] > data[base + best]) best = c;
  return best;
}

/** How many rows' argmax equals the label; null when the output is not [N, C≥2] scores. */
export function countCorrect(output: Tensor, target: LossTarget): number | null {
  if (output.rank !== 2 || output.shape[1] < 2) return null;
  const [rows, cols] = output.shape;
  const oneHot = target instanceof Tensor && target.rank === 2;
  if (oneHot && (target.shape[0] !== rows || target.shape[1] !== cols)) return null;
  const labels: ArrayLike<number> = target instanceof Tensor ? target.data : target;
  if (!oneHot && labels.length !== rows) return null;
  let correct = 0;
  for (let r = 0; r < rows; r++) {
    const want = oneHot ? argmaxRow(labels, r * cols, cols) : labels[r];
    if (argmaxRow(output.data, r * cols, cols) === want) correct++;
  }
  return correct;
}

/** Fraction of rows whose argmax equals the label (class indices or one-hot rows). */
export function accuracy(output: Tensor, target: LossTarget): number {
  const correct = countCorrect(output, target);
  if (correct === null) {
    throw new Error(`accuracy: expected scores [N, C≥2] and N labels or one-hot rows, got output ${formatShape(output.shape)}`);
  }
  return correct / output.shape[0];
}
