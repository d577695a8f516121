// The amount of work each row does, so every engine is scored on the same count:
// FLOPs for GEMM and convolution, bytes moved for pooling (memory-bound).
import type { Conv2dGeometry, Pool2dGeometry } from '../src/backend/backend.js';

/** C[m×n] = A[m×k]·B[k×n]: one multiply and one add per (i, j, p). */
export function gemmFlops(m: number, n: number, k: number): number {
  return 2 * m * n * k;
}

/** 2·N·OC·OH·OW·(C/groups)·kH·kW. Backward-input and backward-filter do the same number of
 * multiply-adds (each is the same sum over a different index), so all three use it. */
export function conv2dFlops(g: Conv2dGeometry): number {
  return 2 * g.batch * g.outChannels * g.outHeight * g.outWidth * (g.inChannels / g.groups) * g.kernelHeight * g.kernelWidth;
}

/** Float32 bytes read + written by pooling: forward reads x and writes y, backward reads dy
 * and writes dx. Index side arrays (argmax) are not counted: engines keep different ones. */
export function pool2dBytes(g: Pool2dGeometry): number {
  const input = g.batch * g.channels * g.inHeight * g.inWidth;
  const output = g.batch * g.channels * g.outHeight * g.outWidth;
  return 4 * (input + output);
}

/** Float32 bytes of x plus cols [N, C·kH·kW, OH·OW]: im2col reads x and writes cols,
 * col2im reads cols and writes x. */
export function im2colBytes(g: Conv2dGeometry): number {
  const input = g.batch * g.inChannels * g.inHeight * g.inWidth;
  const cols = g.batch * g.inChannels * g.kernelHeight * g.kernelWidth * g.outHeight * g.outWidth;
  return 4 * (input + cols);
}

/** LeNet-5 forward multiply-adds (×2) per image: conv1, conv2, fc1..fc3. For the chart's
 * images/s this is only documentation; the count of images is the unit. */
export function lenetForwardFlops(): number {
  const conv1 = 2 * 6 * 28 * 28 * 1 * 25;
  const conv2 = 2 * 16 * 10 * 10 * 6 * 25;
  const fc = 2 * (400 * 120 + 120 * 84 + 84 * 10);
  return conv1 + conv2 + fc;
}

export type Unit = 'GFLOP/s' | 'GB/s' | 'img/s';

/** Throughput of one run of `work` units taking `ms` milliseconds, in the row's unit. */
export function throughput(unit: Unit, work: number, ms: number): number {
  if (!(ms > 0)) return NaN;
  const perSecond = (work * 1000) / ms;
  return unit === 'img/s' ? perSecond : perSecond / 1e9;
}
