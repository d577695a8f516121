// Scratch buffers that outlive a call: allocated once, grown when a larger shape comes,
// so the hot path does not allocate. JavaScript is single-threaded, so a kernel can own
// a workspace for the length of its call; two buffers used at the same time must be two
// workspaces.

export class Workspace {
  private buffer = new Float32Array(0);

  /** A buffer of at least `length` floats; contents are whatever the last user left. */
  get(length: number): Float32Array {
    if (this.buffer.length < length) {
      // Grow by at least half again so a slowly rising size does not reallocate every call.
      this.buffer = new Float32Array(Math.max(length, Math.ceil(this.buffer.length * 1.5)));
    }
    return this.buffer;
  }

  /** Floats currently held (for tests that check reuse). */
  get capacity(): number {
    return this.buffer.length;
  }
}
