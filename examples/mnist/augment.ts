// Training-set augmentation for MNIST: every image moved by a random whole-pixel shift of
// up to ±maxShift in each direction, the uncovered border filled with the image's own
// background (its top-left pixel, which is blank in MNIST). A fresh copy per epoch.
import { Random } from '../../src/random.js';
import { Tensor } from '../../src/tensor.js';

export function shiftImages(images: Tensor, maxShift: number, random: Random): Tensor {
  if (images.rank !== 4) throw new Error(`shiftImages: expected images [N, C, H, W], got [${images.shape.join(', ')}]`);
  if (!Number.isInteger(maxShift) || maxShift < 0) throw new Error(`shiftImages: maxShift must be a non-negative integer, got ${maxShift}`);
  const [n, c, h, w] = images.shape;
  const src = images.data;
  const out = new Float32Array(src.length);
  const plane = h * w;
  for (let i = 0; i < n; i++) {
    const dy = random.int(2 * maxShift + 1) - maxShift;
    const dx = random.int(2 * maxShift + 1) - maxShift;
    for (let ch = 0; ch < c; ch++) {
      const base = (i * c + ch) * plane;
      const fill = src[base];
      for (let y = 0; y < h; y++) {
        const sy = y - dy;
        for (let x = 0; x < w; x++) {
          const sx = x - dx;
          out[base + y * w + x] = sy >= 0 && sy < h && sx >= 0 && sx < w ? src[base + sy * w + sx] : fill;
        }
      }
    }
  }
  return new Tensor(out, images.shape);
}
