// gzip, as the Fashion-MNIST and original MNIST distributions ship their IDX files. Uses
// DecompressionStream (browsers, Node ≥ 18), so it needs no Node built-in.

/** True when `bytes` start with the gzip magic number 0x1f 0x8b (an IDX file starts 0x00 0x00). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** The decompressed bytes of a gzip file; `op` and `what` name it in errors. */
export async function gunzip(bytes: Uint8Array, op: string, what: string): Promise<Uint8Array> {
  if (typeof DecompressionStream !== 'function') throw new Error(`${op}: ${what} is gzipped and this engine has no DecompressionStream; decompress it first`);
  try {
    const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (cause) {
    throw new Error(`${op}: ${what} is not valid gzip data (${(cause as Error).message})`);
  }
}
