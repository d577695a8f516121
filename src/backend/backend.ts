// The kernel set every backend provides. Kernels see only flat Float32Arrays and a
// geometry block computed once in src/ops/geometry.ts; they never see a Tensor and never
// validate shapes (ops did). Every output array is fully overwritten unless the method
// says it accumulates.

export type BackendName = 'naive' | 'js' | 'wasm';

/** Everything a conv kernel needs, computed once by conv2dGeometry(). Input is NCHW,
 * weight is [outChannels, inChannels / groups, kernelHeight, kernelWidth]. */
export interface Conv2dGeometry {
  readonly batch: number;
  readonly inChannels: number;
  readonly inHeight: number;
  readonly inWidth: number;
  readonly outChannels: number;
  readonly outHeight: number;
  readonly outWidth: number;
  readonly kernelHeight: number;
  readonly kernelWidth: number;
  readonly strideHeight: number;
  readonly strideWidth: number;
  readonly dilationHeight: number;
  readonly dilationWidth: number;
  readonly padTop: number;
  readonly padBottom: number;
  readonly padLeft: number;
  readonly padRight: number;
  readonly groups: number;
}

/** Everything a pooling kernel needs, computed once by pool2dGeometry(). NCHW.
 *
 * Along one dimension, window o starts at o·stride − padBefore (in input coordinates) and
 * its taps lie dilation apart: start + j·dilation, j < kernel. pool2dGeometry guarantees
 * that every window holds at least one tap inside the input. */
export interface Pool2dGeometry {
  readonly batch: number;
  readonly channels: number;
  readonly inHeight: number;
  readonly inWidth: number;
  readonly outHeight: number;
  readonly outWidth: number;
  readonly kernelHeight: number;
  readonly kernelWidth: number;
  readonly strideHeight: number;
  readonly strideWidth: number;
  readonly padTop: number;
  readonly padBottom: number;
  readonly padLeft: number;
  readonly padRight: number;
  /** Spacing of a window's taps: max pooling only (average pooling has 1). */
  readonly dilationHeight: number;
  readonly dilationWidth: number;
  /** outHeight/outWidth were rounded up (PyTorch's ceil_mode): the last window may run past
   * the padded input, but it starts inside the input or the top/left padding. */
  readonly ceilMode: boolean;
  /** Average pooling's divisor: true counts the window's taps inside the padded input
   * [−padTop, inHeight + padBottom) × [−padLeft, inWidth + padRight) (kH·kW unless a
   * ceil-mode window runs past it, as PyTorch), false only its taps inside the input
   * (ONNX's default). Max pooling ignores it. */
  readonly countIncludePad: boolean;
}

/** Adaptive pooling to a given output size, NCHW: output row i covers input rows
 * floor(i·inHeight/outHeight) .. ceil((i+1)·inHeight/outHeight) − 1 (PyTorch), columns alike. */
export interface AdaptivePool2dGeometry {
  readonly batch: number;
  readonly channels: number;
  readonly inHeight: number;
  readonly inWidth: number;
  readonly outHeight: number;
  readonly outWidth: number;
}

export interface GemmParams {
  /** op(A) = Aᵀ when true: A is stored k×m instead of m×k. */
  readonly transA: boolean;
  /** op(B) = Bᵀ when true: B is stored n×k instead of k×n. */
  readonly transB: boolean;
  readonly alpha: number;
  /** 0 overwrites C (its old contents are ignored, even NaN); 1 accumulates. */
  readonly beta: number;
}

/** maximum / minimum propagate NaN (either operand NaN gives NaN; a tie gives a);
 * equal is 1 where a = b, else 0 (a mask, e.g. where a maximum came from). */
export type BinaryKind = 'add' | 'sub' | 'mul' | 'div' | 'maximum' | 'minimum' | 'equal';

/** The elementwise math of src/backend/math-kernels.ts: exp, log, sqrt, abs, 1/x, erf. */
export type UnaryKind = 'exp' | 'log' | 'sqrt' | 'abs' | 'reciprocal' | 'erf';

/** GELU's form: 'none' the exact x·Φ(x) (erf), 'tanh' PyTorch's tanh approximation. */
export type GeluApproximate = 'none' | 'tanh';

/** Two operands broadcast to one output shape: each is read through its own strides,
 * with stride 0 on a dimension it broadcasts along (numpy rules, computed in src/ops). */
export interface BroadcastGeometry {
  readonly shape: readonly number[];
  readonly aStrides: readonly number[];
  readonly bStrides: readonly number[];
}

/** Tensors joined along one axis, each seen as [outer, sizes[k], inner]. */
export interface ConcatGeometry {
  readonly outer: number;
  readonly inner: number;
  readonly sizes: readonly number[];
}

/** Axes permuted: y's axis i is x's axis perm[i] (x contiguous over shape). */
export interface TransposeGeometry {
  readonly shape: readonly number[];
  readonly perm: readonly number[];
}

/** A strided window of x: y[i_0, …, i_r] = x[starts_0 + i_0·steps_0, …]. Every index the
 * window reads lies inside x (ops clamp as ONNX Slice does); steps may be negative. */
export interface SliceGeometry {
  readonly inShape: readonly number[];
  readonly outShape: readonly number[];
  readonly starts: readonly number[];
  readonly steps: readonly number[];
}

/** 'constant' fills with a value, 'reflect' mirrors about the border element without
 * repeating it (numpy 'reflect'), 'edge' repeats the border element. */
export type PadMode = 'constant' | 'reflect' | 'edge';

/** y = x with before[d] elements added in front of axis d and outShape[d] − inShape[d] −
 * before[d] behind it. A negative amount crops (constant mode only); reflect needs each
 * amount ≤ inShape[d] − 1 and edge a non-empty axis (ops check both). */
export interface PadGeometry {
  readonly inShape: readonly number[];
  readonly outShape: readonly number[];
  readonly before: readonly number[];
  readonly mode: PadMode;
  /** The fill of constant mode (ignored otherwise). */
  readonly value: number;
}

/** x viewed as [outer, size, inner]: an op along one axis of length size whose elements
 * lie inner apart (inner 1 is the last axis). */
export interface AxisGeometry {
  readonly outer: number;
  readonly size: number;
  readonly inner: number;
}

/** Per-channel batch normalization of x viewed as [batch, channels, inner]. */
export interface BatchNormGeometry {
  readonly batch: number;
  readonly channels: number;
  readonly inner: number;
}

/** Normalization over groups of channels of x viewed as [batch, channels, inner]: each
 * (batch, group) block of channels/groups · inner contiguous values has its own mean and
 * variance, and gamma/beta are per channel. Layer norm is groups 1 with inner 1
 * (channels = the normalized size), instance norm is groups = channels. */
export interface GroupNormGeometry {
  readonly batch: number;
  readonly channels: number;
  readonly inner: number;
  readonly groups: number;
}

export type ResizeMode = 'nearest' | 'bilinear' | 'bicubic';

/** One spatial axis of a resize: where each output position reads, computed once by the
 * resize op (src/ops/resize.ts) from the coordinate mode, in float64. */
export interface ResizeAxis {
  /** Per output position: the source index (nearest: the one it copies; bilinear: the
   * lower neighbour; bicubic: floor(x) clamped, unused), always in [0, input length). */
  readonly index0: Int32Array;
  /** Bilinear: the upper neighbour, index0 + 1 or index0 at the last index; nearest: index0. */
  readonly index1: Int32Array;
  /** Bilinear: the weight λ ∈ [0, 1] of index1 (index0 weighs 1 − λ); nearest: 0. */
  readonly weight: Float64Array;
  /** 1 where the source coordinate lies outside the input (tf_crop_and_resize), so the
   * output there is g.extrapolationValue; null when no position does. */
  readonly outside: Uint8Array | null;
  /** Bicubic only: per output position o, the four source indices (clamped into the input)
   * at index[4o … 4o+3] and their weights at weight[4o … 4o+3] (a row's weights sum to 1). */
  readonly cubic?: { readonly index: Int32Array; readonly weight: Float64Array };
}

/** A resize of x [N, C, H, W] to [N, C, OH, OW]: one table per axis. */
export interface ResizeGeometry {
  readonly batch: number;
  readonly channels: number;
  readonly inHeight: number;
  readonly inWidth: number;
  readonly outHeight: number;
  readonly outWidth: number;
  readonly mode: ResizeMode;
  /** Tables of outHeight entries into the rows and of outWidth entries into the columns. */
  readonly rows: ResizeAxis;
  readonly cols: ResizeAxis;
  /** The value of outputs whose row or column is outside (see ResizeAxis.outside). */
  readonly extrapolationValue: number;
}

/** Memory a backend's kernels read and write where it is, for data that lives across calls
 * (a compiled plan's activations and weights): no call copies it in or out. */
export interface AllocateOptions {
  /** Fill the buffer with zeros (default true). */
  readonly zero?: boolean;
}

export interface BackendBuffer {
  readonly floats: number;
  /** The plain array behind the buffer on backends whose memory is JavaScript arrays
   * (naive, js): tensors hold it directly. Absent on wasm. */
  readonly array?: Float32Array;
  /** A view of `length` floats from `offset`. On wasm it is valid until the next call that
   * may grow linear memory: take views fresh rather than keeping them. */
  view(offset: number, length: number): Float32Array;
  /** Gives the memory back; view() throws afterwards. */
  release(): void;
}

/** An activation a kernel can apply in the store of its result (relu6 is clip to [0, 6]). */
export type StoreActivation = { kind: 'relu' } | { kind: 'clip'; min: number; max: number } | { kind: 'hardSwish' };

/** What a prepared product applies as it stores: y = act(x ⋆ w + bias + residual). */
export interface ProductEpilogue {
  activation: StoreActivation | null;
  /** run() is given a residual of y's shape to add. */
  residual: boolean;
}

/** A convolution or linear layer whose constant weights a backend prepared once (packed for
 * its kernels, in its own memory), for a compiled plan. x, y and residual are views the
 * backend reads and writes in place (a plan's buffer). */
export interface PreparedProduct {
  run(x: Float32Array, y: Float32Array, residual: Float32Array | null): void;
  /** Bytes the prepared weights (and bias) hold in the backend's memory. */
  readonly bytes: number;
  /** Gives the prepared weights back; run() throws afterwards. */
  release(): void;
}

export interface Backend {
  readonly name: BackendName;

  /** Optional: conv2d with w and bias fixed, or null where the backend has nothing better
   * than conv2d for g (the plan then calls conv2d and applies the epilogue after it). */
  prepareConv2d?(g: Conv2dGeometry, w: Float32Array, bias: Float32Array | null, epilogue: ProductEpilogue): PreparedProduct | null;
  /** Optional: y [batch, outFeatures] = x·wᵀ + bias with w [outFeatures, inFeatures] fixed. */
  prepareLinear?(batch: number, inFeatures: number, outFeatures: number, w: Float32Array, bias: Float32Array | null, epilogue: ProductEpilogue): PreparedProduct | null;

  /** A buffer of `floats` floats (zeros) that this backend's kernels use in place: a plain
   * array on naive and js, a block of linear memory on wasm. `{ zero: false }` leaves the
   * contents unspecified (reused memory), for an output a kernel overwrites entirely. */
  allocate(floats: number, options?: AllocateOptions): BackendBuffer;

  /** C[m×n] = alpha·op(A)·op(B) + beta·C, all row-major. */
  gemm(m: number, n: number, k: number, a: Float32Array, b: Float32Array, c: Float32Array, params: GemmParams): void;

  /** x [N, C, H, W] → cols [N, C·kH·kW, outH·outW] (PyTorch unfold order: rows by c, kh, kw).
   * Taps that fall in the padding are 0. Uses g.inChannels, kernel, stride, padding, dilation. */
  im2col(g: Conv2dGeometry, x: Float32Array, cols: Float32Array): void;
  /** The adjoint of im2col: cols [N, C·kH·kW, outH·outW] summed back into x [N, C, H, W]
   * (overwrites x; overlapping taps add). */
  col2im(g: Conv2dGeometry, cols: Float32Array, x: Float32Array): void;

  /** y [N, OC, OH, OW] = conv(x, w) (+ bias[oc] when bias is not null). Cross-correlation. */
  conv2d(g: Conv2dGeometry, x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array): void;
  /** dx [N, C, H, W] from dy [N, OC, OH, OW] and w. */
  conv2dBackwardInput(g: Conv2dGeometry, dy: Float32Array, w: Float32Array, dx: Float32Array): void;
  /** dw [OC, C/groups, kH, kW] and, when db is not null, db [OC] from dy and x (summed over the batch). */
  conv2dBackwardFilter(g: Conv2dGeometry, dy: Float32Array, x: Float32Array, dw: Float32Array, db: Float32Array | null): void;

  /** Max pooling over the taps of each window inside the input; argmax[i] is the flat index
   * into x of the element y[i] took (first max in row-major tap order wins, a NaN wins). */
  maxPool2d(g: Pool2dGeometry, x: Float32Array, y: Float32Array, argmax: Int32Array): void;
  /** dx = scatter-add of dy at argmax (dx has g.batch·g.channels·g.inHeight·g.inWidth elements). */
  maxPool2dBackward(g: Pool2dGeometry, dy: Float32Array, argmax: Int32Array, dx: Float32Array): void;
  /** Average pooling: the sum of the window's taps inside the input over the divisor that
   * g.countIncludePad selects (by default kH·kW: padding counts as zeros, docs/background.md#pooling).
   * g.dilation* must be 1. */
  avgPool2d(g: Pool2dGeometry, x: Float32Array, y: Float32Array): void;
  avgPool2dBackward(g: Pool2dGeometry, dy: Float32Array, dx: Float32Array): void;
  /** Adaptive average pooling (windows of AdaptivePool2dGeometry) and its backward (each dy
   * spread evenly over its window; overwrites dx). */
  adaptiveAvgPool2d(g: AdaptivePool2dGeometry, x: Float32Array, y: Float32Array): void;
  adaptiveAvgPool2dBackward(g: AdaptivePool2dGeometry, dy: Float32Array, dx: Float32Array): void;

  /** y [N, C, OH, OW] from x [N, C, H, W]: nearest copies x[index0 row, index0 col];
   * bilinear weighs the four neighbours (1 − λr)(1 − λc), (1 − λr)λc, λr(1 − λc), λrλc. */
  resize(g: ResizeGeometry, x: Float32Array, y: Float32Array): void;
  /** dx [N, C, H, W] (overwritten): each dy scattered back with the forward's weights
   * (nearest: added at the element it copied); outside positions pass nothing. */
  resizeBackward(g: ResizeGeometry, dy: Float32Array, dx: Float32Array): void;

  /** y[o, c, i] = x[o, c, i] + bias[c] for x viewed as [outer, channels, inner]; y may be x. */
  addBias(x: Float32Array, bias: Float32Array, outer: number, channels: number, inner: number, y: Float32Array): void;
  /** db[c] = Σ_o Σ_i dy[o, c, i] (overwrites db). */
  sumBias(dy: Float32Array, outer: number, channels: number, inner: number, db: Float32Array): void;

  /** Elementwise activations over whole arrays; y may be x. Backward takes what it needs:
   * relu and leakyRelu the input x, sigmoid and tanh the output y. */
  relu(x: Float32Array, y: Float32Array): void;
  reluBackward(x: Float32Array, dy: Float32Array, dx: Float32Array): void;
  leakyRelu(x: Float32Array, slope: number, y: Float32Array): void;
  leakyReluBackward(x: Float32Array, slope: number, dy: Float32Array, dx: Float32Array): void;
  sigmoid(x: Float32Array, y: Float32Array): void;
  sigmoidBackward(y: Float32Array, dy: Float32Array, dx: Float32Array): void;
  tanh(x: Float32Array, y: Float32Array): void;
  tanhBackward(y: Float32Array, dy: Float32Array, dx: Float32Array): void;

  /** The activations of src/backend/activation-kernels.ts (semantics documented there); y
   * may be x and dx may be dy. Every backward takes the forward input x. Clip bounds are
   * float32 values or ±Infinity (the op rounds them; wasm refuses others). */
  clip(x: Float32Array, min: number, max: number, y: Float32Array): void;
  /** dy where min < x < max, else 0. */
  clipBackward(x: Float32Array, min: number, max: number, dy: Float32Array, dx: Float32Array): void;
  hardSigmoid(x: Float32Array, alpha: number, beta: number, y: Float32Array): void;
  hardSigmoidBackward(x: Float32Array, alpha: number, beta: number, dy: Float32Array, dx: Float32Array): void;
  hardSwish(x: Float32Array, y: Float32Array): void;
  hardSwishBackward(x: Float32Array, dy: Float32Array, dx: Float32Array): void;
  silu(x: Float32Array, y: Float32Array): void;
  siluBackward(x: Float32Array, dy: Float32Array, dx: Float32Array): void;
  gelu(x: Float32Array, approximate: GeluApproximate, y: Float32Array): void;
  geluBackward(x: Float32Array, approximate: GeluApproximate, dy: Float32Array, dx: Float32Array): void;
  elu(x: Float32Array, alpha: number, y: Float32Array): void;
  eluBackward(x: Float32Array, alpha: number, dy: Float32Array, dx: Float32Array): void;
  softplus(x: Float32Array, beta: number, threshold: number, y: Float32Array): void;
  softplusBackward(x: Float32Array, beta: number, threshold: number, dy: Float32Array, dx: Float32Array): void;
  /** y = x where x > 0, else slope[c]·x, for x viewed as [outer, channels, inner]. */
  prelu(x: Float32Array, slope: Float32Array, outer: number, channels: number, inner: number, y: Float32Array): void;
  /** dx (when not null) and dslope[c] = Σ x·dy where x ≤ 0 (when not null; overwrites). */
  preluBackward(
    x: Float32Array, slope: Float32Array, dy: Float32Array, outer: number, channels: number, inner: number,
    dx: Float32Array | null, dslope: Float32Array | null,
  ): void;

  /** Row-wise softmax / log-softmax of x viewed as [rows, cols], max-subtracted for stability. */
  softmax(x: Float32Array, rows: number, cols: number, y: Float32Array): void;
  logSoftmax(x: Float32Array, rows: number, cols: number, y: Float32Array): void;
  /** Their backwards, from the forward output y. */
  softmaxBackward(y: Float32Array, dy: Float32Array, rows: number, cols: number, dx: Float32Array): void;
  logSoftmaxBackward(y: Float32Array, dy: Float32Array, rows: number, cols: number, dx: Float32Array): void;

  /** Softmax / log-softmax along the middle axis of x viewed as [outer, size, inner]
   * (max-subtracted, summed in float64; a NaN makes its whole line NaN), and their
   * backwards from the forward output y. inner 1 is the row-wise case above. */
  softmaxStrided(g: AxisGeometry, x: Float32Array, y: Float32Array): void;
  logSoftmaxStrided(g: AxisGeometry, x: Float32Array, y: Float32Array): void;
  softmaxStridedBackward(g: AxisGeometry, y: Float32Array, dy: Float32Array, dx: Float32Array): void;
  logSoftmaxStridedBackward(g: AxisGeometry, y: Float32Array, dy: Float32Array, dx: Float32Array): void;

  /** y = f(x) for a UnaryKind, and dx = dy·f'(x) from the forward's x and y (src/backend/math-kernels.ts). */
  unary(kind: UnaryKind, x: Float32Array, y: Float32Array): void;
  unaryBackward(kind: UnaryKind, x: Float32Array, y: Float32Array, dy: Float32Array, dx: Float32Array): void;
  /** y = x^p for a scalar exponent p, and dx = dy·p·x^(p−1) (0 for p = 0). */
  powScalar(x: Float32Array, p: number, y: Float32Array): void;
  powScalarBackward(x: Float32Array, p: number, dy: Float32Array, dx: Float32Array): void;

  /** y = a ∘ b over arrays of one length (y may alias a or b). */
  binary(kind: BinaryKind, a: Float32Array, b: Float32Array, y: Float32Array): void;
  /** y = a ∘ b with both read through the strides of g (numpy broadcasting). */
  broadcastBinary(kind: BinaryKind, g: BroadcastGeometry, a: Float32Array, b: Float32Array, y: Float32Array): void;
  /** y = alpha·x + beta·y (beta 0 overwrites y). Gradient accumulation and scaling. */
  axpby(alpha: number, x: Float32Array, beta: number, y: Float32Array): void;
  /** y (read through g.bStrides) = x (contiguous over g.shape) summed over the dimensions
   * where g.bStrides is 0: the adjoint of broadcasting. Overwrites y. */
  sumToShape(g: BroadcastGeometry, x: Float32Array, y: Float32Array): void;
  /** Like sumToShape with the maximum / minimum instead of the sum (NaN propagates). */
  maxToShape(g: BroadcastGeometry, x: Float32Array, y: Float32Array): void;
  minToShape(g: BroadcastGeometry, x: Float32Array, y: Float32Array): void;
  /** y (contiguous over g.shape) = x read through g.bStrides. */
  broadcastTo(g: BroadcastGeometry, x: Float32Array, y: Float32Array): void;
  /** y = parts joined along one axis; split is its adjoint (overwrites every part). */
  concat(g: ConcatGeometry, parts: readonly Float32Array[], y: Float32Array): void;
  split(g: ConcatGeometry, x: Float32Array, parts: readonly Float32Array[]): void;

  /** y = x with its axes permuted. */
  transpose(g: TransposeGeometry, x: Float32Array, y: Float32Array): void;
  /** y = the window of x; sliceBackward is its adjoint: dx is 0 outside the window and dy
   * inside (overwrites dx). */
  slice(g: SliceGeometry, x: Float32Array, y: Float32Array): void;
  sliceBackward(g: SliceGeometry, dy: Float32Array, dx: Float32Array): void;
  /** y = x padded; padBackward is its adjoint: dx[i] = Σ of dy over every output that
   * reads x[i] (the border elements that reflect and edge repeat add up; overwrites dx). */
  pad(g: PadGeometry, x: Float32Array, y: Float32Array): void;
  padBackward(g: PadGeometry, dy: Float32Array, dx: Float32Array): void;

  /** Batch statistics per channel: mean and biased variance (float64). */
  batchNormStats(g: BatchNormGeometry, x: Float32Array, mean: Float64Array, variance: Float64Array): void;
  /** y = gamma·(x − mean)·invStd + beta per channel. */
  batchNormApply(g: BatchNormGeometry, x: Float32Array, mean: Float64Array, invStd: Float64Array, gamma: Float32Array, beta: Float32Array, y: Float32Array): void;
  /** dx (when not null), dgamma and dbeta from dy and the forward's input and statistics;
   * batchStats says whether mean and variance were the batch's own (train mode). */
  batchNormBackward(
    g: BatchNormGeometry, dy: Float32Array, x: Float32Array, mean: Float64Array, invStd: Float64Array, gamma: Float32Array,
    batchStats: boolean, dx: Float32Array | null, dgamma: Float32Array, dbeta: Float32Array,
  ): void;

  /** Statistics per (batch, group) row, r = b·groups + group: mean and biased variance (float64). */
  groupNormStats(g: GroupNormGeometry, x: Float32Array, mean: Float64Array, variance: Float64Array): void;
  /** y = gamma[c]·(x − mean[r])·invStd[r] + beta[c]; null gamma/beta mean 1/0. */
  groupNormApply(
    g: GroupNormGeometry, x: Float32Array, mean: Float64Array, invStd: Float64Array, gamma: Float32Array | null, beta: Float32Array | null, y: Float32Array,
  ): void;
  /** dx, dgamma, dbeta (each only when not null) from dy and the forward's input and
   * statistics (always the rows' own: the mean and variance depend on x). */
  groupNormBackward(
    g: GroupNormGeometry, dy: Float32Array, x: Float32Array, mean: Float64Array, invStd: Float64Array, gamma: Float32Array | null,
    dx: Float32Array | null, dgamma: Float32Array | null, dbeta: Float32Array | null,
  ): void;
}
