// Direct convolution for few channels (LeNet's 1→6 and 6→16 5×5): im2col would write
// C·kH·kW copies of every input pixel to memory and read them back, which costs more than
// the multiply-adds when the filters are few. Here each image is copied once into a
// zero-padded scratch (padding then needs no test), and a tile of MR output channels ×
// 8 output columns of one row accumulates over the depth p = (c, kh, kw) reading its
// 8 inputs straight from the scratch, at a per-depth offset from a table: the GEMM's
// micro-kernel with B addressed in place (the idea of XNNPACK's indirect convolution,
// with an offset table instead of a pointer buffer). Weights are packed as packGemmA packs
// A, and the store applies the shared epilogue (bias, residual, activation).
// strideWidth must be 1 (the 8 columns are contiguous); strideHeight is any.
import { DirectConv, StoreActivation } from '../src/backend/wasm/param-layouts';
import { setEpilogue, storeEpilogue1, storeEpilogue8 } from './epilogue';
import { GEMM_MR } from './gemm';
import { float, int, ptr } from './params';

/** Spare floats after each scratch row: the last tile of a row may load up to 7 past it. */
const ROW_SLACK: i32 = 8;

@inline function align16(n: usize): usize {
  return (n + 15) & ~(<usize>15);
}

function scratchRow(params: usize): i32 {
  return int(params, DirectConv.inWidth) + int(params, DirectConv.padLeft) + int(params, DirectConv.padRight) + ROW_SLACK;
}

function scratchPlane(params: usize): i32 {
  return (int(params, DirectConv.inHeight) + int(params, DirectConv.padTop) + int(params, DirectConv.padBottom) + 1) * scratchRow(params);
}

function depth(params: usize): i32 {
  return int(params, DirectConv.channels) * int(params, DirectConv.kernelHeight) * int(params, DirectConv.kernelWidth);
}

/** Bytes of scratch directConv2d needs: the padded image, the offset table and a tile. */
export function directConv2dWorkspaceBytes(params: usize): i32 {
  const image = align16(<usize>int(params, DirectConv.channels) * <usize>scratchPlane(params) * 4);
  return <i32>(image + align16(<usize>depth(params) * 4) + <usize>(GEMM_MR * 8 * 4) + 16);
}

@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/** One MR×8 tile: rows of y ldy bytes apart, `cols` (1..8) valid columns, `rows` (1..MR) channels. */
function tile8(k: i32, pw: usize, offs: usize, base: usize, dst: usize, res: usize, ldy: usize, rows: i32, cols: i32, bias: usize, tile: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0), c50 = f32x4.splat(0), c51 = f32x4.splat(0);
  for (let p = 0; p < k; p++) {
    const at = base + <usize>load<i32>(offs + (<usize>p << 2));
    const b0 = v128.load(at);
    const b1 = v128.load(at, 16);
    let a = v128.load32_splat(pw);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(pw, 4);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(pw, 8);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(pw, 12);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    if (ASC_FEATURE_RELAXED_SIMD) {
      a = v128.load32_splat(pw, 16);
      c40 = madd(a, b0, c40);
      c41 = madd(a, b1, c41);
      a = v128.load32_splat(pw, 20);
      c50 = madd(a, b0, c50);
      c51 = madd(a, b1, c51);
    }
    pw += <usize>GEMM_MR << 2;
  }
  if (cols == 8 && rows == GEMM_MR) {
    // A full tile goes straight from the registers.
    storeRow8(dst, c00, c01, bias, res);
    storeRow8(dst + ldy, c10, c11, bias + 4, res != 0 ? res + ldy : 0);
    storeRow8(dst + 2 * ldy, c20, c21, bias + 8, res != 0 ? res + 2 * ldy : 0);
    storeRow8(dst + 3 * ldy, c30, c31, bias + 12, res != 0 ? res + 3 * ldy : 0);
    if (ASC_FEATURE_RELAXED_SIMD) {
      storeRow8(dst + 4 * ldy, c40, c41, bias + 16, res != 0 ? res + 4 * ldy : 0);
      storeRow8(dst + 5 * ldy, c50, c51, bias + 20, res != 0 ? res + 5 * ldy : 0);
    }
    return;
  }
  v128.store(tile, c00);
  v128.store(tile, c01, 16);
  v128.store(tile, c10, 32);
  v128.store(tile, c11, 48);
  v128.store(tile, c20, 64);
  v128.store(tile, c21, 80);
  v128.store(tile, c30, 96);
  v128.store(tile, c31, 112);
  if (ASC_FEATURE_RELAXED_SIMD) {
    v128.store(tile, c40, 128);
    v128.store(tile, c41, 144);
    v128.store(tile, c50, 160);
    v128.store(tile, c51, 176);
  }
  storeTile(tile, dst, res, ldy, rows, cols, bias);
}

/** One row of a full tile: sums + bias (at `bias`, unless the call has none: base 0). */
@inline function storeRow8(dst: usize, y0: v128, y1: v128, bias: usize, res: usize): void {
  if (biasBase != 0) {
    const vb = v128.load32_splat(bias);
    y0 = f32x4.add(y0, vb);
    y1 = f32x4.add(y1, vb);
  }
  storeEpilogue8(dst, y0, y1, res);
}

/** Whether the current call has a bias (tile8 is handed bias + 4·r, never 0). */
let biasBase: usize = 0;

/** Copies n bytes (a multiple of 4) from src to dst: a loop beats memory.copy's call on
 * rows of a few dozen bytes. */
@inline function copyRow(dst: usize, src: usize, n: usize): void {
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 16 <= n; i += 16) v128.store(dst + i, v128.load(src + i));
  }
  for (; i < n; i += 4) store<f32>(dst + i, load<f32>(src + i));
}

/** An MR×4 tile for a row's last 1..4 columns (an 8-wide tile would waste half its work). */
function tile4(k: i32, pw: usize, offs: usize, base: usize, dst: usize, res: usize, ldy: usize, rows: i32, cols: i32, bias: usize, tile: usize): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0), c4 = f32x4.splat(0), c5 = f32x4.splat(0);
  for (let p = 0; p < k; p++) {
    const b0 = v128.load(base + <usize>load<i32>(offs + (<usize>p << 2)));
    c0 = madd(v128.load32_splat(pw), b0, c0);
    c1 = madd(v128.load32_splat(pw, 4), b0, c1);
    c2 = madd(v128.load32_splat(pw, 8), b0, c2);
    c3 = madd(v128.load32_splat(pw, 12), b0, c3);
    if (ASC_FEATURE_RELAXED_SIMD) {
      c4 = madd(v128.load32_splat(pw, 16), b0, c4);
      c5 = madd(v128.load32_splat(pw, 20), b0, c5);
    }
    pw += <usize>GEMM_MR << 2;
  }
  v128.store(tile, c0);
  v128.store(tile, c1, 32);
  v128.store(tile, c2, 64);
  v128.store(tile, c3, 96);
  if (ASC_FEATURE_RELAXED_SIMD) {
    v128.store(tile, c4, 128);
    v128.store(tile, c5, 160);
  }
  storeTile(tile, dst, res, ldy, rows, cols, bias);
}

/** Scalar tile (the scalar build): the same sums, one output at a time. */
function tileScalar(k: i32, pw: usize, offs: usize, base: usize, dst: usize, res: usize, ldy: usize, rows: i32, cols: i32, bias: usize, tile: usize): void {
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < cols; j++) {
      let s: f32 = 0;
      let w = pw + (<usize>r << 2);
      const col = base + (<usize>j << 2);
      for (let p = 0; p < k; p++) {
        s += load<f32>(w) * load<f32>(col + <usize>load<i32>(offs + (<usize>p << 2)));
        w += <usize>GEMM_MR << 2;
      }
      store<f32>(tile + (<usize>(r * 8 + j) << 2), s);
    }
  }
  storeTile(tile, dst, res, ldy, rows, cols, bias);
}

/** Writes the tile's rows×cols sums (row r at tile + 32·r) with bias, residual and activation. */
function storeTile(tile: usize, dst: usize, res: usize, ldy: usize, rows: i32, cols: i32, bias: usize): void {
  for (let r = 0; r < rows; r++) {
    const add: f32 = bias != 0 ? load<f32>(bias + (<usize>r << 2)) : 0;
    const out = dst + <usize>r * ldy;
    const src = tile + (<usize>(r * 8) << 2);
    const resRow: usize = res != 0 ? res + <usize>r * ldy : 0;
    if (ASC_FEATURE_SIMD) {
      if (cols == 8) {
        const vb = f32x4.splat(add);
        storeEpilogue8(out, f32x4.add(v128.load(src), vb), f32x4.add(v128.load(src, 16), vb), resRow);
        continue;
      }
    }
    for (let j = 0; j < cols; j++) {
      const at = <usize>j << 2;
      storeEpilogue1(out + at, load<f32>(src + at) + add, resRow != 0 ? resRow + at : 0);
    }
  }
}

/** y = act(conv(x, w) + bias + residual) over the whole batch (DirectConv layout). */
export function directConv2d(params: usize): void {
  const batch = int(params, DirectConv.batch);
  const channels = int(params, DirectConv.channels);
  const inH = int(params, DirectConv.inHeight);
  const inW = int(params, DirectConv.inWidth);
  const outC = int(params, DirectConv.outChannels);
  const outH = int(params, DirectConv.outHeight);
  const outW = int(params, DirectConv.outWidth);
  const kH = int(params, DirectConv.kernelHeight);
  const kW = int(params, DirectConv.kernelWidth);
  const strideH = int(params, DirectConv.strideHeight);
  const dilH = int(params, DirectConv.dilationHeight);
  const dilW = int(params, DirectConv.dilationWidth);
  const padTop = int(params, DirectConv.padTop);
  const padLeft = int(params, DirectConv.padLeft);
  const x = ptr(params, DirectConv.x);
  const w = ptr(params, DirectConv.w);
  const bias = ptr(params, DirectConv.bias);
  const y = ptr(params, DirectConv.y);
  const residual = ptr(params, DirectConv.residual);
  const work = align16(ptr(params, DirectConv.work));
  biasBase = bias;
  setEpilogue(int(params, DirectConv.activation), float(params, DirectConv.actMin), float(params, DirectConv.actMax));
  if (batch <= 0 || outC <= 0 || outH <= 0 || outW <= 0) return;
  const row = scratchRow(params);
  const plane = scratchPlane(params);
  const k = depth(params);
  const imageBytes = <usize>channels * <usize>plane * 4;
  const offs = work + align16(imageBytes);
  const tile = offs + align16(<usize>k * 4);
  memory.fill(work, 0, imageBytes);
  let p = 0;
  for (let c = 0; c < channels; c++) {
    for (let kh = 0; kh < kH; kh++) {
      for (let kw = 0; kw < kW; kw++) {
        store<i32>(offs + (<usize>p << 2), (c * plane + kh * dilH * row + kw * dilW) * 4);
        p++;
      }
    }
  }
  const outPlane = <usize>outH * <usize>outW;
  const ldy = outPlane << 2;
  const rowBytes = <usize>inW << 2;
  const panelBytes = <usize>(GEMM_MR * k) << 2;
  for (let n = 0; n < batch; n++) {
    // The image's rows into the scratch's interior; its border stays zero.
    const image = x + <usize>n * <usize>channels * <usize>inH * rowBytes;
    for (let c = 0; c < channels; c++) {
      for (let h = 0; h < inH; h++) {
        copyRow(work + ((<usize>c * <usize>plane + <usize>(h + padTop) * <usize>row + <usize>padLeft) << 2), image + (<usize>(c * inH + h)) * rowBytes, rowBytes);
      }
    }
    const yImage = y + <usize>n * <usize>outC * ldy;
    const resImage: usize = residual != 0 ? residual + <usize>n * <usize>outC * ldy : 0;
    for (let oc = 0; oc < outC; oc += GEMM_MR) {
      const rows = min(GEMM_MR, outC - oc);
      const pw = w + <usize>(oc / GEMM_MR) * panelBytes;
      const pbias: usize = bias != 0 ? bias + (<usize>oc << 2) : 0;
      for (let oh = 0; oh < outH; oh++) {
        const inRow = work + ((<usize>(oh * strideH) * <usize>row) << 2);
        const outRow = (<usize>oc * outPlane + <usize>oh * <usize>outW) << 2;
        for (let ow = 0; ow < outW; ow += 8) {
          const cols = min(8, outW - ow);
          const base = inRow + (<usize>ow << 2);
          const dst = yImage + outRow + (<usize>ow << 2);
          const res: usize = resImage != 0 ? resImage + outRow + (<usize>ow << 2) : 0;
          if (ASC_FEATURE_SIMD) {
            if (cols <= 4) tile4(k, pw, offs, base, dst, res, ldy, rows, cols, pbias, tile);
            else tile8(k, pw, offs, base, dst, res, ldy, rows, cols, pbias, tile);
          } else {
            tileScalar(k, pw, offs, base, dst, res, ldy, rows, cols, pbias, tile);
          }
        }
      }
    }
  }
  setEpilogue(StoreActivation.none, 0, 0);
}
