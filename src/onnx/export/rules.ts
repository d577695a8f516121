// The export rule table: one entry per simdnet op that has an ONNX form, and the ops that
// refuse with the reason (training-only ops, ops ONNX ≤ 17 lacks). An op in neither is
// refused by toOnnx as having no rule.
import { ELEMENTWISE_RULES } from './rules-elementwise.js';
import { LAYER_RULES } from './rules-layers.js';
import { NORM_RULES } from './rules-norm.js';
import { SHAPE_RULES } from './rules-shape.js';
import type { ExportRule } from './rule.js';

const LOSS = 'a loss is training-only; export the model without its loss (forward returning the network output)';

/** Ops that exist in simdnet and are refused, with the reason the error gives. */
const REFUSALS: Readonly<Record<string, string>> = {
  dropout: 'a training-mode dropout (a new random mask every run) has no ONNX inference form; pass training: false, or use the Dropout layer, which eval mode turns off',
  crossEntropy: LOSS,
  mseLoss: LOSS,
  im2col: 'ONNX has no im2col (Col2Im arrives in opset 18); express the layer with conv2d',
  col2im: 'ONNX opsets up to 17 have no col2im (Col2Im arrives in opset 18); express the layer with convTranspose2d',
};

const RULES: Readonly<Record<string, ExportRule>> = { ...ELEMENTWISE_RULES, ...LAYER_RULES, ...SHAPE_RULES, ...NORM_RULES };

export const EXPORT_RULES: Readonly<Record<string, ExportRule>> = {
  ...RULES,
  ...Object.fromEntries(
    Object.entries(REFUSALS).map(([op, why]): [string, ExportRule] => [
      op,
      (b) => {
        throw b.fail(why);
      },
    ]),
  ),
};

/** The simdnet ops toOnnx exports, sorted. */
export function exportableOps(): string[] {
  return Object.keys(RULES).sort();
}

/** The simdnet ops toOnnx refuses by design, with why. */
export function refusedOps(): Readonly<Record<string, string>> {
  return REFUSALS;
}
