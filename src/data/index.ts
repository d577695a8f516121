export { readIdx, type IdxFile, type IdxData } from './idx.js';
export { parseMnist, loadMnist, defaultMnistDir, MNIST_FILES, type Mnist, type MnistBytes, type MnistOptions } from './mnist.js';
