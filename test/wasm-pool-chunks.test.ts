// The wasm pooling paths that run in chunks of planes (max and average forward, average
// backward): inputs with more planes than one chunk holds, a last partial chunk, and ties
// so argmax must stay the first max and count from the start of the whole input. Max
// pooling must equal naive exactly; averages within the sweep's tolerance (the kernels
// multiply by 1/(kH·kW) in float32 where naive divides in float64: one ulp apart at most).
import { describe, it } from 'vitest';
import { naiveBackend } from '../src/backend/naive.js';
import { loadWasmBackend, supportsVariant, type WasmVariant } from '../src/backend/wasm.js';
import { pool2dGeometry, type Pool2dOptions } from '../src/ops/geometry.js';
import { Random } from '../src/random.js';
import { expectClose, expectEqual, guardedFloats, guardedInts } from './support/compare.js';
import { randomArray } from './support/random.js';

// 100×100 planes are 40 KB: a 256 KB chunk holds 6, so 3·5 planes take 3 chunks.
const CASES: { shape: number[]; options: Pool2dOptions }[] = [
  { shape: [3, 5, 100, 100], options: { kernelSize: 2 } },
  { shape: [2, 7, 97, 101], options: { kernelSize: 3, stride: 2, padding: 1 } },
  { shape: [1, 9, 128, 129], options: { kernelSize: [2, 3], stride: [2, 1], padding: [1, 0, 0, 2] } },
];

for (const variant of ['scalar', 'simd', 'relaxed'] as WasmVariant[]) {
  describe.skipIf(!supportsVariant(variant))(`wasm ${variant} pooling over several chunks of planes`, () => {
    CASES.forEach(({ shape, options }, i) => {
      it(`x ${shape.join('×')}, ${JSON.stringify(options)}: equal to naive`, async () => {
        const be = await loadWasmBackend({ variant });
        const g = pool2dGeometry('test', shape, options);
        const rng = new Random(11 + i);
        const nx = shape.reduce((a, b) => a * b, 1);
        const ny = g.batch * g.channels * g.outHeight * g.outWidth;
        const x = randomArray(nx, rng, { low: -4, high: 4 }).map(Math.floor); // small integers: ties
        const dy = randomArray(ny, rng, { low: -0.5, high: 0.5 });
        const label = `${variant} ${shape.join('×')}`;

        const y = guardedFloats(ny);
        const arg = guardedInts(ny);
        be.maxPool2d(g, x, y.view, arg.view);
        y.check(label);
        arg.check(label);
        const yRef = new Float32Array(ny);
        const argRef = new Int32Array(ny);
        naiveBackend.maxPool2d(g, x, yRef, argRef);
        expectEqual(y.view, yRef, `maxPool2d y ${label}`);
        expectEqual(arg.view, argRef, `maxPool2d argmax ${label}`);

        const ya = guardedFloats(ny);
        be.avgPool2d(g, x, ya.view);
        ya.check(label);
        const yaRef = new Float32Array(ny);
        naiveBackend.avgPool2d(g, x, yaRef);
        expectClose(ya.view, yaRef, undefined, `avgPool2d ${label}`);

        const dx = guardedFloats(nx);
        be.avgPool2dBackward(g, dy, dx.view);
        dx.check(label);
        const dxRef = new Float32Array(nx);
        naiveBackend.avgPool2dBackward(g, dy, dxRef);
        expectClose(dx.view, dxRef, undefined, `avgPool2dBackward ${label}`);
      });
    });
  });
}
