// `npm run bench:threads`: SGEMM n×n on simdnet wasm relaxed-SIMD with threads 1 and 2 in
// one run (tinybench, interleaved so a change in machine load hits both alike), with the
// ratio threads 2 / threads 1 per size and the load average before and after. The
// split threshold (GEMM_SPLIT_FLOPS) is checked by the small sizes: 2 threads must not
// be slower there. Results go to bench/results/threads.json.
//
//   npm run bench:threads                 n = 64, 96, 128, 256, 512, 1024
//   npm run bench:threads -- 1024 2048    those sizes
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { Bench } from 'tinybench';
import { loadWasmBackend, type WasmBackend } from '../src/backend/wasm.js';

const sizes = process.argv.slice(2).map(Number);
if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`bench:threads: sizes must be positive integers, got ${process.argv.slice(2).join(' ')}`);
const SIZES = sizes.length > 0 ? sizes : [64, 96, 128, 256, 512, 1024];
const variant = 'relaxed' as const;

const backends: [string, WasmBackend][] = [
  ['threads 1', await loadWasmBackend({ variant, threads: 1 })],
  ['threads 2', await loadWasmBackend({ variant, threads: 2 })],
];
if (backends[1][1].threads !== 2) throw new Error(`bench:threads: 2 threads do not run here: ${backends[1][1].threadsFallback}`);

const loadStart = os.loadavg()[0];
const rows: { n: number; gflops: Record<string, number>; medianMs: Record<string, number>; ratio: number }[] = [];
for (const n of SIZES) {
  const a = Float32Array.from({ length: n * n }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
  const b = Float32Array.from({ length: n * n }, (_, i) => ((i * 104729) % 1000) / 1000 - 0.5);
  const outputs = backends.map(() => new Float32Array(n * n));
  const p = { alpha: 1, beta: 0, transA: false, transB: false };
  const time = Math.min(2000, Math.max(300, n * 2));
  const bench = new Bench({ time, warmupTime: 100 });
  backends.forEach(([label, be], i) => bench.add(label, () => be.gemm(n, n, n, a, b, outputs[i], p)));
  await bench.run();
  if (!Buffer.from(outputs[0].buffer).equals(Buffer.from(outputs[1].buffer))) throw new Error(`bench:threads: n = ${n}: threads 1 and 2 differ`);
  const medianMs: Record<string, number> = {};
  const gflops: Record<string, number> = {};
  for (const task of bench.tasks) {
    const r = task.result as { latency?: { p50?: number } } | undefined;
    const ms = r?.latency?.p50 ?? Number.NaN;
    medianMs[task.name] = ms;
    gflops[task.name] = (2 * n ** 3) / (ms * 1e6);
  }
  const ratio = medianMs['threads 1'] / medianMs['threads 2'];
  rows.push({ n, gflops, medianMs, ratio });
  console.log(
    `SGEMM ${String(n).padStart(4)}  threads 1 ${gflops['threads 1'].toFixed(1).padStart(6)} GFLOP/s  threads 2 ${gflops['threads 2'].toFixed(1).padStart(6)} GFLOP/s  threads 2 / threads 1 ${ratio.toFixed(2)}×`,
  );
}
const loadEnd = os.loadavg()[0];
console.log(`load average ${loadStart.toFixed(2)} → ${loadEnd.toFixed(2)} on ${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), Node ${process.version}`);
await Promise.all(backends.map(([, be]) => be.dispose()));
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/threads.json', import.meta.url), `${JSON.stringify({ date: new Date().toISOString(), variant, load: { start: loadStart, end: loadEnd }, cores: os.cpus().length, rows }, null, 2)}\n`);
