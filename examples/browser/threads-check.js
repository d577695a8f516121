// The threads check, one body for a page, a worker and Node: load the wasm backend on
// `threads` threads (init) and on one (loadWasmBackend, same variant), run the same work on
// both — a large GEMM, a conv2d forward and backward, three SGD steps of a small CNN — and
// compare the outputs byte for byte. Every GEMM here is large enough to be split over the
// threads. The outputs also come back as base64, so a test can compare them with Node's.
// It takes the simdnet module as an argument, so the same file runs with the browser
// bundle and with dist/simdnet.js.

/** The work: inputs(simdnet) made once, then run(simdnet, backend, inputs) returning named
 * Float32/Float64Arrays (only run is timed). */
const WORKLOADS = [
  {
    name: 'gemm 512×512×512',
    inputs: (s) => ({ a: s.randn([512, 512], { seed: 1 }), b: s.randn([512, 512], { seed: 2 }) }),
    run(s, backend, { a, b }) {
      return { c: s.gemm(a, b, { transB: true }, backend).data };
    },
  },
  {
    name: 'conv2d 4×16×32×32 ⋆ 32×16×3×3, forward and backward',
    inputs: (s) => ({
      x: s.randn([4, 16, 32, 32], { seed: 3 }),
      w: s.randn([32, 16, 3, 3], { seed: 4, std: 0.1 }),
      b: s.randn([32], { seed: 5 }),
      // Weights of the summed loss, so every output position sends a different gradient back.
      r: s.randn([4, 32, 32, 32], { seed: 6 }),
    }),
    run(s, backend, inputs) {
      // Fresh leaves per run: gradients accumulate.
      const [x, w, b] = [inputs.x, inputs.w, inputs.b].map((t) => {
        const leaf = t.detach();
        leaf.requiresGrad = true;
        return leaf;
      });
      const y = s.conv2d(x, w, b, { padding: 1 }, backend);
      s.sum(s.mul(y, inputs.r)).backward();
      return { y: y.data, dx: x.grad.data, dw: w.grad.data, db: b.grad.data };
    },
  },
  {
    name: 'CNN training, 3 SGD steps on 16×3×32×32',
    inputs: (s) => ({ x: s.randn([16, 3, 32, 32], { seed: 8 }), labels: Array.from({ length: 16 }, (_, i) => (i * 7) % 10) }),
    run(s, _backend, { x, labels }) {
      const random = new s.Random(7);
      const model = new s.Sequential([
        new s.Conv2d({ inChannels: 3, outChannels: 16, kernelSize: 3, padding: 1, random }),
        new s.ReLU(),
        new s.MaxPool2d({ kernelSize: 2 }),
        new s.Conv2d({ inChannels: 16, outChannels: 32, kernelSize: 3, padding: 1, random }),
        new s.ReLU(),
        new s.MaxPool2d({ kernelSize: 2 }),
        new s.Flatten(),
        new s.Linear({ inFeatures: 32 * 8 * 8, outFeatures: 10, random }),
      ]);
      const optimizer = new s.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
      const loss = new s.CrossEntropyLoss();
      const losses = new Float64Array(3);
      for (let step = 0; step < 3; step++) {
        optimizer.zeroGrad();
        const l = loss.forward(model.forward(x), labels);
        l.backward();
        optimizer.step();
        losses[step] = l.item();
      }
      const params = model.parameters();
      const flat = new Float32Array(params.reduce((n, p) => n + p.size, 0));
      let at = 0;
      for (const p of params) {
        flat.set(p.data, at);
        at += p.size;
      }
      return { losses, params: flat };
    },
  },
];

export const WORKLOAD_NAMES = WORKLOADS.map((w) => w.name);

const bytesOf = (a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

function sameBytes(a, b) {
  if (a.byteLength !== b.byteLength) return false;
  const x = bytesOf(a);
  const y = bytesOf(b);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** Bytes as base64 (btoa exists in pages, workers and Node ≥ 16). */
function base64(a) {
  const bytes = bytesOf(a);
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

/** FNV-1a over the bytes: a short fingerprint to show on the page. */
function fingerprint(a) {
  let h = 0x811c9dc5;
  for (const b of bytesOf(a)) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

const now = () => performance.now();

/** Runs one workload with `backend` current (layers and the tape use the current one). */
function runOn(s, workload, backend, inputs) {
  const previous = s.currentBackend();
  s.setBackend(backend);
  try {
    const t0 = now();
    const outputs = workload.run(s, backend, inputs);
    return { outputs, ms: now() - t0 };
  } finally {
    s.setBackend(previous);
  }
}

/**
 * The check. Resolves to { where, crossOriginIsolated, hardwareConcurrency, variant,
 * threads, threadsFallback, singleThreads, workloads: [{ name, identical, ms1, msN,
 * outputs: { name: { fingerprint, base64, identical } } }] }. ms are of the second of two
 * runs on each backend (the first warms up); identical is threads 1 vs threads N.
 */
export async function threadsCheck(s, { threads = 2, where = 'page' } = {}) {
  const threaded = await s.init({ backend: 'wasm', threads });
  const single = await s.loadWasmBackend({ variant: threaded.variant, threads: 1 });
  const report = {
    where,
    crossOriginIsolated: typeof crossOriginIsolated === 'boolean' ? crossOriginIsolated : null,
    hardwareConcurrency: typeof navigator === 'object' ? navigator.hardwareConcurrency ?? null : null,
    variant: threaded.variant,
    threads: threaded.threads,
    threadsFallback: threaded.threadsFallback,
    singleThreads: single.threads,
    workloads: [],
  };
  try {
    for (const workload of WORKLOADS) {
      const inputs = workload.inputs(s);
      runOn(s, workload, single, inputs);
      const one = runOn(s, workload, single, inputs);
      runOn(s, workload, threaded, inputs);
      const many = runOn(s, workload, threaded, inputs);
      const outputs = {};
      for (const [key, value] of Object.entries(many.outputs)) {
        outputs[key] = { fingerprint: fingerprint(value), base64: base64(value), identical: sameBytes(value, one.outputs[key]) };
      }
      report.workloads.push({ name: workload.name, identical: Object.values(outputs).every((o) => o.identical), ms1: one.ms, msN: many.ms, outputs });
    }
  } finally {
    await single.dispose();
  }
  return report;
}
