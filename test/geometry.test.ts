import { describe, expect, it } from 'vitest';
import { conv2dGeometry, im2colGeometry, outputSize, parsePadding, parseSize2, pool2dGeometry } from '../src/ops/geometry.js';

/** seed 003's calc_pad_dims_sameconv_2D (docs/background.md) for one dimension, transcribed (int() truncates
 * toward zero; an output one short gets the extra row/column at the bottom/right). */
function seedSamePads(inSize: number, kernel: number, stride: number, dilation: number): [number, number] | null {
  const eff = kernel + (kernel - 1) * (dilation - 1);
  const p = Math.trunc((stride * (inSize - 1) + eff - inSize) / 2);
  const out1 = Math.trunc(1 + (inSize + 2 * p - eff) / stride);
  if (out1 === inSize - 1) return [p, p + 1];
  if (out1 !== inSize) return null; // the seed raises AssertionError
  return [p, p];
}

const outFormula = (size: number, before: number, after: number, k: number, s: number, d: number) =>
  Math.floor((size + before + after - d * (k - 1) - 1) / s) + 1;

describe("'same' padding (seed 003)", () => {
  it('matches calc_pad_dims_sameconv_2D and keeps the input size, at every stride and dilation', () => {
    let checked = 0;
    for (let size = 1; size <= 9; size++) {
      for (let k = 1; k <= 5; k++) {
        for (let s = 1; s <= 3; s++) {
          for (let d = 1; d <= 3; d++) {
            const seed = seedSamePads(size, k, s, d);
            if (seed === null || seed[0] < 0) continue;
            const p = parsePadding('t', 'same', [size, 5], [k, 1], [s, 1], [d, 1]);
            expect([p.top, p.bottom], `size ${size} k ${k} s ${s} d ${d}`).toEqual(seed);
            expect(outFormula(size, p.top, p.bottom, k, s, d)).toBe(size);
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(200);
  });

  it('an even kernel puts the extra row/column at the bottom/right', () => {
    const g = conv2dGeometry('conv2d', [1, 1, 5, 6], [1, 1, 2, 4], { padding: 'same' });
    expect([g.padTop, g.padBottom, g.padLeft, g.padRight]).toEqual([0, 1, 1, 2]);
    expect([g.outHeight, g.outWidth]).toEqual([5, 6]);
  });

  it('an odd kernel pads symmetrically, (k-1)/2 per side', () => {
    const g = conv2dGeometry('conv2d', [1, 1, 7, 7], [1, 1, 5, 3], { padding: 'same' });
    expect([g.padTop, g.padBottom, g.padLeft, g.padRight]).toEqual([2, 2, 1, 1]);
  });

  it('with stride 2 the output still keeps the input size (seed 003, not TensorFlow\'s ceil(H/s))', () => {
    const g = conv2dGeometry('conv2d', [1, 1, 5, 5], [1, 1, 3, 3], { padding: 'same', stride: 2 });
    expect([g.padTop, g.padBottom]).toEqual([3, 3]);
    expect([g.outHeight, g.outWidth]).toEqual([5, 5]);
  });

  it('with dilation 2 a 3×3 kernel spans 5 and pads 2 per side', () => {
    const g = conv2dGeometry('conv2d', [1, 1, 6, 6], [1, 1, 3, 3], { padding: 'same', dilation: 2 });
    expect([g.padTop, g.padBottom, g.padLeft, g.padRight]).toEqual([2, 2, 2, 2]);
    expect([g.outHeight, g.outWidth]).toEqual([6, 6]);
  });
});

describe('padding forms', () => {
  const pads = (padding: Parameters<typeof parsePadding>[1]) => {
    const p = parsePadding('t', padding, [8, 8], [3, 3], [1, 1], [1, 1]);
    return [p.top, p.bottom, p.left, p.right];
  };
  it('undefined and valid are no padding', () => {
    expect(pads(undefined)).toEqual([0, 0, 0, 0]);
    expect(pads('valid')).toEqual([0, 0, 0, 0]);
  });
  it('a number pads every side', () => expect(pads(2)).toEqual([2, 2, 2, 2]));
  it('[h, w] pads top/bottom by h and left/right by w', () => expect(pads([1, 3])).toEqual([1, 1, 3, 3]));
  it('[top, bottom, left, right] is taken as is', () => expect(pads([0, 1, 2, 3])).toEqual([0, 1, 2, 3]));
  it('rejects negative, fractional, NaN padding and unknown forms', () => {
    expect(() => pads(-1)).toThrow(/t: padding must be non-negative integers, got -1/);
    expect(() => pads([1.5, 1])).toThrow(/padding must be non-negative integers, got \[1\.5, 1\]/);
    expect(() => pads(NaN)).toThrow(/padding must be non-negative integers, got NaN/);
    expect(() => pads([1, 2, 3] as unknown as 'same')).toThrow(/padding must be a number, \[h, w\]/);
    expect(() => pads('full' as unknown as 'same')).toThrow(/got full/);
  });
});

describe('sizes', () => {
  it('parseSize2 takes a number or a pair and rejects the rest', () => {
    expect(parseSize2('t', 'stride', 2, [1, 1])).toEqual([2, 2]);
    expect(parseSize2('t', 'stride', [2, 3], [1, 1])).toEqual([2, 3]);
    expect(parseSize2('t', 'stride', undefined, [4, 5])).toEqual([4, 5]);
    expect(() => parseSize2('t', 'stride', 0, [1, 1])).toThrow(/t: stride must be a positive integer/);
    expect(() => parseSize2('t', 'dilation', 1.5, [1, 1])).toThrow(/dilation .* got 1\.5/);
    expect(() => parseSize2('t', 'stride', NaN, [1, 1])).toThrow(/got NaN/);
    expect(() => parseSize2('t', 'stride', [1, 2, 3] as unknown as number, [1, 1])).toThrow(/got \[1, 2, 3\]/);
  });

  it('outputSize is floor((H + pads − d·(k−1) − 1) / s) + 1', () => {
    for (let h = 1; h <= 12; h++) {
      for (let k = 1; k <= 4; k++) {
        for (let s = 1; s <= 3; s++) {
          for (let d = 1; d <= 2; d++) {
            for (const [a, b] of [[0, 0], [1, 0], [0, 2], [1, 1]]) {
              const span = h + a + b - d * (k - 1) - 1;
              if (span < 0) {
                expect(() => outputSize('t', 'height', h, a, b, k, s, d)).toThrow(/t: output height would be empty/);
              } else {
                expect(outputSize('t', 'height', h, a, b, k, s, d)).toBe(outFormula(h, a, b, k, s, d));
              }
            }
          }
        }
      }
    }
  });

  it('conv geometry: stride, dilation and asymmetric padding per dimension', () => {
    const g = conv2dGeometry('conv2d', [2, 4, 9, 11], [6, 2, 3, 2], { stride: [2, 3], padding: [1, 0, 2, 1], dilation: [2, 1], groups: 2 });
    expect(g).toMatchObject({
      batch: 2, inChannels: 4, inHeight: 9, inWidth: 11, outChannels: 6, kernelHeight: 3, kernelWidth: 2,
      strideHeight: 2, strideWidth: 3, dilationHeight: 2, dilationWidth: 1, padTop: 1, padBottom: 0, padLeft: 2, padRight: 1, groups: 2,
    });
    expect(g.outHeight).toBe(Math.floor((9 + 1 - 2 * 2 - 1) / 2) + 1);
    expect(g.outWidth).toBe(Math.floor((11 + 3 - 1 - 1) / 3) + 1);
  });

  it('conv geometry refuses an empty output', () => {
    expect(() => conv2dGeometry('conv2d', [1, 1, 2, 2], [1, 1, 3, 3])).toThrow(/conv2d: output height would be empty/);
  });

  it('im2col geometry uses kernelSize and ignores groups', () => {
    const g = im2colGeometry('im2col', [1, 3, 5, 5], { kernelSize: [2, 3], stride: 2 });
    expect([g.kernelHeight, g.kernelWidth, g.outHeight, g.outWidth, g.inChannels, g.groups]).toEqual([2, 3, 2, 2, 3, 1]);
    expect(() => im2colGeometry('im2col', [1, 3, 5, 5], {} as { kernelSize: number })).toThrow(/im2col: kernelSize is required/);
  });
});

describe('pooling geometry', () => {
  it('stride defaults to the kernel size', () => {
    const g = pool2dGeometry('maxPool2d', [1, 2, 6, 7], { kernelSize: [2, 3] });
    expect([g.strideHeight, g.strideWidth, g.outHeight, g.outWidth]).toEqual([2, 3, 3, 2]);
  });

  it('padding up to kernel − 1 per side is allowed', () => {
    const g = pool2dGeometry('maxPool2d', [1, 1, 3, 3], { kernelSize: 2, stride: 2, padding: [0, 1, 1, 0] });
    expect([g.padTop, g.padBottom, g.padLeft, g.padRight, g.outHeight, g.outWidth]).toEqual([0, 1, 1, 0, 2, 2]);
  });

  it('padding as large as the kernel is refused (a window could lie wholly in the padding)', () => {
    expect(() => pool2dGeometry('maxPool2d', [1, 1, 4, 4], { kernelSize: 2, padding: [0, 2, 0, 0] })).toThrow(
      /maxPool2d: padding \[0, 2, 0, 0\] must be smaller than kernelSize \[2, 2\]/,
    );
  });

  it('requires a kernelSize and a rank-4 input', () => {
    expect(() => pool2dGeometry('avgPool2d', [1, 1, 4, 4], {} as { kernelSize: number })).toThrow(/avgPool2d: kernelSize is required/);
    expect(() => pool2dGeometry('avgPool2d', [4, 4], { kernelSize: 2 })).toThrow(/avgPool2d: input must have rank 4, got shape \[4, 4\]/);
  });
});
