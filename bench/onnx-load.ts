// `npm run bench:onnx -- [model.onnx ...]`: how long loadOnnx takes on real exports
// (issue 11: a 45 MB ResNet-18 in ≤ 1 s), beside the protobuf decode alone, which is the
// floor any importer pays. Default file: /tmp/simdnet-torchvision/resnet18.onnx, written
// by the torchvision export script (see docs/onnx.md); without one the run says so.
import { existsSync, readFileSync } from 'node:fs';
import { Bench } from 'tinybench';
import { loadOnnx } from '../src/index.js';
import { decodeModel } from '../src/onnx/proto.js';

const LIMIT_MS = 1000;
const files = process.argv.slice(2).filter((a) => !a.startsWith('--'));
if (files.length === 0) files.push('/tmp/simdnet-torchvision/resnet18.onnx');

function median(samples: readonly number[]): number {
  const s = [...samples].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

let failed = false;
for (const file of files) {
  if (!existsSync(file)) {
    console.log(`${file}: not found (export it first: /usr/bin/python3 scripts/onnx/export_torchvision.py, or pass a path)`);
    continue;
  }
  const bytes = readFileSync(file);
  const bench = new Bench({ iterations: 10, time: 0, warmup: true, warmupIterations: 2, warmupTime: 0, throws: true, retainSamples: true });
  bench.add('protobuf decode only', () => void decodeModel('bench', bytes));
  bench.add('loadOnnx', () => void loadOnnx(bytes));
  bench.add('read file + loadOnnx', () => void loadOnnx(readFileSync(file)));
  await bench.run();
  console.log(`${file} (${(bytes.length / 1e6).toFixed(1)} MB)`);
  for (const task of bench.tasks) {
    const result = task.result;
    if (result.state !== 'completed') throw new Error(`bench:onnx: ${task.name} finished in state '${result.state}'`);
    const samples = [...(result.latency.samples ?? [])];
    const ms = median(samples);
    console.log(`  ${task.name.padEnd(22)} median ${ms.toFixed(1).padStart(7)} ms  (min ${Math.min(...samples).toFixed(1)}, max ${Math.max(...samples).toFixed(1)}, ${samples.length} runs)`);
    if (task.name === 'read file + loadOnnx' && ms > LIMIT_MS) {
      console.log(`  FAIL: loading takes ${ms.toFixed(0)} ms, over the ${LIMIT_MS} ms target`);
      failed = true;
    }
  }
  const model = loadOnnx(bytes);
  console.log(`  ${model.toString()}, ${model.parameters().reduce((n, p) => n + p.size, 0)} parameters`);
}
if (failed) process.exitCode = 1;
