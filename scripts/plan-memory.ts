// Memory of a compiled plan against the same model run eagerly: ResNet-18 b1 on wasm
// (one thread), each mode in a fresh child process so the peak RSS is its own.
//   node --experimental-wasm-relaxed-simd --import tsx scripts/plan-memory.ts
// Prints one line per mode: the plan's arena and constants, the backend's linear memory,
// and the process's peak RSS after 5 runs.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { init, type WasmBackend } from '../src/index.js';
import { noGrad } from '../src/autograd/graph.js';
import { MODEL_CASES, buildCalibrated } from '../bench/workloads/models.js';
import { uniformTensor } from '../bench/workloads/common.js';

const MB = 2 ** 20;
const mode = process.argv[2];

async function measure(which: 'eager' | 'compiled'): Promise<void> {
  const backend = (await init({ backend: 'wasm', threads: 1 })) as WasmBackend;
  const model = buildCalibrated(MODEL_CASES[0]);
  const x = uniformTensor([1, 3, 224, 224], 7);
  let plan = '';
  if (which === 'compiled') {
    const compiled = model.compile({ inputShape: [1, 3, 224, 224] });
    for (let i = 0; i < 5; i++) compiled.run(x);
    plan = `arena ${(compiled.arenaBytes / MB).toFixed(1)} MB, constants ${(compiled.constantBytes / MB).toFixed(1)} MB, `;
  } else {
    for (let i = 0; i < 5; i++) noGrad(() => model.predict(x).dispose());
  }
  const rss = process.resourceUsage().maxRSS / 1024;
  console.log(`resnet18 b1 ${which}: ${plan}wasm memory ${(backend.memoryBytes / MB).toFixed(1)} MB, peak RSS ${rss.toFixed(0)} MB`);
}

if (mode === 'eager' || mode === 'compiled') {
  await measure(mode);
} else {
  for (const which of ['eager', 'compiled']) {
    const run = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), which], { stdio: 'inherit' });
    if (run.status !== 0) process.exit(run.status ?? 1);
  }
}
