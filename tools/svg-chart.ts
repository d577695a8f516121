// SVG charts as plain strings, no DOM and no chart library: line charts (the MNIST example's
// loss and accuracy) and grouped horizontal bar charts on a log axis (the benchmark). Shared
// by bench/ and examples/, which is why it lives here and not in src/ (it is not part of
// the library users install). Pure, and unit-tested through its two users.

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function svgDocument(width: number, height: number, fontAttributes: string, background: string, body: readonly string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${fontAttributes}>`,
    `<rect width="${width}" height="${height}" fill="${background}"/>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

/** 1, 2, 5 × 10^k values covering [lo, hi] (lo > 0). */
export function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) {
      const v = Number((m * 10 ** e).toPrecision(6));
      if (v >= lo && v <= hi) out.push(v);
    }
  }
  return out;
}

/** About `count` round tick values covering [lo, hi]. */
function linearTicks(lo: number, hi: number, count: number): number[] {
  const span = hi - lo || Math.abs(hi) || 1;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
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

// ---------------------------------------------------------------- line chart

export interface Series {
  name: string;
  color: string;
  points: readonly (readonly [number, number])[];
  /** Draw a dot at every point (for per-epoch values). */
  dots?: boolean;
}

export interface LineChartOptions {
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

/** Axes with round ticks, one polyline per series (non-finite points dropped), a legend. */
export function lineChart(options: LineChartOptions): string {
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
  const parts: string[] = [`<text x="${width / 2}" y="20" text-anchor="middle" font-size="15">${escapeXml(options.title)}</text>`];
  for (const t of log ? logTicks(10 ** y0, 10 ** y1) : linearTicks(y0, y1, 6)) {
    const y = py(t).toFixed(1);
    parts.push(`<line x1="${m.left}" x2="${width - m.right}" y1="${y}" y2="${y}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${m.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${escapeXml(fmt(t))}</text>`);
  }
  for (const t of linearTicks(x0, x1, Math.min(10, Math.max(2, Math.round(x1 - x0))))) {
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
  return svgDocument(width, height, 'font-family="sans-serif" font-size="12"', 'white', parts);
}

// ---------------------------------------------------------------- bar chart

/** A bar with its value (> 0, drawn to scale) and the text at its end, or in its place a
 * note saying why there is none. */
export type Bar = { value: number; label: string; tooltip?: string } | { missing: string };

export interface BarGroup {
  /** Right-aligned beside the group. */
  label: string;
  /** Up to two smaller lines under the label (an absent one leaves its line empty). */
  notes?: readonly ({ text: string; color?: string } | undefined)[];
  /** One slot per legend entry, in legend order; null leaves the slot empty. */
  bars: readonly (Bar | null)[];
}

export interface BarPanel {
  title: string;
  groups: readonly BarGroup[];
}

export interface BarChartOptions {
  title: string;
  /** Lines under the title. */
  subtitle: readonly string[];
  /** The series, in bar order within each group. */
  legend: readonly { label: string; color: string }[];
  /** One log axis each; a panel without groups is left out. */
  panels: readonly BarPanel[];
}

const BAR_LAYOUT = {
  width: 1120,
  labelWidth: 290,
  valueRoom: 150,
  bar: 11,
  barGap: 2,
  groupGap: 14,
  font: 'DejaVu Sans, Helvetica, Arial, sans-serif',
};

/** Panels of horizontal bar groups, one bar per series, on a log axis with decade labels
 * and 2, 5 grid lines, alternate groups shaded. */
export function barChart(options: BarChartOptions): string {
  const { width, labelWidth, valueRoom, bar, barGap, groupGap, font } = BAR_LAYOUT;
  const x0 = labelWidth + 10;
  const x1 = width - valueRoom;
  const out: string[] = [];
  let y = 34;
  out.push(`<text x="16" y="${y}" font-size="20" font-weight="bold">${escapeXml(options.title)}</text>`);
  for (const line of options.subtitle) {
    y += 18;
    out.push(`<text x="16" y="${y}" font-size="12" fill="#444">${escapeXml(line)}</text>`);
  }
  // Legend: up to 4 entries per line.
  y += 12;
  options.legend.forEach((e, i) => {
    const col = i % 4;
    if (col === 0) y += 20;
    const lx = 16 + col * 270;
    out.push(`<rect x="${lx}" y="${y - 11}" width="14" height="14" fill="${e.color}"/>`);
    out.push(`<text x="${lx + 20}" y="${y}" font-size="13">${escapeXml(e.label)}</text>`);
  });
  y += 18;

  for (const panel of options.panels) {
    if (panel.groups.length === 0) continue;
    const values = panel.groups.flatMap((g) => g.bars.flatMap((b) => (b && 'value' in b ? [b.value] : [])));
    const [lo, hi] = logDomain(values);
    const scale = (v: number): number => x0 + ((Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * (x1 - x0);
    y += 26;
    out.push(`<text x="16" y="${y}" font-size="16" font-weight="bold">${escapeXml(panel.title)}</text>`);
    y += 8;
    const top = y + 16;
    // Group heights first, so grid lines span the whole panel; at least three label lines
    // tall, even with few series.
    const heights = panel.groups.map(() => Math.max(options.legend.length * (bar + barGap) - barGap, 48));
    const bottom = top + heights.reduce((s, h) => s + h + groupGap, 0);
    for (const t of logTicks(lo, hi)) {
      const x = scale(t).toFixed(1);
      const decade = Math.abs(Math.log10(t) - Math.round(Math.log10(t))) < 1e-9;
      if (decade) {
        out.push(`<line x1="${x}" y1="${top - 4}" x2="${x}" y2="${bottom}" stroke="#bbb" stroke-width="1"/>`);
        out.push(`<text x="${x}" y="${top - 7}" font-size="11" text-anchor="middle" fill="#555">${tickLabel(t)}</text>`);
      } else {
        out.push(`<line x1="${x}" y1="${top}" x2="${x}" y2="${bottom}" stroke="#e4e4e4" stroke-width="1"/>`);
      }
    }
    let gy = top;
    panel.groups.forEach((group, gi) => {
      const h = heights[gi];
      if (gi % 2 === 0) out.unshift(`<rect x="8" y="${gy - groupGap / 2}" width="${width - 16}" height="${h + groupGap}" fill="#f4f6f9"/>`);
      const mid = gy + h / 2;
      out.push(`<text x="${labelWidth}" y="${mid - 8}" font-size="13" text-anchor="end">${escapeXml(group.label)}</text>`);
      (group.notes ?? []).forEach((note, i) => {
        if (note) out.push(`<text x="${labelWidth}" y="${mid + 7 + 14 * i}" font-size="11" text-anchor="end" fill="${note.color ?? '#666'}">${escapeXml(note.text)}</text>`);
      });
      group.bars.forEach((b, i) => {
        const by = gy + i * (bar + barGap);
        if (!b) return;
        if ('value' in b) {
          const w = Math.max(1, scale(Math.max(b.value, lo)) - x0);
          const tooltip = b.tooltip === undefined ? '' : `<title>${escapeXml(b.tooltip)}</title>`;
          out.push(`<rect x="${x0}" y="${by}" width="${w.toFixed(1)}" height="${bar}" fill="${options.legend[i].color}">${tooltip}</rect>`);
          out.push(`<text x="${(x0 + w + 4).toFixed(1)}" y="${by + bar - 2}" font-size="11" fill="#222">${escapeXml(b.label)}</text>`);
        } else {
          out.push(`<text x="${x0 + 4}" y="${by + bar - 2}" font-size="11" font-style="italic" fill="#777">${escapeXml(b.missing)}</text>`);
        }
      });
      gy += h + groupGap;
    });
    out.push(`<line x1="${x0}" y1="${top - 4}" x2="${x0}" y2="${bottom}" stroke="#333" stroke-width="1"/>`);
    y = bottom;
  }
  return svgDocument(width, Math.ceil(y + 20), `font-family="${font}"`, '#ffffff', out);
}
