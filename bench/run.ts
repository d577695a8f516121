// `npm run bench`: every row on naive / js / wasm variants / TF.js cpu / TF.js wasm (and
// onnxruntime-web / -node on the whole-network rows), the
// table on stdout, results in bench/results/*.json, *.svg and *.md. With --render, only
// the .svg and .md are drawn again from a results file.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { supportsVariant } from '../src/backend/wasm/features.js';
import { USAGE, parseArgs, rowSelected } from './args.js';
import { loadEngines } from './engines.js';
import { formatMarkdown, formatRowBlock, renderResults } from './format.js';
import { runRow } from './harness.js';
import { RateBook } from './plan.js';
import { machineLine, type BenchReport, type Machine, type RowResult } from './report.js';
import { assertionFailures, evaluateTargets, formatTargets } from './targets.js';
import { BATCHNORM_CASES, batchNormWorkload, type BatchNormDirection } from './workloads/batchnorm.js';
import { CONV_CASES, convWorkload, type ConvDirection } from './workloads/conv.js';
import type { Workload } from './workloads/common.js';
import { gemmWorkload } from './workloads/gemm.js';
import { lenetInferenceWorkload, lenetTrainWorkload } from './workloads/lenet.js';
import { MODEL_CASES, modelWorkload } from './workloads/models.js';
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
  for (const c of BATCHNORM_CASES) for (const dir of ['fwd', 'bwd'] as BatchNormDirection[]) rows.push(batchNormWorkload(c, dir));
  rows.push(lenetTrainWorkload(64), lenetInferenceWorkload(256), lenetInferenceWorkload(256, 'compiled'));
  for (const c of MODEL_CASES) rows.push(modelWorkload(c), modelWorkload(c, 'compiled'));
  return rows;
}

/** The machine line printed with every table and stored in latest.json. */
function describeMachine(wasmVariants: string[], tfjs: string, ort: string): Machine {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown CPU',
    cores: cpus.length,
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.platform()} ${os.arch()}`,
    wasmVariants,
    tfjs,
    ort,
    load: { start: os.loadavg()[0], end: NaN },
  };
}

/** Writes <base>.svg and <base>.md from a report; returns the targets checklist. */
function writeDrawings(base: string, report: BenchReport): string {
  const targets = formatTargets(evaluateTargets(report.rows));
  const { svg, md } = renderResults(report, targets);
  writeFileSync(`${base}.svg`, svg);
  writeFileSync(`${base}.md`, md);
  return targets;
}

/** --render: the chart and table again from a results file (with --note stored in it first). */
function render(file: string, note: string | null): number {
  const report = JSON.parse(readFileSync(file, 'utf8')) as BenchReport;
  if (note !== null) {
    report.machine.note = note;
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  }
  const base = file.replace(/\.json$/, '');
  console.log(writeDrawings(base, report));
  console.log(`Wrote ${base}.svg and ${base}.md`);
  return 0;
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
  if (args.render !== null) return render(args.render, args.note);
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
  const machine = describeMachine(engines.wasmVariants, engines.tfjsVersion, engines.ortVersion);
  console.log(machineLine(machine));
  for (const s of engines.slots) if (!s.engine) console.log(`  ${s.id} unavailable: ${s.unavailable}`);
  console.log(`Runs per engine: adaptive (${args.quick ? '--quick' : 'full'}); medians in ms. × naive = naive median / engine median; vs TF.js / vs ORT = best TF.js / onnxruntime median / engine median (> 1: faster than that peer).\n`);

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
  console.log(`Summary (${rowsUnitNote(results)}):\n\n${formatMarkdown(results)}\n`);

  const full = args.filters.length === 0 && !args.quick && args.engines.length === 0;
  const here = path.dirname(fileURLToPath(import.meta.url));
  const base = args.out ?? path.join(here, 'results', full ? 'latest' : 'partial');
  mkdirSync(path.dirname(base), { recursive: true });
  writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`${writeDrawings(base, report)}\n`);
  console.log(`Wrote ${path.relative(process.cwd(), base)}.{json,svg,md} in ${report.durationSeconds} s.`);
  if (args.assert) {
    const failures = assertionFailures(results, evaluateTargets(results));
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
