// The direct depthwise kernels (groups === inChannels, assembly/depthwise.ts) against the
// naive reference, per wasm variant. Planes are wide enough for the 16-column SIMD blocks,
// the 4-column tail and scalar borders; channel multipliers 1..3, strides, dilations and
// asymmetric padding reach every branch (stride 1 gathers, other strides scatter). The 3×3
// stride-1/2 path (padded scratch plane, two output rows per pass, partial last vectors)
// gets its own sweep: every output width 1..13 (each count of lanes in the last vector),
// odd and even heights (the one-row tail), paddings 0..3 and asymmetric, multipliers 1..3;
// stride 2 covers the upsampled backward input and the shuffled filter gradient.
import { describe, it } from 'vitest';
import type { Backend, Conv2dGeometry } from '../src/backend/backend.js';
import { naiveBackend } from '../src/backend/naive.js';
import { loadWasmBackend, type WasmVariant } from '../src/backend/wasm.js';
import { conv2dGeometry, type Conv2dOptions } from '../src/ops/geometry.js';
import { expectClose, guardedFloats, guardedInput } from './support/compare.js';
import { randomArray } from './support/random.js';

interface Case {
  x: [number, number, number, number];
  multiplier: number;
  kernel: [number, number];
  options: Conv2dOptions;
}

const cases: Case[] = [
  { x: [2, 3, 9, 37], multiplier: 1, kernel: [3, 3], options: { padding: 1 } },
  { x: [1, 2, 7, 41], multiplier: 2, kernel: [3, 5], options: { padding: [2, 0, 1, 3] } },
  { x: [2, 2, 8, 23], multiplier: 3, kernel: [5, 3], options: { padding: 'same', dilation: 2 } },
  { x: [1, 3, 11, 29], multiplier: 1, kernel: [3, 3], options: { stride: 2, padding: 1 } },
  { x: [1, 2, 10, 33], multiplier: 2, kernel: [3, 2], options: { stride: [1, 3], dilation: [2, 1], padding: [1, 2] } },
  { x: [2, 4, 6, 19], multiplier: 1, kernel: [1, 7], options: {} },
  { x: [1, 2, 5, 5], multiplier: 2, kernel: [5, 5], options: { padding: 4 } },
];

const abs = (a: Float32Array): Float32Array => a.map(Math.abs);

function checkCase(be: Backend, c: Case, seed: number): void {
  const [N, C, H, W] = c.x;
  const OC = C * c.multiplier;
  const wShape: [number, number, number, number] = [OC, 1, c.kernel[0], c.kernel[1]];
  const g: Conv2dGeometry = conv2dGeometry('depthwise test', c.x, wShape, { ...c.options, groups: C });
  const x = randomArray(N * C * H * W, seed);
  const w = randomArray(OC * c.kernel[0] * c.kernel[1], seed + 1);
  const bias = randomArray(OC, seed + 2);
  const ny = N * OC * g.outHeight * g.outWidth;
  const dy = randomArray(ny, seed + 3);
  const label = `${JSON.stringify(c)}`;

  const gx = guardedInput(x, 'x');
  const gw = guardedInput(w, 'w');
  const y = guardedFloats(ny, NaN, 'y');
  be.conv2d(g, gx.view, gw.view, bias, y.view);
  y.check(label);
  const yRef = new Float32Array(ny);
  naiveBackend.conv2d(g, x, w, bias, yRef);
  const yMag = new Float32Array(ny);
  naiveBackend.conv2d(g, abs(x), abs(w), abs(bias), yMag);
  expectClose(y.view, yRef, undefined, `conv2d ${label}`, yMag);

  const gdy = guardedInput(dy, 'dy');
  const dx = guardedFloats(x.length, NaN, 'dx');
  be.conv2dBackwardInput(g, gdy.view, gw.view, dx.view);
  dx.check(label);
  const dxRef = new Float32Array(x.length);
  naiveBackend.conv2dBackwardInput(g, dy, w, dxRef);
  const dxMag = new Float32Array(x.length);
  naiveBackend.conv2dBackwardInput(g, abs(dy), abs(w), dxMag);
  expectClose(dx.view, dxRef, undefined, `conv2dBackwardInput ${label}`, dxMag);

  const dw = guardedFloats(w.length, NaN, 'dw');
  const db = guardedFloats(OC, NaN, 'db');
  be.conv2dBackwardFilter(g, gdy.view, gx.view, dw.view, db.view);
  dw.check(label);
  db.check(label);
  const dwRef = new Float32Array(w.length);
  const dbRef = new Float32Array(OC);
  naiveBackend.conv2dBackwardFilter(g, dy, x, dwRef, dbRef);
  const dwMag = new Float32Array(w.length);
  const dbMag = new Float32Array(OC);
  naiveBackend.conv2dBackwardFilter(g, abs(dy), abs(x), dwMag, dbMag);
  expectClose(dw.view, dwRef, undefined, `conv2dBackwardFilter dw ${label}`, dwMag);
  expectClose(db.view, dbRef, undefined, `conv2dBackwardFilter db ${label}`, dbMag);
  gx.check(label);
  gw.check(label);
  gdy.check(label);
}

for (const variant of ['scalar', 'simd', 'relaxed'] as WasmVariant[]) {
  describe(`wasm ${variant} depthwise kernels`, () => {
    cases.forEach((c, i) => {
      it(`matches naive: x ${c.x.join('×')}, multiplier ${c.multiplier}, kernel ${c.kernel.join('×')}, ${JSON.stringify(c.options)}`, async () => {
        const be = await loadWasmBackend({ variant });
        checkCase(be, c, 100 * i + 7);
      });
    });
  });
}

/** The 3×3 sweep: shapes that reach every edge of the SIMD 3×3 path, plus neighbours that
 * must leave it (dilation 2, stride [1, 2]) and stay correct. */
function sweep3x3(): Case[] {
  const out: Case[] = [];
  const paddings: Conv2dOptions['padding'][] = [0, 1, 2, [1, 0, 0, 1], [0, 2, 3, 1]];
  for (let W = 1; W <= 13; W++) {
    for (const stride of [1, 2]) {
      const padding = paddings[(W + stride) % paddings.length];
      const H = 1 + ((W * 3 + stride) % 7);
      out.push({ x: [2, 2, H, W], multiplier: 1 + (W % 3), kernel: [3, 3], options: { stride, padding } });
    }
  }
  out.push({ x: [1, 3, 14, 14], multiplier: 1, kernel: [3, 3], options: { padding: 1 } });
  // Rows longer than 48 outputs: the filter gradient of stride 1 takes the per-tap dot products.
  out.push({ x: [2, 2, 5, 53], multiplier: 2, kernel: [3, 3], options: { padding: 1 } });
  out.push({ x: [1, 2, 15, 15], multiplier: 2, kernel: [3, 3], options: { stride: 2, padding: 'same' } });
  out.push({ x: [1, 2, 9, 9], multiplier: 1, kernel: [3, 3], options: { padding: 1, dilation: 2 } });
  out.push({ x: [1, 2, 9, 10], multiplier: 1, kernel: [3, 3], options: { padding: 1, stride: [1, 2] } });
  out.push({ x: [1, 1, 5, 6], multiplier: 1, kernel: [3, 3], options: { padding: 3 } });
  return out.filter((c) => {
    try {
      conv2dGeometry('sweep', c.x, [c.x[1] * c.multiplier, 1, 3, 3], { ...c.options, groups: c.x[1] });
      return true;
    } catch {
      return false; // an empty output: not a case
    }
  });
}

for (const variant of ['scalar', 'simd', 'relaxed'] as WasmVariant[]) {
  describe(`wasm ${variant} depthwise 3×3 sweep`, () => {
    const cases3 = sweep3x3();
    it(`matches naive on ${cases3.length} shapes, forward and both backward passes`, async () => {
      const be = await loadWasmBackend({ variant });
      cases3.forEach((c, i) => checkCase(be, c, 1000 + 10 * i));
    });
  });
}
