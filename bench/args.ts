// Command-line options of `npm run bench`. Pure: no I/O, so it is unit-tested.

export interface BenchArgs {
  /** Rows whose name matches any of these run (case-insensitive regex, or substring when
   * the text is not a valid regex); empty = every row. */
  filters: RegExp[];
  /** Fewer runs per engine; the biggest naive rows are skipped. */
  quick: boolean;
  /** Engines to run (ids such as 'naive', 'wasm-simd', 'tfjs-cpu'); empty = all. Prefixes
   * match: 'wasm' selects every wasm variant, 'tfjs' both TF.js backends, 'ort' both
   * onnxruntime engines. */
  engines: string[];
  /** Where results go (path without extension); null = the default for the run. */
  out: string | null;
  /** List the rows that would run, then stop. */
  list: boolean;
  /** Exit 1 when a simdnet engine disagrees or throws, or a speed target is missed. */
  assert: boolean;
  /** Redraw the chart and table from this results file instead of running anything. */
  render: string | null;
  /** With render: stored in the file's machine line and shown on the chart and table. */
  note: string | null;
  help: boolean;
}

export const USAGE = `Usage: npm run bench -- [options]
  --filter <text>   run only rows whose name matches (regex or substring, case-insensitive);
                    repeatable; e.g. --filter conv, --filter "resnet.*fwd", --filter kernels
  --quick           fewer runs per engine, biggest naive rows skipped (< 3 minutes)
  --engines <list>  comma-separated engines: naive, js, wasm (all variants), wasm-scalar,
                    wasm-simd, wasm-relaxed, wasm-relaxed-t2 (2 threads), tfjs (both),
                    tfjs-cpu, tfjs-wasm, ort (all), ort-web, ort-web-t2 (2 threads), ort-node
                    (onnxruntime; whole-network rows only)
  --out <path>      write <path>.json, <path>.svg and <path>.md (default: bench/results/latest
                    for a full run, bench/results/partial for a filtered or quick run)
  --list            print the row names and exit
  --assert          exit with status 1 if a simdnet engine disagrees or fails, or a target
                    in the checklist is missed
  --render <file>   run nothing: draw <file>'s chart (.svg) and table (.md) again beside it
  --note <text>     with --render: store the text in the file's machine line, e.g.
                    "shared machine"; the chart and table show it
  --help            this text`;

/** Turns a user's filter text into a RegExp: a valid regex is used as is, anything else
 * (e.g. "conv2d (") is matched literally. Always case-insensitive. */
export function filterRegExp(text: string): RegExp {
  try {
    return new RegExp(text, 'i');
  } catch {
    return new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
  }
}

export function parseArgs(argv: readonly string[]): BenchArgs {
  const args: BenchArgs = { filters: [], quick: false, engines: [], out: null, list: false, assert: false, render: null, note: null, help: false };
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i];
    const eq = raw.startsWith('--') ? raw.indexOf('=') : -1;
    const flag = eq === -1 ? raw : raw.slice(0, eq);
    const takeValue = (): string => {
      if (eq !== -1) return raw.slice(eq + 1);
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new Error(`bench: ${flag} needs a value\n${USAGE}`);
      i++;
      return next;
    };
    switch (flag) {
      case '--filter': {
        const text = takeValue();
        if (text === '') throw new Error(`bench: --filter needs a non-empty pattern`);
        args.filters.push(filterRegExp(text));
        break;
      }
      case '--quick':
        args.quick = true;
        break;
      case '--engines':
        for (const id of takeValue().split(',')) if (id.trim() !== '') args.engines.push(id.trim());
        if (args.engines.length === 0) throw new Error('bench: --engines needs at least one engine');
        break;
      case '--out':
        args.out = takeValue();
        break;
      case '--list':
        args.list = true;
        break;
      case '--assert':
        args.assert = true;
        break;
      case '--render':
        args.render = takeValue();
        break;
      case '--note':
        args.note = takeValue();
        break;
      case '--help':
      case '-h':
        args.help = true;
        break;
      default:
        // npm forwards a bare word after `--filter` style misuse; say so rather than ignore it.
        throw new Error(`bench: unknown argument '${raw}'\n${USAGE}`);
    }
  }
  if (args.note !== null && args.render === null) throw new Error(`bench: --note goes with --render <file>\n${USAGE}`);
  return args;
}

export function rowSelected(name: string, filters: readonly RegExp[]): boolean {
  return filters.length === 0 || filters.some((f) => f.test(name));
}

/** 'wasm' selects wasm-scalar/simd/relaxed, 'tfjs' both TF.js backends, an exact id itself. */
export function engineSelected(id: string, wanted: readonly string[]): boolean {
  return wanted.length === 0 || wanted.some((w) => id === w || id.startsWith(`${w}-`));
}
