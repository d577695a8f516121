import { describe, expect, it } from 'vitest';
import { engineSelected, filterRegExp, parseArgs, rowSelected } from '../bench/args.js';
import { planRuns, RateBook, reuseCheckRun, skipReason, splitPasses, summarize } from '../bench/plan.js';

describe('bench arguments', () => {
  it('defaults to every row, every engine, a full run', () => {
    const a = parseArgs([]);
    expect(a).toMatchObject({ filters: [], quick: false, engines: [], out: null, list: false, assert: false, render: null, note: null, help: false });
    expect(parseArgs(['--assert']).assert).toBe(true);
  });

  it('parses --filter (spaced and =), --quick, --engines, --out, --list', () => {
    const a = parseArgs(['--filter', 'conv', '--filter=gemm 5', '--quick', '--engines', 'naive,wasm', '--out', '/tmp/x', '--list']);
    expect(a.filters.map((f) => f.source)).toEqual(['conv', 'gemm 5']);
    expect(a.quick).toBe(true);
    expect(a.engines).toEqual(['naive', 'wasm']);
    expect(a.out).toBe('/tmp/x');
    expect(a.list).toBe(true);
  });

  it('parses --render <file> and its --note; a note without --render is an error', () => {
    expect(parseArgs(['--render', 'bench/results/latest.json'])).toMatchObject({ render: 'bench/results/latest.json', note: null });
    expect(parseArgs(['--render=r.json', '--note', 'shared machine'])).toMatchObject({ render: 'r.json', note: 'shared machine' });
    expect(() => parseArgs(['--render'])).toThrow(/--render needs a value/);
    expect(() => parseArgs(['--note', 'x'])).toThrow(/--note goes with --render/);
  });

  it('refuses unknown arguments and missing values, naming them', () => {
    expect(() => parseArgs(['--fliter', 'conv'])).toThrow(/unknown argument '--fliter'/);
    expect(() => parseArgs(['conv'])).toThrow(/unknown argument 'conv'/);
    expect(() => parseArgs(['--filter'])).toThrow(/--filter needs a value/);
    expect(() => parseArgs(['--filter', '--quick'])).toThrow(/--filter needs a value/);
    expect(() => parseArgs(['--filter='])).toThrow(/non-empty/);
    expect(() => parseArgs(['--engines', ','])).toThrow(/at least one engine/);
  });

  it('matches filters as case-insensitive regexes, and literally when not a valid regex', () => {
    expect(rowSelected('kernels/conv2d resnet-b8 fwd', [filterRegExp('RESNET.*fwd')])).toBe(true);
    expect(rowSelected('kernels/conv2d resnet-b8 bwd-input', [filterRegExp('resnet.*fwd')])).toBe(false);
    expect(rowSelected('kernels/gemm 512', [filterRegExp('kernels')])).toBe(true);
    expect(rowSelected('e2e/lenet train-step b64', [filterRegExp('kernels')])).toBe(false);
    const literal = filterRegExp('conv2d (');
    expect(literal.test('x conv2d ( y')).toBe(true);
    expect(literal.test('conv2d')).toBe(false);
    expect(rowSelected('anything', [])).toBe(true);
    expect(rowSelected('kernels/gemm 256', [filterRegExp('pool'), filterRegExp('gemm')])).toBe(true);
  });

  it('selects engines by id or by family prefix', () => {
    expect(engineSelected('wasm-simd', ['wasm'])).toBe(true);
    expect(engineSelected('wasm-simd', ['wasm-relaxed'])).toBe(false);
    expect(engineSelected('tfjs-cpu', ['tfjs'])).toBe(true);
    expect(engineSelected('js', ['json'])).toBe(false);
    expect(engineSelected('naive', [])).toBe(true);
  });
});

describe('bench run plan', () => {
  it('runs slow engines once or twice and fast ones many times, within the budget', () => {
    expect(planRuns(4000, false).iterations).toBe(1);
    expect(planRuns(1500, false).iterations).toBe(2);
    expect(planRuns(800, false).iterations).toBe(3);
    expect(planRuns(200, false).iterations).toBe(13);
    expect(planRuns(1, false).iterations).toBe(200);
    expect(planRuns(2000, true).iterations).toBe(1);
    expect(planRuns(1, true).iterations).toBe(30);
  });

  it('warms up only short tasks', () => {
    expect(planRuns(4000, false).warmupIterations).toBe(0);
    expect(planRuns(1, false).warmupIterations).toBe(5);
    expect(planRuns(50, false).warmupIterations).toBe(2);
    expect(planRuns(200, false).warmupIterations).toBe(0);
  });
});

describe('bench time caps', () => {
  it('times a call of seconds on its own check run instead of running it again', () => {
    expect(reuseCheckRun(3500, false)).toBe(true);
    expect(reuseCheckRun(2000, false)).toBe(false);
    expect(reuseCheckRun(1200, true)).toBe(true);
  });

  it('predicts a call from the same engine on an earlier row of the same kind', () => {
    const book = new RateBook();
    expect(book.predict('tfjs-cpu', 'conv2d bwd-filter', 1e6)).toBeNull();
    book.record('tfjs-cpu', 'conv2d bwd-filter', 30e6, 6000, 'lenet-conv2');
    expect(book.predict('tfjs-cpu', 'conv2d bwd-filter', 231e6)).toEqual({ ms: 46200, from: 'lenet-conv2' });
    expect(book.predict('tfjs-cpu', 'conv2d fwd', 231e6)).toBeNull();
    expect(book.predict('naive', 'conv2d bwd-filter', 231e6)).toBeNull();
  });

  it('skips what the cap or --quick rules out, and says why', () => {
    const book = new RateBook();
    book.record('tfjs-cpu', 'conv2d bwd-filter', 30e6, 6000, 'lenet-conv2');
    expect(skipReason(book, 'tfjs-cpu', 'conv2d bwd-filter', 231e6, false, false)).toBe('~46 s per call predicted from lenet-conv2; cap 20 s');
    expect(skipReason(book, 'tfjs-cpu', 'conv2d bwd-filter', 30e6, false, false)).toBeNull();
    expect(skipReason(book, 'tfjs-cpu', 'conv2d bwd-filter', 30e6, false, true)).toMatch(/cap 2.5 s/);
    expect(skipReason(book, 'naive', 'gemm', 2e9, true, true)).toBe('quick');
    expect(skipReason(book, 'naive', 'gemm', 2e9, true, false)).toBeNull();
    expect(skipReason(book, 'wasm-simd', 'gemm', 2e9, true, true)).toBeNull();
  });
});

describe('bench passes and statistics', () => {
  it('splits timed runs over two passes, the first taking the odd one', () => {
    expect(splitPasses(1)).toEqual([1, 0]);
    expect(splitPasses(2)).toEqual([1, 1]);
    expect(splitPasses(7)).toEqual([4, 3]);
  });

  it('takes the median (middle pair averaged), mean and minimum of the samples', () => {
    expect(summarize([5, 1, 3])).toEqual({ medianMs: 3, meanMs: 3, minMs: 1, runs: 3 });
    expect(summarize([4, 1, 2, 10])).toEqual({ medianMs: 3, meanMs: 4.25, minMs: 1, runs: 4 });
    expect(summarize([]).runs).toBe(0);
    expect(summarize([]).medianMs).toBeNaN();
  });
});
