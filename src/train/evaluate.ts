// predict, evaluate and summary over any Module with one input and one output. predict
// and evaluate run in eval mode inside noGrad (nothing is recorded or saved) and put each
// module's mode back afterwards.
import { tidy } from '../tensor-scope.js';
import { noGrad } from '../autograd/graph.js';
import { resolveLoss, type Loss, type LossName } from '../losses.js';
import type { LossTarget } from '../ops/loss.js';
import type { Module } from '../nn/module.js';
import { Tensor, formatShape, zeros, type Shape } from '../tensor.js';
import { checkBatchSize, checkData, concatRows, takeRows, takeTargets } from './batches.js';
import { countCorrect } from './metrics.js';
import { checkOptions } from '../ops/validate.js';

export interface EvaluateOptions {
  batchSize?: number;
  loss?: Loss | LossName;
}

/** Runs fn with every module of the tree in eval mode and no tape; restores the modes. */
export function inference<T>(model: Module, fn: () => T): T {
  const modes = model.namedModules().map(([, m]) => [m, m.training] as const);
  model.eval();
  try {
    return noGrad(fn);
  } finally {
    for (const [m, mode] of modes) m.training = mode;
  }
}

function checkOutput(op: string, y: unknown): Tensor {
  if (!(y instanceof Tensor)) throw new Error(`${op}: the model's forward must return one Tensor, got ${String(y)}`);
  return y;
}

/** Outputs for every example of x, batch by batch. */
export function predict(model: Module, x: Tensor, options: { batchSize?: number } = {}): Tensor {
  checkOptions('predict', options, ['batchSize']);
  const n = checkData('predict', x);
  const batchSize = checkBatchSize('predict', options.batchSize, 256);
  // Each batch's temporaries are freed after it, the batch outputs after the concatenation.
  return inference(model, () => tidy(() => {
    const parts: Tensor[] = [];
    for (let start = 0; start < n; start += batchSize) {
      parts.push(tidy(() => checkOutput('predict', model.forward(takeRows(x, null, start, Math.min(n, start + batchSize))))));
    }
    return parts.length === 1 ? parts[0] : concatRows(parts);
  }));
}

/** Mean loss and accuracy over x, y (accuracy is NaN when the output is not class scores). */
export function evaluate(model: Module, x: Tensor, y: LossTarget, options: EvaluateOptions = {}): { loss: number; accuracy: number } {
  checkOptions('evaluate', options, ['batchSize', 'loss']);
  const n = checkData('evaluate', x, y);
  const batchSize = checkBatchSize('evaluate', options.batchSize, 256);
  const loss = resolveLoss(options.loss);
  return inference(model, () => {
    let total = 0;
    let correct: number | null = 0;
    for (let start = 0; start < n; start += batchSize) {
      const end = Math.min(n, start + batchSize);
      const yb = takeTargets(y, null, start, end);
      const c = tidy(() => {
        const out = checkOutput('evaluate', model.forward(takeRows(x, null, start, end)));
        total += loss.forward(out, yb).item() * (end - start);
        return countCorrect(out, yb);
      });
      correct = correct === null || c === null ? null : correct + c;
    }
    return { loss: total / n, accuracy: correct === null ? NaN : correct / n };
  });
}

/** A table of the model's modules (pre-order), their output shapes for an input shape
 * (with batch; found by one forward of zeros in eval mode) and parameter counts. */
export function summary(model: Module, inputShape?: Shape): string {
  const modules = model.namedModules().slice(1);
  const shapes = new Map<Module, Shape>();
  if (inputShape !== undefined) {
    if (!Array.isArray(inputShape)) throw new Error(`summary: inputShape must be an array of sizes, got ${String(inputShape)}`);
    // Each submodule's forward is shadowed for one call to note its output shape.
    const restore = modules.map(([, m]) => {
      const own = Object.hasOwn(m, 'forward');
      const original = (m as unknown as { forward: (...a: Tensor[]) => Tensor }).forward;
      (m as unknown as { forward: (...a: Tensor[]) => Tensor }).forward = (...args: Tensor[]) => {
        const y = original.apply(m, args);
        shapes.set(m, y.shape);
        return y;
      };
      return () => {
        if (own) (m as unknown as { forward: unknown }).forward = original;
        else delete (m as unknown as { forward?: unknown }).forward;
      };
    });
    try {
      const y = inference(model, () => model.forward(zeros(inputShape)));
      shapes.set(model, y.shape);
    } finally {
      restore.forEach((r) => r());
    }
  }
  const count = (m: Module): number => m.parameters().reduce((s, p) => s + p.size, 0);
  const rows = modules.map(([path, m]) => [`${path} ${m.type}`, shapes.has(m) ? formatShape(shapes.get(m) as Shape) : '?', String(count(m))]);
  const head = ['Module', 'Output shape', 'Parameters'];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (r: string[]): string => r.map((v, c) => (c === 2 ? v.padStart(widths[c]) : v.padEnd(widths[c]))).join('  ');
  const rule = '-'.repeat(widths.reduce((a, b) => a + b + 2, -2));
  const input = inputShape ? `Input ${formatShape(inputShape)}\n` : '';
  const output = shapes.has(model) ? `Output ${formatShape(shapes.get(model) as Shape)}\n` : '';
  return `${input}${line(head)}\n${rule}\n${rows.map(line).join('\n')}\n${rule}\n${output}Total parameters: ${count(model)}`;
}
