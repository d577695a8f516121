// Where LeNet's training step (batch 64, bench/workloads/lenet.ts) spends its time on the
// wasm backend, per backend method and per parallel() dispatch, on 1 and 2 threads:
//   node --experimental-wasm-relaxed-simd --import tsx bench/lenet-profile.ts [threads…]
// A diagnostic, not a benchmark: the wrappers add a little time; compare the tables of one
// run (a loaded 2-core machine swings whole runs by 30 %).
import { loadWasmBackend } from '../src/backend/wasm.js';
import { WasmContext } from '../src/backend/wasm/context.js';
import { setBackend } from '../src/backend/registry.js';
import type { Backend } from '../src/backend/backend.js';
import { CrossEntropyLoss } from '../src/losses.js';
import { SGD } from '../src/train/optim/index.js';
import { tidy } from '../src/tensor-scope.js';
import { Random } from '../src/random.js';
import { buildLenet } from './workloads/lenet.js';
import { uniformTensor } from './workloads/common.js';

interface Stat {
  calls: number;
  ms: number;
  tasks: number;
}

const STEPS = 200;
const dispatches = new Map<string, Stat>();
const methods = new Map<string, Stat>();
let recording = false;

function add(table: Map<string, Stat>, key: string, ms: number, tasks = 1): void {
  const s = table.get(key) ?? { calls: 0, ms: 0, tasks: 0 };
  s.calls++;
  s.ms += ms;
  s.tasks = Math.max(s.tasks, tasks);
  table.set(key, s);
}

// Every dispatch, by op and first kernel (thread 1 runs them too, as one task).
const parallel = WasmContext.prototype.parallel;
WasmContext.prototype.parallel = function (op, tasks) {
  const start = performance.now();
  parallel.call(this, op, tasks);
  if (recording) add(dispatches, `${op} (${tasks[0]?.[0]?.[0] ?? 'none'} ×${tasks[0]?.length ?? 0})`, performance.now() - start, tasks.length);
};

/** The backend with every method timed (the backend object is frozen: a timed copy). */
function timed(backend: Backend): Backend {
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(Object.getOwnPropertyDescriptors(backend))) {
    const f = value.value;
    if (typeof f !== 'function' || key === 'dispose') {
      Object.defineProperty(copy, key, { ...value, configurable: true });
      continue;
    }
    copy[key] = (...args: unknown[]): unknown => {
      const start = performance.now();
      const result = f.apply(backend, args);
      const g = args[0] as { inChannels?: number; outChannels?: number } | undefined;
      if (recording) add(methods, g?.inChannels ? `${key} ${g.inChannels}→${g.outChannels}` : key, performance.now() - start);
      return result;
    };
  }
  return Object.setPrototypeOf(copy, Object.getPrototypeOf(backend)) as Backend;
}

function print(title: string, table: Map<string, Stat>): void {
  console.log(`  ${title}`);
  let sum = 0;
  for (const [key, s] of [...table].sort((a, b) => b[1].ms - a[1].ms)) {
    sum += s.ms / STEPS;
    console.log(`    ${key.padEnd(40)} ${((1000 * s.ms) / STEPS).toFixed(0).padStart(6)} µs/step  ${(s.calls / STEPS).toFixed(1)} calls/step  ≤ ${s.tasks} tasks`);
  }
  console.log(`    total ${(1000 * sum).toFixed(0)} µs`);
}

async function profile(threads: number): Promise<void> {
  dispatches.clear();
  methods.clear();
  const real = await loadWasmBackend({ variant: 'relaxed', threads });
  const backend = timed(real);
  const x = uniformTensor([64, 1, 28, 28], 51);
  x.data.forEach((v, i) => (x.data[i] = (v + 1) / 2));
  const rng = new Random(52);
  const labels = new Int32Array(64);
  for (let i = 0; i < 64; i++) labels[i] = rng.int(10);
  const model = buildLenet();
  const loss = new CrossEntropyLoss();
  const opt = new SGD(model.parameters(), { lr: 0.01 });
  const step = (): void =>
    tidy(() => {
      setBackend(backend);
      model.zeroGrad();
      const out = loss.forward(model.forward(x), labels);
      out.backward();
      opt.step();
      out.item();
    });
  for (let i = 0; i < 50; i++) step();
  recording = true;
  const start = performance.now();
  for (let i = 0; i < STEPS; i++) step();
  recording = false;
  console.log(`threads ${real.threads}: ${((performance.now() - start) / STEPS).toFixed(3)} ms per step (timed)`);
  print('backend methods (inclusive)', methods);
  print('parallel() dispatches', dispatches);
  await real.dispose();
}

const asked = process.argv.slice(2).map(Number);
for (const threads of asked.length > 0 ? asked : [1, 2]) await profile(threads);
