// Convolutions and linear layers prepared once for a compiled plan (Backend.prepareConv2d,
// prepareLinear): the weights are packed at compile time into pinned linear memory, as
// sgemm's packedA mode and the direct convolution read them, and bias, residual and
// activation run in the kernels' store instead of separate passes. A run binds the plan's
// views in place (they are linear memory) and allocates only its im2col scratch.
import type { Conv2dGeometry, PreparedProduct, ProductEpilogue } from '../backend.js';
import { checkConvGeometry, checkCounts, checkLength } from './checks.js';
import type { WasmContext } from './context.js';
import { directConvApplies, packedWeightBytes, packWeights, runDirectConv } from './conv-direct.js';
import { unfoldByChannels } from './conv-threads.js';
import { writeIm2colParams } from './kernels.js';
import { taskCount } from './split.js';

/** Floats laid out in pinned memory for as long as the product lives. */
class Pinned {
  private released = false;
  constructor(
    private readonly ctx: WasmContext,
    readonly at: number,
    readonly bytes: number,
  ) {}

  static of(ctx: WasmContext, op: string, bytes: number): Pinned {
    return new Pinned(ctx, ctx.arena.pin(op, bytes), bytes);
  }

  check(op: string): void {
    if (this.released) throw new Error(`${op}: the prepared weights were released`);
  }

  release(): void {
    if (!this.released) this.ctx.arena.unpin(this.at, this.bytes);
    this.released = true;
  }
}

function checkEpilogue(op: string, e: ProductEpilogue): void {
  const a = e.activation;
  if (a && a.kind === 'clip' && (Math.fround(a.min) !== a.min || Math.fround(a.max) !== a.max)) {
    throw new Error(`${op}: clip bounds must be float32 values, got [${a.min}, ${a.max}]`);
  }
}

/** w (and bias) written once into pinned memory: the packed weights, then the bias. */
function pinConstants(ctx: WasmContext, op: string, packedBytes: number, pack: (dst: number) => void, bias: Float32Array | null, channels: number): { mem: Pinned; w: number; bias: number } {
  const biasAt = Math.ceil(packedBytes / 16) * 16;
  const mem = Pinned.of(ctx, op, biasAt + 4 * channels);
  pack(mem.at);
  if (bias) new Float32Array(ctx.kernels.memory.buffer, mem.at + biasAt, channels).set(bias);
  return { mem, w: mem.at, bias: bias ? mem.at + biasAt : 0 };
}

/** Per-image GEMMs on large planes, or the direct kernel; null for the shapes conv.ts runs
 * better itself (groups, depthwise, several small images batched into one GEMM). */
export function prepareConv2d(ctx: WasmContext, g: Conv2dGeometry, w: Float32Array, bias: Float32Array | null, e: ProductEpilogue): PreparedProduct | null {
  const op = 'prepareConv2d';
  checkConvGeometry(op, g);
  const depth = g.inChannels * g.kernelHeight * g.kernelWidth;
  checkLength(op, 'w', w, g.outChannels * depth / g.groups);
  if (bias) checkLength(op, 'bias', bias, g.outChannels);
  checkEpilogue(op, e);
  const direct = directConvApplies(g);
  const L = g.outHeight * g.outWidth;
  if (!direct && (g.groups !== 1 || (g.batch > 1 && L < 256))) return null;
  const k = ctx.kernels;
  const { mem, w: pw, bias: pbias } = pinConstants(ctx, op, packedWeightBytes(k, g), (dst) => {
    ctx.scoped((arena) => packWeights(k, g, arena.put(op, w, w.length), dst));
  }, bias, g.outChannels);
  const pointwise = g.kernelHeight === 1 && g.kernelWidth === 1 && g.strideHeight === 1 && g.strideWidth === 1 &&
    g.padTop === 0 && g.padBottom === 0 && g.padLeft === 0 && g.padRight === 0;
  const image = g.inChannels * g.inHeight * g.inWidth;
  const outImage = g.outChannels * L;
  // im2col of one image by channel ranges over the threads, as conv2d does (a copy: the
  // columns are the same bytes however it is cut); the GEMM then splits itself.
  const unfoldParts = taskCount(ctx, 'flops', g.outChannels * L * depth, g.inChannels);
  return {
    run(x, y, residual) {
      mem.check(op);
      checkLength(op, 'x', x, g.batch * image);
      checkLength(op, 'y', y, g.batch * outImage);
      if (e.residual !== (residual !== null)) throw new Error(`${op}: prepared ${e.residual ? 'with' : 'without'} a residual, run ${residual ? 'with' : 'without'} one`);
      if (residual) checkLength(op, 'residual', residual, g.batch * outImage);
      ctx.scoped((arena) => {
        const [px, py, pres] = arena.bind(op, [
          { array: x, length: g.batch * image }, { array: y, length: g.batch * outImage, output: true },
          { array: residual, length: g.batch * outImage },
        ]);
        if (direct) {
          runDirectConv(ctx, op, g, { x: px, w: pw, bias: pbias, y: py, residual: pres, activation: e.activation, work: 0 });
        } else {
          const cols = pointwise ? 0 : arena.alloc(op, depth * L * 4);
          for (let n = 0; n < g.batch; n++) {
            let b = px + 4 * n * image;
            if (!pointwise) {
              if (unfoldParts > 1) {
                unfoldByChannels(ctx, op, 'im2col', g, g.inChannels, b, cols, unfoldParts);
              } else {
                writeIm2colParams(k, ctx.params, g, g.inChannels, b, cols);
                k.im2col(ctx.params);
              }
              b = cols;
            }
            ctx.gemm({
              m: g.outChannels, n: L, k: depth, transA: false, transB: false, lda: depth, ldb: L, ldc: L,
              a: pw, b, c: py + 4 * n * outImage, alpha: 1, beta: 0, bias: pbias, packedA: true,
              activation: e.activation ?? undefined, residual: pres ? pres + 4 * n * outImage : 0, ldr: L,
            });
          }
        }
        arena.get(py, g.batch * outImage, y);
      });
    },
    bytes: mem.bytes,
    release: () => mem.release(),
  };
}

/** y = act(x·wᵀ + bias + residual): one GEMM with the bias per column; w kept unpacked
 * (it is op(B), read transposed). */
export function prepareLinear(ctx: WasmContext, batch: number, inFeatures: number, outFeatures: number, w: Float32Array, bias: Float32Array | null, e: ProductEpilogue): PreparedProduct | null {
  const op = 'prepareLinear';
  checkCounts(op, { batch, inFeatures, outFeatures });
  checkLength(op, 'w', w, outFeatures * inFeatures);
  if (bias) checkLength(op, 'bias', bias, outFeatures);
  checkEpilogue(op, e);
  if (batch === 0 || outFeatures === 0) return null;
  const { mem, w: pw, bias: pbias } = pinConstants(ctx, op, 4 * w.length, (dst) => new Float32Array(ctx.kernels.memory.buffer, dst, w.length).set(w), bias, outFeatures);
  return {
    run(x, y, residual) {
      mem.check(op);
      checkLength(op, 'x', x, batch * inFeatures);
      checkLength(op, 'y', y, batch * outFeatures);
      if (e.residual !== (residual !== null)) throw new Error(`${op}: prepared ${e.residual ? 'with' : 'without'} a residual, run ${residual ? 'with' : 'without'} one`);
      if (residual) checkLength(op, 'residual', residual, batch * outFeatures);
      ctx.scoped((arena) => {
        const [px, py, pres] = arena.bind(op, [
          { array: x, length: batch * inFeatures }, { array: y, length: batch * outFeatures, output: true },
          { array: residual, length: batch * outFeatures },
        ]);
        ctx.gemm({
          m: batch, n: outFeatures, k: inFeatures, transA: false, transB: true, lda: inFeatures, ldb: inFeatures, ldc: outFeatures,
          a: px, b: pw, c: py, alpha: 1, beta: 0, bias: pbias, biasPerColumn: true,
          activation: e.activation ?? undefined, residual: pres, ldr: outFeatures,
        });
        arena.get(py, batch * outFeatures, y);
      });
    },
    bytes: mem.bytes,
    release: () => mem.release(),
  };
}
