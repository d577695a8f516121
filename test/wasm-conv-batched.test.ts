// The wasm forward conv for small output planes, which lays the im2col columns of several
// images side by side and runs one GEMM per chunk of images (src/backend/wasm/conv.ts):
// a batch of three chunks (the last partial), with bias and stride/padding, against naive.
import { describe, it } from 'vitest';
import { naiveBackend } from '../src/backend/naive.js';
import { loadWasmBackend, type WasmVariant } from '../src/backend/wasm.js';
import { conv2dGeometry, type Conv2dOptions } from '../src/ops/geometry.js';
import { Random } from '../src/random.js';
import { expectClose, guardedFloats, guardedInput } from './support/compare.js';
import { randomArray } from './support/random.js';

// 12×12 → 10×10 planes: 2048 / 100 = 20 images per GEMM, so 45 images take 3 chunks.
const CASES: { x: number[]; w: number[]; options: Conv2dOptions }[] = [
  { x: [45, 3, 12, 12], w: [5, 3, 3, 3], options: {} },
  { x: [70, 2, 9, 11], w: [7, 2, 3, 2], options: { stride: [1, 2], padding: [1, 0, 2, 1] } },
];

for (const variant of ['scalar', 'simd', 'relaxed'] as WasmVariant[]) {
  describe(`wasm ${variant} conv2d, several images per GEMM`, () => {
    CASES.forEach((c, i) => {
      it(`x ${c.x.join('×')}, w ${c.w.join('×')}, ${JSON.stringify(c.options)}: close to naive`, async () => {
        const be = await loadWasmBackend({ variant });
        const g = conv2dGeometry('test', c.x, c.w, c.options);
        const rng = new Random(31 + i);
        const x = randomArray(c.x.reduce((a, b) => a * b, 1), rng);
        const w = randomArray(c.w.reduce((a, b) => a * b, 1), rng);
        const bias = randomArray(g.outChannels, rng);
        const ny = g.batch * g.outChannels * g.outHeight * g.outWidth;
        const gx = guardedInput(x, 'x');
        const y = guardedFloats(ny);
        be.conv2d(g, gx.view, w, bias, y.view);
        y.check('conv2d');
        gx.check('conv2d');
        const ref = new Float32Array(ny);
        naiveBackend.conv2d(g, x, w, bias, ref);
        const mag = new Float32Array(ny);
        naiveBackend.conv2d(g, x.map(Math.abs), w.map(Math.abs), bias.map(Math.abs), mag);
        expectClose(y.view, ref, undefined, `conv2d ${variant}`, mag);
      });
    });
  });
}
