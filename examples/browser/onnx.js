// The ONNX page: load an .onnx file (file input or drag-and-drop) with loadOnnx, show what
// the file declares (producer, opset, inputs and outputs, parameter count, load time), and
// run it on a seeded normal(0, 1) input of the declared shape (symbolic dimensions set to
// 1), eagerly (model.forward) and as a compiled plan (model.compile), side by side.
// Errors from loading or running are shown on the page. ?variant= and ?backend= as on the
// digit page. window.simdnetOnnx exposes the state for the Chromium test.
// engine.js imports dist/simdnet.browser.js; loaded dynamically so that a missing build
// shows a message on the page instead of a silent module error.

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const wanted = { backend: params.get('backend') ?? 'wasm', variant: params.get('variant') ?? undefined };
/** How many leading output values the page shows. */
const SHOWN = 8;
/** Timed repeats after a first (warm-up) run: until this many ms or MAX_RUNS runs. */
const TIME_BUDGET_MS = 200;
const MAX_RUNS = 200;

const state = { engine: null, file: null, loadMs: null, loadError: null, model: null, run: null, runError: null, loads: 0, runs: 0 };
let simdnet = null;
let model = null;

const fmt = (v) => (Number.isFinite(v) && v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e4) ? v.toExponential(3) : Number(v.toPrecision(5)).toString());
const shapeText = (shape) => `[${shape.join(', ')}]`;
const paint = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Fills <table> el with a head row and rows of text cells, and shows it. */
function fill(el, head, rows) {
  el.replaceChildren();
  const tr = (cells, tag) => {
    const row = document.createElement('tr');
    for (const text of cells) {
      const cell = document.createElement(tag);
      cell.textContent = String(text);
      row.append(cell);
    }
    return row;
  };
  const thead = document.createElement('thead');
  if (head) thead.append(tr(head, 'th'));
  const tbody = document.createElement('tbody');
  for (const r of rows) tbody.append(tr(r, 'td'));
  el.append(thead, tbody);
  el.hidden = false;
}

function showError(id, message) {
  $(id).textContent = message;
  $(id).hidden = message === null;
}

/** The declared shape with every symbolic or unknown dimension set to 1. */
const concreteShape = (info) => info.shape.map((d) => (typeof d === 'number' ? d : 1));

// ---- loading
function describe(m, file, ms) {
  const parameters = m.parameters().reduce((n, p) => n + p.size, 0);
  const bufferValues = m.namedBuffers().reduce((n, [, b]) => n + b.size, 0);
  return {
    file: file.name,
    bytes: file.size,
    producer: `${m.producerName || '(none)'}${m.producerVersion ? ` ${m.producerVersion}` : ''}`,
    opset: m.opset,
    irVersion: m.irVersion,
    graphName: m.graphName,
    docString: m.docString,
    inputs: m.inputs.map((i) => ({ name: i.name, shape: [...i.shape], dtype: i.dtype })),
    outputs: m.outputs.map((o) => ({ name: o.name, shape: [...o.shape], dtype: o.dtype })),
    parameters,
    bufferValues,
    loadMs: ms,
  };
}

function showModel(info) {
  const rows = [
    ['file', `${info.file} (${info.bytes.toLocaleString('en')} bytes)`],
    ['producer', info.producer],
    ['opset', `${info.opset} (IR version ${info.irVersion})`],
    ['graph', info.graphName || '(unnamed)'],
    ['parameters', `${info.parameters.toLocaleString('en')}${info.bufferValues ? ` (+ ${info.bufferValues.toLocaleString('en')} buffer values)` : ''}`],
    ['load time', `${info.loadMs.toFixed(1)} ms`],
  ];
  if (info.docString) rows.push(['doc string', info.docString]);
  fill($('meta'), null, rows);
  fill($('io'), ['', 'Name', 'Shape', 'Type'], [
    ...info.inputs.map((i) => ['input', i.name, shapeText(i.shape), i.dtype]),
    ...info.outputs.map((o) => ['output', o.name, shapeText(o.shape), o.dtype]),
  ]);
}

/** Replaces the current model with the one in `file`; a file that does not load leaves
 * no model (the old one's figures would pass for the new file's) and shows why. */
async function loadFile(file) {
  await window.simdnetOnnx.ready;
  model = null;
  Object.assign(state, { file: file.name, loadMs: null, loadError: null, model: null, run: null, runError: null });
  $('run').disabled = true;
  $('results').hidden = true;
  $('meta').hidden = true;
  $('io').hidden = true;
  showError('load-error', null);
  $('run-status').textContent = 'Load a model, then Run.';
  $('load-status').textContent = `Reading ${file.name}…`;
  try {
    const bytes = new Uint8Array(await file.arrayBuffer());
    const t0 = performance.now();
    const loaded = simdnet.loadOnnx(bytes);
    const ms = performance.now() - t0;
    model = loaded;
    state.loadMs = ms;
    state.model = describe(loaded, file, ms);
    showModel(state.model);
    $('load-status').textContent = `Loaded ${file.name} in ${ms.toFixed(1)} ms.`;
    $('run').disabled = false;
  } catch (error) {
    state.loadError = error.message;
    $('load-status').textContent = `Could not load ${file.name} (no model loaded):`;
    showError('load-error', error.message);
  } finally {
    state.loads++;
  }
}

$('onnx-file').addEventListener('change', () => {
  const file = $('onnx-file').files?.[0];
  if (file) loadFile(file);
});
const drop = $('drop');
drop.addEventListener('dragover', (event) => {
  event.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (event) => {
  event.preventDefault();
  drop.classList.remove('over');
  const file = event.dataTransfer?.files?.[0];
  if (file) loadFile(file);
});

// ---- running
/** Runs fn once (its result is kept, its time reported as the first run), then again
 * until the time budget is spent; reports the mean of those runs, timed together because
 * a page's performance.now() is coarsened (to 0.1 ms without cross-origin isolation). */
function timed(fn) {
  const t0 = performance.now();
  const result = fn();
  const first = performance.now() - t0;
  let runs = 0;
  const start = performance.now();
  let elapsed = 0;
  while (runs < MAX_RUNS && (runs < 3 || elapsed < TIME_BUDGET_MS)) {
    simdnet.tidy(() => void fn()); // frees the run's tensors (wasm memory) at once
    runs++;
    elapsed = performance.now() - start;
  }
  return { result, first, mean: elapsed / runs, runs };
}

function outcome(fn) {
  try {
    const { result, first, mean, runs } = timed(fn);
    // A copy: a wasm tensor's data is a view of memory that a later op may grow and detach.
    const values = result.data.slice();
    return { shape: [...result.shape], values, first, ms: mean, runs, error: null };
  } catch (error) {
    return { shape: null, values: null, first: null, ms: null, runs: 0, error: error.message };
  }
}

function inputsFor(m, seed) {
  return m.inputs.map((info, i) => {
    if (info.dtype !== 'float32') throw new Error(`input '${info.name}' is ${info.dtype}; this page makes float32 inputs only`);
    return simdnet.randn(concreteShape(info), { seed: seed + i });
  });
}

async function run() {
  if (!model) throw new Error('Run: no model loaded');
  const seed = Number($('seed').value);
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`Run: the seed must be a whole number ≥ 0, got ${$('seed').value}`);
  $('run').disabled = true;
  $('run-status').textContent = 'Running…';
  state.run = null;
  state.runError = null;
  await paint();
  try {
    const inputs = inputsFor(model, seed);
    const eager = outcome(() => model.forward(...inputs));
    let compiled;
    let compileMs = null;
    let plan = null;
    try {
      if (inputs.length !== 1) throw new Error(`compile: the plan takes one input, the graph has ${inputs.length}`);
      const t0 = performance.now();
      plan = model.compile({ inputShape: inputs[0].shape });
      compileMs = performance.now() - t0;
      compiled = outcome(() => plan.run(inputs[0]));
    } catch (error) {
      compiled = { shape: null, values: null, first: null, ms: null, runs: 0, error: error.message };
    } finally {
      plan?.dispose();
    }
    let maxDiff = null;
    if (eager.values && compiled.values && eager.values.length === compiled.values.length) {
      maxDiff = 0;
      for (let i = 0; i < eager.values.length; i++) maxDiff = Math.max(maxDiff, Math.abs(eager.values[i] - compiled.values[i]));
    }
    state.run = { seed, inputShapes: inputs.map((x) => [...x.shape]), backend: state.engine, eager, compiled: { ...compiled, compileMs }, maxDiff };
    showRun(state.run);
  } catch (error) {
    state.runError = error.message;
    $('run-status').textContent = `Run failed: ${error.message}`;
    $('results').hidden = true;
  } finally {
    state.runs++;
    $('run').disabled = model === null;
  }
}

function showRun(r) {
  const engine = `${r.backend.backend}${r.backend.variant ? ` (${r.backend.variant})` : ''}`;
  const column = (o) => (o.error ? ['–', `error: ${o.error}`, '–', '–'] : [shapeText(o.shape), Array.from(o.values.subarray(0, SHOWN), fmt).join(', ') + (o.values.length > SHOWN ? ', …' : ''), `${o.ms.toFixed(3)} ms (mean of ${o.runs})`, `${o.first.toFixed(2)} ms`]);
  const eager = column(r.eager);
  const compiled = column(r.compiled);
  fill($('results'), ['', `Eager (model.forward) on ${engine}`, `Compiled (model.compile) on ${engine}`], [
    ['output shape', eager[0], compiled[0]],
    [`first ${SHOWN} values`, eager[1], compiled[1]],
    ['time per run', eager[2], compiled[2]],
    ['first run', eager[3], compiled[3]],
    ['compile time', '–', r.compiled.compileMs === null ? '–' : `${r.compiled.compileMs.toFixed(1)} ms`],
  ]);
  const diff = r.maxDiff === null ? '' : `; max |eager − compiled| = ${fmt(r.maxDiff)}`;
  $('run-status').textContent = `Input ${r.inputShapes.map(shapeText).join(', ')}, normal(0, 1), seed ${r.seed}${diff}.`;
}

$('run').addEventListener('click', () => run().catch((error) => {
  $('run-status').textContent = `Run failed: ${error.message}`;
}));

// ---- start
window.simdnetOnnx = { state, loadFile, run };
window.simdnetOnnx.ready = (async () => {
  try {
    let engineModule;
    try {
      engineModule = await import('./engine.js');
    } catch (error) {
      throw new Error(`cannot load ../../dist/simdnet.browser.js (run \`npm run build\`): ${error.message}`);
    }
    const engine = await engineModule.startEngine(wanted);
    simdnet = engineModule.simdnet;
    state.engine = engine;
    $('engine').textContent = `backend: ${engine.backend}${engine.variant ? ` · wasm variant: ${engine.variant}` : ''}${engine.fallback ? ` (wasm unavailable: ${engine.fallback})` : ''}`;
    return engine;
  } catch (error) {
    $('engine').textContent = `Engine failed to start: ${error.message}`;
    throw error;
  }
})();
window.simdnetOnnx.ready.catch(() => {}); // shown on the page; tests still see the rejection
