// Re-draws the chart and the Markdown table from a results file, without running anything:
//   npx tsx bench/render.ts [bench/results/latest.json] [--note "shared machine: …"]
// A note is stored in the JSON's machine line and shown in the chart and table.
import { readFileSync, writeFileSync } from 'node:fs';
import { formatMarkdown, renderChart } from './format.js';
import { machineLine, type BenchReport } from './report.js';
import { chartSubtitle, CHART_TITLE } from './run-output.js';
import { evaluateTargets, formatTargets } from './targets.js';

const args = process.argv.slice(2);
const noteAt = args.indexOf('--note');
const note = noteAt === -1 ? undefined : args.splice(noteAt, 2)[1];
const file = args[0] ?? new URL('./results/latest.json', import.meta.url).pathname;
const report = JSON.parse(readFileSync(file, 'utf8')) as BenchReport;
if (note !== undefined) {
  report.machine.note = note;
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
}
const base = file.replace(/\.json$/, '');
writeFileSync(`${base}.svg`, renderChart(report.rows, { title: CHART_TITLE, subtitle: chartSubtitle(report) }));
const targets = formatTargets(evaluateTargets(report.rows));
writeFileSync(`${base}.md`, `${report.date.slice(0, 10)} · ${machineLine(report.machine)}\n\n${formatMarkdown(report.rows)}\n\n\`\`\`\n${targets}\n\`\`\`\n`);
console.log(targets);
console.log(`Wrote ${base}.svg and ${base}.md`);
