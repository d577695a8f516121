// The Backend object over one loaded module. Every method validates counts, lengths and
// geometry before touching the arena (a bad call throws, it never traps), copies inputs
// into the arena, runs the kernels and copies the results out. Copies of cache-resident
// arrays run at tens of GB/s, so even bias and ReLU pay in wasm (ReLU ~25× over the
// branchy JS loop), and so do clip/ReLU6 and hard-swish, which follow MobileNet's
// convolutions; the remaining activations and softmax stay in the shared TypeScript
// kernels, whose float64 arithmetic (exp, slope·x) a float32 kernel would not reproduce.
// Resize's forward (U-Net and FPN decoders) runs here too; its backward stays shared.
import type { AdaptivePool2dGeometry, Backend, Conv2dGeometry, GemmParams, Pool2dGeometry } from '../backend.js';
import * as elementwise from '../elementwise.js';
import { checkAllocateOptions, checkBufferFloats, checkView } from '../host-buffer.js';
import { checkAdaptivePoolGeometry, checkConvGeometry, checkCounts, checkLength, checkPoolGeometry, checkResizeGeometry } from './checks.js';
import { WasmContext, type WasmContextOptions } from './context.js';
import { conv2d, conv2dBackwardFilter, conv2dBackwardInput, inputSize, outputSize, weightSize } from './conv.js';
import { addBiasThreads, mapRuns, sumBiasThreads } from './elementwise-threads.js';
import type { WasmVariant } from './features.js';
import { gemmBlocking, writeIm2colParams, type GemmBlocking, type KernelExports } from './kernels.js';
import * as layout from './layout.js';
import * as norm from './norm.js';
import * as pool from './pool.js';
import { prepareConv2d, prepareLinear } from './prepared.js';
import { DEFAULT_SPLIT_THRESHOLDS, setSplitThresholds, type SplitThresholds } from './split.js';
import { resize } from './resize.js';
import { refuseStaleViews } from './stale.js';

export interface WasmBackend extends Backend {
  readonly variant: WasmVariant;
  /** Threads the kernels run on (1: the calling thread only). */
  readonly threads: number;
  /** Why it runs on fewer threads than asked for (or than the default), or null. */
  readonly threadsFallback: string | null;
  /** Ends the worker threads; every later call throws. Resolves when they have stopped. */
  dispose(): Promise<void>;
  /** Why this backend can run nothing any more (disposed, or a worker died), or null. */
  readonly failure: string | null;
  /** Bytes of linear memory the arena currently holds (grows on demand, never shrinks). */
  readonly memoryBytes: number;
  /** Bytes held now by live resident tensors and compiled plans (falls when they are disposed). */
  readonly pinnedBytes: number;
  /** SGEMM micro-tile (mr×nr) and cache blocks of this variant, for tests and benchmarks. */
  readonly gemmBlocking: GemmBlocking;
}

function checkConvArrays(op: string, g: Conv2dGeometry, arrays: Record<string, [ArrayLike<number> | null, (g: Conv2dGeometry) => number]>): void {
  checkConvGeometry(op, g);
  for (const [name, [array, size]] of Object.entries(arrays)) if (array !== null) checkLength(op, name, array, size(g));
}

function poolSizes(op: string, g: Pool2dGeometry): { nx: number; ny: number } {
  checkPoolGeometry(op, g);
  return planeSizes(g);
}

function adaptiveSizes(op: string, g: AdaptivePool2dGeometry): { nx: number; ny: number } {
  checkAdaptivePoolGeometry(op, g);
  return planeSizes(g);
}

function planeSizes(g: AdaptivePool2dGeometry): { nx: number; ny: number } {
  const planes = g.batch * g.channels;
  return { nx: planes * g.inHeight * g.inWidth, ny: planes * g.outHeight * g.outWidth };
}

function colsSize(g: Conv2dGeometry): number {
  return g.batch * g.inChannels * g.kernelHeight * g.kernelWidth * g.outHeight * g.outWidth;
}

/** The kernels compare float32 x with float32 bounds: a bound that float32 cannot hold
 * would compare differently from the TypeScript kernel's (the ops round them first). */
function checkBounds(op: string, min: number, max: number): void {
  for (const [name, v] of [['min', min], ['max', max]] as const) {
    if (typeof v !== 'number' || Number.isNaN(v) || Math.fround(v) !== v) throw new Error(`${op}: ${name} must be a float32 value (±Infinity allowed), got ${v}`);
  }
}

export interface WasmBackendContextOptions extends WasmContextOptions {
  /** Work below which a call is not split over threads (split.ts; tests set 0). */
  splitThresholds?: Partial<SplitThresholds>;
}

export interface WasmBackendInfo {
  /** Reported as the backend's threadsFallback (default null). */
  threadsFallback?: string | null;
}

/** A context with the options' split thresholds. */
function contextFor(kernels: KernelExports, options: WasmBackendContextOptions): WasmContext {
  const { splitThresholds, ...contextOptions } = options;
  const ctx = new WasmContext(kernels, contextOptions);
  if (splitThresholds) setSplitThresholds(ctx, { ...DEFAULT_SPLIT_THRESHOLDS, ...splitThresholds });
  return ctx;
}

/** The backend over one module; `context` sets how many threads its work is split over (or
 * is the context itself, made by the loader of a threads build, its pool installed). */
export function createWasmBackend(kernels: KernelExports, variant: WasmVariant, context: WasmBackendContextOptions | WasmContext = {}, info: WasmBackendInfo = {}): WasmBackend {
  const ctx = context instanceof WasmContext ? context : contextFor(kernels, context);

  /** im2col or col2im over every image: all channels at once (groups do not change the layout). */
  function unfold(op: 'im2col' | 'col2im', g: Conv2dGeometry, x: Float32Array, cols: Float32Array): void {
    checkConvArrays(op, g, { x: [x, inputSize], cols: [cols, colsSize] });
    const image = g.inChannels * g.inHeight * g.inWidth;
    const colsImage = colsSize(g) / g.batch;
    ctx.scoped((arena) => {
      const px = op === 'im2col' ? arena.put(op, x, inputSize(g)) : arena.alloc(op, inputSize(g) * 4);
      const pc = op === 'im2col' ? arena.alloc(op, colsSize(g) * 4) : arena.put(op, cols, colsSize(g));
      for (let n = 0; n < g.batch; n++) {
        writeIm2colParams(kernels, ctx.params, g, g.inChannels, px + 4 * n * image, pc + 4 * n * colsImage);
        kernels[op](ctx.params);
      }
      if (op === 'im2col') arena.get(pc, colsSize(g), cols);
      else arena.get(px, inputSize(g), x);
    });
  }

  /** y = f(x) elementwise: x copied in, the kernel run in place, the result copied out;
   * resident arrays are read and written where they are. n is read before any allocation
   * (which may grow memory and detach a resident x). */
  function mapInPlace(op: string, x: Float32Array, y: Float32Array, run: (px: number, py: number, n: number) => void): void {
    const n = x.length;
    checkLength(op, 'y', y, n);
    ctx.scoped((arena) => {
      if (arena.resident(y)) {
        const [px, py] = arena.bind(op, [{ array: x, length: n }, { array: y, length: n, output: true }]);
        run(px, py, n);
        return;
      }
      const px = arena.put(op, x, n);
      run(px, px, n);
      arena.get(px, n, y);
    });
  }

  /** dx = f(x, dy) elementwise, written over a copy of dy: dx's own memory when dx is
   * resident (no copy out), else the arena's. */
  function mapGradient(op: string, x: Float32Array, dy: Float32Array, dx: Float32Array, run: (px: number, pdy: number, n: number) => void): void {
    const n = x.length;
    checkLength(op, 'dy', dy, n);
    checkLength(op, 'dx', dx, n);
    ctx.scoped((arena) => {
      if (arena.resident(dx)) {
        const [px, pdx] = arena.bind(op, [{ array: x, length: n }, { array: dx, length: n, output: true }]);
        arena.copyIn(op, dy, pdx, n);
        run(px, pdx, n);
        return;
      }
      const px = arena.put(op, x, n);
      const pdy = arena.put(op, dy, n);
      run(px, pdy, n);
      arena.get(pdy, n, dx);
    });
  }

  const backend: WasmBackend = {
    // The shared TS kernels first; the ones wasm runs itself (bias, ReLU, constant pad,
    // batch and group norm) override below.
    ...elementwise.elementwiseKernels,
    name: 'wasm',
    variant,
    threads: ctx.threads,
    threadsFallback: info.threadsFallback ?? null,
    dispose() {
      return ctx.dispose();
    },
    get failure() {
      return ctx.failure;
    },
    allocate(floats, options) {
      ctx.check('allocate');
      checkBufferFloats(floats);
      const zero = checkAllocateOptions(options);
      const bytes = 4 * floats;
      const start = ctx.arena.pin('allocate', bytes);
      // Views are placed (their address recorded) so a kernel still finds a view that an
      // allocation inside the call detached.
      const viewAt = (offset: number, length: number): Float32Array => {
        const v = new Float32Array(kernels.memory.buffer, start + 4 * offset, length);
        ctx.arena.place(v, start + 4 * offset);
        return v;
      };
      if (zero) viewAt(0, floats).fill(0);
      let released = false;
      return {
        floats,
        view(offset, length) {
          checkView(floats, offset, length, released);
          return viewAt(offset, length);
        },
        release() {
          if (!released) ctx.arena.unpin(start, bytes);
          released = true;
        },
      };
    },
    gemmBlocking: gemmBlocking(kernels),
    get memoryBytes() {
      return ctx.arena.capacity;
    },
    get pinnedBytes() {
      return ctx.arena.pinnedBytes;
    },

    gemm(m: number, n: number, k: number, a: Float32Array, b: Float32Array, c: Float32Array, p: GemmParams): void {
      checkCounts('gemm', { m, n, k });
      checkLength('gemm', 'a', a, m * k);
      checkLength('gemm', 'b', b, k * n);
      checkLength('gemm', 'c', c, m * n);
      if (!Number.isFinite(p.alpha) || !Number.isFinite(p.beta)) throw new Error(`gemm: alpha ${p.alpha} and beta ${p.beta} must be finite`);
      if (m === 0 || n === 0) return;
      ctx.scoped((arena) => {
        // C is read too when beta ≠ 0: a resident C accumulates in place, any other is copied in.
        const [pa, pb, pc] = arena.bind('gemm', [
          { array: a, length: m * k }, { array: b, length: k * n },
          p.beta !== 0 && !arena.resident(c) ? { array: c, length: m * n } : { array: c, length: m * n, output: true },
        ]);
        ctx.gemm({
          m, n, k, transA: p.transA, transB: p.transB, lda: p.transA ? m : k, ldb: p.transB ? k : n, ldc: n,
          a: pa, b: pb, c: pc, alpha: p.alpha, beta: p.beta, bias: 0,
        });
        arena.get(pc, m * n, c);
      });
    },

    im2col(g, x, cols) {
      unfold('im2col', g, x, cols);
    },
    col2im(g, cols, x) {
      unfold('col2im', g, x, cols);
    },

    conv2d(g, x, w, bias, y) {
      checkConvArrays('conv2d', g, { x: [x, inputSize], w: [w, weightSize], bias: [bias, (q) => q.outChannels], y: [y, outputSize] });
      conv2d(ctx, g, x, w, bias, y);
    },
    prepareConv2d: (g, w, bias, epilogue) => prepareConv2d(ctx, g, w, bias, epilogue),
    prepareLinear: (batch, inFeatures, outFeatures, w, bias, epilogue) => prepareLinear(ctx, batch, inFeatures, outFeatures, w, bias, epilogue),
    conv2dBackwardInput(g, dy, w, dx) {
      checkConvArrays('conv2dBackwardInput', g, { dy: [dy, outputSize], w: [w, weightSize], dx: [dx, inputSize] });
      conv2dBackwardInput(ctx, g, dy, w, dx);
    },
    conv2dBackwardFilter(g, dy, x, dw, db) {
      checkConvArrays('conv2dBackwardFilter', g, { dy: [dy, outputSize], x: [x, inputSize], dw: [dw, weightSize], db: [db, (q) => q.outChannels] });
      conv2dBackwardFilter(ctx, g, dy, x, dw, db);
    },

    maxPool2d(g, x, y, argmax) {
      const { nx, ny } = poolSizes('maxPool2d', g);
      checkLength('maxPool2d', 'x', x, nx);
      checkLength('maxPool2d', 'y', y, ny);
      checkLength('maxPool2d', 'argmax', argmax, ny);
      pool.maxPool2d(ctx, g, x, y, argmax);
    },
    maxPool2dBackward(g, dy, argmax, dx) {
      const { nx, ny } = poolSizes('maxPool2dBackward', g);
      checkLength('maxPool2dBackward', 'dy', dy, ny);
      checkLength('maxPool2dBackward', 'argmax', argmax, ny);
      checkLength('maxPool2dBackward', 'dx', dx, nx);
      pool.maxPool2dBackward(ctx, g, dy, argmax, dx);
    },
    avgPool2d(g, x, y) {
      const { nx, ny } = poolSizes('avgPool2d', g);
      checkLength('avgPool2d', 'x', x, nx);
      checkLength('avgPool2d', 'y', y, ny);
      pool.avgPool2d(ctx, g, x, y);
    },
    avgPool2dBackward(g, dy, dx) {
      const { nx, ny } = poolSizes('avgPool2dBackward', g);
      checkLength('avgPool2dBackward', 'dy', dy, ny);
      checkLength('avgPool2dBackward', 'dx', dx, nx);
      pool.avgPool2dBackward(ctx, g, dy, dx);
    },
    adaptiveAvgPool2d(g, x, y) {
      const { nx, ny } = adaptiveSizes('adaptiveAvgPool2d', g);
      checkLength('adaptiveAvgPool2d', 'x', x, nx);
      checkLength('adaptiveAvgPool2d', 'y', y, ny);
      pool.adaptiveAvgPool2d(ctx, g, x, y);
    },
    adaptiveAvgPool2dBackward(g, dy, dx) {
      const { nx, ny } = adaptiveSizes('adaptiveAvgPool2dBackward', g);
      checkLength('adaptiveAvgPool2dBackward', 'dy', dy, ny);
      checkLength('adaptiveAvgPool2dBackward', 'dx', dx, nx);
      pool.adaptiveAvgPool2dBackward(ctx, g, dy, dx);
    },

    // Forward only: the backward (a scatter-add) stays in the shared float64 kernel, and so
    // do bicubic and a forward with outside positions (tf_crop_and_resize's extrapolation).
    resize(g, x, y) {
      checkResizeGeometry('resize', g);
      const planes = g.batch * g.channels;
      checkLength('resize', 'x', x, planes * g.inHeight * g.inWidth);
      checkLength('resize', 'y', y, planes * g.outHeight * g.outWidth);
      if (g.mode === 'bicubic' || g.rows.outside !== null || g.cols.outside !== null) elementwise.elementwiseKernels.resize(g, x, y);
      else resize(ctx, g, x, y);
    },

    addBias(x, bias, outer, channels, inner, y) {
      checkCounts('addBias', { outer, channels, inner });
      const size = outer * channels * inner;
      checkLength('addBias', 'x', x, size);
      checkLength('addBias', 'bias', bias, channels);
      checkLength('addBias', 'y', y, size);
      // The bias is bound inside: x and y already have their addresses, so its copy may grow memory.
      mapInPlace('addBias', x, y, (px, py) => addBiasThreads(ctx, px, ctx.arena.put('addBias', bias, channels), outer, channels, inner, py));
    },
    sumBias(dy, outer, channels, inner, db) {
      checkCounts('sumBias', { outer, channels, inner });
      checkLength('sumBias', 'dy', dy, outer * channels * inner);
      checkLength('sumBias', 'db', db, channels);
      ctx.scoped((arena) => {
        const [pdy, pdb] = arena.bind('sumBias', [{ array: dy, length: outer * channels * inner }, { array: db, length: channels, output: true }]);
        sumBiasThreads(ctx, 'sumBias', pdy, outer, channels, inner, pdb);
        arena.get(pdb, channels, db);
      });
    },

    pad(g, x, y) {
      layout.pad(ctx, g, x, y);
    },
    padBackward(g, dy, dx) {
      layout.padBackward(ctx, g, dy, dx);
    },

    batchNormStats(g, x, mean, variance) {
      norm.batchNormStats(ctx, g, x, mean, variance);
    },
    batchNormApply(g, x, mean, invStd, gamma, beta, y) {
      norm.batchNormApply(ctx, g, x, mean, invStd, gamma, beta, y);
    },
    batchNormBackward(g, dy, x, mean, invStd, gamma, batchStats, dx, dgamma, dbeta) {
      norm.batchNormBackward(ctx, g, dy, x, mean, invStd, gamma, batchStats, dx, dgamma, dbeta);
    },
    groupNormStats(g, x, mean, variance) {
      norm.groupNormStats(ctx, g, x, mean, variance);
    },
    groupNormApply(g, x, mean, invStd, gamma, beta, y) {
      norm.groupNormApply(ctx, g, x, mean, invStd, gamma, beta, y);
    },
    groupNormBackward(g, dy, x, mean, invStd, gamma, dx, dgamma, dbeta) {
      norm.groupNormBackward(ctx, g, dy, x, mean, invStd, gamma, dx, dgamma, dbeta);
    },

    relu(x, y) {
      mapInPlace('relu', x, y, (px, py, n) => mapRuns(ctx, 'relu', n, (o, c) => ['relu', px + o, py + o, c]));
    },
    reluBackward(x, dy, dx) {
      mapGradient('reluBackward', x, dy, dx, (px, pdy, n) => mapRuns(ctx, 'reluBackward', n, (o, c) => ['reluBackward', px + o, pdy + o, pdy + o, c]));
    },
    clip(x, min, max, y) {
      checkBounds('clip', min, max);
      mapInPlace('clip', x, y, (px, py, n) => mapRuns(ctx, 'clip', n, (o, c) => ['clip', px + o, py + o, c, min, max]));
    },
    clipBackward(x, min, max, dy, dx) {
      checkBounds('clipBackward', min, max);
      mapGradient('clipBackward', x, dy, dx, (px, pdy, n) => mapRuns(ctx, 'clipBackward', n, (o, c) => ['clipBackward', px + o, pdy + o, pdy + o, c, min, max]));
    },
    hardSwish(x, y) {
      mapInPlace('hardSwish', x, y, (px, py, n) => mapRuns(ctx, 'hardSwish', n, (o, c) => ['hardSwish', px + o, py + o, c]));
    },
    hardSwishBackward(x, dy, dx) {
      mapGradient('hardSwishBackward', x, dy, dx, (px, pdy, n) => mapRuns(ctx, 'hardSwishBackward', n, (o, c) => ['hardSwishBackward', px + o, pdy + o, pdy + o, c]));
    },
  };
  return Object.freeze(guarded(backend, ctx));
}

/** The backend with every method but dispose checking first that the context still runs,
 * so a call after dispose (or after a worker died) throws naming the method, and that no
 * argument is a view of memory a grow detached before the call (refuseStaleViews). */
function guarded(backend: WasmBackend, ctx: WasmContext): WasmBackend {
  const descriptors = Object.getOwnPropertyDescriptors(backend);
  for (const [name, d] of Object.entries(descriptors)) {
    const method = d.value;
    if (typeof method !== 'function' || name === 'dispose') continue;
    d.value = function (this: unknown, ...args: unknown[]) {
      ctx.check(name);
      refuseStaleViews(name, args, ctx.arena);
      return method.apply(this, args);
    };
  }
  return Object.defineProperties({}, descriptors) as WasmBackend;
}
