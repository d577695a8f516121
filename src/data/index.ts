export { readIdx, type IdxFile, type IdxData } from './idx.js';
export {
  parseMnist, loadMnist, defaultMnistDir, MNIST_FILES, MNIST_STATS,
  type Mnist, type MnistBytes, type MnistOptions, type MnistUrls, type LoadMnistOptions, type PixelStats,
} from './mnist.js';
export { loadFashionMnist, FASHION_MNIST_DIR, FASHION_MNIST_INSTALL, FASHION_MNIST_STATS, FASHION_MNIST_CLASSES } from './fashion-mnist.js';
