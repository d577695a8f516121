// Runs the torchvision models that scripts/onnx/export_torchvision.py wrote to DIR through
// simdnet's ONNX importer and compares each with PyTorch's output. Not part of `npm test`
// (the files are tens of MB and need Python to make):
//
//   /usr/bin/python3 scripts/onnx/export_torchvision.py /tmp/simdnet-torchvision
//   npx tsx scripts/onnx/check-torchvision.ts /tmp/simdnet-torchvision [--backend wasm] [--runs 2] [--ort]
//
// For every DIR/*.onnx (with its DIR/<name>.json): loadOnnx, timed; forward on the backend
// (wasm by default), `--runs` times, the fastest reported; then max |simdnet − PyTorch|
// against max |PyTorch|. A model passes when the error is at most 1e-4 of the largest
// output value (max |ref|). A model that fails to load or run shows the error message.
// `--ort` adds onnxruntime-web (wasm, one thread) on the same file, as a reference for both
// the speed and the error. Exits 1 when any model fails.
// (`node --experimental-wasm-relaxed-simd --import tsx scripts/onnx/check-torchvision.ts DIR`
// lets the wasm backend use its relaxed-SIMD variant on Node 20.)
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Tensor, init, loadOnnx, type BackendName } from '../../src/index.js';
import { ensureBuild } from '../ensure-build.js';

interface Stored {
  name: string;
  dtype: string;
  shape: number[];
  data: string;
}

interface Reference {
  name: string;
  opset: number;
  inputs: Stored[];
  outputs: Stored[];
}

interface Row {
  model: string;
  mb: number;
  loadMs?: number;
  forwardMs?: number;
  maxError?: number;
  maxRef?: number;
  pass: boolean;
  error?: string;
  ort?: { createMs: number; runMs: number; maxError: number } | { error: string };
}

const TOLERANCE = 1e-4;

function usage(message: string): never {
  console.error(`check-torchvision: ${message}\nusage: npx tsx scripts/onnx/check-torchvision.ts DIR [--backend naive|js|wasm] [--runs N] [--ort]`);
  process.exit(2);
}

function parseArgs(argv: string[]): { dir: string; backend: BackendName; runs: number; ort: boolean } {
  let dir: string | undefined;
  let backend: BackendName = 'wasm';
  let runs = 2;
  let ort = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--ort') ort = true;
    else if (a === '--backend') {
      const b = argv[++i];
      if (b !== 'naive' && b !== 'js' && b !== 'wasm') usage(`--backend must be naive, js or wasm, got '${b}'`);
      backend = b;
    } else if (a === '--runs') {
      runs = Number(argv[++i]);
      if (!Number.isInteger(runs) || runs < 1) usage(`--runs must be a positive integer, got '${argv[i]}'`);
    } else if (a.startsWith('-')) usage(`unknown option ${a}`);
    else if (dir === undefined) dir = a;
    else usage(`one DIR only, got '${dir}' and '${a}'`);
  }
  if (dir === undefined) usage('DIR is required');
  return { dir, backend, runs, ort };
}

function float32Of(v: Stored): Float32Array {
  if (v.dtype !== 'float32') throw new Error(`${v.name} is ${v.dtype}, not float32`);
  const bytes = Buffer.from(v.data, 'base64');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.byteLength / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}

function maxAbsError(actual: ArrayLike<number>, expected: Float32Array): number {
  if (actual.length !== expected.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.abs(actual[i] - expected[i]);
    if (!(e <= worst)) worst = Number.isNaN(e) ? Infinity : e;
  }
  return worst;
}

function maxAbs(a: Float32Array): number {
  let m = 0;
  for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}

function message(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0];
}

function checkSimdnet(bytes: Uint8Array, ref: Reference, runs: number, row: Row): void {
  const expected = float32Of(ref.outputs[0]);
  row.maxRef = maxAbs(expected);
  const t0 = performance.now();
  const model = loadOnnx(bytes);
  row.loadMs = performance.now() - t0;
  model.eval();
  const x = ref.inputs[0];
  const input = new Tensor(float32Of(x), x.shape);
  let y: Tensor | undefined;
  let best = Infinity;
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    y = model.forward(input);
    best = Math.min(best, performance.now() - t);
  }
  row.forwardMs = best;
  const out = y!;
  const want = ref.outputs[0].shape;
  if (out.shape.length !== want.length || out.shape.some((d, i) => d !== want[i])) {
    throw new Error(`output shape [${out.shape.join(', ')}], PyTorch's is [${want.join(', ')}]`);
  }
  row.maxError = maxAbsError(out.data, expected);
  row.pass = row.maxError <= TOLERANCE * row.maxRef;
}

async function checkOrt(bytes: Uint8Array, ref: Reference): Promise<NonNullable<Row['ort']>> {
  try {
    const ort = await import('onnxruntime-web');
    ort.env.wasm.numThreads = 1;
    const t0 = performance.now();
    const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
    const createMs = performance.now() - t0;
    const x = ref.inputs[0];
    const t1 = performance.now();
    const result = await session.run({ [x.name]: new ort.Tensor('float32', float32Of(x), x.shape) });
    const runMs = performance.now() - t1;
    const y = result[ref.outputs[0].name];
    await session.release();
    return { createMs, runMs, maxError: maxAbsError(y.data as Float32Array, float32Of(ref.outputs[0])) };
  } catch (e) {
    return { error: message(e) };
  }
}

function fmt(v: number | undefined, digits: number): string {
  return v === undefined ? '' : v.toFixed(digits);
}

function printTable(rows: Row[], backend: BackendName, withOrt: boolean): void {
  const head = ['model', 'MB', 'load ms', `forward ms (${backend})`, 'max |err|', 'max |ref|', 'result'];
  if (withOrt) head.push('ort create ms', 'ort run ms', 'ort max |err|');
  const lines = rows.map((r) => {
    const cells = [
      r.model, r.mb.toFixed(1), fmt(r.loadMs, 0), fmt(r.forwardMs, 1),
      r.maxError === undefined ? '' : r.maxError.toExponential(2), fmt(r.maxRef, 3),
      r.error ? 'error' : r.pass ? 'pass' : 'FAIL',
    ];
    if (withOrt) {
      const o = r.ort;
      if (!o) cells.push('', '', '');
      else if ('error' in o) cells.push('error', '', '');
      else cells.push(o.createMs.toFixed(0), o.runMs.toFixed(1), o.maxError.toExponential(2));
    }
    return cells;
  });
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const show = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  console.log(show(head));
  for (const l of lines) console.log(show(l));
  for (const r of rows) {
    if (r.error) console.log(`${r.model}: ${r.error}`);
    if (r.ort && 'error' in r.ort) console.log(`${r.model} (onnxruntime-web): ${r.ort.error}`);
  }
  console.log(`tolerance: max |err| ≤ ${TOLERANCE} · max |ref|; ${rows.filter((r) => r.pass).length} of ${rows.length} pass`);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const files = readdirSync(args.dir).filter((f) => f.endsWith('.onnx')).sort();
  if (files.length === 0) usage(`no .onnx file in ${args.dir} (write them with scripts/onnx/export_torchvision.py)`);
  if (args.backend === 'wasm') ensureBuild('wasm');
  await init({ backend: args.backend });
  const rows: Row[] = [];
  for (const file of files) {
    const name = file.slice(0, -'.onnx'.length);
    const bytes = new Uint8Array(readFileSync(join(args.dir, file)));
    const row: Row = { model: name, mb: bytes.length / 1e6, pass: false };
    rows.push(row);
    let ref: Reference;
    try {
      ref = JSON.parse(readFileSync(join(args.dir, `${name}.json`), 'utf8')) as Reference;
    } catch (e) {
      row.error = `no reference ${name}.json: ${message(e)}`;
      continue;
    }
    try {
      checkSimdnet(bytes, ref, args.runs, row);
    } catch (e) {
      row.error = message(e);
    }
    if (args.ort) row.ort = await checkOrt(bytes, ref);
    console.error(`${name}: ${row.error ? `error: ${row.error}` : row.pass ? 'pass' : 'FAIL'}`);
  }
  printTable(rows, args.backend, args.ort);
  if (rows.some((r) => !r.pass)) process.exitCode = 1;
}

await main();
