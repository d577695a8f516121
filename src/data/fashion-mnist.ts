// Fashion-MNIST (Zalando): 28×28 grey images of 10 kinds of clothing, in MNIST's format and
// sizes (60,000 training, 10,000 test images) but much harder to classify. By default read
// from Debian's dataset-fashion-mnist package, which installs the four gzipped IDX files
// into /usr/share/datasets/fashion-mnist/.
import { loadIdxDataset, type IdxDataset, type LoadMnistOptions, type Mnist, type PixelStats } from './mnist.js';

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
export const FASHION_MNIST_INSTALL = 'apt-get install -y dataset-fashion-mnist';
/** Measured over the 60,000 training images: 0.28604 and 0.35302. */
export const FASHION_MNIST_STATS: Readonly<PixelStats> = Object.freeze({ mean: 0.2860, std: 0.3530 });
/** Label k is FASHION_MNIST_CLASSES[k]. */
export const FASHION_MNIST_CLASSES = Object.freeze(['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'] as const);

export const FASHION_MNIST: IdxDataset = {
  name: 'Fashion-MNIST',
  stats: FASHION_MNIST_STATS,
  defaultDir: async () => FASHION_MNIST_DIR,
  missing: (dir) =>
    `Fashion-MNIST is not installed (${dir ?? FASHION_MNIST_DIR} not found); install Debian's package: ${FASHION_MNIST_INSTALL} ` +
    '(or pass { dir } with the four IDX files, or { urls })',
};

/** Reads Fashion-MNIST: from `dir`, from `urls`, or by default from Debian's
 * dataset-fashion-mnist package. `normalize: true` uses Fashion-MNIST's own statistics. */
export async function loadFashionMnist(options: LoadMnistOptions = {}): Promise<Mnist> {
  return loadIdxDataset('loadFashionMnist', FASHION_MNIST, options);
}
