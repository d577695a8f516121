// `npm run bench`: every row on naive / js / wasm variants / TF.js cpu / TF.js wasm, the
// table on stdout, results in bench/results/*.json, *.svg and *.md.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { supportsVariant } from '../src/backend/wasm/features.js';
import { USAGE, parseArgs, rowSelected } from './args.js';
import { loadEngines } from './engines.js';
import { formatMarkdown, formatRowBlock, renderChart } from './format.js';
import { runRow } from './harness.js';
import { describeMachine } from './machine.js';
import { machineLine, type BenchReport, type RowResult } from './report.js';
import { chartSubtitle, CHART_TITLE } from './run-output.js';
import { assertionFailures, evaluateTargets, formatTargets } from './targets.js';
import { RateBook } from './plan.js';
import { CONV_CASES, convWorkload, type ConvDirection } from './workloads/conv.js';
import type { Workload } from './workloads/common.js';
import { gemmWorkload } from './workloads/gemm.js';
import { lenetInferenceWorkload, lenetTrainWorkload } from './workloads/lenet.js';
import { POOL_CASES, poolWorkload, type PoolDirection, type PoolKind } from './workloads/pool.js';
import { unfoldWorkload } from './workloads/unfold.js';

/** Every row of the benchmark, in the order they run and are shown. */
function allWorkloads(): Workload[] {
  const rows: Workload[] = [];
  for (const n of [256, 512, 1024]) rows.push(gemmWorkload(n));
  for (const c of CONV_CASES) for (const dir of ['fwd', 'bwd-input', 'bwd-filter'] as ConvDirection[]) rows.push(convWorkload(c, dir));
  for (const c of CONV_CASES.filter((k) => k.label === 'lenet-conv1' || k.label === 'resnet-b1')) {
    rows.push(unfoldWorkload(c, 'im2col'), unfoldWorkload(c, 'col2im'));
  }
  for (const kind of ['maxpool', 'avgpool'] as PoolKind[])
    for (const c of POOL_CASES) for (const dir of ['fwd', 'bwd'] as PoolDirection[]) rows.push(poolWorkload(c, kind, dir));
  rows.push(lenetTrainWorkload(64), lenetInferenceWorkload(256));
  return rows;
}

const RELAXED_FLAG = '--experimental-wasm-relaxed-simd';
const GC_FLAG = '--expose-gc';

/** Node 20 needs a V8 flag for relaxed SIMD: run ourselves again with it, once. */
function respawnWithRelaxedSimd(): number | null {
  if (supportsVariant('relaxed') || process.execArgv.includes(RELAXED_FLAG)) return null;
  const flags = [RELAXED_FLAG, ...(process.execArgv.includes(GC_FLAG) ? [] : [GC_FLAG]), ...process.execArgv];
  const child = spawnSync(process.execPath, [...flags, process.argv[1], ...process.argv.slice(2)], { stdio: 'inherit' });
  return child.status ?? 1;
}

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error((e as Error).message);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const rows = allWorkloads().filter((w) => rowSelected(w.name, args.filters));
  if (args.list) {
    for (const w of rows) console.log(`${w.name.padEnd(40)} ${w.description}`);
    return 0;
  }
  if (rows.length === 0) {
    console.error(`bench: no row matches ${args.filters.map(String).join(', ')} (see --list)`);
    return 2;
  }
  const respawned = respawnWithRelaxedSimd();
  if (respawned !== null) return respawned;

  const started = performance.now();
  const progress = (line: string): void => void process.stderr.write(`${line}\n`);
  const engines = await loadEngines(args.engines);
  const machine = describeMachine(engines.wasmVariants, engines.tfjsVersion);
  console.log(machineLine(machine));
  for (const s of engines.slots) if (!s.engine) console.log(`  ${s.id} unavailable: ${s.unavailable}`);
  console.log(`Runs per engine: adaptive (${args.quick ? '--quick' : 'full'}); medians in ms. × naive = naive median / engine median; vs TF.js = best TF.js median / engine median (> 1: faster than TF.js).\n`);

  const results: RowResult[] = [];
  const rates = new RateBook();
  for (const w of rows) {
    progress(`${w.name} …`);
    const row = await runRow(w, engines.slots, { quick: args.quick, progress, rates });
    results.push(row);
    console.log(`${formatRowBlock(row)}\n`);
  }

  if (machine.load) machine.load.end = os.loadavg()[0];
  const report: BenchReport = {
    date: new Date().toISOString(),
    machine,
    quick: args.quick,
    filters: args.filters.map((f) => f.source),
    durationSeconds: Math.round((performance.now() - started) / 100) / 10,
    rows: results,
  };
  const markdown = formatMarkdown(results);
  console.log(`Summary (${rowsUnitNote(results)}):\n\n${markdown}\n`);
  const checks = evaluateTargets(results);
  const targets = formatTargets(checks);
  console.log(`${targets}\n`);

  const full = args.filters.length === 0 && !args.quick && args.engines.length === 0;
  const here = path.dirname(fileURLToPath(import.meta.url));
  const base = args.out ?? path.join(here, 'results', full ? 'latest' : 'partial');
  mkdirSync(path.dirname(base), { recursive: true });
  writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(`${base}.svg`, renderChart(results, { title: CHART_TITLE, subtitle: chartSubtitle(report) }));
  writeFileSync(`${base}.md`, `${report.date.slice(0, 10)} · ${machineLine(machine)}\n\n${markdown}\n\n\`\`\`\n${targets}\n\`\`\`\n`);
  console.log(`Wrote ${path.relative(process.cwd(), base)}.{json,svg,md} in ${report.durationSeconds} s.`);
  if (args.assert) {
    const failures = assertionFailures(results, checks);
    if (failures.length > 0) {
      console.error(`--assert: ${failures.length} failure(s):\n${failures.map((f) => `  ${f}`).join('\n')}`);
      return 1;
    }
  }
  return 0;
}

function rowsUnitNote(rows: RowResult[]): string {
  const units = [...new Set(rows.map((r) => r.unit))];
  return `throughput in each row's unit: ${units.join(', ')}; higher is better`;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
