import { describe, expect, it } from 'vitest';
import { conv2dFlops, gemmFlops, im2colBytes, pool2dBytes, throughput } from '../bench/flops.js';
import { conv2dGeometry, pool2dGeometry } from '../src/ops/geometry.js';
import { hwioToOihw, nchwToNhwc, nhwcToNchw, oihwToHwio, transpose2d } from '../bench/tfjs.js';

describe('bench work counts', () => {
  it('counts 2mnk FLOPs for GEMM', () => {
    expect(gemmFlops(512, 512, 512)).toBe(268435456);
    expect(gemmFlops(2, 3, 4)).toBe(48);
  });

  it('counts 2·N·OC·OH·OW·(C/groups)·kH·kW for conv2d', () => {
    // LeNet conv1: 64×1×28×28 → 6, 5×5, pad 2 → 28×28 output.
    const lenet1 = conv2dGeometry('t', [64, 1, 28, 28], [6, 1, 5, 5], { padding: 2 });
    expect(conv2dFlops(lenet1)).toBe(2 * 64 * 6 * 28 * 28 * 1 * 25);
    // ResNet 3×3 batch 8: 1.85 GFLOP.
    const resnet = conv2dGeometry('t', [8, 64, 56, 56], [64, 64, 3, 3], { padding: 1 });
    expect(conv2dFlops(resnet)).toBe(2 * 8 * 64 * 56 * 56 * 64 * 9);
    // Depthwise: each output channel sees one input channel.
    const dw = conv2dGeometry('t', [1, 32, 112, 112], [32, 1, 3, 3], { padding: 1, groups: 32 });
    expect(conv2dFlops(dw)).toBe(2 * 32 * 112 * 112 * 9);
    // LeNet conv2 without padding: 10×10 output.
    const lenet2 = conv2dGeometry('t', [64, 6, 14, 14], [16, 6, 5, 5]);
    expect(conv2dFlops(lenet2)).toBe(2 * 64 * 16 * 10 * 10 * 6 * 25);
  });

  it('counts float32 bytes of input + output for pooling', () => {
    const g = pool2dGeometry('t', [64, 6, 28, 28], { kernelSize: 2 });
    expect(pool2dBytes(g)).toBe(4 * (64 * 6 * 28 * 28 + 64 * 6 * 14 * 14));
  });

  it('counts float32 bytes of x plus cols for im2col and col2im', () => {
    const g = conv2dGeometry('t', [64, 1, 28, 28], [1, 1, 5, 5], { padding: 2 });
    expect(im2colBytes(g)).toBe(4 * (64 * 28 * 28 + 64 * 25 * 28 * 28));
  });

  it('turns work and milliseconds into GFLOP/s, GB/s or images/s', () => {
    expect(throughput('GFLOP/s', 2e9, 100)).toBeCloseTo(20, 10);
    expect(throughput('GB/s', 5e8, 250)).toBeCloseTo(2, 10);
    expect(throughput('img/s', 64, 16)).toBeCloseTo(4000, 10);
    expect(throughput('GFLOP/s', 1e9, 0)).toBeNaN();
  });
});

describe('bench layout conversions', () => {
  const seq = (n: number): Float32Array => Float32Array.from({ length: n }, (_, i) => i);

  it('moves channels last and back (NCHW ↔ NHWC)', () => {
    // x[n][c][h][w] = 1000n + 100c + 10h + w, so every element says where it belongs.
    const [N, C, H, W] = [2, 3, 2, 4];
    const x = new Float32Array(N * C * H * W);
    for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) x[((n * C + c) * H + h) * W + w] = 1000 * n + 100 * c + 10 * h + w;
    const nhwc = nchwToNhwc(x, N, C, H, W);
    expect(nhwc[((1 * H + 1) * W + 2) * C + 2]).toBe(1000 + 200 + 10 + 2);
    expect(nhwcToNchw(nhwc, N, C, H, W)).toEqual(x);
  });

  it('converts OIHW weights to HWIO filters and back', () => {
    const [O, I, KH, KW] = [4, 3, 2, 5];
    const w = seq(O * I * KH * KW);
    const f = oihwToHwio(w, O, I, KH, KW);
    // w[o=3][i=1][1][4] lands at f[1][4][1][3].
    expect(f[((1 * KW + 4) * I + 1) * O + 3]).toBe(w[((3 * I + 1) * KH + 1) * KW + 4]);
    expect(hwioToOihw(f, O, I, KH, KW)).toEqual(w);
  });

  it('transposes matrices', () => {
    expect(Array.from(transpose2d(Float32Array.of(1, 2, 3, 4, 5, 6), 2, 3))).toEqual([1, 4, 2, 5, 3, 6]);
  });
});
