// Hand-written SVG line charts (no chart library): axes with rounded ticks, one polyline
// per series, a legend.

export interface Series {
  name: string;
  color: string;
  points: readonly (readonly [number, number])[];
  /** Draw a dot at every point (for per-epoch values). */
  dots?: boolean;
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  width?: number;
  height?: number;
  /** Format of the y tick labels. */
  yFormat?: (v: number) => string;
  /** 'log' for quantities spanning decades (losses); non-positive values are dropped. */
  yScale?: 'linear' | 'log';
  /** Where the legend goes (default top right). */
  legend?: 'top-right' | 'bottom-right';
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

/** About `count` round tick values covering [lo, hi]. */
function ticks(lo: number, hi: number, count: number): number[] {
  const span = hi - lo || Math.abs(hi) || 1;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** 1, 2, 5 × 10^k values covering [lo, hi] (lo > 0). */
function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) {
      const v = Number((m * 10 ** e).toPrecision(6));
      if (v >= lo && v <= hi) out.push(v);
    }
  }
  return out;
}

export function lineChart(options: ChartOptions): string {
  const log = options.yScale === 'log';
  const width = options.width ?? 640;
  const height = options.height ?? 400;
  const m = { left: 64, right: 16, top: 36, bottom: 48 };
  const usable = ([x, y]: readonly [number, number]): boolean => Number.isFinite(x) && Number.isFinite(y) && (!log || y > 0);
  const all = options.series.flatMap((s) => s.points).filter(usable);
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => (log ? Math.log10(p[1]) : p[1]));
  let [x0, x1] = [Math.min(0, ...xs), Math.max(1, ...xs)];
  let [y0, y1] = ys.length ? [Math.min(...ys), Math.max(...ys)] : [0, 1];
  if (y0 === y1) [y0, y1] = [y0 - 0.5, y1 + 0.5];
  const pad = (y1 - y0) * 0.05;
  [y0, y1] = [y0 - pad, y1 + pad];
  if (x0 === x1) x1 = x0 + 1;
  const px = (x: number): number => m.left + ((x - x0) / (x1 - x0)) * (width - m.left - m.right);
  const py = (y: number): number => height - m.bottom - (((log ? Math.log10(y) : y) - y0) / (y1 - y0)) * (height - m.top - m.bottom);
  const fmt = options.yFormat ?? ((v: number) => String(Number(v.toPrecision(4))));
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="15">${escapeXml(options.title)}</text>`,
  ];
  for (const t of log ? logTicks(10 ** y0, 10 ** y1) : ticks(y0, y1, 6)) {
    const y = py(t).toFixed(1);
    parts.push(`<line x1="${m.left}" x2="${width - m.right}" y1="${y}" y2="${y}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${m.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${escapeXml(fmt(t))}</text>`);
  }
  for (const t of ticks(x0, x1, Math.min(10, Math.max(2, Math.round(x1 - x0))))) {
    const x = px(t).toFixed(1);
    parts.push(`<line x1="${x}" x2="${x}" y1="${height - m.bottom}" y2="${height - m.bottom + 4}" stroke="#333"/>`);
    parts.push(`<text x="${x}" y="${height - m.bottom + 18}" text-anchor="middle">${t}</text>`);
  }
  parts.push(`<polyline points="${m.left},${m.top} ${m.left},${height - m.bottom} ${width - m.right},${height - m.bottom}" fill="none" stroke="#333"/>`);
  parts.push(`<text x="${(m.left + width - m.right) / 2}" y="${height - 10}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`);
  parts.push(`<text transform="translate(16 ${(m.top + height - m.bottom) / 2}) rotate(-90)" text-anchor="middle">${escapeXml(options.yLabel)}</text>`);
  options.series.forEach((s, i) => {
    const pts = s.points.filter(usable);
    if (pts.length > 0) {
      parts.push(`<polyline points="${pts.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ')}" fill="none" stroke="${s.color}" stroke-width="1.5"/>`);
      if (s.dots) for (const [x, y] of pts) parts.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3" fill="${s.color}"/>`);
    }
    const ly = options.legend === 'bottom-right' ? height - m.bottom - 12 - (options.series.length - 1 - i) * 16 : m.top + 8 + i * 16;
    parts.push(`<line x1="${width - m.right - 150}" x2="${width - m.right - 130}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"/>`);
    parts.push(`<text x="${width - m.right - 124}" y="${ly}" dominant-baseline="middle">${escapeXml(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
