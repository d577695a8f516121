// Text tables of parity reports, for a terminal or a <pre>.
import { formatShape } from '../tensor.js';
import type { ErrorStats, Tolerance } from './tolerance.js';
import type { ParityReport } from './compare.js';

export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  return Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4 ? v.toPrecision(3) : v.toExponential(2);
}

export function verdict(s: ErrorStats & { note?: string }): string {
  if (s.note) return `FAIL (${s.note})`;
  return s.ok ? 'ok' : `FAIL (${s.failures} of ${s.size})`;
}

/** Left-aligned columns, numbers right-aligned, a rule under the head. */
export function table(head: string[], rows: string[][], numeric: boolean[]): string {
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (r: string[]): string => r.map((v, c) => (numeric[c] ? v.padStart(widths[c]) : v.padEnd(widths[c]))).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function formatTolerance(t: Tolerance, magnitude = false): string {
  return `|a − e| ≤ ${t.rtol}·|e| + ${t.atol}${magnitude ? '·Σ|terms|' : ''}`;
}

/** The report of compareBackends as a table: one row per backend and module (then the
 * model's output and any gradients), with the worst |a − e|, its ratio to the bound and ok/FAIL. */
export function formatParityReport(report: ParityReport): string {
  const rows: string[][] = [];
  for (const b of report.backends) {
    for (const e of [...b.layers, b.output, ...b.gradients]) {
      rows.push([b.backend, e.name, e.type, formatShape(e.shape), formatNumber(e.maxAbsError), formatNumber(e.worstRatio), verdict(e)]);
    }
  }
  const head = ['Backend', 'Layer', 'Type', 'Shape', 'max |a−e|', 'err/bound', 'Result'];
  const lines = [
    `Parity against ${report.reference}, input ${formatShape(report.inputShape)}, tolerance ${formatTolerance(report.tolerance)}`,
    table(head, rows, [false, false, false, false, true, true, false]),
  ];
  for (const s of report.skipped) lines.push(`skipped ${s.label}: ${s.reason}`);
  const failing = report.backends.filter((b) => !b.ok);
  lines.push(failing.length === 0 ? `all ${report.backends.length} backend(s) within tolerance` : failing.map((b) => `${b.backend}: worst ${b.worst.name} (${formatNumber(b.worst.worstRatio)}× the bound)`).join('\n'));
  return lines.join('\n');
}
