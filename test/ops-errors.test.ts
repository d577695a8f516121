// Bad input to every op: an Error naming the op and the offending shapes/values, thrown
// before anything is written.
import { describe, expect, it } from 'vitest';
import type { Backend } from '../src/backend/backend.js';
import { naiveBackend as naive } from '../src/backend/naive.js';
import { Tensor, ones, tensor, zeros } from '../src/tensor.js';
import type { Conv2dOptions, Pool2dOptions } from '../src/ops/geometry.js';
import {
  avgPool2d, avgPool2dBackward, col2im, conv2d, conv2dBackward, gemm, globalAvgPool2d, globalAvgPool2dBackward, im2col, leakyRelu,
  leakyReluBackward, linear, linearBackward, logSoftmax, maxPool2d, maxPool2dWithIndices, maxPool2dBackward, relu, reluBackward, sigmoidBackward, softmax,
} from '../src/ops/index.js';

const x = zeros([1, 3, 4, 4]);
const w = zeros([2, 3, 2, 2]);
const bad = <T>(v: unknown) => v as T;

describe('conv2d errors', () => {
  it('input of the wrong rank', () => {
    expect(() => conv2d(zeros([3, 4, 4]), w, null, {}, naive)).toThrow(/conv2d: input must have rank 4, got shape \[3, 4, 4\]/);
  });
  it('weight of the wrong rank', () => {
    expect(() => conv2d(x, zeros([2, 3, 2]), null, {}, naive)).toThrow(/conv2d: weight must have rank 4, got shape \[2, 3, 2\]/);
  });
  it('input that is not a Tensor', () => {
    expect(() => conv2d(bad<Tensor>([1, 2, 3]), w, null, {}, naive)).toThrow(/conv2d: input must be a Tensor, got \[1, 2, 3\]/);
  });
  it('channel mismatch names both shapes', () => {
    expect(() => conv2d(x, zeros([2, 2, 2, 2]), null, {}, naive)).toThrow(/conv2d: weight \[2, 2, 2, 2\] expects 2 input channels.*input \[1, 3, 4, 4\] has 3/);
  });
  it('groups that do not divide the channels', () => {
    expect(() => conv2d(x, zeros([2, 1, 2, 2]), null, { groups: 2 }, naive)).toThrow(/conv2d: groups 2 must divide input channels 3.*\[1, 3, 4, 4\]/);
  });
  it('groups that do not divide the output channels', () => {
    expect(() => conv2d(zeros([1, 4, 4, 4]), zeros([3, 2, 2, 2]), null, { groups: 2 }, naive)).toThrow(/conv2d: groups 2 must divide .* output channels 3/);
  });
  it('an empty output size', () => {
    expect(() => conv2d(zeros([1, 1, 2, 2]), zeros([1, 1, 3, 3]), null, {}, naive)).toThrow(/conv2d: output height would be empty \(input 2, padding 0\+0, kernel 3/);
  });
  it('an empty output size through dilation', () => {
    expect(() => conv2d(zeros([1, 1, 5, 5]), zeros([1, 1, 3, 3]), null, { dilation: 3 }, naive)).toThrow(/conv2d: output height would be empty.*dilation 3/);
  });
  it('a zero-size input', () => {
    expect(() => conv2d(zeros([0, 3, 4, 4]), w, null, {}, naive)).toThrow(/conv2d: input \[0, 3, 4, 4\] and weight \[2, 3, 2, 2\] must have no zero sizes/);
  });
  it('a non-integer stride', () => {
    expect(() => conv2d(x, w, null, { stride: 1.5 }, naive)).toThrow(/conv2d: stride must be a positive integer .*got 1\.5/);
  });
  it('a zero stride', () => {
    expect(() => conv2d(x, w, null, { stride: [1, 0] }, naive)).toThrow(/conv2d: stride .*got \[1, 0\]/);
  });
  it('a negative padding', () => {
    expect(() => conv2d(x, w, null, { padding: -1 }, naive)).toThrow(/conv2d: padding must be non-negative integers, got -1/);
  });
  it('a non-integer padding', () => {
    expect(() => conv2d(x, w, null, { padding: [0, 0.5, 0, 0] }, naive)).toThrow(/conv2d: padding must be non-negative integers, got \[0, 0\.5, 0, 0\]/);
  });
  it('an unknown padding word', () => {
    expect(() => conv2d(x, w, null, { padding: bad<'same'>('full') }, naive)).toThrow(/conv2d: padding must be a number, .*got full/);
  });
  it('a NaN dilation', () => {
    expect(() => conv2d(x, w, null, { dilation: NaN }, naive)).toThrow(/conv2d: dilation must be a positive integer .*got NaN/);
  });
  it('NaN groups', () => {
    expect(() => conv2d(x, w, null, { groups: NaN }, naive)).toThrow(/conv2d: groups must be a positive integer, got NaN/);
  });
  it('an Infinity stride', () => {
    expect(() => conv2d(x, w, null, { stride: Infinity }, naive)).toThrow(/conv2d: stride .*got Infinity/);
  });
  it('options that are not an object', () => {
    expect(() => conv2d(x, w, null, bad<Conv2dOptions>('same'), naive)).toThrow(/conv2d: options must be an object, got 'same'/);
  });
  it('an unknown option (a typo) instead of silently ignoring it', () => {
    expect(() => conv2d(x, w, null, bad<Conv2dOptions>({ pad: 1 }), naive)).toThrow(/conv2d: unknown option 'pad' \(known: stride, padding, dilation, groups\)/);
  });
  it('a bias of the wrong shape', () => {
    expect(() => conv2d(x, w, zeros([3]), {}, naive)).toThrow(/conv2d: bias must have shape \[2\] for weight \[2, 3, 2, 2\], got \[3\]/);
  });
  it('a bias of the wrong rank', () => {
    expect(() => conv2d(x, w, zeros([1, 2]), {}, naive)).toThrow(/conv2d: bias must have shape \[2\] .*got \[1, 2\]/);
  });
  it('a backend that is not a Backend', () => {
    expect(() => conv2d(x, w, null, {}, bad<Backend>('naive'))).toThrow(/conv2d: backend must be a Backend/);
  });
});

describe('conv2dBackward errors', () => {
  it('dy of the wrong shape', () => {
    expect(() => conv2dBackward(zeros([1, 2, 2, 2]), x, w, {}, naive)).toThrow(/conv2dBackward: dy has shape \[1, 2, 2, 2\] but .*\[1, 3, 4, 4\].*needs \[1, 2, 3, 3\]/);
  });
  it('dy for other options than the forward', () => {
    expect(() => conv2dBackward(zeros([1, 2, 3, 3]), x, w, { padding: 1 }, naive)).toThrow(/conv2dBackward: dy has shape \[1, 2, 3, 3\] .*needs \[1, 2, 5, 5\]/);
  });
  it('inputGrad that is not a boolean', () => {
    expect(() => conv2dBackward(zeros([1, 2, 3, 3]), x, w, { inputGrad: bad<boolean>('no') }, naive)).toThrow(/conv2dBackward: inputGrad must be true or false, got 'no'/);
  });
  it('channel mismatch', () => {
    expect(() => conv2dBackward(zeros([1, 2, 3, 3]), zeros([1, 2, 4, 4]), w, {}, naive)).toThrow(/conv2dBackward: weight \[2, 3, 2, 2\] expects 3 input channels/);
  });
});

describe('pooling errors', () => {
  const p: Pool2dOptions = { kernelSize: 2 };
  it('maxPool2d: input of the wrong rank', () => {
    expect(() => maxPool2d(zeros([4, 4]), p, naive)).toThrow(/maxPool2d: input must have rank 4, got shape \[4, 4\]/);
  });
  it('maxPool2d: missing options', () => {
    expect(() => maxPool2d(x, bad<Pool2dOptions>(undefined), naive)).toThrow(/maxPool2d: options must be an object, got undefined/);
  });
  it('maxPool2d: missing kernelSize', () => {
    expect(() => maxPool2d(x, bad<Pool2dOptions>({ stride: 2 }), naive)).toThrow(/maxPool2d: kernelSize is required/);
  });
  it('maxPool2d: unknown options', () => {
    expect(() => maxPool2d(x, bad<Pool2dOptions>({ kernelSize: 2, strides: 2, countIncludePad: false }), naive)).toThrow(
      /maxPool2d: unknown options 'strides', 'countIncludePad' \(known: kernelSize, stride, padding, dilation, ceilMode\)/,
    );
    expect(() => avgPool2d(x, bad<Pool2dOptions>({ kernelSize: 2, dilation: 2 }), naive)).toThrow(
      /avgPool2d: unknown option 'dilation' \(known: kernelSize, stride, padding, ceilMode, countIncludePad\)/,
    );
  });
  it('maxPool2d: NaN kernelSize', () => {
    expect(() => maxPool2d(x, { kernelSize: NaN }, naive)).toThrow(/maxPool2d: kernelSize must be a positive integer .*got NaN/);
  });
  it('maxPool2d: negative stride', () => {
    expect(() => maxPool2d(x, { kernelSize: 2, stride: -2 }, naive)).toThrow(/maxPool2d: stride .*got -2/);
  });
  it('maxPool2d: padding not smaller than the kernel', () => {
    expect(() => maxPool2d(x, { kernelSize: 2, padding: 2 }, naive)).toThrow(/maxPool2d: padding \[2, 2, 2, 2\] must be smaller than kernelSize \[2, 2\].*\[1, 3, 4, 4\]/);
  });
  it('maxPool2d: a kernel larger than the input', () => {
    expect(() => maxPool2d(x, { kernelSize: 5 }, naive)).toThrow(/maxPool2d: output height would be empty \(input 4/);
  });
  it('maxPool2dBackward: dy of the wrong shape', () => {
    const { argmax } = maxPool2dWithIndices(x, p, naive);
    expect(() => maxPool2dBackward(zeros([1, 3, 3, 3]), argmax, [1, 3, 4, 4], p, naive)).toThrow(/maxPool2dBackward: dy has shape \[1, 3, 3, 3\] but max pooling of \[1, 3, 4, 4\] needs \[1, 3, 2, 2\]/);
  });
  it('maxPool2dBackward: argmax of the wrong length', () => {
    expect(() => maxPool2dBackward(zeros([1, 3, 2, 2]), new Int32Array(5), [1, 3, 4, 4], p, naive)).toThrow(/maxPool2dBackward: argmax must be the Int32Array of length 12 .*\[1, 3, 2, 2\].*length 5/);
  });
  it('maxPool2dBackward: argmax that is not an Int32Array', () => {
    expect(() => maxPool2dBackward(zeros([1, 3, 2, 2]), bad<Int32Array>(new Float32Array(12)), [1, 3, 4, 4], p, naive)).toThrow(/maxPool2dBackward: argmax must be the Int32Array/);
  });
  it('maxPool2dBackward: argmax pointing outside the input', () => {
    const argmax = new Int32Array(12);
    argmax[7] = 48;
    expect(() => maxPool2dBackward(zeros([1, 3, 2, 2]), argmax, [1, 3, 4, 4], p, naive)).toThrow(/maxPool2dBackward: argmax\[7\] = 48 is outside the input \[1, 3, 4, 4\]/);
  });
  it('maxPool2dBackward: a non-integer xShape', () => {
    expect(() => maxPool2dBackward(zeros([1, 3, 2, 2]), new Int32Array(12), [1, 3, 4.5, 4], p, naive)).toThrow(/maxPool2dBackward: xShape must be an array of 4 positive integers, got \[1, 3, 4\.5, 4\]/);
  });
  it('avgPool2d: non-integer kernelSize', () => {
    expect(() => avgPool2d(x, { kernelSize: [2, 1.5] }, naive)).toThrow(/avgPool2d: kernelSize .*got \[2, 1\.5\]/);
  });
  it('avgPool2dBackward: dy of the wrong shape', () => {
    expect(() => avgPool2dBackward(zeros([1, 2, 2, 2]), [1, 3, 4, 4], p, naive)).toThrow(/avgPool2dBackward: dy has shape \[1, 2, 2, 2\] but average pooling of \[1, 3, 4, 4\] needs \[1, 3, 2, 2\]/);
  });
  it('globalAvgPool2d: input of the wrong rank', () => {
    expect(() => globalAvgPool2d(zeros([3, 4, 4]), naive)).toThrow(/globalAvgPool2d: input must have rank 4, got shape \[3, 4, 4\]/);
  });
  it('globalAvgPool2dBackward: dy of the wrong shape', () => {
    expect(() => globalAvgPool2dBackward(zeros([1, 3]), [1, 3, 4, 4], naive)).toThrow(/globalAvgPool2dBackward: dy has shape \[1, 3\] .*needs \[1, 3, 1, 1\]/);
  });
});

describe('linear and gemm errors', () => {
  it('linear: feature mismatch names both shapes', () => {
    expect(() => linear(zeros([2, 3]), zeros([4, 5]), null, naive)).toThrow(/linear: input \[2, 3\] has 3 features but weight \[4, 5\] expects 5/);
  });
  it('linear: input of the wrong rank', () => {
    expect(() => linear(zeros([2, 3, 1]), zeros([4, 3]), null, naive)).toThrow(/linear: input must have rank 2, got shape \[2, 3, 1\]/);
  });
  it('linear: bias of the wrong shape', () => {
    expect(() => linear(zeros([2, 3]), zeros([4, 3]), zeros([3]), naive)).toThrow(/linear: bias must have shape \[4\] for weight \[4, 3\], got \[3\]/);
  });
  it('linearBackward: dy of the wrong shape', () => {
    expect(() => linearBackward(zeros([2, 3]), zeros([2, 3]), zeros([4, 3]), naive)).toThrow(/linearBackward: dy has shape \[2, 3\] but .*needs \[2, 4\]/);
  });
  it('gemm: inner-dimension mismatch', () => {
    expect(() => gemm(zeros([2, 3]), zeros([4, 5]), {}, naive)).toThrow(/gemm: inner dimensions differ \(3 vs 4\) in a \[2, 3\] · b \[4, 5\]/);
  });
  it('gemm: inner-dimension mismatch with transposes', () => {
    expect(() => gemm(zeros([3, 2]), zeros([5, 4]), { transA: true, transB: true }, naive)).toThrow(/gemm: inner dimensions differ \(3 vs 4\) in a \[3, 2\]ᵀ · b \[5, 4\]ᵀ/);
  });
  it('gemm: operand of the wrong rank', () => {
    expect(() => gemm(zeros([6]), zeros([6, 1]), {}, naive)).toThrow(/gemm: a must have rank 2, got shape \[6\]/);
  });
  it('gemm: c of the wrong shape', () => {
    expect(() => gemm(zeros([2, 3]), zeros([3, 4]), { c: zeros([4, 2]) }, naive)).toThrow(/gemm: c has shape \[4, 2\] but a \[2, 3\] · b \[3, 4\] needs \[2, 4\]/);
  });
  it('gemm: NaN alpha, leaving c unchanged', () => {
    const c = ones([2, 4]);
    expect(() => gemm(ones([2, 3]), ones([3, 4]), { alpha: NaN, c }, naive)).toThrow(/gemm: alpha must be a finite number, got NaN/);
    expect(c.toArray()).toEqual(new Array(8).fill(1));
  });
  it('gemm: an unknown option', () => {
    expect(() => gemm(zeros([2, 3]), zeros([3, 4]), bad<object>({ transpose: true }), naive)).toThrow(/gemm: unknown option 'transpose'/);
  });
  it('gemm: non-boolean transA', () => {
    expect(() => gemm(zeros([2, 3]), zeros([3, 4]), { transA: bad<boolean>(1) }, naive)).toThrow(/gemm: transA must be true or false, got 1/);
  });
  it('gemm: c sharing memory with a', () => {
    const a = zeros([2, 2]);
    expect(() => gemm(a, zeros([2, 2]), { c: a.reshape([2, 2]) }, naive)).toThrow(/gemm: c must not share memory with a or b/);
  });
});

describe('im2col / col2im errors', () => {
  it('im2col: missing options', () => {
    expect(() => im2col(x, bad<{ kernelSize: number }>(undefined), naive)).toThrow(/im2col: options must be an object/);
  });
  it('im2col: a kernel larger than the padded input', () => {
    expect(() => im2col(x, { kernelSize: 6, padding: 0 }, naive)).toThrow(/im2col: output height would be empty/);
  });
  it('col2im: cols of the wrong shape', () => {
    expect(() => col2im(zeros([1, 12, 8]), [1, 3, 4, 4], { kernelSize: 2 }, naive)).toThrow(/col2im: cols has shape \[1, 12, 8\] but im2col of \[1, 3, 4, 4\] needs \[1, 12, 9\]/);
  });
});

describe('activation errors', () => {
  it('relu: input that is not a Tensor', () => {
    expect(() => relu(bad<Tensor>(new Float32Array(3)), naive)).toThrow(/relu: input must be a Tensor, got Float32Array/);
  });
  it('reluBackward: dy of another shape than x', () => {
    expect(() => reluBackward(zeros([2, 3]), zeros([3, 2]), naive)).toThrow(/reluBackward: dy has shape \[3, 2\] but x \[2, 3\] needs \[2, 3\]/);
  });
  it('sigmoidBackward: dy of another shape than y', () => {
    expect(() => sigmoidBackward(zeros([4]), zeros([5]), naive)).toThrow(/sigmoidBackward: dy has shape \[5\] but y \[4\] needs \[4\]/);
  });
  it('leakyRelu: NaN slope', () => {
    expect(() => leakyRelu(zeros([2]), NaN, naive)).toThrow(/leakyRelu: slope must be a finite number, got NaN/);
  });
  it('leakyReluBackward: a slope that is not a number', () => {
    expect(() => leakyReluBackward(zeros([2]), zeros([2]), bad<number>('0.1'), naive)).toThrow(/leakyReluBackward: slope must be a finite number, got '0\.1'/);
  });
  it('softmax: a scalar', () => {
    expect(() => softmax(tensor(3), -1, naive)).toThrow(/softmax: input must have at least one dimension, got shape \[\]/);
  });
  it('logSoftmax: an empty input', () => {
    expect(() => logSoftmax(zeros([2, 0]), -1, naive)).toThrow(/logSoftmax: input \[2, 0\] is empty/);
  });
});
