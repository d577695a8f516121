// The demo page: a drawing pad, class-probability bars, model loading, and training in a
// Web Worker (the page thread only draws and predicts, so it never freezes).
// Query options: ?variant=scalar|simd|relaxed forces a wasm variant, ?threads=N asks for N
// threads (default: the cores; more than 1 needs a cross-origin isolated page), ?backend=js skips
// wasm, ?model=<url> loads a served model at start (default: the newest *.simdnet in
// out/mnist/, i.e. the one `npm start` wrote last, when the server has one).
import { SIDE, rgbaToGray, toMnistInput } from './digit.js';

// engine.js imports dist/simdnet.browser.js; loaded dynamically so that a missing build
// shows a message on the page instead of a silent module error.
let engineModule = null;

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const wanted = {
  backend: params.get('backend') ?? 'wasm',
  variant: params.get('variant') ?? undefined,
  threads: params.has('threads') ? Number(params.get('threads')) : undefined,
};

const state = {
  engine: null,
  model: null,
  modelName: '',
  lastInput: null,
  lastProbs: null,
  predictions: 0,
  losses: [],
  training: false,
  trainResult: null,
  trainError: null,
  exportError: null,
  modelBytes: null,
  maxFrameGap: 0,
  maxTimerGap: 0,
  heartbeats: 0,
};

// ---- the UI-thread heartbeat: shows (and lets tests check) the page stays responsive.
let lastFrame = performance.now();
let frames = 0;
let fpsSince = lastFrame;
function frame(now) {
  state.maxFrameGap = Math.max(state.maxFrameGap, now - lastFrame);
  lastFrame = now;
  frames++;
  if (now - fpsSince >= 500) {
    $('fps').textContent = `${Math.round((frames * 1000) / (now - fpsSince))} frames/s`;
    frames = 0;
    fpsSince = now;
  }
  requestAnimationFrame(frame);
}
requestAnimationFrame(frame);
let lastTick = performance.now();
setInterval(() => {
  const now = performance.now();
  state.maxTimerGap = Math.max(state.maxTimerGap, now - lastTick);
  lastTick = now;
  state.heartbeats++;
}, 50);

// ---- probability bars
const bars = [];
for (let d = 0; d < 10; d++) {
  const li = document.createElement('li');
  li.innerHTML = `<span>${d}</span><span class="track"><span class="fill"></span></span><span class="pct">–</span>`;
  $('bars').append(li);
  bars.push({ li, fill: li.querySelector('.fill'), pct: li.querySelector('.pct') });
}

function showProbs(probs) {
  let best = -1;
  if (probs) best = probs.indexOf(Math.max(...probs));
  bars.forEach((bar, d) => {
    const p = probs ? probs[d] : 0;
    bar.fill.style.width = `${(p * 100).toFixed(1)}%`;
    bar.pct.textContent = probs ? `${(p * 100).toFixed(1)}%` : '–';
    bar.li.classList.toggle('best', d === best);
  });
  $('prediction').textContent = best >= 0 ? String(best) : '–';
}

// ---- drawing pad (pointer events: mouse, touch and pen alike)
const pad = $('pad');
const ctx = pad.getContext('2d', { willReadFrequently: true });
function clearPad() {
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, pad.width, pad.height);
  state.lastInput = null;
  state.lastProbs = null;
  showProbs(null);
}
clearPad();

let drawing = false;
let last = null;
const at = (event) => {
  const r = pad.getBoundingClientRect();
  return { x: ((event.clientX - r.left) * pad.width) / r.width, y: ((event.clientY - r.top) * pad.height) / r.height };
};
function stroke(from, to) {
  ctx.strokeStyle = '#fff';
  ctx.lineWidth = pad.width / 10; // ≈ MNIST stroke width once a digit is scaled to 20 px
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  ctx.shadowColor = '#fff';
  ctx.shadowBlur = pad.width / 70;
  ctx.beginPath();
  ctx.moveTo(from.x, from.y);
  ctx.lineTo(to.x, to.y);
  ctx.stroke();
}
pad.addEventListener('pointerdown', (event) => {
  event.preventDefault();
  pad.setPointerCapture(event.pointerId);
  drawing = true;
  last = at(event);
  stroke(last, last);
});
pad.addEventListener('pointermove', (event) => {
  if (!drawing) return;
  const p = at(event);
  stroke(last, p);
  last = p;
  schedulePredict();
});
const endStroke = () => {
  if (!drawing) return;
  drawing = false;
  runPrediction();
};
pad.addEventListener('pointerup', endStroke);
pad.addEventListener('pointercancel', endStroke);
$('clear').addEventListener('click', clearPad);

let predictTimer = 0;
function schedulePredict() {
  if (!predictTimer) predictTimer = setTimeout(() => { predictTimer = 0; runPrediction(); }, 80);
}

/** Reads the pad, preprocesses it MNIST-style, and shows the model's probabilities. */
function runPrediction() {
  const { width: w, height: h } = pad;
  const input = toMnistInput(rgbaToGray(ctx.getImageData(0, 0, w, h).data, w, h), w, h);
  state.lastInput = input;
  if (!input || !state.model) {
    state.lastProbs = null;
    showProbs(null);
    return null;
  }
  const probs = engineModule.predict(state.model, input);
  state.lastProbs = probs;
  state.predictions++;
  showProbs(Array.from(probs));
  return probs;
}

/** Paints a 28×28 digit (bytes 0..255, white on black) onto the pad, scaled up. */
function drawDigit(pixels) {
  if (pixels.length !== SIDE * SIDE) throw new Error(`drawDigit: expected ${SIDE * SIDE} pixels, got ${pixels.length}`);
  const cell = pad.width / SIDE;
  clearPad();
  for (let i = 0; i < pixels.length; i++) {
    const v = pixels[i];
    if (!v) continue;
    ctx.fillStyle = `rgb(${v},${v},${v})`;
    ctx.fillRect((i % SIDE) * cell, Math.floor(i / SIDE) * cell, cell, cell);
  }
  return runPrediction();
}

// ---- models
function useModel(model, name, bytes) {
  state.model = model;
  state.modelBytes = bytes;
  state.modelName = name;
  $('model-status').textContent = `Model: ${name}`;
  $('export-onnx').disabled = false;
  runPrediction();
}

async function loadModelBytes(bytes, name) {
  await window.simdnetDemo.ready;
  try {
    useModel(engineModule.loadModel(bytes), name, bytes);
  } catch (error) {
    dropModel(`Could not load ${name}: ${error.message}`);
    throw error;
  }
}

/** A model that failed to load or fetch replaces the previous one with none: bars left
 * showing the old model's output would pass for the new file's. */
function dropModel(message) {
  state.model = null;
  state.modelBytes = null;
  state.modelName = '';
  state.lastProbs = null;
  showProbs(null);
  $('model-status').textContent = `${message} (no model loaded)`;
  $('export-onnx').disabled = true;
}

$('model-file').addEventListener('change', async () => {
  const file = $('model-file').files?.[0];
  if (file) await loadModelBytes(new Uint8Array(await file.arrayBuffer()), file.name).catch(() => {});
});

async function fetchModel(url) {
  const res = await fetch(url);
  if (!res.ok) {
    dropModel(`Could not fetch ${url}: HTTP ${res.status}`);
    throw new Error(`${url}: HTTP ${res.status}`);
  }
  await loadModelBytes(new Uint8Array(await res.arrayBuffer()), url.split('/').pop());
}

/** Lists the model files (*.simdnet) the server offers from out/mnist/; returns their
 * names, newest first. */
async function listServedModels() {
  try {
    const res = await fetch('../../out/mnist/index.json');
    if (!res.ok) return [];
    const names = (await res.json()).filter((name) => name.endsWith('.simdnet'));
    for (const name of names) {
      const option = document.createElement('option');
      option.value = `../../out/mnist/${name}`;
      option.textContent = name;
      $('served-models').append(option);
    }
    return names;
  } catch {
    return []; // A plain static server has no listing: the file input still works.
  }
}
$('load-served').addEventListener('click', () => {
  const url = $('served-models').value;
  if (url) fetchModel(url).catch(() => {});
});

/** Downloads the current model as an ONNX file (<model name>.onnx); a model toOnnx
 * cannot express is reported under the button. Returns the bytes (for tests), or null. */
function exportOnnx() {
  state.exportError = null;
  if (!state.model) {
    state.exportError = 'no model loaded';
    $('export-status').textContent = 'Nothing to export: load or train a model first.';
    return null;
  }
  let bytes;
  try {
    bytes = engineModule.exportOnnx(state.model);
  } catch (error) {
    state.exportError = error.message;
    $('export-status').textContent = `Could not export ${state.modelName}: ${error.message}`;
    return null;
  }
  const base = state.modelName.replace(/\.simdnet$/, '').replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '') || 'model';
  const name = `${base}.onnx`;
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  $('export-status').textContent = `Exported ${name} (${bytes.length.toLocaleString('en')} bytes).`;
  return bytes;
}
$('export-onnx').addEventListener('click', () => exportOnnx());

// ---- training in a worker
let worker = null;
function drawLoss() {
  const c = $('loss');
  const g = c.getContext('2d');
  g.clearRect(0, 0, c.width, c.height);
  const losses = state.losses;
  if (losses.length < 2) return;
  const max = Math.max(...losses);
  const pad = 8;
  const top = 22;
  g.strokeStyle = '#2d6cdf';
  g.lineWidth = 1.5;
  g.beginPath();
  losses.forEach((l, i) => {
    const x = pad + ((c.width - 2 * pad) * i) / (losses.length - 1);
    const y = c.height - pad - ((c.height - pad - top) * l) / max;
    if (i === 0) g.moveTo(x, y);
    else g.lineTo(x, y);
  });
  g.stroke();
  g.fillStyle = getComputedStyle(document.body).color;
  g.font = '11px system-ui';
  g.fillText(`loss ${losses.at(-1).toFixed(3)} (max ${max.toFixed(2)})`, pad, 14);
}

function train(options = {}) {
  if (state.training) throw new Error('train: a training run is already going');
  const settings = {
    images: Number(options.images ?? $('train-images').value),
    epochs: Number(options.epochs ?? $('train-epochs').value),
    batchSize: Number(options.batchSize ?? $('train-batch').value),
    learningRate: Number(options.learningRate ?? $('train-lr').value),
    seed: Number(options.seed ?? 1),
  };
  state.training = true;
  state.losses = [];
  state.trainResult = null;
  state.trainError = null;
  state.maxFrameGap = 0;
  state.maxTimerGap = 0;
  $('train').disabled = true;
  $('stop').disabled = false;
  $('progress').value = 0;
  $('train-status').textContent = 'Starting the worker…';
  worker ??= new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  return new Promise((resolve, reject) => {
    const finish = () => {
      state.training = false;
      $('train').disabled = false;
      $('stop').disabled = true;
    };
    worker.onmessage = async ({ data }) => {
      if (data.type === 'progress') {
        state.losses.push(data.loss);
        $('progress').value = data.done / data.total;
        $('train-status').textContent = `epoch ${data.epoch + 1}/${settings.epochs} · batch ${data.batch + 1}/${data.batches} · loss ${data.loss.toFixed(4)} · ${Math.round(data.imagesPerSecond)} images/s`;
        drawLoss();
      } else if (data.type === 'done') {
        finish();
        state.trainResult = data;
        $('progress').value = 1;
        const acc = data.testAccuracy === null ? '' : ` · test accuracy ${(data.testAccuracy * 100).toFixed(1)}% on ${data.testCount}`;
        // Asked for more images than the server cut: say so rather than train on fewer silently.
        const fewer = data.requested > data.available ? ` · asked for ${data.requested} images, the server serves ${data.available} (npm run demo -- --train N serves more)` : '';
        $('train-status').textContent = `${data.stopped ? 'Stopped' : 'Trained'} on ${data.seen} images in ${data.seconds.toFixed(1)} s (worker: ${engineModule.describeEngine(data)})${acc}${fewer}`;
        await loadModelBytes(new Uint8Array(data.model), `LeNet trained in this page (${data.seen} images)`);
        resolve(data);
      } else if (data.type === 'error') {
        finish();
        state.trainError = data.message;
        $('train-status').textContent = `Training failed: ${data.message}`;
        reject(new Error(data.message));
      }
    };
    worker.onerror = (event) => {
      finish();
      state.trainError = event.message ?? 'worker error';
      $('train-status').textContent = `Worker error: ${event.message}`;
      reject(new Error(event.message));
    };
    worker.postMessage({ type: 'train', engine: wanted, ...settings });
  });
}
$('train').addEventListener('click', () => train().catch(() => {}));
$('stop').addEventListener('click', () => worker?.postMessage({ type: 'stop' }));

// ---- start
window.simdnetDemo = { state, drawDigit, predict: runPrediction, train, clear: clearPad, loadModelBytes, fetchModel, exportOnnx };
window.simdnetDemo.ready = (async () => {
  try {
    try {
      engineModule = await import('./engine.js');
    } catch (error) {
      throw new Error(`cannot load ../../dist/simdnet.browser.js (run \`npm run build\`): ${error.message}`);
    }
    state.engine = await engineModule.startEngine(wanted);
    const { backend, variant, threads, threadsFallback, fallback } = state.engine;
    const threadsText = backend === 'wasm' ? ` ×${threads}${threadsFallback ? ` (threads: ${threadsFallback})` : ''}` : '';
    $('engine').textContent = `backend: ${backend}${variant ? ` · wasm variant: ${variant}` : ''}${threadsText}${params.get('variant') ? ' (forced by ?variant)' : ''}${fallback ? ` (wasm unavailable: ${fallback})` : ''}`;
    $('train').disabled = false;
    return state.engine;
  } catch (error) {
    $('engine').textContent = `Engine failed to start: ${error.message}`;
    throw error;
  }
})();
window.simdnetDemo.ready.catch(() => {}); // shown on the page; tests still see the rejection

/** Resolves once the start-up model (if any) is loaded; a bad one is reported, not fatal. */
window.simdnetDemo.modelReady = window.simdnetDemo.ready.then(async () => {
  const served = await listServedModels();
  // ?model=<url> wins; else the newest model in out/mnist/ (the one `npm start` wrote last).
  const url = params.get('model') ?? (served.length > 0 ? `../../out/mnist/${served[0]}` : null);
  if (url) await fetchModel(url).catch(() => {});
}).catch(() => {});
