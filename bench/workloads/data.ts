// Seeded inputs for the rows, as simdnet tensors (TF.js copies are made from these).
import { Random } from '../../src/random.js';
import { Tensor, shapeSize, type Shape } from '../../src/tensor.js';

/** Uniform in [-scale, scale): bounded, so sums over k ≤ 1024 stay well inside float32. */
export function uniformTensor(shape: Shape, seed: number, scale = 1): Tensor {
  const rng = new Random(seed);
  const data = new Float32Array(shapeSize(shape));
  for (let i = 0; i < data.length; i++) data[i] = rng.uniform(-scale, scale);
  return new Tensor(data, shape);
}
