// `npx simdnet <command>`: built by rollup into dist/simdnet-cli.js, which imports the
// library from ./simdnet.js. One command so far:
//
//   simdnet parity [--backends js,wasm:simd,...] [--json] [--no-reexec]
//
// runs the built-in op sweep (paritySweep) and compareBackends on a small CNN, forward and
// backward, on every backend and wasm variant this engine validates, against naive; it
// prints per op and backend the worst error against the tolerance and exits 1 on any
// failure (2 on a usage error). Node 20 runs relaxed SIMD only behind
// --experimental-wasm-relaxed-simd: when relaxed does not validate and the flag is not
// set, the command re-executes itself once with the flag (--no-reexec: don't; relaxed is
// then reported as skipped).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { compareBackends, formatParityReport, formatSweepReport, parityModel, paritySweep, supportsVariant, type ParityBackendSpec } from './index.js';

const RELAXED_FLAG = '--experimental-wasm-relaxed-simd';

const USAGE = `usage: simdnet parity [--backends LIST] [--json] [--no-reexec]
  --backends LIST  comma-separated: js, wasm (every variant), wasm:scalar, wasm:simd, wasm:relaxed (default js,wasm)
  --json           print the reports as JSON instead of tables
  --no-reexec      do not re-run Node with ${RELAXED_FLAG} when relaxed SIMD does not validate`;

interface Args {
  backends?: ParityBackendSpec[];
  json: boolean;
  reexec: boolean;
}

function parseArgs(argv: string[]): Args | string {
  const out: Args = { json: false, reexec: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') out.json = true;
    else if (a === '--no-reexec') out.reexec = false;
    else if (a === '--backends' || a.startsWith('--backends=')) {
      const v = a === '--backends' ? argv[++i] : a.slice('--backends='.length);
      if (!v) return '--backends needs a list';
      out.backends = v.split(',').map((s) => s.trim()) as ParityBackendSpec[];
    } else return `unknown argument '${a}'`;
  }
  return out;
}

async function parity(args: Args): Promise<number> {
  const t0 = Date.now();
  const sweep = await paritySweep({ backends: args.backends });
  const { model, input } = parityModel();
  const cnn = await compareBackends(model, input, { backends: args.backends, backward: true });
  if (args.json) {
    console.log(JSON.stringify({ sweep, model: cnn }, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2));
  } else {
    console.log(formatSweepReport(sweep));
    console.log('');
    console.log(`Small CNN (${model.namedModules().length - 1} layers), forward and backward:`);
    console.log(formatParityReport(cnn));
    console.log('');
    const ok = sweep.ok && cnn.ok;
    console.log(`${ok ? 'PASS' : 'FAIL'}: ${sweep.results.length} op outputs, ${cnn.backends.length} backend(s) on the CNN, ${Date.now() - t0} ms`);
  }
  return sweep.ok && cnn.ok ? 0 : 1;
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
