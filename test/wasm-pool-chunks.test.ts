// The wasm pooling paths that run in chunks of planes (max and average forward, average
// backward, adaptive average both ways): inputs with more planes than one chunk holds, a last partial chunk, and ties
// so argmax must stay the first max and count from the start of the whole input. Max
// pooling must equal naive exactly; averages within the sweep's tolerance (the kernels
// multiply by 1/(kH·kW) in float32 where naive divides in float64: one ulp apart at most).
import { describe, it } from 'vitest';
import { naiveBackend } from '../src/backend/naive.js';
import { loadWasmBackend, supportsVariant, type WasmVariant } from '../src/backend/wasm.js';
import { adaptivePool2dGeometry, pool2dGeometry, type AvgPool2dOptions, type MaxPool2dOptions, type Pool2dOptions } from '../src/ops/geometry.js';
import { Random } from '../src/random.js';
import { expectClose, expectEqual, guardedFloats, guardedInts } from './support/compare.js';
import { randomArray } from './support/random.js';

// 100×100 planes are 40 KB: a 256 KB chunk holds 6, so 3·5 planes take 3 chunks.
// `max` adds max-only options (dilation), `avg` average-only ones (countIncludePad).
const CASES: { shape: number[]; options: Pool2dOptions; max?: Pick<MaxPool2dOptions, 'dilation'>; avg?: Pick<AvgPool2dOptions, 'countIncludePad'> }[] = [
  { shape: [3, 5, 100, 100], options: { kernelSize: 2 } },
  { shape: [2, 7, 97, 101], options: { kernelSize: 3, stride: 2, padding: 1 } },
  { shape: [1, 9, 128, 129], options: { kernelSize: [2, 3], stride: [2, 1], padding: [1, 0, 0, 2] } },
  { shape: [2, 7, 97, 101], options: { kernelSize: 3, stride: 2, padding: 1, ceilMode: true }, max: { dilation: [2, 1] }, avg: { countIncludePad: false } },
];

for (const variant of ['scalar', 'simd', 'relaxed'] as WasmVariant[]) {
  describe.skipIf(!supportsVariant(variant))(`wasm ${variant} pooling over several chunks of planes`, () => {
    CASES.forEach(({ shape, options, max, avg }, i) => {
      it(`x ${shape.join('×')}, ${JSON.stringify(options)}${max ? ` max ${JSON.stringify(max)}` : ''}${avg ? ` avg ${JSON.stringify(avg)}` : ''}: equal to naive`, async () => {
        const be = await loadWasmBackend({ variant });
        const g = pool2dGeometry('test', shape, { ...options, ...max });
        const ga = pool2dGeometry('test', shape, { ...options, ...avg });
        const rng = new Random(11 + i);
        const nx = shape.reduce((a, b) => a * b, 1);
        const ny = g.batch * g.channels * g.outHeight * g.outWidth;
        const nya = ga.batch * ga.channels * ga.outHeight * ga.outWidth;
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

        const ya = guardedFloats(nya);
        be.avgPool2d(ga, x, ya.view);
        ya.check(label);
        const yaRef = new Float32Array(nya);
        naiveBackend.avgPool2d(ga, x, yaRef);
        expectClose(ya.view, yaRef, undefined, `avgPool2d ${label}`);

        const dya = dy.length === nya ? dy : randomArray(nya, rng, { low: -0.5, high: 0.5 });
        const dx = guardedFloats(nx);
        be.avgPool2dBackward(ga, dya, dx.view);
        dx.check(label);
        const dxRef = new Float32Array(nx);
        naiveBackend.avgPool2dBackward(ga, dya, dxRef);
        expectClose(dx.view, dxRef, undefined, `avgPool2dBackward ${label}`);
      });
    });

    it('adaptiveAvgPool2d over several chunks (97×101 → 13×17, uneven windows): equal to naive', async () => {
      const be = await loadWasmBackend({ variant });
      const shape = [2, 7, 97, 101];
      const g = adaptivePool2dGeometry('test', shape, [13, 17]);
      const rng = new Random(31);
      const nx = shape.reduce((a, b) => a * b, 1);
      const ny = 2 * 7 * 13 * 17;
      const x = randomArray(nx, rng, { low: -4, high: 4 });
      const dy = randomArray(ny, rng, { low: -0.5, high: 0.5 });
      const y = guardedFloats(ny);
      be.adaptiveAvgPool2d(g, x, y.view);
      y.check('adaptiveAvgPool2d');
      const yRef = new Float32Array(ny);
      naiveBackend.adaptiveAvgPool2d(g, x, yRef);
      expectClose(y.view, yRef, undefined, `adaptiveAvgPool2d ${variant}`);
      const dx = guardedFloats(nx);
      be.adaptiveAvgPool2dBackward(g, dy, dx.view);
      dx.check('adaptiveAvgPool2dBackward');
      const dxRef = new Float32Array(nx);
      naiveBackend.adaptiveAvgPool2dBackward(g, dy, dxRef);
      expectClose(dx.view, dxRef, undefined, `adaptiveAvgPool2dBackward ${variant}`);
    });
  });
}
