// Tile-edge tester for the js GEMM (after XNNPACK's gemm-microkernel-tester): every
// partial micro-tile (m, n, k from 1 to 2·tile+1), every cache-block edge, strided
// operands with offsets, all transposes and alpha/beta, against a float64 triple loop
// written here (independent of the naive backend).
import { describe, expect, it } from 'vitest';
import { gemm, gemmStrided, gemmWorkspaceFloats, KC, MC, MR, NC, NR } from '../src/backend/js/gemm.js';
import { Random } from '../src/random.js';
import { DEFAULT_TOLERANCE, findMismatch } from './support/compare.js';

const rng = new Random(404);

function uniform(length: number): Float32Array {
  const a = new Float32Array(length);
  for (let i = 0; i < length; i++) a[i] = rng.uniform(-1, 1);
  return a;
}

interface Layout {
  aOff: number;
  lda: number;
  bOff: number;
  ldb: number;
  cOff: number;
  ldc: number;
}

/** Stores op(A) m×k, op(B) k×n, C m×n at the given offsets and leading dimensions,
 * filling the gaps with a sentinel so writes outside the matrices are detected. */
class Problem {
  readonly a: Float32Array;
  readonly b: Float32Array;
  readonly c: Float32Array;
  readonly c0: Float32Array;
  constructor(
    readonly m: number, readonly n: number, readonly k: number,
    readonly transA: boolean, readonly transB: boolean, readonly alpha: number, readonly beta: number,
    readonly l: Layout,
  ) {
    const [aRows, aCols] = transA ? [k, m] : [m, k];
    const [bRows, bCols] = transB ? [n, k] : [k, n];
    this.a = this.matrix(aRows, aCols, l.aOff, l.lda);
    this.b = this.matrix(bRows, bCols, l.bOff, l.ldb);
    this.c = this.matrix(m, n, l.cOff, l.ldc);
    if (beta === 0) for (let i = 0; i < m; i++) this.c.fill(NaN, l.cOff + i * l.ldc, l.cOff + i * l.ldc + n);
    this.c0 = this.c.slice();
  }

  static readonly SENTINEL = 31337.5;

  private matrix(rows: number, cols: number, off: number, ld: number): Float32Array {
    // Slack of a few whole rows after the matrix: a store past the end of a typed array is
    // silently dropped, so a stray row write must land inside the buffer to be seen.
    const data = new Float32Array(off + (rows - 1) * ld + cols + 3 * ld + 5).fill(Problem.SENTINEL);
    for (let i = 0; i < rows; i++) data.set(uniform(cols), off + i * ld);
    return data;
  }

  opA(i: number, p: number): number {
    return this.transA ? this.a[this.l.aOff + p * this.l.lda + i] : this.a[this.l.aOff + i * this.l.lda + p];
  }

  opB(p: number, j: number): number {
    return this.transB ? this.b[this.l.bOff + j * this.l.ldb + p] : this.b[this.l.bOff + p * this.l.ldb + j];
  }

  /** Throws with the worst element when the result is off, or anything outside C changed. */
  verify(): void {
    const { m, n, k, l } = this;
    const expected = new Float64Array(m * n);
    const magnitude = new Float64Array(m * n);
    const actual = new Float32Array(m * n);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        let t = 0;
        for (let p = 0; p < k; p++) {
          s += this.opA(i, p) * this.opB(p, j);
          t += Math.abs(this.opA(i, p) * this.opB(p, j));
        }
        const old = this.c0[l.cOff + i * l.ldc + j];
        expected[i * n + j] = this.alpha * s + (this.beta === 0 ? 0 : this.beta * old);
        magnitude[i * n + j] = Math.abs(this.alpha) * t + (this.beta === 0 ? 0 : Math.abs(this.beta * old));
        actual[i * n + j] = this.c[l.cOff + i * l.ldc + j];
      }
    }
    const label = `m=${m} n=${n} k=${k} transA=${this.transA} transB=${this.transB} alpha=${this.alpha} beta=${this.beta} layout=${JSON.stringify(l)}`;
    const problem = findMismatch(actual, expected, DEFAULT_TOLERANCE, magnitude);
    if (problem) throw new Error(`${label}: ${problem}`);
    for (let i = 0; i < this.c.length; i++) {
      const row = Math.floor((i - l.cOff) / l.ldc);
      const inside = i >= l.cOff && row < m && (i - l.cOff) % l.ldc < n;
      if (!inside && this.c[i] !== this.c0[i]) throw new Error(`${label}: wrote outside C at flat index ${i}`);
    }
  }
}

const TRANS: [boolean, boolean][] = [[false, false], [true, false], [false, true], [true, true]];
const SCALARS: [number, number][] = [[1, 0], [1, 1], [-0.75, 0], [2, -0.5], [0.5, 1]];

function dense(m: number, n: number, k: number, transA: boolean, transB: boolean): Layout {
  return { aOff: 0, lda: transA ? m : k, bOff: 0, ldb: transB ? k : n, cOff: 0, ldc: n };
}

/** Offsets and leading dimensions larger than the rows (odd strides, as XNNPACK's tester). */
function strided(m: number, n: number, k: number, transA: boolean, transB: boolean): Layout {
  return { aOff: 3, lda: (transA ? m : k) + 3, bOff: 5, ldb: (transB ? k : n) + 2, cOff: 7, ldc: n + 5 };
}

function run(problems: Problem[], strided: boolean): string[] {
  const failures: string[] = [];
  for (const p of problems) {
    const aCopy = p.a.slice();
    const bCopy = p.b.slice();
    if (strided) {
      gemmStrided(p.m, p.n, p.k, p.alpha, p.a, p.l.aOff, p.l.lda, p.transA, p.b, p.l.bOff, p.l.ldb, p.transB, p.beta, p.c, p.l.cOff, p.l.ldc);
    } else {
      gemm(p.m, p.n, p.k, p.a, p.b, p.c, { transA: p.transA, transB: p.transB, alpha: p.alpha, beta: p.beta });
    }
    try {
      p.verify();
      expect(p.a).toEqual(aCopy);
      expect(p.b).toEqual(bCopy);
    } catch (e) {
      failures.push(e instanceof Error ? e.message : String(e));
    }
  }
  return failures;
}

function report(failures: string[], total: number): void {
  if (failures.length) expect.fail(`${failures.length} of ${total} failed; first:\n  ${failures.slice(0, 5).join('\n  ')}`);
}

describe(`js gemm (${MR}×${NR} micro-kernel, blocks MC ${MC}, NC ${NC}, KC ${KC})`, () => {
  it(`every partial tile: m, n, k in 1..${2 * MR + 1} × 1..${2 * NR + 1} × 1..${2 * Math.max(MR, NR) + 1}, all transposes`, () => {
    const problems: Problem[] = [];
    let turn = 0;
    for (let m = 1; m <= 2 * MR + 1; m++) {
      for (let n = 1; n <= 2 * NR + 1; n++) {
        for (let k = 1; k <= 2 * Math.max(MR, NR) + 1; k++) {
          for (const [ta, tb] of TRANS) {
            const [alpha, beta] = SCALARS[turn++ % SCALARS.length];
            problems.push(new Problem(m, n, k, ta, tb, alpha, beta, dense(m, n, k, ta, tb)));
          }
        }
      }
    }
    report(run(problems, false), problems.length);
  });

  it('strided operands with offsets and leading dimensions > rows (nothing outside C written)', () => {
    const problems: Problem[] = [];
    let turn = 0;
    for (let m = 1; m <= 2 * MR + 1; m += 2) {
      for (let n = 1; n <= 2 * NR + 1; n++) {
        for (const k of [1, 3, 4, 5, 8, 9]) {
          for (const [ta, tb] of TRANS) {
            const [alpha, beta] = SCALARS[turn++ % SCALARS.length];
            problems.push(new Problem(m, n, k, ta, tb, alpha, beta, strided(m, n, k, ta, tb)));
          }
        }
      }
    }
    report(run(problems, true), problems.length);
  });

  it('every cache-block edge (MC, NC, KC at b−1, b, b+1, 2b+1)', () => {
    const problems: Problem[] = [];
    const edges = (b: number) => [b - 1, b, b + 1, 2 * b + 1];
    let turn = 0;
    const add = (m: number, n: number, k: number) => {
      for (const [ta, tb] of TRANS) {
        const [alpha, beta] = SCALARS[turn++ % SCALARS.length];
        problems.push(new Problem(m, n, k, ta, tb, alpha, beta, turn % 2 ? dense(m, n, k, ta, tb) : strided(m, n, k, ta, tb)));
      }
    };
    for (const m of edges(MC)) add(m, 6, 5);
    for (const n of edges(NC)) add(5, n, 3);
    for (const k of edges(KC)) add(5, 7, k);
    add(MC + 3, NC + 5, KC + 7);
    const failures: string[] = [];
    for (const p of problems) failures.push(...run([p], p.l.cOff !== 0));
    report(failures, problems.length);
  });

  it('beta 0 ignores NaN in C; k = 0 and alpha = 0 leave beta·C', () => {
    const c = new Float32Array([NaN, Infinity, -Infinity, NaN]);
    gemm(2, 2, 1, Float32Array.of(1, 2), Float32Array.of(3, 4), c, { transA: false, transB: false, alpha: 1, beta: 0 });
    expect(Array.from(c)).toEqual([3, 4, 6, 8]);

    const c2 = Float32Array.of(1, 2, 3, 4);
    gemm(2, 2, 0, new Float32Array(0), new Float32Array(0), c2, { transA: false, transB: false, alpha: 1, beta: 0.5 });
    expect(Array.from(c2)).toEqual([0.5, 1, 1.5, 2]);
    const c3 = Float32Array.of(NaN, 2, 3, 4);
    gemm(2, 2, 0, new Float32Array(0), new Float32Array(0), c3, { transA: false, transB: false, alpha: 1, beta: 0 });
    expect(Array.from(c3)).toEqual([0, 0, 0, 0]);

    const c4 = Float32Array.of(1, 2, 3, 4);
    gemm(2, 2, 1, Float32Array.of(5, 6), Float32Array.of(7, 8), c4, { transA: false, transB: false, alpha: 0, beta: 2 });
    expect(Array.from(c4)).toEqual([2, 4, 6, 8]);
  });

  it('beta 1 accumulates across calls exactly like one call over the concatenated k', () => {
    const [m, n, k1, k2] = [7, 9, 5, 6];
    const a = uniform(m * (k1 + k2));
    const b = uniform((k1 + k2) * n);
    const whole = new Float32Array(m * n);
    gemm(m, n, k1 + k2, a, b, whole, { transA: false, transB: false, alpha: 1, beta: 0 });
    const split = new Float32Array(m * n);
    gemmStrided(m, n, k1, 1, a, 0, k1 + k2, false, b, 0, n, false, 0, split, 0, n);
    gemmStrided(m, n, k2, 1, a, k1, k1 + k2, false, b, k1 * n, n, false, 1, split, 0, n);
    const problem = findMismatch(split, whole, DEFAULT_TOLERANCE);
    expect(problem).toBeNull();
  });

  it('reuses its packing buffers: repeating a shape, or a smaller one, allocates nothing', () => {
    const [m, n, k] = [70, 300, 270];
    const a = uniform(m * k);
    const b = uniform(k * n);
    const c = new Float32Array(m * n);
    const params = { transA: false, transB: false, alpha: 1, beta: 0 };
    gemm(m, n, k, a, b, c, params);
    const held = gemmWorkspaceFloats();
    expect(held).toBeGreaterThan(0);
    gemm(m, n, k, a, b, c, params);
    gemm(10, 20, 30, a, b, c, params);
    expect(gemmWorkspaceFloats()).toBe(held);
  });
});
