// Loss objects for fit/evaluate: each returns a scalar Tensor with a backward (the ops in
// src/ops/loss.ts). A custom loss is any object with forward(input, target) returning a
// scalar tensor built from ops, so its gradient comes from the tape.
import { crossEntropy, mseLoss, toClassLabels, type LossTarget } from './ops/loss.js';
import type { Tensor } from './tensor.js';

export { toClassLabels, type LossTarget };

export interface Loss {
  readonly type: string;
  /** The scalar loss of a batch (call .backward() on it, or .item() for its value). */
  forward(input: Tensor, target: LossTarget): Tensor;
}

/** Softmax cross-entropy on logits [N, C], mean over the batch; targets are class indices
 * or [N, C] one-hot / probability rows. */
export class CrossEntropyLoss implements Loss {
  readonly type = 'CrossEntropyLoss';

  forward(input: Tensor, target: LossTarget): Tensor {
    return crossEntropy(input, target);
  }
}

/** Mean squared error: mean((input − target)²) over all elements. */
export class MSELoss implements Loss {
  readonly type = 'MSELoss';

  forward(input: Tensor, target: LossTarget): Tensor {
    return mseLoss(input, target);
  }
}

export type LossName = 'crossEntropy' | 'mse';

/** A loss from an instance or a name ('crossEntropy', 'mse'). */
export function resolveLoss(loss: Loss | LossName | undefined, fallback: LossName = 'crossEntropy'): Loss {
  const value = loss ?? fallback;
  if (typeof value === 'object' && value !== null && typeof value.forward === 'function') return value;
  if (value === 'crossEntropy') return new CrossEntropyLoss();
  if (value === 'mse') return new MSELoss();
  throw new Error(`loss: expected a Loss object, 'crossEntropy' or 'mse', got ${String(value)}`);
}
