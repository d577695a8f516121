// Which ONNX opsets toOnnx writes, their IR versions, and for each op type the rules emit
// the opsets in which it has the form they use (the self-check refuses a node outside).

export const MIN_OPSET = 13;
export const MAX_OPSET = 17;
export const DEFAULT_OPSET = 17;

/** ONNX's IR version of each opset's release: 1.8 (opset 13) and 1.9 (14) wrote IR 7,
 * 1.10 to 1.12 (15 to 17) IR 8. */
export function irVersionFor(opset: number): number {
  return opset <= 14 ? 7 : 8;
}

/** [first, last]: the opsets whose form of the op the rules emit (inputs and attributes
 * as used there); last is open when the form still holds at MAX_OPSET. */
export const OP_FORMS: Readonly<Record<string, readonly [number, number?]>> = {
  Add: [7], Sub: [7], Mul: [7], Div: [7], Max: [8], Min: [8], Sum: [8], Mean: [8],
  Relu: [6], LeakyRelu: [6], Sigmoid: [6], Tanh: [6], Elu: [6], Softplus: [1], Erf: [9], Sqrt: [6], Reciprocal: [6],
  Exp: [6], Log: [6], Abs: [6], Pow: [7],
  Where: [9], Greater: [7], PRelu: [7], HardSigmoid: [6], HardSwish: [14],
  // Softmax and LogSoftmax over one axis (before 13 they flattened from the axis on).
  Softmax: [13], LogSoftmax: [13],
  // Clip's bounds as inputs; Pad's pads and value as inputs; Slice's as inputs.
  Clip: [11], Pad: [11], Slice: [10],
  Conv: [1], ConvTranspose: [1], Gemm: [11], MatMul: [1],
  MaxPool: [10], AveragePool: [10], GlobalAveragePool: [1], GlobalMaxPool: [1],
  BatchNormalization: [9], InstanceNormalization: [6], LayerNormalization: [17],
  Reshape: [5], Identity: [1], Concat: [4], Transpose: [1], Shape: [1],
  // Split's sizes and ReduceSum's axes as inputs; ReduceMean/Max/Min's axes as an
  // attribute until opset 18 moved them to an input.
  Split: [13], ReduceSum: [13], ReduceMean: [1, 17], ReduceMax: [1, 17], ReduceMin: [1, 17],
  // Resize with its roi and scales inputs optional.
  Resize: [13],
};
