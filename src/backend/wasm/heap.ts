// The free blocks of the arena's heap (tensors and plans pinned between kernel calls):
// kept sorted by address so a freed block merges with its free neighbours at once, and
// taken best-fit (the smallest block that holds the request, split, its tail left free),
// so a training loop's same-sized tensors reuse the same bytes and varied sizes do not
// fragment the heap into slivers. Sizes are multiples of the arena's 64-byte alignment.

export class FreeList {
  private readonly starts: number[] = [];
  private readonly sizes: number[] = [];
  private free = 0;

  /** Bytes in free blocks. */
  get freeBytes(): number {
    return this.free;
  }

  /** Free blocks (after merging): tests check coalescing with it. */
  get blocks(): number {
    return this.starts.length;
  }

  /** The start of a free region of `size` bytes, or -1 when no block is big enough. */
  take(size: number): number {
    let best = -1;
    for (let i = 0; i < this.sizes.length; i++) {
      const s = this.sizes[i];
      if (s >= size && (best < 0 || s < this.sizes[best])) {
        best = i;
        if (s === size) break;
      }
    }
    if (best < 0) return -1;
    const start = this.starts[best];
    if (this.sizes[best] === size) {
      this.starts.splice(best, 1);
      this.sizes.splice(best, 1);
    } else {
      this.starts[best] += size;
      this.sizes[best] -= size;
    }
    this.free -= size;
    return start;
  }

  /** Frees [start, start + size), merging with the blocks either side; a block that
   * overlaps a free one (a double free) throws. */
  give(start: number, size: number): void {
    let lo = 0;
    let hi = this.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid] < start) lo = mid + 1;
      else hi = mid;
    }
    const prev = lo - 1;
    const end = start + size;
    if ((prev >= 0 && this.starts[prev] + this.sizes[prev] > start) || (lo < this.starts.length && this.starts[lo] < end)) {
      throw new Error(`unpin: block [${start}, ${end}) is already free`);
    }
    this.free += size;
    const joinPrev = prev >= 0 && this.starts[prev] + this.sizes[prev] === start;
    const joinNext = lo < this.starts.length && this.starts[lo] === end;
    if (joinPrev && joinNext) {
      this.sizes[prev] += size + this.sizes[lo];
      this.starts.splice(lo, 1);
      this.sizes.splice(lo, 1);
    } else if (joinPrev) this.sizes[prev] += size;
    else if (joinNext) {
      this.starts[lo] = start;
      this.sizes[lo] += size;
    } else {
      this.starts.splice(lo, 0, start);
      this.sizes.splice(lo, 0, size);
    }
  }

  /** Removes the last free block if it ends at `end` and returns its start (else -1). */
  takeEndingAt(end: number): number {
    const last = this.starts.length - 1;
    if (last < 0 || this.starts[last] + this.sizes[last] !== end) return -1;
    const start = this.starts[last];
    this.free -= this.sizes[last];
    this.starts.pop();
    this.sizes.pop();
    return start;
  }
}
