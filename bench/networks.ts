// `npm run bench:networks`: whole networks in one process, on 1 and on 2 threads: simdnet
// eager (model.predict), simdnet compiled (model.compile, issue 12's plan) and
// onnxruntime-web (wasm, numThreads 1 here; numThreads 2 in a worker thread, see
// ort-threads.ts) running the very same weights, exported with toOnnx. Medians of
// tinybench samples; the table gives ms per batch and the ratio to onnxruntime-web.
//   npm run bench:networks [-- --filter resnet18] [--runs 10] [--threads 1]
import os from 'node:os';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-web';
import { Bench } from 'tinybench';
import { init, noGrad, toOnnx, type Module, type Tensor } from '../src/index.js';
import type { WasmBackend } from '../src/backend/wasm.js';
import type { Ort } from './ort.js';
import { setupOrtWebThreads } from './ort-threads.js';
import { buildLenet } from './workloads/lenet.js';
import { buildCalibrated, MODEL_CASES } from './workloads/models.js';
import { uniformTensor } from './workloads/common.js';

const { values } = parseArgs({ options: { filter: { type: 'string' }, runs: { type: 'string' }, threads: { type: 'string' } } });
const runs = Number(values.runs ?? 10);
/** Thread counts to run (default 1 and 2). */
const threadCounts = (values.threads ?? '1,2').split(',').map(Number);
ort.env.wasm.numThreads = 1;

interface Row {
  label: string;
  build: () => Module;
  shape: number[];
}

const rows: Row[] = [
  ...MODEL_CASES.map((c) => ({ label: `${c.label} b${c.batch}`, build: () => buildCalibrated(c), shape: [c.batch, 3, 224, 224] })),
  { label: 'lenet b256', build: () => buildLenet().eval(), shape: [256, 1, 28, 28] },
].filter((r) => !values.filter || r.label.includes(values.filter));

async function median(fn: () => unknown): Promise<number> {
  const bench = new Bench({ iterations: runs, time: 0, warmup: true, warmupIterations: 2, warmupTime: 0, throws: true, retainSamples: true });
  bench.add('run', fn);
  await bench.run();
  const samples = [...(bench.tasks[0].result as { latency: { samples?: number[] } }).latency.samples ?? []].sort((a, b) => a - b);
  return samples[samples.length >> 1];
}

function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let err = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    err = Math.max(err, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return err / Math.max(scale, 1e-30);
}

const ortThreads = new Map<number, Ort>([[1, ort as unknown as Ort]]);
for (const t of threadCounts) if (t > 1) ortThreads.set(t, (await setupOrtWebThreads(t)).ort);
console.log(`onnxruntime-web ${ort.env.versions.web}; ${runs} runs per engine; ${os.loadavg()[0].toFixed(1)} load average at the start\n`);
console.log('| network | threads | simdnet eager ms | simdnet compiled ms | onnxruntime-web ms | compiled / ORT | arena MB | max rel err vs ORT |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const row of rows) {
  for (const threads of threadCounts) {
    const be = (await init({ backend: 'wasm', threads })) as WasmBackend;
    if (be.threads !== threads) throw new Error(`bench:networks: asked for ${threads} threads, the backend runs ${be.threads} (${be.threadsFallback})`);
    const model = row.build();
    const x: Tensor = uniformTensor(row.shape, 71);
    const plan = model.compile({ inputShape: row.shape });
    const o = ortThreads.get(threads) as Ort;
    const session = await o.InferenceSession.create(toOnnx(model, { inputShape: row.shape }), { executionProviders: ['wasm'] });
    const feed = { [session.inputNames[0]]: new o.Tensor('float32', Float32Array.from(x.data), row.shape) };
    const ortOut = (await session.run(feed))[session.outputNames[0]].data as Float32Array;
    const err = maxRelErr(plan.run(x).data, ortOut);
    const eager = await median(() => noGrad(() => model.forward(x)));
    const compiled = await median(() => plan.run(x));
    const ortMs = await median(() => session.run(feed));
    console.log(`| ${row.label} | ${threads} | ${eager.toFixed(1)} | ${compiled.toFixed(1)} | ${ortMs.toFixed(1)} | ${(compiled / ortMs).toFixed(2)} | ${(plan.arenaBytes / 2 ** 20).toFixed(1)} | ${err.toExponential(1)} |`);
    plan.dispose();
    await session.release();
    await be.dispose();
  }
}
console.log(`\n${os.loadavg()[0].toFixed(1)} load average at the end`);
process.exit(0);
