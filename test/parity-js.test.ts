// The js backend against the naive ground truth on the whole parity sweep.
import { describe, expect, it } from 'vitest';
import { jsBackend } from '../src/backend/js.js';
import { convWorkspaceFloats } from '../src/backend/js/conv.js';
import { conv2dGeometry } from '../src/ops/geometry.js';
import { MC, MR, NC, KC, NR } from '../src/backend/js/gemm.js';
import { describeBackendParity } from './support/sweep.js';

describeBackendParity('js', () => jsBackend, { gemmBlocking: { mr: MR, nr: NR, mc: MC, nc: NC, kc: KC } });

describe('js backend workspaces', () => {
  it('conv kernels reuse the column workspace: the same or a smaller shape allocates nothing', () => {
    const g = conv2dGeometry('test', [2, 3, 9, 9], [4, 3, 3, 3], { padding: 1 });
    const x = new Float32Array(2 * 3 * 81).fill(0.5);
    const w = new Float32Array(4 * 3 * 9).fill(0.25);
    const y = new Float32Array(2 * 4 * 81);
    jsBackend.conv2d(g, x, w, null, y);
    const held = convWorkspaceFloats();
    expect(held).toBeGreaterThanOrEqual(3 * 9 * 81);
    jsBackend.conv2d(g, x, w, null, y);
    jsBackend.conv2dBackwardInput(g, y, w, x);
    jsBackend.conv2dBackwardFilter(g, y, x, w, null);
    const small = conv2dGeometry('test', [1, 3, 5, 5], [4, 3, 3, 3], {});
    jsBackend.conv2d(small, x, w, null, y);
    expect(convWorkspaceFloats()).toBe(held);
  });

  it('a pointwise (1×1, stride 1, unpadded) conv needs no column workspace at all', () => {
    // The workspace is shared by the module, so compare before and after; the shape is
    // chosen so an im2col would need more floats than the earlier tests left behind.
    const before = convWorkspaceFloats();
    const g = conv2dGeometry('test', [2, 64, 30, 30], [8, 64, 1, 1], {});
    const x = new Float32Array(2 * 64 * 900).fill(1);
    const w = new Float32Array(8 * 64).fill(0.5);
    const y = new Float32Array(2 * 8 * 900);
    jsBackend.conv2d(g, x, w, null, y);
    jsBackend.conv2dBackwardInput(g, y, w, x);
    jsBackend.conv2dBackwardFilter(g, y, x, w, null);
    expect(before).toBeLessThan(64 * 900);
    expect(convWorkspaceFloats()).toBe(before);
  });
});
