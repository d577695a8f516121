// The parity page: in this browser, what `npx simdnet parity` runs in Node — the op sweep
// (paritySweep) and a small CNN (compareBackends), forward and backward on js and every
// wasm variant the browser validates against naive, and ONNX's operator conformance
// tests (onnxConformance, from the pack the build writes: dist/onnx-conformance.json) on
// naive too, against ONNX's expected outputs. Shows per op and backend the worst
// error/bound (≤ 1 passes). ?backends=js,wasm:simd limits the backends (default
// js,wasm,wasm:threads: every wasm variant on one thread, and both threads builds on 2
// threads, which need a cross-origin isolated page; where they cannot run they are listed
// as skipped with simdnet's reason). window.simdnetParity.done resolves with the run's
// summary (the Chromium test reads it).

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const backends = (params.get('backends') ?? 'js,wasm,wasm:threads').split(',').map((s) => s.trim()).filter(Boolean);

const state = { phase: 'starting', error: null, ok: null, ms: null, isolated: globalThis.crossOriginIsolated === true, variants: null, skipped: [], sweep: null, cnn: null, conformance: null };

const fmt = (v) => {
  if (typeof v !== 'number' || !Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  return Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4 ? v.toPrecision(3) : v.toExponential(2);
};

/** Fills <table> el: a head row, then rows of cells; a cell { text, ok } is marked ok/FAIL. */
function fill(el, head, rows) {
  el.replaceChildren();
  const tr = (cells, tag) => {
    const row = document.createElement('tr');
    for (const c of cells) {
      const cell = document.createElement(tag);
      const value = typeof c === 'object' && c !== null ? c : { text: String(c) };
      cell.textContent = value.text;
      if (value.ok === true) cell.className = 'ok';
      if (value.ok === false) cell.className = 'fail';
      row.append(cell);
    }
    return row;
  };
  const thead = document.createElement('thead');
  thead.append(tr(head, 'th'));
  const tbody = document.createElement('tbody');
  for (const r of rows) tbody.append(tr(r, 'td'));
  el.append(thead, tbody);
}

const ratioCell = (worst, ok) => ({ text: `${worst ? fmt(worst.worstRatio) : '–'} ${ok ? 'ok' : 'FAIL'}`, ok });
const status = (text) => {
  $('status').textContent = text;
};
/** Lets the page paint between phases (the run itself is on this thread). */
const paint = () => new Promise((resolve) => setTimeout(resolve, 0));

function showSweep(s, report) {
  const labels = [...new Set(report.summary.map((x) => x.backend))];
  const ops = [...new Set(report.summary.map((x) => x.op))];
  fill($('sweep'), ['Op', 'Cases', ...labels], ops.map((op) => {
    const per = labels.map((b) => report.summary.find((x) => x.op === op && x.backend === b));
    return [op, per[0]?.cases ?? 0, ...per.map((x) => (x ? ratioCell(x.worst, x.ok) : '–'))];
  }));
  $('sweep-note').textContent = `tolerance |a − e| ≤ ${report.tolerance.rtol}·|e| + ${report.tolerance.atol} (atol·Σ|terms| for ${report.magnitudeOps.join(', ')}); cells: worst error/bound (≤ 1 passes)`;
  const text = s.formatSweepReport(report);
  return { ok: report.ok, backends: labels, ops, outputs: report.results.length, failures: report.results.filter((r) => !r.ok).length, text };
}

function showCnn(s, report) {
  const rows = [];
  for (const b of report.backends) {
    for (const e of [...b.layers, b.output, ...b.gradients]) rows.push([b.backend, e.name, e.type, `[${e.shape.join(', ')}]`, fmt(e.maxAbsError), ratioCell(e, e.ok)]);
  }
  fill($('cnn'), ['Backend', 'Layer', 'Type', 'Shape', 'max |a − e|', 'error/bound'], rows);
  return { ok: report.ok, backends: report.backends.map((b) => b.backend), text: s.formatParityReport(report) };
}

function showConformance(s, report) {
  const labels = report.backends;
  const ops = [...new Set(report.summary.map((x) => x.op))];
  const same = (values) => (values.every((v) => v === values[0]) ? String(values[0]) : values.join('/'));
  fill($('conformance'), ['Operator', 'Tests', 'Pass', 'Fail', 'Unsupported', ...labels], ops.map((op) => {
    const per = labels.map((b) => report.summary.find((x) => x.op === op && x.backend === b));
    const count = (k) => same(per.map((x) => x?.[k] ?? 0));
    return [op, per[0]?.tests ?? 0, count('pass'), count('fail'), count('unsupported'), ...per.map((x) => (x ? ratioCell(x.worst, x.ok) : '–'))];
  }));
  const counts = Object.fromEntries(labels.map((b) => {
    const rs = report.results.filter((r) => r.backend === b);
    const n = (k) => rs.filter((r) => r.status === k).length;
    return [b, { tests: rs.length, pass: n('pass'), fail: n('fail'), unsupported: n('unsupported'), exceptions: n('exception') }];
  }));
  $('conformance-note').textContent = `onnx ${report.onnx} operator tests; tolerance |a − e| ≤ ${report.tolerance.rtol}·|e| + ${report.tolerance.atol} for float outputs, exact for integer and bool ones; Unsupported counts the listed exceptions`;
  const listed = new Map();
  for (const r of report.results) if (r.status === 'exception' || r.status === 'unsupported') listed.set(`${r.op}/${r.test}`, r);
  $('exceptions').replaceChildren(...[...listed].map(([key, r]) => {
    const li = document.createElement('li');
    li.textContent = `${key}: ${r.status === 'exception' ? 'listed exception' : 'NOT LISTED'}: ${r.reason}`;
    return li;
  }));
  const failures = report.results.filter((r) => r.status === 'fail').map((r) => `${r.backend} ${r.op}/${r.test}: ${r.message}`);
  return { ok: report.ok, backends: labels, ops, counts, failures, text: s.formatConformanceReport(report) };
}

async function run() {
  const t0 = performance.now();
  let s;
  try {
    s = await import('../../dist/simdnet.browser.js');
  } catch (error) {
    throw new Error(`cannot load ../../dist/simdnet.browser.js (run \`npm run build\`): ${error.message}`);
  }
  state.variants = s.wasmVariants();
  $('engine').textContent = `wasm variants in this browser: ${state.variants.map((v) => `${v.variant} ${v.unavailable ? `unavailable (${v.unavailable})` : 'runs'}`).join(' · ')} · crossOriginIsolated: ${state.isolated} (threads builds ${state.isolated ? 'run on 2 threads' : 'cannot share memory here'})`;
  const response = await fetch('../../dist/onnx-conformance.json');
  if (!response.ok) throw new Error(`cannot fetch ../../dist/onnx-conformance.json: HTTP ${response.status} (run \`npm run build\`)`);
  const pack = s.checkConformancePack(await response.json());

  state.phase = 'sweep';
  status('Running the op sweep…');
  await paint();
  const sweepReport = await s.paritySweep({ backends });
  state.sweep = showSweep(s, sweepReport);

  state.phase = 'cnn';
  status('Running the small CNN…');
  await paint();
  const { model, input } = s.parityModel();
  const cnnReport = await s.compareBackends(model, input, { backends, backward: true });
  state.cnn = showCnn(s, cnnReport);

  state.phase = 'conformance';
  status('Running the ONNX conformance tests…');
  await paint();
  const conformanceReport = await s.onnxConformance(pack, { backends: ['naive', ...backends.filter((b) => b !== 'naive')] });
  state.conformance = showConformance(s, conformanceReport);

  // Backends asked for that cannot run here (e.g. the threads builds in a page that is not
  // cross-origin isolated), with the reason; the same for every part of the run.
  const skipped = new Map();
  for (const r of [sweepReport, cnnReport, conformanceReport]) for (const k of r.skipped) skipped.set(k.label, k.reason);
  state.skipped = [...skipped].map(([label, reason]) => ({ label, reason }));
  $('skipped').replaceChildren(...state.skipped.map(({ label, reason }) => {
    const li = document.createElement('li');
    li.textContent = `skipped ${label}: ${reason}`;
    return li;
  }));

  state.ok = state.sweep.ok && state.cnn.ok && state.conformance.ok;
  state.ms = Math.round(performance.now() - t0);
  state.phase = 'done';
  const c = Object.values(state.conformance.counts)[0];
  $('text').textContent = [state.sweep.text, state.cnn.text, state.conformance.text].join('\n\n');
  status(`${state.ok ? 'PASS' : 'FAIL'}: ${state.sweep.outputs} op outputs, ${state.cnn.backends.length} backend(s) on the CNN, ONNX conformance ${c?.tests ?? 0} tests on ${state.conformance.backends.length} backend(s), ${state.ms} ms`);
  $('status').className = `engine ${state.ok ? 'ok' : 'fail'}`;
  return state;
}

window.simdnetParity = { state };
window.simdnetParity.done = run().catch((error) => {
  state.phase = 'error';
  state.error = error.message;
  status(`The parity run failed: ${error.message}`);
  throw error;
});
window.simdnetParity.done.catch(() => {}); // shown on the page; tests still see the rejection
