// Reads a PNG or JPEG into the tensor torchvision's ImageNet models expect: the shorter
// side resized to 256 (bilinear), the centre 224×224 cropped, each channel normalized with
// ImageNet's mean and standard deviation, as [1, 3, 224, 224]. Decoding goes through pngjs
// and jpeg-js (pure JavaScript); resizing and cropping are simdnet's own ops.
import { readFileSync } from 'node:fs';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { Tensor, noGrad, resize, slice } from '../../src/index.js';

const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

/** RGBA bytes and size of a PNG or JPEG file, told apart by their magic bytes. */
function decode(path: string): { width: number; height: number; rgba: Uint8Array } {
  const bytes = readFileSync(path);
  if (bytes[0] === 0x89 && bytes[1] === 0x50) {
    const png = PNG.sync.read(bytes);
    return { width: png.width, height: png.height, rgba: png.data };
  }
  if (bytes[0] === 0xff && bytes[1] === 0xd8) {
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
    return { width: img.width, height: img.height, rgba: img.data };
  }
  throw new Error(`${path}: not a PNG or JPEG file`);
}

/** [1, 3, size, size] normalized input from an image file (size 224 unless given). */
export function loadImage(path: string, size = 224, resizeTo = Math.round((size * 256) / 224)): Tensor {
  const { width, height, rgba } = decode(path);
  const chw = new Float32Array(3 * width * height);
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < width * height; i++) chw[c * width * height + i] = (rgba[4 * i + c] / 255 - MEAN[c]) / STD[c];
  }
  const image = new Tensor(chw, [1, 3, height, width]);
  const scale = resizeTo / Math.min(width, height);
  const h = Math.max(size, Math.round(height * scale));
  const w = Math.max(size, Math.round(width * scale));
  return noGrad(() => {
    const resized = resize(image, { size: [h, w], mode: 'bilinear' });
    const top = (h - size) >> 1;
    const left = (w - size) >> 1;
    return slice(resized, { starts: [top, left], ends: [top + size, left + size], axes: [2, 3] });
  });
}
