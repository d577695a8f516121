// im2col / col2im for ONE image and a range of channels (the TS side loops over images and
// groups). Rows of cols are ordered (c, kh, kw) as PyTorch's unfold; each row holds OH·OW
// values. The valid range of output columns for a tap is computed once per row, so the
// inner loops copy/add without per-element bounds checks.

// Parameter block (4-byte slots), written by writeIm2colParams in src/backend/wasm/kernels.ts:
// 0 channels, 1 H, 2 W, 3 kH, 4 kW, 5 strideH, 6 strideW, 7 dilationH, 8 dilationW,
// 9 padTop, 10 padLeft, 11 OH, 12 OW, 13 x pointer, 14 cols pointer, 15 leading dimension
// of cols in floats for im2col (0: OH·OW; larger lays several images side by side).

/** First ow with ow·stride + off ≥ 0. */
@inline function firstValid(off: i32, stride: i32): i32 {
  return off >= 0 ? 0 : (-off + stride - 1) / stride;
}

/** One past the last ow with ow·stride + off < size, clamped to [0, out]. */
@inline function endValid(off: i32, stride: i32, size: i32, out: i32): i32 {
  const last = size - 1 - off;
  return last < 0 ? 0 : min(out, last / stride + 1);
}

// Rows here are short (an output row of a few dozen floats), where V8's memory.copy /
// memory.fill calls cost more than the copy itself, so these are inline loops.

/** dst[0..n) = src[0..n). */
@inline function copyFloats(dst: usize, src: usize, n: i32): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      v128.store(dst + o, v128.load(src + o));
    }
  }
  for (; j < n; j++) {
    const o = <usize>j << 2;
    store<f32>(dst + o, load<f32>(src + o));
  }
}

/** dst[0..n) = 0. */
@inline function zeroFloats(dst: usize, n: i32): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    for (; j + 4 <= n; j += 4) v128.store(dst + (<usize>j << 2), i32x4.splat(0));
  }
  for (; j < n; j++) store<f32>(dst + (<usize>j << 2), 0);
}

/** dst[0..n) += src[0..n) (both contiguous). */
@inline function addInto(dst: usize, src: usize, n: i32): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
    }
  }
  for (; j < n; j++) {
    const o = <usize>j << 2;
    store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
  }
}

export function im2col(params: usize): void {
  const channels = load<i32>(params);
  const H = load<i32>(params, 4);
  const W = load<i32>(params, 8);
  const kH = load<i32>(params, 12);
  const kW = load<i32>(params, 16);
  const sH = load<i32>(params, 20);
  const sW = load<i32>(params, 24);
  const dH = load<i32>(params, 28);
  const dW = load<i32>(params, 32);
  const padTop = load<i32>(params, 36);
  const padLeft = load<i32>(params, 40);
  const OH = load<i32>(params, 44);
  const OW = load<i32>(params, 48);
  const x = <usize>load<u32>(params, 52);
  let dst = <usize>load<u32>(params, 56);
  const ld = load<i32>(params, 60);
  const gap = ld > OH * OW ? <usize>(ld - OH * OW) << 2 : 0;
  const rowBytes = <usize>OW << 2;
  for (let c = 0; c < channels; c++) {
    const plane = x + ((<usize>c * <usize>H * <usize>W) << 2);
    for (let kh = 0; kh < kH; kh++) {
      const offH = kh * dH - padTop;
      for (let kw = 0; kw < kW; kw++) {
        const offW = kw * dW - padLeft;
        const lo = min(firstValid(offW, sW), OW);
        const hi = max(endValid(offW, sW, W, OW), lo);
        if (kw > 0 || kh > 0 || c > 0) dst += gap;
        for (let oh = 0; oh < OH; oh++) {
          const ih = oh * sH + offH;
          if (ih < 0 || ih >= H) {
            zeroFloats(dst, OW);
          } else {
            zeroFloats(dst, lo);
            const src = plane + ((<usize>ih * <usize>W + <usize>(lo * sW + offW)) << 2);
            if (sW == 1) {
              copyFloats(dst + (<usize>lo << 2), src, hi - lo);
            } else {
              for (let ow = lo; ow < hi; ow++) {
                store<f32>(dst + (<usize>ow << 2), load<f32>(src + (<usize>((ow - lo) * sW) << 2)));
              }
            }
            zeroFloats(dst + (<usize>hi << 2), OW - hi);
          }
          dst += rowBytes;
        }
      }
    }
  }
}

/** The adjoint of im2col: zeroes the channel range of x, then adds every tap back. */
export function col2im(params: usize): void {
  const channels = load<i32>(params);
  const H = load<i32>(params, 4);
  const W = load<i32>(params, 8);
  const kH = load<i32>(params, 12);
  const kW = load<i32>(params, 16);
  const sH = load<i32>(params, 20);
  const sW = load<i32>(params, 24);
  const dH = load<i32>(params, 28);
  const dW = load<i32>(params, 32);
  const padTop = load<i32>(params, 36);
  const padLeft = load<i32>(params, 40);
  const OH = load<i32>(params, 44);
  const OW = load<i32>(params, 48);
  const x = <usize>load<u32>(params, 52);
  let src = <usize>load<u32>(params, 56);
  memory.fill(x, 0, (<usize>channels * <usize>H * <usize>W) << 2);
  const rowBytes = <usize>OW << 2;
  for (let c = 0; c < channels; c++) {
    const plane = x + ((<usize>c * <usize>H * <usize>W) << 2);
    for (let kh = 0; kh < kH; kh++) {
      const offH = kh * dH - padTop;
      for (let kw = 0; kw < kW; kw++) {
        const offW = kw * dW - padLeft;
        const lo = min(firstValid(offW, sW), OW);
        const hi = max(endValid(offW, sW, W, OW), lo);
        for (let oh = 0; oh < OH; oh++) {
          const ih = oh * sH + offH;
          if (ih >= 0 && ih < H && hi > lo) {
            const dst = plane + ((<usize>ih * <usize>W + <usize>(lo * sW + offW)) << 2);
            const from = src + (<usize>lo << 2);
            if (sW == 1) {
              addInto(dst, from, hi - lo);
            } else {
              for (let ow = lo; ow < hi; ow++) {
                const d = dst + (<usize>((ow - lo) * sW) << 2);
                store<f32>(d, load<f32>(d) + load<f32>(from + (<usize>(ow - lo) << 2)));
              }
            }
          }
          src += rowBytes;
        }
      }
    }
  }
}
