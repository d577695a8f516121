// `npx simdnet <command>`: built by rollup into dist/simdnet-cli.js, which imports the
// library from ./simdnet.js. One command so far:
//
//   simdnet parity [--backends js,wasm:simd,...] [--fixtures PATH] [--no-conformance] [--json] [--no-reexec]
//
// runs, on every backend and wasm variant this engine validates:
//   1. the built-in op sweep (paritySweep), forward and backward, against naive;
//   2. compareBackends on a small CNN, forward and backward, against naive;
//   3. ONNX's operator conformance tests (onnxConformance) on naive too, each backend
//      against ONNX's expected outputs, from the fixtures packed beside this file
//      (dist/onnx-conformance.json; in a clone, test/fixtures/onnx/ is used when the pack
//      is missing; --fixtures names another pack or directory of per-operator files).
// It prints per op and backend the worst error against the tolerance and exits 1 on any
// failure (2 on a usage error). Node 20 runs relaxed SIMD only behind
// --experimental-wasm-relaxed-simd: when relaxed does not validate and the flag is not
// set, the command re-executes itself once with the flag (--no-reexec: don't; relaxed is
// then reported as skipped).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  checkConformancePack, checkOnnxFixture, compareBackends, formatConformanceReport, formatParityReport, formatSweepReport, onnxConformance,
  packConformance, parityModel, paritySweep, supportsVariant, type ConformancePack, type ParityBackendSpec,
} from './index.js';

const RELAXED_FLAG = '--experimental-wasm-relaxed-simd';

const USAGE = `usage: simdnet parity [--backends LIST] [--fixtures PATH] [--no-conformance] [--json] [--no-reexec]
  --backends LIST   comma-separated: js, wasm (every variant), wasm:scalar, wasm:simd, wasm:relaxed,
                    wasm:threads (both threads builds on 2 threads), wasm:simd-threads, wasm:relaxed-threads (default js,wasm);
                    the ONNX conformance tests also run on naive
  --fixtures PATH   the ONNX conformance fixtures: a pack (default: onnx-conformance.json beside this script)
                    or a directory of per-operator files (test/fixtures/onnx in a clone)
  --no-conformance  skip the ONNX conformance tests
  --json            print the reports as JSON instead of tables
  --no-reexec       do not re-run Node with ${RELAXED_FLAG} when relaxed SIMD does not validate`;

interface Args {
  backends?: ParityBackendSpec[];
  fixtures?: string;
  conformance: boolean;
  json: boolean;
  reexec: boolean;
}

function parseArgs(argv: string[]): Args | string {
  const out: Args = { conformance: true, json: false, reexec: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (flag: string): string | undefined => (a === flag ? argv[++i] : a.slice(flag.length + 1));
    if (a === '--json') out.json = true;
    else if (a === '--no-reexec') out.reexec = false;
    else if (a === '--no-conformance') out.conformance = false;
    else if (a === '--backends' || a.startsWith('--backends=')) {
      const v = value('--backends');
      if (!v) return '--backends needs a list';
      out.backends = v.split(',').map((s) => s.trim()) as ParityBackendSpec[];
    } else if (a === '--fixtures' || a.startsWith('--fixtures=')) {
      const v = value('--fixtures');
      if (!v) return '--fixtures needs a path';
      out.fixtures = v;
    } else return `unknown argument '${a}'`;
  }
  return out;
}

/** The pack beside the bundled CLI, else (running in a clone) the repository's fixtures. */
function defaultFixtures(): string[] {
  return [fileURLToPath(new URL('./onnx-conformance.json', import.meta.url)), fileURLToPath(new URL('../test/fixtures/onnx/', import.meta.url))];
}

/** Reads a pack file, or a directory of per-operator fixture files, checked. */
function readFixtures(path: string): ConformancePack {
  if (!statSync(path).isDirectory()) return checkConformancePack(JSON.parse(readFileSync(path, 'utf8')));
  const files = readdirSync(path).filter((f) => f.endsWith('.json')).sort();
  if (files.length === 0) throw new Error(`${path} holds no .json fixture files`);
  return packConformance(files.map((f) => checkOnnxFixture(JSON.parse(readFileSync(join(path, f), 'utf8')), f)));
}

function loadFixtures(args: Args): ConformancePack {
  const candidates = args.fixtures !== undefined ? [args.fixtures] : defaultFixtures();
  const found = candidates.find((p) => existsSync(p));
  if (found === undefined) throw new Error(`the ONNX conformance fixtures are not at ${candidates.join(' or ')} (--fixtures PATH names them, --no-conformance skips them)`);
  try {
    return readFixtures(found);
  } catch (e) {
    throw new Error(`cannot read the ONNX conformance fixtures at ${found}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

async function parity(args: Args): Promise<number> {
  const t0 = Date.now();
  let pack: ConformancePack | null = null;
  try {
    if (args.conformance) pack = loadFixtures(args);
  } catch (e) {
    console.error(`simdnet parity: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
  const sweep = await paritySweep({ backends: args.backends });
  const { model, input } = parityModel();
  const cnn = await compareBackends(model, input, { backends: args.backends, backward: true });
  const onnx = pack ? await onnxConformance(pack, { backends: ['naive', ...(args.backends ?? ['js', 'wasm']).filter((b) => b !== 'naive')] }) : null;
  const ok = sweep.ok && cnn.ok && (onnx?.ok ?? true);
  if (args.json) {
    console.log(JSON.stringify({ sweep, model: cnn, conformance: onnx }, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2));
    return ok ? 0 : 1;
  }
  console.log(formatSweepReport(sweep));
  console.log('');
  console.log(`Small CNN (${model.namedModules().length - 1} layers), forward and backward:`);
  console.log(formatParityReport(cnn));
  let conformance = 'ONNX conformance skipped (--no-conformance)';
  if (onnx) {
    console.log('');
    console.log(formatConformanceReport(onnx));
    const per = onnx.backends.map((b) => onnx.results.filter((r) => r.backend === b));
    // One count when every backend has it, else one per backend in column order.
    const n = (status: string): string => {
      const counts = per.map((rs) => rs.filter((r) => r.status === status).length);
      return counts.every((c) => c === counts[0]) ? String(counts[0]) : counts.join('/');
    };
    conformance = `ONNX conformance ${per[0]?.length ?? 0} tests on ${onnx.backends.length} backend(s): ${n('pass')} pass, ${n('fail')} fail, ${n('unsupported')} unsupported, ${n('exception')} listed exceptions`;
  }
  console.log('');
  console.log(`${ok ? 'PASS' : 'FAIL'}: ${sweep.results.length} op outputs, ${cnn.backends.length} backend(s) on the CNN, ${conformance}, ${Date.now() - t0} ms`);
  return ok ? 0 : 1;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command !== 'parity') {
    console.error(`simdnet: unknown command '${command}'\n${USAGE}`);
    return 2;
  }
  const args = parseArgs(rest);
  if (typeof args === 'string') {
    console.error(`simdnet parity: ${args}\n${USAGE}`);
    return 2;
  }
  if (args.reexec && !supportsVariant('relaxed') && !process.execArgv.includes(RELAXED_FLAG)) {
    const script = fileURLToPath(import.meta.url);
    const child = spawnSync(process.execPath, [...process.execArgv, RELAXED_FLAG, script, ...argv, '--no-reexec'], { stdio: 'inherit' });
    // 9: Node rejected the flag (a Node without it): carry on here, relaxed reported as skipped.
    if (child.status !== 9 && child.status !== null) return child.status;
    if (child.error) console.error(`simdnet: could not re-run with ${RELAXED_FLAG}: ${child.error.message}`);
  }
  return parity(args);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(`simdnet: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    process.exitCode = 1;
  },
);
