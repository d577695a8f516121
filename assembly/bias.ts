// Per-channel bias kernels over x viewed as [outer, channels, inner] (NCHW with
// outer = N, inner = H·W), f32x4 over the inner run where the build has SIMD.

/** y[o, c, i] = x[o, c, i] + bias[c]; y may equal x. */
export function addBias(x: usize, bias: usize, outer: i32, channels: i32, inner: i32, y: usize): void {
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < channels; c++) {
      const b = load<f32>(bias + (<usize>c << 2));
      const offset = (<usize>(o * channels + c) * <usize>inner) << 2;
      const src = x + offset;
      const dst = y + offset;
      let i = 0;
      if (ASC_FEATURE_SIMD) {
        const vb = f32x4.splat(b);
        for (; i + 4 <= inner; i += 4) {
          const at = <usize>i << 2;
          v128.store(dst + at, f32x4.add(v128.load(src + at), vb));
        }
      }
      for (; i < inner; i++) {
        const at = <usize>i << 2;
        store<f32>(dst + at, load<f32>(src + at) + b);
      }
    }
  }
}

/** db[c] = Σ_o Σ_i dy[o, c, i] (overwrites db), accumulated in f64 per run. */
export function sumBias(dy: usize, outer: i32, channels: i32, inner: i32, db: usize): void {
  sumBiasRange(dy, outer, channels, inner, 0, channels, db);
}

/** sumBias of channels [first, first + count) only: db[c − first] (a thread's share; each
 * channel's sum is the same instructions as in sumBias). */
export function sumBiasChannels(dy: usize, outer: i32, channels: i32, inner: i32, first: i32, count: i32, db: usize): void {
  sumBiasRange(dy, outer, channels, inner, first, count, db);
}

@inline function sumBiasRange(dy: usize, outer: i32, channels: i32, inner: i32, first: i32, count: i32, db: usize): void {
  for (let c = first; c < first + count; c++) {
    let total: f64 = 0;
    for (let o = 0; o < outer; o++) {
      const src = dy + ((<usize>(o * channels + c) * <usize>inner) << 2);
      let run: f32 = 0;
      for (let i = 0; i < inner; i++) run += load<f32>(src + (<usize>i << 2));
      total += <f64>run;
    }
    store<f32>(db + (<usize>(c - first) << 2), <f32>total);
  }
}
