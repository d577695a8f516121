// conv2d forward, backward-input and backward-filter on the shapes that matter: LeNet's
// two convolutions, a ResNet 3×3 block (batch 1 and 8) and MobileNet-style depthwise 3×3s
// (stride 1, and stride 2 as in MobileNetV2's second block).
import type { Tensor as TfTensor } from '@tensorflow/tfjs-core';
import { conv2d, conv2dBackward } from '../../src/ops/index.js';
import { conv2dGeometry, type Conv2dOptions } from '../../src/ops/geometry.js';
import type { Conv2dGeometry } from '../../src/backend/backend.js';
import { zeros } from '../../src/tensor.js';
import { KERNEL_TOLERANCE } from '../agreement.js';
import { conv2dFlops } from '../flops.js';
import { hwioToOihw, nchwToNhwc, nhwcToNchw, oihwToHwio } from '../tfjs.js';
import { uniformTensor } from './common.js';
import { tfTask } from '../tfjs.js';
import type { Task, Workload } from './common.js';

export interface ConvCase {
  label: string;
  /** [N, C, H, W] */
  x: [number, number, number, number];
  outChannels: number;
  kernel: number;
  padding: number;
  groups: number;
  /** Both axes (default 1). */
  stride?: number;
}

export const CONV_CASES: ConvCase[] = [
  { label: 'lenet-conv1', x: [64, 1, 28, 28], outChannels: 6, kernel: 5, padding: 2, groups: 1 },
  { label: 'lenet-conv2', x: [64, 6, 14, 14], outChannels: 16, kernel: 5, padding: 0, groups: 1 },
  { label: 'resnet-b1', x: [1, 64, 56, 56], outChannels: 64, kernel: 3, padding: 1, groups: 1 },
  { label: 'resnet-b8', x: [8, 64, 56, 56], outChannels: 64, kernel: 3, padding: 1, groups: 1 },
  { label: 'depthwise', x: [1, 32, 112, 112], outChannels: 32, kernel: 3, padding: 1, groups: 32 },
  { label: 'depthwise-s2', x: [1, 96, 112, 112], outChannels: 96, kernel: 3, padding: 1, groups: 96, stride: 2 },
];

export type ConvDirection = 'fwd' | 'bwd-input' | 'bwd-filter';

function describe(c: ConvCase, dir: ConvDirection, flops: number): string {
  const what = { fwd: 'y = conv2d(x, w)', 'bwd-input': 'dx from dy, w', 'bwd-filter': 'dw (+ db) from dy, x' }[dir];
  const groups = c.groups > 1 ? `, groups ${c.groups}` : '';
  const stride = (c.stride ?? 1) > 1 ? `, stride ${c.stride}` : '';
  return `${what}: x ${c.x.join('×')} → ${c.outChannels}, ${c.kernel}×${c.kernel}${stride}, pad ${c.padding}${groups}; ${(flops / 1e9).toPrecision(3)} GFLOP`;
}

/** TF.js 'same' / 'valid' where they mean our padding; anything else as explicit padding
 * (TF.js's 'same' with stride 2 pads only the bottom/right). */
function tfPad(c: ConvCase): 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]] {
  if (c.padding === 0) return 'valid';
  if (c.kernel % 2 === 1 && c.padding === (c.kernel - 1) / 2 && (c.stride ?? 1) === 1) return 'same';
  return [[0, 0], [c.padding, c.padding], [c.padding, c.padding], [0, 0]];
}

export function convWorkload(c: ConvCase, dir: ConvDirection): Workload {
  const stride = c.stride ?? 1;
  const options: Conv2dOptions = { padding: c.padding, groups: c.groups, stride };
  const wShape = [c.outChannels, c.x[1] / c.groups, c.kernel, c.kernel];
  const g: Conv2dGeometry = conv2dGeometry('bench', c.x, wShape, options);
  const work = conv2dFlops(g);
  return {
    name: `kernels/conv2d ${c.label} ${dir}`,
    description: describe(c, dir, work),
    shape: `x ${c.x.join('×')} → ${c.outChannels}, ${c.kernel}×${c.kernel}${stride > 1 ? `, stride ${stride}` : ''}${c.padding ? `, pad ${c.padding}` : ''}${c.groups > 1 ? `, groups ${c.groups}` : ''}`,
    kind: `${c.groups > 1 ? 'depthwise' : 'conv2d'} ${dir}`,
    unit: 'GFLOP/s',
    work,
    tolerance: KERNEL_TOLERANCE,
    heavy: work > 1e9,
    create() {
      const x = uniformTensor(c.x, 21);
      // Kaiming-like scale keeps outputs O(1) whatever the fan-in.
      const w = uniformTensor(wShape, 22, Math.sqrt(3 / (wShape[1] * c.kernel * c.kernel)));
      const yShape = [g.batch, g.outChannels, g.outHeight, g.outWidth];
      const dy = uniformTensor(yShape, 23);
      const [N, C, H, W] = c.x;
      const depthwise = c.groups > 1;
      return {
        async prepare(engine): Promise<Task> {
          if (engine.kind === 'simdnet') {
            const be = engine.backend;
            if (dir === 'fwd') {
              return { check: () => [conv2d(x, w, null, options, be).data], run: () => void conv2d(x, w, null, options, be), dispose() {} };
            }
            if (dir === 'bwd-filter') {
              const grads = () => conv2dBackward(dy, x, w, { ...options, inputGrad: false }, be);
              return { check: () => [grads().dw.data], run: () => void grads(), dispose() {} };
            }
            // The op conv2dBackward always computes dw too; TF.js's Conv2DBackpropInput only
            // dx. Call the backend kernel itself, with the geometry the op would compute.
            const inputGrad = () => {
              const dx = zeros(x.shape);
              be.conv2dBackwardInput(conv2dGeometry('conv2dBackward', x.shape, w.shape, options), dy.data, w.data, dx.data);
              return dx;
            };
            return { check: () => [inputGrad().data], run: () => void inputGrad(), dispose() {} };
          }
          if (engine.kind !== 'tfjs') throw new Error(`${engine.id}: no counterpart for a single kernel`);
          const tf = engine.tf;
          const pad = tfPad(c);
          const xs = nchwToNhwc(x.data, N, C, H, W);
          const filter = oihwToHwio(w.data, wShape[0], wShape[1], c.kernel, c.kernel);
          const fShape: [number, number, number, number] = depthwise ? [c.kernel, c.kernel, C, 1] : [c.kernel, c.kernel, C, c.outChannels];
          const dys = nchwToNhwc(dy.data, N, g.outChannels, g.outHeight, g.outWidth);
          const x4 = (): TfTensor => tf.tensor4d(xs, [N, H, W, C]);
          const f4 = (): TfTensor => tf.tensor4d(filter, fShape);
          const dy4 = (): TfTensor => tf.tensor4d(dys, [N, g.outHeight, g.outWidth, g.outChannels]);
          if (dir === 'fwd') {
            return tfTask(
              engine,
              () => [x4(), f4()],
              ([tx, tw]) => [depthwise ? tf.depthwiseConv2d(tx as never, tw as never, stride, pad) : tf.conv2d(tx as never, tw as never, stride, pad)],
              ([y]) => [nhwcToNchw(y, N, g.outChannels, g.outHeight, g.outWidth)],
            );
          }
          if (dir === 'bwd-input') {
            // The kernels tf.grad(conv2d) runs for dx; runKernel so nothing else is computed.
            const kernel = depthwise ? 'DepthwiseConv2dNativeBackpropInput' : 'Conv2DBackpropInput';
            const attrs = depthwise
              ? { strides: stride, dilations: 1, pad, inputShape: [N, H, W, C] }
              : { strides: stride, pad, dataFormat: 'NHWC', inputShape: [N, H, W, C] };
            return tfTask(
              engine,
              () => [dy4(), f4()],
              ([tdy, tw]) => [tf.engine().runKernel(kernel, { dy: tdy, filter: tw }, attrs as never) as TfTensor],
              ([dx]) => [nhwcToNchw(dx, N, C, H, W)],
            );
          }
          const kernel = depthwise ? 'DepthwiseConv2dNativeBackpropFilter' : 'Conv2DBackpropFilter';
          const attrs = depthwise
            ? { strides: stride, dilations: 1, pad, filterShape: fShape }
            : { strides: stride, pad, dataFormat: 'NHWC', filterShape: fShape };
          return tfTask(
            engine,
            () => [x4(), dy4()],
            ([tx, tdy]) => [tf.engine().runKernel(kernel, { x: tx, dy: tdy }, attrs as never) as TfTensor],
            ([dw]) => [hwioToOihw(dw, wShape[0], wShape[1], c.kernel, c.kernel)],
          );
        },
      };
    },
  };
}
