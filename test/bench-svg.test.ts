import { describe, expect, it } from 'vitest';
import { escapeXml, logDomain, tickLabel } from '../tools/svg-chart.js';
import { fmtNum, fmtRatio, formatMarkdown, formatRowBlock, missingText, renderChart, valueLabel } from '../bench/format.js';
import type { RowResult } from '../bench/report.js';

const row: RowResult = {
  name: 'kernels/gemm 512',
  shape: 'm = n = k = 512',
  description: 'C = A·B <512>',
  unit: 'GFLOP/s',
  work: 268435456,
  reference: 'naive',
  tolerance: 1e-4,
  results: [
    { engine: 'naive', status: 'ok', medianMs: 400, throughput: 0.671, speedupVsNaive: 1, vsTfjs: 0.02, vsPeer: 0.02, bestPeer: 'tfjs-wasm', runs: 3 },
    { engine: 'wasm-simd', status: 'ok', medianMs: 8, throughput: 33.5, speedupVsNaive: 50, vsTfjs: 1.25, vsPeer: 1.25, bestPeer: 'tfjs-wasm', runs: 100, maxRelErr: 3e-7 },
    { engine: 'wasm-relaxed', status: 'disagrees', maxRelErr: 4.7e-4 },
    { engine: 'tfjs-wasm', status: 'ok', medianMs: 10, throughput: 26.8, speedupVsNaive: 40, vsTfjs: 1, vsPeer: 1, bestPeer: 'tfjs-wasm', runs: 80, maxRelErr: 4e-7 },
    { engine: 'tfjs-cpu', status: 'error', message: "Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'" },
  ],
};
// A whole-network row where onnxruntime-web is the fastest peer and onnxruntime-node is missing.
const network: RowResult = {
  name: 'e2e/resnet18 inference b1 compiled',
  shape: 'batch 1, 3×224×224, compiled',
  description: 'resnet18',
  unit: 'img/s',
  work: 1,
  reference: 'js',
  tolerance: 1e-3,
  results: [
    { engine: 'wasm-relaxed', status: 'ok', medianMs: 200, throughput: 5, vsOrt: 0.75, vsPeer: 0.75, bestPeer: 'ort-web', runs: 5, maxRelErr: 1e-6 },
    { engine: 'tfjs-wasm', status: 'skipped', message: 'the network is not written for TF.js here' },
    { engine: 'ort-web', status: 'ok', medianMs: 150, throughput: 6.67, vsOrt: 1, vsPeer: 1, bestPeer: 'ort-web', runs: 5, maxRelErr: 2e-6 },
    { engine: 'ort-node', status: 'unavailable', message: 'onnxruntime-node is not installed' },
  ],
};
const pool: RowResult = { ...row, name: 'kernels/maxpool lenet fwd', unit: 'GB/s', results: [{ engine: 'js', status: 'skipped', message: 'quick' }] };

describe('bench chart (SVG)', () => {
  it('picks decade bounds around the values', () => {
    expect(logDomain([0.67, 33.5, 26.8])).toEqual([0.1, 100]);
    expect(logDomain([5, 5])).toEqual([1, 10]);
    expect(logDomain([10])).toEqual([10, 100]);
    expect(logDomain([])).toEqual([1, 10]);
    expect(logDomain([NaN, -1, 0])).toEqual([1, 10]);
  });

  it('labels ticks without float noise', () => {
    expect([0.01, 0.1, 1, 10, 100, 1000, 1e4].map(tickLabel)).toEqual(['0.01', '0.1', '1', '10', '100', '1k', '10k']);
  });

  it('labels model bars with images/s and ms per call, kernel bars with the rate alone', () => {
    expect(valueLabel('img/s', { engine: 'wasm-simd', status: 'ok', throughput: 8044, medianMs: 7.956 })).toBe('8044 (7.96 ms)');
    expect(valueLabel('GFLOP/s', { engine: 'wasm-simd', status: 'ok', throughput: 33.54, medianMs: 8 })).toBe('33.5');
  });

  it('escapes XML', () => {
    expect(escapeXml(`a<b & "c">`)).toBe('a&lt;b &amp; &quot;c&quot;&gt;');
  });

  it('explains every bar that is missing', () => {
    expect(missingText({ engine: 'tfjs-wasm', status: 'error', message: "Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'" })).toBe("cannot run: no 'Conv2DBackpropFilter' kernel in TF.js wasm");
    expect(missingText({ engine: 'naive', status: 'skipped', message: 'quick' })).toBe('skipped (quick)');
    expect(missingText({ engine: 'wasm-relaxed', status: 'disagrees', maxRelErr: 4.7e-4 })).toMatch(/disagrees .*4\.7e-4/);
  });

  it('draws a well-formed chart: a bar per timed engine with its value, a note per missing one, a panel per unit', () => {
    const svg = renderChart([row, pool], { title: 'T & t', subtitle: ['machine <x>', 'line 2'] });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('T &amp; t');
    expect(svg).toContain('machine &lt;x&gt;');
    // Three timed bars on the GEMM row carry their values; the others explain themselves.
    expect(svg.match(/<rect [^>]*><title>/g)?.length).toBe(3);
    for (const v of ['0.671', '33.5', '26.8']) expect(svg).toContain(`>${v}</text>`);
    expect(svg).toContain('wasm-relaxed: disagrees');
    expect(svg).toContain('tfjs-cpu: cannot run');
    expect(svg).toContain('js: skipped (quick)');
    expect(svg).toContain('GEMM and convolution — GFLOP/s');
    // Under the row name: its shape and the best simdnet engine against the best TF.js backend.
    expect(svg).toContain('>m = n = k = 512</text>');
    expect(svg).toContain('fill="#1b7a2f">best simdnet 1.25× tfjs-wasm (wasm-simd)</text>');
    expect(svg).toContain('pooling — GB/s');
    expect(svg).not.toContain('Whole networks');
    // Longer bars for larger values: wasm-simd's bar is wider than naive's.
    const widths = [...svg.matchAll(/<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)" height="11" fill="([^"]+)"><title>([^:]+):/g)].map((m) => [m[3], Number(m[1])] as const);
    const w = new Map(widths);
    expect(w.get('simdnet wasm SIMD')).toBeGreaterThan(w.get('TF.js 4.22 wasm (XNNPACK)') as number);
    expect(w.get('TF.js 4.22 wasm (XNNPACK)')).toBeGreaterThan(w.get('simdnet naive') as number);
    // Every tag is closed: as many '<text' as '</text>'.
    expect(svg.split('<text').length).toBe(svg.split('</text>').length);
  });

  it('draws onnxruntime bars and names it as the best peer on a network row', () => {
    const svg = renderChart([network], { title: 'T', subtitle: [] });
    expect(svg).toContain('Whole networks (LeNet-5, ResNet-18, MobileNets) — images/s');
    expect(svg).toContain('<title>onnxruntime-web wasm (1 thread): 6.67 img/s, 150 ms</title>');
    expect(svg).toContain('ort-node: unavailable: onnxruntime-node is not installed');
    expect(svg).toContain('fill="#b3261e">best simdnet 0.750× ort-web (wasm-relaxed)</text>');
    expect(svg.split('<text').length).toBe(svg.split('</text>').length);
  });
});

describe('bench text output', () => {
  it('formats numbers with 3 significant digits', () => {
    expect([0.012345, 1.2345, 12.345, 123.45, 4123.4].map(fmtNum)).toEqual(['0.0123', '1.23', '12.3', '123', '4123']);
    expect(fmtNum(undefined)).toBe('—');
    expect(fmtRatio(85.2)).toBe('85.2×');
  });

  it('prints a block per row with every engine, timed or not', () => {
    const text = formatRowBlock(row);
    expect(text.split('\n')).toHaveLength(2 + row.results.length);
    expect(text).toMatch(/wasm-simd +8\.00 +33\.5 +50\.0× +1\.25× +— +100 +agrees \(max rel err 3\.0e-7\)/);
    expect(formatRowBlock(network)).toMatch(/wasm-relaxed +200 +5\.00 +— +— +0\.750× +5 +agrees/);
    expect(text).toContain('naive');
    expect(text).toMatch(/reference/);
    expect(text).toContain('disagrees: max rel err 4.7e-4');
    expect(text).toContain("error: Kernel 'Conv2DBackpropFilter' not registered");
  });

  it('writes a Markdown table with numbered notes for errors and disagreements', () => {
    const md = formatMarkdown([row, pool]);
    const lines = md.split('\n');
    expect(lines[0]).toBe('| row | unit | naive | js | wasm-simd | wasm-relaxed | tfjs-cpu | tfjs-wasm | best simdnet vs best peer |');
    expect(lines[2]).toBe('| kernels/gemm 512 | GFLOP/s | 0.671 |  | 33.5 | disagrees [1] | error [2] | 26.8 | 1.25× tfjs-wasm (wasm-simd) |');
    expect(lines[3]).toContain('skipped (quick)');
    expect(md).toContain('[1] wasm-relaxed on kernels/gemm 512: max rel err 4.7e-4 against naive');
    expect(md).toContain("[2] Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'");
  });

  it('gives onnxruntime its columns and the ratio to the best peer', () => {
    const lines = formatMarkdown([network]).split('\n');
    expect(lines[0]).toBe('| row | unit | wasm-relaxed | tfjs-wasm | ort-web | ort-node | best simdnet vs best peer |');
    expect(lines[2]).toBe('| e2e/resnet18 inference b1 compiled | img/s | 5.00 | skipped [1] | 6.67 | n/a [2] | 0.750× ort-web (wasm-relaxed) |');
    expect(lines).toContain('[2] onnxruntime-node is not installed  ');
  });

  it('keeps long skip reasons out of the cells, in the notes', () => {
    const skipped: RowResult = { ...row, results: [{ engine: 'tfjs-cpu', status: 'skipped', message: '~46 s per call predicted from lenet-conv2; cap 20 s' }] };
    const md = formatMarkdown([skipped]);
    expect(md.split('\n')[2]).toBe('| kernels/gemm 512 | GFLOP/s | skipped [1] | — |');
    expect(md).toContain('[1] tfjs-cpu on kernels/gemm 512 skipped: ~46 s per call predicted from lenet-conv2; cap 20 s');
  });
});
