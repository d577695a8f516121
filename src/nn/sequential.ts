// Sequential: layers applied in order, with the model-level API (train/eval, summary,
// predict, evaluate, fit, save/load). Shapes are checked through every layer before any
// layer runs, so a mismatch names the layer and changes no state.
import { Tensor, formatShape, type Shape } from '../tensor.js';
import { resolveLoss, type Loss, type LossName, type LossTarget } from '../losses.js';
import { decodeModel, encodeModel } from '../serialize.js';
import { Layer } from './layer.js';
import type { LayerBuffer, Parameter } from './parameter.js';
import { checkBatchSize, checkData, concatRows, takeRows, takeTargets } from './batches.js';
import { countCorrect } from './metrics.js';
import { fitModel, type FitOptions, type History } from './fit.js';

export interface EvaluateOptions {
  batchSize?: number;
  loss?: Loss | LossName;
}

export class Sequential {
  readonly layers: readonly Layer[];

  constructor(layers: readonly Layer[]) {
    if (!Array.isArray(layers) || layers.length === 0) throw new Error('Sequential: expected a non-empty array of layers');
    layers.forEach((l, i) => {
      if (!(l instanceof Layer)) throw new Error(`Sequential: element ${i} is not a layer (got ${String(l)})`);
    });
    if (new Set(layers).size !== layers.length) throw new Error('Sequential: the same layer instance appears twice');
    this.layers = Object.freeze([...layers]);
    // Qualified names as PyTorch's state_dict keys: '<layer index>.<name>'.
    this.layers.forEach((layer, i) => {
      for (const p of layer.parameters()) p.name = `${i}.${p.name.split('.').pop()}`;
    });
  }

  get training(): boolean {
    return this.layers.some((l) => l.training);
  }

  train(mode = true): this {
    for (const l of this.layers) l.train(mode);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  parameters(): Parameter[] {
    return this.layers.flatMap((l) => l.parameters());
  }

  buffers(): LayerBuffer[] {
    return this.layers.flatMap((l) => l.buffers());
  }

  zeroGrad(): void {
    for (const l of this.layers) l.zeroGrad();
  }

  /** Output shape for an input shape, checked layer by layer. */
  outputShape(input: Shape): Shape {
    return this.shapes(input).at(-1) as Shape;
  }

  private shapes(input: Shape): Shape[] {
    const out: Shape[] = [];
    let shape = input;
    this.layers.forEach((layer, i) => {
      try {
        shape = layer.outputShape(shape);
      } catch (err) {
        throw new Error(`Sequential: layer ${i} (${layer.type}) cannot take input shape ${formatShape(shape)}: ${(err as Error).message}`);
      }
      out.push(shape);
    });
    return out;
  }

  forward(x: Tensor): Tensor {
    if (!(x instanceof Tensor)) throw new Error(`Sequential.forward: input must be a Tensor, got ${String(x)}`);
    this.shapes(x.shape);
    let y = x;
    this.layers.forEach((layer, i) => {
      try {
        y = layer.forward(y);
      } catch (err) {
        throw new Error(`Sequential: layer ${i} (${layer.type}) failed on input ${formatShape(y.shape)}: ${(err as Error).message}`);
      }
    });
    return y;
  }

  /** Back-propagates dL/dOutput through every layer, accumulating parameter gradients.
   * Returns dL/dInput when options.inputGrad is true, else null (and skips that work). */
  backward(dy: Tensor, options: { inputGrad?: boolean } = {}): Tensor | null {
    if (!(dy instanceof Tensor)) throw new Error(`Sequential.backward: gradient must be a Tensor, got ${String(dy)}`);
    let g = dy;
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const layer = this.layers[i];
      try {
        if (i === 0 && !options.inputGrad) {
          layer.backwardParams(g);
          return null;
        }
        g = layer.backward(g);
      } catch (err) {
        throw new Error(`Sequential: layer ${i} (${layer.type}) backward failed: ${(err as Error).message}`);
      }
    }
    return g;
  }

  /** A table of layers, output shapes and parameter counts for an input shape (with batch). */
  summary(inputShape?: Shape): string {
    const shapes = inputShape ? this.shapes(inputShape) : null;
    const rows = this.layers.map((l, i) => [
      `${i} ${l.type}`,
      shapes ? formatShape(shapes[i]) : '?',
      String(l.parameters().reduce((n, p) => n + p.value.size, 0)),
    ]);
    const head = ['Layer', 'Output shape', 'Parameters'];
    const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
    const line = (r: string[]): string => r.map((v, c) => (c === 2 ? v.padStart(widths[c]) : v.padEnd(widths[c]))).join('  ');
    const total = this.parameters().reduce((n, p) => n + p.value.size, 0);
    const rule = '-'.repeat(widths.reduce((a, b) => a + b + 2, -2));
    const input = inputShape ? `Input ${formatShape(inputShape)}\n` : '';
    return `${input}${line(head)}\n${rule}\n${rows.map(line).join('\n')}\n${rule}\nTotal parameters: ${total}`;
  }

  /** Runs `fn` in eval mode and restores each layer's mode afterwards. */
  private inEvalMode<T>(fn: () => T): T {
    const modes = this.layers.map((l) => l.training);
    this.eval();
    try {
      return fn();
    } finally {
      this.layers.forEach((l, i) => l.train(modes[i]));
    }
  }

  /** Outputs for every example of x, batch by batch, in eval mode. */
  predict(x: Tensor, options: { batchSize?: number } = {}): Tensor {
    const n = checkData('predict', x);
    const batchSize = checkBatchSize('predict', options.batchSize, 256);
    this.shapes([Math.min(batchSize, n), ...x.shape.slice(1)]);
    return this.inEvalMode(() => {
      const parts: Tensor[] = [];
      for (let start = 0; start < n; start += batchSize) parts.push(this.forward(takeRows(x, null, start, Math.min(n, start + batchSize))));
      return concatRows(parts);
    });
  }

  /** Mean loss and accuracy over x, y in eval mode (accuracy is NaN when the output is not class scores). */
  evaluate(x: Tensor, y: LossTarget, options: EvaluateOptions = {}): { loss: number; accuracy: number } {
    const n = checkData('evaluate', x, y);
    const batchSize = checkBatchSize('evaluate', options.batchSize, 256);
    const loss = resolveLoss(options.loss);
    return this.inEvalMode(() => {
      let total = 0;
      let correct: number | null = 0;
      for (let start = 0; start < n; start += batchSize) {
        const end = Math.min(n, start + batchSize);
        const yb = takeTargets(y, null, start, end);
        const out = this.forward(takeRows(x, null, start, end));
        total += loss.forward(out, yb).loss * (end - start);
        const c = countCorrect(out, yb);
        correct = correct === null || c === null ? null : correct + c;
      }
      return { loss: total / n, accuracy: correct === null ? NaN : correct / n };
    });
  }

  /** Trains on x, y; see FitOptions. Resolves to the per-epoch history. */
  fit(x: Tensor, y: LossTarget, options: FitOptions = {}): Promise<History> {
    return fitModel(this, x, y, options);
  }

  /** The model as bytes (architecture and weights; see the model file format). */
  save(): Uint8Array {
    return encodeModel(this.layers);
  }

  /** A model rebuilt from save()'s bytes. Bad bytes throw and build nothing. */
  static load(bytes: Uint8Array): Sequential {
    return new Sequential(decodeModel(bytes));
  }
}
