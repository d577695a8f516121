import { describe, expect, it } from 'vitest';
import { ALIGN_FLOATS, planMemory, type BufferRequest } from '../src/plan/memory.js';
import { Random } from '../src/random.js';

const aligned = (n: number) => Math.ceil(n / ALIGN_FLOATS) * ALIGN_FLOATS;

/** No two values alive at the same step share a float. */
function checkDisjoint(requests: BufferRequest[], offsets: number[]): void {
  for (let i = 0; i < requests.length; i++) {
    for (let j = i + 1; j < requests.length; j++) {
      const a = requests[i];
      const b = requests[j];
      if (!(a.first <= b.last && b.first <= a.last) || a.size === 0 || b.size === 0) continue;
      const disjoint = offsets[i] + a.size <= offsets[j] || offsets[j] + b.size <= offsets[i];
      expect(disjoint, `requests ${i} and ${j} overlap`).toBe(true);
    }
  }
}

describe('planMemory', () => {
  it('a chain reuses two buffers: each step reads one value and writes the next', () => {
    const requests = [0, 1, 2, 3, 4].map((i) => ({ size: 1000, first: i - 1, last: i }));
    const plan = planMemory(requests);
    expect(plan.size).toBe(2 * aligned(1000));
    checkDisjoint(requests, plan.offsets);
  });

  it('a residual input stays alive across the branch', () => {
    // x (0) is read by step 0 and step 2 (the add); the branch values 1, 2 live in between.
    const requests = [{ size: 64, first: -1, last: 2 }, { size: 64, first: 0, last: 1 }, { size: 64, first: 1, last: 2 }, { size: 64, first: 2, last: Infinity }];
    const plan = planMemory(requests);
    checkDisjoint(requests, plan.offsets);
    expect(plan.size).toBe(3 * 64);
  });

  it('random lifetimes never overlap in space, and the arena is at least the peak live size', () => {
    const rng = new Random(5);
    for (let trial = 0; trial < 50; trial++) {
      const requests: BufferRequest[] = Array.from({ length: 2 + rng.int(30) }, () => {
        const first = rng.int(20) - 1;
        return { size: rng.int(5000), first, last: first + 1 + rng.int(6) };
      });
      const plan = planMemory(requests);
      checkDisjoint(requests, plan.offsets);
      for (const o of plan.offsets) expect(o % ALIGN_FLOATS).toBe(0);
      let peak = 0;
      for (let t = -1; t < 30; t++) peak = Math.max(peak, requests.filter((r) => r.first <= t && t <= r.last).reduce((s, r) => s + r.size, 0));
      expect(plan.size).toBeGreaterThanOrEqual(peak);
      expect(Math.max(...requests.map((r, i) => plan.offsets[i] + r.size))).toBeLessThanOrEqual(plan.size);
    }
  });

  it('refuses a request that ends before it starts', () => {
    expect(() => planMemory([{ size: 4, first: 3, last: 1 }])).toThrow(/planMemory: bad request 0/);
  });
});
