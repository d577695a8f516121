// What a run prints and writes: per-row blocks for the terminal, one compact Markdown table
// for the README, and the chart (drawn by tools/svg-chart.ts: one panel per unit, a group
// of bars per row, one bar per engine, log axis). Pure string building, unit-tested.
import { barChart, type Bar } from '../tools/svg-chart.js';
import type { Unit } from './flops.js';
import { ENGINES, isPeer, machineLine, threadNote, type BenchReport, type EngineResult, type RowResult } from './report.js';

/** 3 significant digits without exponent noise: 0.0123, 1.23, 12.3, 123, 4123. */
export function fmtNum(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '—';
  const a = Math.abs(x);
  if (a === 0) return '0';
  if (a >= 100) return Math.round(x).toString();
  const digits = Math.max(0, 2 - Math.floor(Math.log10(a)));
  return x.toFixed(Math.min(digits, 6));
}

export function fmtRatio(x: number | undefined): string {
  return x === undefined || !Number.isFinite(x) ? '—' : `${fmtNum(x)}×`;
}

export function fmtErr(x: number | undefined): string {
  if (x === undefined) return '';
  if (!Number.isFinite(x)) return 'inf';
  return x === 0 ? '0' : x.toExponential(1);
}

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

function statusText(r: EngineResult): string {
  switch (r.status) {
    case 'ok': {
      const check = r.maxRelErr === undefined ? 'reference' : `agrees (max rel err ${fmtErr(r.maxRelErr)})`;
      return r.message ? `${check}; ${r.message}` : check;
    }
    case 'disagrees':
      return `disagrees: max rel err ${fmtErr(r.maxRelErr)}${r.message ? ` (${r.message})` : ''}`;
    case 'error':
      return `error: ${r.message ?? 'unknown'}`;
    case 'skipped':
      return `skipped (${r.message ?? 'quick'})`;
    case 'unavailable':
      return `unavailable: ${r.message ?? ''}`;
  }
}

/** The terminal block of one row: a header line, then one line per engine. */
export function formatRowBlock(row: RowResult): string {
  const lines = [`${row.name}  —  ${row.description}`];
  const head = [pad('  engine', 16), pad('median ms', 11, true), pad(row.unit, 10, true), pad('× naive', 9, true), pad('vs TF.js', 10, true), pad('vs ORT-web', 11, true), pad('runs', 6, true), '  check'];
  lines.push(head.join(''));
  for (const r of row.results) {
    const timed = r.status === 'ok';
    lines.push(
      [
        pad(`  ${r.engine}`, 16),
        pad(timed ? fmtNum(r.medianMs) : '', 11, true),
        pad(timed ? fmtNum(r.throughput) : '', 10, true),
        pad(timed ? fmtRatio(r.speedupVsNaive) : '', 9, true),
        pad(timed ? fmtRatio(r.vsTfjs) : '', 10, true),
        pad(timed ? fmtRatio(r.vsOrt) : '', 11, true),
        pad(timed ? String(r.runs ?? '') : '', 6, true),
        `  ${statusText(r)}`,
      ].join(''),
    );
  }
  return lines.join('\n');
}

/** One Markdown table, a line per row, a column per engine (throughput in the row's unit),
 * then the best simdnet engine against the best peer (TF.js or onnxruntime). Errors become numbered notes
 * under the table so the cells stay short. */
export function formatMarkdown(rows: readonly RowResult[]): string {
  const engines = ENGINES.filter((e) => rows.some((row) => row.results.some((r) => r.engine === e.id)));
  const notes: string[] = [];
  const note = (text: string): string => {
    let i = notes.indexOf(text);
    if (i === -1) i = notes.push(text) - 1;
    return `[${i + 1}]`;
  };
  const cell = (row: RowResult, r: EngineResult | undefined): string => {
    if (!r) return '';
    switch (r.status) {
      case 'ok':
        return fmtNum(r.throughput);
      case 'disagrees':
        return `disagrees ${note(`${r.engine} on ${row.name}: max rel err ${fmtErr(r.maxRelErr)} against ${row.reference ?? 'the reference'}, tolerance ${fmtErr(row.tolerance)}`)}`;
      case 'error':
        return `error ${note(r.message ?? 'unknown error')}`;
      case 'skipped':
        if (r.message === undefined || r.message === 'quick') return 'skipped (quick)';
        if (r.message.startsWith('TF.js has no')) return 'no such op';
        return `skipped ${note(`${r.engine} on ${row.name} skipped: ${r.message}`)}`;
      case 'unavailable':
        return `n/a ${note(r.message ?? 'unavailable')}`;
    }
  };
  const header = ['row', 'unit', ...engines.map((e) => e.id), 'best simdnet vs best peer'];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i < 2 ? ' --- ' : ' ---: ')).join('|')}|`];
  for (const row of rows) {
    const byId = new Map(row.results.map((r) => [r.engine, r]));
    const best = bestVersusPeer(row);
    const versus = best ? `${fmtRatio(best.ratio)} ${best.peer} (${best.engine})` : '—';
    lines.push(`| ${[row.name, row.unit, ...engines.map((e) => cell(row, byId.get(e.id))), versus].join(' | ')} |`);
  }
  if (notes.length > 0) {
    lines.push('');
    notes.forEach((text, i) => lines.push(`[${i + 1}] ${text.replace(/\|/g, '\\|')}  `));
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------- the chart

export const CHART_TITLE = 'simdnet vs TensorFlow.js and onnxruntime — naive vs GEMM (js) vs WASM';

const PANELS: { unit: Unit; title: string }[] = [
  { unit: 'GFLOP/s', title: 'GEMM and convolution — GFLOP/s' },
  { unit: 'GB/s', title: 'im2col, col2im and pooling — GB/s read + written' },
  { unit: 'img/s', title: 'Whole networks (LeNet-5, ResNet-18, MobileNets) — images/s' },
];

/** The number at a bar's end; model rows also give the time per call, which is what the
 * LeNet targets are stated in. */
export function valueLabel(unit: Unit, r: EngineResult): string {
  return unit === 'img/s' ? `${fmtNum(r.throughput)} (${fmtNum(r.medianMs)} ms)` : fmtNum(r.throughput);
}

/** Short reason text shown in place of a bar. */
export function missingText(r: EngineResult): string {
  switch (r.status) {
    case 'disagrees':
      return `disagrees with reference (max rel err ${fmtErr(r.maxRelErr)}), not timed`;
    case 'skipped':
      return `skipped (${r.message ?? 'quick'})`;
    case 'unavailable':
      return `unavailable${r.message ? `: ${r.message}` : ''}`;
    case 'error': {
      const m = r.message ?? 'error';
      const kernel = /Kernel '([^']+)' not registered for backend '([^']+)'/.exec(m);
      if (kernel) return `cannot run: no '${kernel[1]}' kernel in TF.js ${kernel[2]}`;
      return `error: ${m.length > 70 ? `${m.slice(0, 67)}…` : m}`;
    }
    default:
      return '';
  }
}

/** The fastest simdnet engine's ratio to the fastest peer (TF.js or onnxruntime) on a row,
 * if both ran; > 1: simdnet is faster. */
export function bestVersusPeer(row: RowResult): { engine: string; ratio: number; peer: string } | null {
  let best: { engine: string; ratio: number; peer: string } | null = null;
  for (const r of row.results) {
    if (r.status !== 'ok' || isPeer(r.engine) || r.vsPeer === undefined || r.bestPeer === undefined) continue;
    if (!best || r.vsPeer > best.ratio) best = { engine: r.engine, ratio: r.vsPeer, peer: r.bestPeer };
  }
  return best;
}

export interface ChartOptions {
  title: string;
  /** Lines under the title (date, machine). */
  subtitle: readonly string[];
}

export function renderChart(rows: readonly RowResult[], options: ChartOptions): string {
  const engines = ENGINES.filter((e) => rows.some((row) => row.results.some((r) => r.engine === e.id)));
  const bar = (row: RowResult, r: EngineResult | undefined, label: string): Bar | null => {
    if (!r) return null;
    if (r.status === 'ok' && r.throughput !== undefined && r.throughput > 0) {
      return { value: r.throughput, label: valueLabel(row.unit, r), tooltip: `${label}: ${fmtNum(r.throughput)} ${row.unit}, ${fmtNum(r.medianMs)} ms` };
    }
    return { missing: `${r.engine}: ${missingText(r)}` };
  };
  return barChart({
    title: options.title,
    subtitle: [...options.subtitle, "Log scale, higher is better. Median of each engine's runs; every engine checked against the reference before timing."],
    legend: engines,
    panels: PANELS.map((panel) => ({
      title: panel.title,
      groups: rows
        .filter((row) => row.unit === panel.unit)
        .map((row) => {
          const versus = bestVersusPeer(row);
          return {
            label: row.name,
            notes: [
              row.shape ? { text: row.shape } : undefined,
              versus ? { text: `best simdnet ${fmtNum(versus.ratio)}× ${versus.peer} (${versus.engine})`, color: versus.ratio >= 1 ? '#1b7a2f' : '#b3261e' } : undefined,
            ],
            bars: engines.map((e) => bar(row, row.results.find((r) => r.engine === e.id), e.label)),
          };
        }),
    })),
  });
}

/** The chart's lines under the title: when, on what, with which engines. */
export function chartSubtitle(report: BenchReport): string[] {
  const m = report.machine;
  return [
    `${report.date.slice(0, 16).replace('T', ' ')} UTC${report.quick ? ' (--quick)' : ''} · ${m.cpu} (${m.cores} cores) · Node ${m.node} · ${m.platform}`,
    `simdnet wasm variants: ${m.wasmVariants.join(', ') || 'none'} · TF.js ${m.tfjs} (cpu, and wasm single-threaded)${m.ort && m.ort !== 'not loaded' ? ` · ${threadNote(m.ort)}` : ''}${m.load ? ` · load average ${m.load.start.toFixed(1)} → ${m.load.end.toFixed(1)}` : ''}${m.note ? ` · ${m.note}` : ''}`,
  ];
}

/** The two files drawn from a run's results: the chart, and the Markdown table with the
 * targets checklist under the machine line. */
export function renderResults(report: BenchReport, targets: string): { svg: string; md: string } {
  return {
    svg: renderChart(report.rows, { title: CHART_TITLE, subtitle: chartSubtitle(report) }),
    md: `${report.date.slice(0, 10)} · ${machineLine(report.machine)}\n\n${formatMarkdown(report.rows)}\n\n\`\`\`\n${targets}\n\`\`\`\n`,
  };
}
