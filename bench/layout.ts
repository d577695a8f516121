// Layout conversions between simdnet (NCHW, weights OIHW) and TF.js (NHWC, filters HWIO),
// done once outside the timed region so both engines do the same work. Pure.

/** [N, C, H, W] → [N, H, W, C]. */
export function nchwToNhwc(src: Float32Array, n: number, c: number, h: number, w: number): Float32Array {
  const dst = new Float32Array(src.length);
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) dst[((b * h + y) * w + x) * c + ch] = src[((b * c + ch) * h + y) * w + x];
  return dst;
}

/** [N, H, W, C] → [N, C, H, W]. */
export function nhwcToNchw(src: Float32Array, n: number, c: number, h: number, w: number): Float32Array {
  const dst = new Float32Array(src.length);
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) dst[((b * c + ch) * h + y) * w + x] = src[((b * h + y) * w + x) * c + ch];
  return dst;
}

/** Conv weight [O, I, kH, kW] → TF.js filter [kH, kW, I, O]. With I = 1 (depthwise, one
 * filter per channel) the result is also TF.js's depthwise filter [kH, kW, C, 1]. */
export function oihwToHwio(src: Float32Array, o: number, i: number, kh: number, kw: number): Float32Array {
  const dst = new Float32Array(src.length);
  for (let a = 0; a < o; a++)
    for (let b = 0; b < i; b++)
      for (let y = 0; y < kh; y++)
        for (let x = 0; x < kw; x++) dst[((y * kw + x) * i + b) * o + a] = src[((a * i + b) * kh + y) * kw + x];
  return dst;
}

/** TF.js filter [kH, kW, I, O] → [O, I, kH, kW]. */
export function hwioToOihw(src: Float32Array, o: number, i: number, kh: number, kw: number): Float32Array {
  const dst = new Float32Array(src.length);
  for (let a = 0; a < o; a++)
    for (let b = 0; b < i; b++)
      for (let y = 0; y < kh; y++)
        for (let x = 0; x < kw; x++) dst[((a * i + b) * kh + y) * kw + x] = src[((y * kw + x) * i + b) * o + a];
  return dst;
}

/** Linear weight [out, in] → TF.js matMul operand [in, out] (and back: it is a transpose). */
export function transpose2d(src: Float32Array, rows: number, cols: number): Float32Array {
  const dst = new Float32Array(src.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) dst[c * rows + r] = src[r * cols + c];
  return dst;
}
