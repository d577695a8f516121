// The benchmark chart as a hand-written SVG: one panel per unit (GFLOP/s for GEMM and
// convolution, GB/s for pooling, images/s for LeNet), a group of horizontal bars per row,
// one bar per engine, log-scale axis, the value printed at each bar's end. Pure.
import { fmtNum, fmtErr } from './format.js';
import { ENGINES, type RowResult, type EngineResult } from './report.js';
import type { Unit } from './flops.js';

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Decade bounds [10^a, 10^b] around all positive values (at least one decade wide). */
export function logDomain(values: readonly number[]): [number, number] {
  const positive = values.filter((v) => Number.isFinite(v) && v > 0);
  if (positive.length === 0) return [1, 10];
  const lo = Math.floor(Math.log10(Math.min(...positive)));
  let hi = Math.ceil(Math.log10(Math.max(...positive)));
  if (hi <= lo) hi = lo + 1;
  return [10 ** lo, 10 ** hi];
}

/** Label of a decade tick: 0.01, 0.1, 1, 10, 100, 1k, 10k… */
export function tickLabel(v: number): string {
  if (v >= 1e6) return `${v / 1e6}M`;
  if (v >= 1e3) return `${v / 1e3}k`;
  return String(Number(v.toPrecision(1)));
}

const PANELS: { unit: Unit; title: string }[] = [
  { unit: 'GFLOP/s', title: 'GEMM and convolution — GFLOP/s' },
  { unit: 'GB/s', title: 'im2col, col2im and pooling — GB/s read + written' },
  { unit: 'img/s', title: 'LeNet-5 end to end — images/s' },
];

const LAYOUT = {
  width: 1120,
  labelWidth: 290,
  valueRoom: 150,
  bar: 11,
  barGap: 2,
  groupGap: 14,
  font: 'DejaVu Sans, Helvetica, Arial, sans-serif',
};

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

/** The fastest simdnet engine's ratio to the fastest TF.js backend on a row, if both ran. */
export function bestVersusTfjs(row: RowResult): { engine: string; ratio: number } | null {
  let best: { engine: string; ratio: number } | null = null;
  for (const r of row.results) {
    if (r.status !== 'ok' || r.engine.startsWith('tfjs-') || r.vsTfjs === undefined) continue;
    if (!best || r.vsTfjs > best.ratio) best = { engine: r.engine, ratio: r.vsTfjs };
  }
  return best;
}

export interface ChartOptions {
  title: string;
  /** Lines under the title (date, machine). */
  subtitle: readonly string[];
}

export function renderChart(rows: readonly RowResult[], options: ChartOptions): string {
  const { width, labelWidth, valueRoom, bar, barGap, groupGap, font } = LAYOUT;
  const x0 = labelWidth + 10;
  const x1 = width - valueRoom;
  const engines = ENGINES.filter((e) => rows.some((row) => row.results.some((r) => r.engine === e.id)));
  const out: string[] = [];
  let y = 34;
  out.push(`<text x="16" y="${y}" font-size="20" font-weight="bold">${escapeXml(options.title)}</text>`);
  for (const line of options.subtitle) {
    y += 18;
    out.push(`<text x="16" y="${y}" font-size="12" fill="#444">${escapeXml(line)}</text>`);
  }
  y += 18;
  out.push(`<text x="16" y="${y}" font-size="12" fill="#444">Log scale, higher is better. Median of each engine's runs; every engine checked against the reference before timing.</text>`);
  // Legend: up to 4 entries per line.
  y += 12;
  engines.forEach((e, i) => {
    const col = i % 4;
    if (col === 0) y += 20;
    const lx = 16 + col * 270;
    out.push(`<rect x="${lx}" y="${y - 11}" width="14" height="14" fill="${e.color}"/>`);
    out.push(`<text x="${lx + 20}" y="${y}" font-size="13">${escapeXml(e.label)}</text>`);
  });
  y += 18;

  for (const panel of PANELS) {
    const panelRows = rows.filter((r) => r.unit === panel.unit);
    if (panelRows.length === 0) continue;
    const values = panelRows.flatMap((r) => r.results.filter((e) => e.status === 'ok').map((e) => e.throughput ?? NaN));
    const [lo, hi] = logDomain(values);
    const scale = (v: number): number => x0 + ((Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * (x1 - x0);
    y += 26;
    out.push(`<text x="16" y="${y}" font-size="16" font-weight="bold">${escapeXml(panel.title)}</text>`);
    y += 8;
    const top = y + 16;
    // Group heights first, so grid lines span the whole panel.
    // At least three label lines tall (name, shape, ratio to TF.js), even with few engines.
    const heights = panelRows.map(() => Math.max(engines.length * (bar + barGap) - barGap, 48));
    const bottom = top + heights.reduce((s, h) => s + h + groupGap, 0);
    for (let d = Math.log10(lo); d <= Math.log10(hi) + 1e-9; d++) {
      const major = 10 ** d;
      const x = scale(major);
      out.push(`<line x1="${x.toFixed(1)}" y1="${top - 4}" x2="${x.toFixed(1)}" y2="${bottom}" stroke="#bbb" stroke-width="1"/>`);
      out.push(`<text x="${x.toFixed(1)}" y="${top - 7}" font-size="11" text-anchor="middle" fill="#555">${tickLabel(major)}</text>`);
      if (major < hi) {
        for (const m of [2, 5]) {
          const xm = scale(major * m);
          out.push(`<line x1="${xm.toFixed(1)}" y1="${top}" x2="${xm.toFixed(1)}" y2="${bottom}" stroke="#e4e4e4" stroke-width="1"/>`);
        }
      }
    }
    let gy = top;
    panelRows.forEach((row, gi) => {
      const h = heights[gi];
      if (gi % 2 === 0) out.unshift(`<rect x="8" y="${gy - groupGap / 2}" width="${width - 16}" height="${h + groupGap}" fill="#f4f6f9"/>`);
      const mid = gy + h / 2;
      out.push(`<text x="${labelWidth}" y="${mid - 8}" font-size="13" text-anchor="end">${escapeXml(row.name)}</text>`);
      if (row.shape) out.push(`<text x="${labelWidth}" y="${mid + 7}" font-size="11" text-anchor="end" fill="#666">${escapeXml(row.shape)}</text>`);
      const versus = bestVersusTfjs(row);
      if (versus) {
        const color = versus.ratio >= 1 ? '#1b7a2f' : '#b3261e';
        out.push(`<text x="${labelWidth}" y="${mid + 21}" font-size="11" text-anchor="end" fill="${color}">${escapeXml(`best simdnet ${fmtNum(versus.ratio)}× TF.js (${versus.engine})`)}</text>`);
      }
      engines.forEach((e, i) => {
        const by = gy + i * (bar + barGap);
        const r = row.results.find((res) => res.engine === e.id);
        if (!r) return;
        if (r.status === 'ok' && r.throughput !== undefined && r.throughput > 0) {
          const w = Math.max(1, scale(Math.max(r.throughput, lo)) - x0);
          out.push(`<rect x="${x0}" y="${by}" width="${w.toFixed(1)}" height="${bar}" fill="${e.color}"><title>${escapeXml(`${e.label}: ${fmtNum(r.throughput)} ${row.unit}, ${fmtNum(r.medianMs)} ms`)}</title></rect>`);
          out.push(`<text x="${(x0 + w + 4).toFixed(1)}" y="${by + bar - 2}" font-size="11" fill="#222">${escapeXml(valueLabel(row.unit, r))}</text>`);
        } else {
          out.push(`<text x="${x0 + 4}" y="${by + bar - 2}" font-size="11" font-style="italic" fill="#777">${escapeXml(`${e.id}: ${missingText(r)}`)}</text>`);
        }
      });
      gy += h + groupGap;
    });
    out.push(`<line x1="${x0}" y1="${top - 4}" x2="${x0}" y2="${bottom}" stroke="#333" stroke-width="1"/>`);
    y = bottom;
  }
  const height = Math.ceil(y + 20);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${font}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    ...out,
    '</svg>',
    '',
  ].join('\n');
}
