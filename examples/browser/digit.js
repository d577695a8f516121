// Turns a drawing into a model input the way MNIST digits were made: crop to the ink,
// scale the longer side to 20 pixels by area averaging, then place it in a 28×28 frame
// so that its centre of mass sits at the centre. Pure functions: no DOM, so Node tests
// can call them too.

export const SIDE = 28;
const BOX = 20;
const INK = 0.02;

/** 1-D area-average resampling weights: for each of `to` output cells, the source cells
 * it covers and by how much (a source of `from` cells stretched over `to`). */
function areaWeights(from, to) {
  const scale = from / to;
  const cells = [];
  for (let o = 0; o < to; o++) {
    const start = o * scale;
    const end = start + scale;
    const taps = [];
    for (let s = Math.floor(start); s < Math.min(from, Math.ceil(end)); s++) {
      const cover = Math.min(end, s + 1) - Math.max(start, s);
      if (cover > 1e-9) taps.push([s, cover / scale]);
    }
    cells.push(taps);
  }
  return cells;
}

/** Resamples a w×h grayscale image to tw×th by area averaging (separable). */
export function resampleArea(src, w, h, tw, th) {
  const cols = areaWeights(w, tw);
  const rows = areaWeights(h, th);
  const mid = new Float64Array(tw * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < tw; x++) {
      let s = 0;
      for (const [sx, wgt] of cols[x]) s += src[y * w + sx] * wgt;
      mid[y * tw + x] = s;
    }
  }
  const out = new Float64Array(tw * th);
  for (let y = 0; y < th; y++) {
    for (let x = 0; x < tw; x++) {
      let s = 0;
      for (const [sy, wgt] of rows[y]) s += mid[sy * tw + x] * wgt;
      out[y * tw + x] = s;
    }
  }
  return out;
}

/** The bounding box of pixels above the ink threshold, or null for an empty drawing. */
export function inkBox(gray, w, h) {
  let x0 = w, y0 = h, x1 = -1, y1 = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (gray[y * w + x] > INK) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  return x1 < 0 ? null : { x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1 };
}

/**
 * gray: w×h intensities in [0, 1] (ink = 1). Returns a Float32Array(784) in [0, 1], MNIST
 * style, or null when nothing is drawn.
 */
export function toMnistInput(gray, w, h) {
  const box = inkBox(gray, w, h);
  if (!box) return null;
  const crop = new Float64Array(box.w * box.h);
  for (let y = 0; y < box.h; y++) {
    for (let x = 0; x < box.w; x++) crop[y * box.w + x] = gray[(box.y + y) * w + box.x + x];
  }
  const scale = BOX / Math.max(box.w, box.h);
  const tw = Math.max(1, Math.round(box.w * scale));
  const th = Math.max(1, Math.round(box.h * scale));
  const small = resampleArea(crop, box.w, box.h, tw, th);

  let mass = 0, mx = 0, my = 0;
  for (let y = 0; y < th; y++) {
    for (let x = 0; x < tw; x++) {
      const v = small[y * tw + x];
      mass += v;
      mx += v * x;
      my += v * y;
    }
  }
  // Whole-pixel shift so the centre of mass lands on (14, 14), clamped to stay in frame.
  const clamp = (v, hi) => Math.min(Math.max(v, 0), hi);
  const ox = clamp(Math.round(SIDE / 2 - 0.5 - mx / mass), SIDE - tw);
  const oy = clamp(Math.round(SIDE / 2 - 0.5 - my / mass), SIDE - th);
  const out = new Float32Array(SIDE * SIDE);
  for (let y = 0; y < th; y++) {
    for (let x = 0; x < tw; x++) out[(oy + y) * SIDE + ox + x] = Math.min(1, small[y * tw + x]);
  }
  return out;
}

/** RGBA canvas pixels (white ink on black) → grayscale intensities in [0, 1]. */
export function rgbaToGray(rgba, w, h) {
  const gray = new Float32Array(w * h);
  for (let i = 0; i < w * h; i++) gray[i] = rgba[4 * i] / 255;
  return gray;
}
