// Which backends a parity run compares: names a user writes ('js', 'wasm' for every wasm
// variant the engine validates, 'wasm:simd' for one) resolved to loaded Backend objects.
import type { Backend } from '../backend/backend.js';
import { jsBackend } from '../backend/js.js';
import { naiveBackend } from '../backend/naive.js';
import { loadWasmBackend, type WasmBackend } from '../backend/wasm.js';
import { supportsVariant, WASM_VARIANTS, type WasmVariant } from '../backend/wasm/features.js';

/** 'naive', 'js', 'wasm' (every supported variant on one thread), one variant ('wasm:scalar',
 * 'wasm:simd', 'wasm:relaxed'), 'wasm:threads' (both threads builds on 2 threads) or one
 * of them ('wasm:simd-threads', 'wasm:relaxed-threads'). */
export type ParityBackendName = 'naive' | 'js' | 'wasm' | `wasm:${WasmVariant}` | 'wasm:threads' | `wasm:${ThreadsVariant}-threads`;

type ThreadsVariant = Exclude<WasmVariant, 'scalar'>;
const THREADS_VARIANTS: readonly ThreadsVariant[] = ['simd', 'relaxed'];
/** Threads of the threaded parity backends: the smallest count that splits work. */
const PARITY_THREADS = 2;

/** A backend to compare: a name, or any Backend object (a user's own) with a label. */
export type ParityBackendSpec = ParityBackendName | Backend | { label: string; backend: Backend };

export interface ResolvedBackend {
  label: string;
  backend: Backend;
}

export interface SkippedBackend {
  label: string;
  reason: string;
}

const NAMES = ['naive', 'js', 'wasm', ...WASM_VARIANTS.map((v) => `wasm:${v}`), 'wasm:threads', ...THREADS_VARIANTS.map((v) => `wasm:${v}-threads`)];
const loaded = new Map<string, Promise<WasmBackend>>();

function wasmVariant(variant: WasmVariant, threads = 1): Promise<WasmBackend> {
  const key = `${variant}/${threads}`;
  let p = loaded.get(key);
  if (!p) {
    p = loadWasmBackend({ variant, threads });
    p.catch(() => loaded.delete(key));
    loaded.set(key, p);
  }
  return p;
}

function unsupported(variant: WasmVariant): string {
  return variant === 'relaxed'
    ? 'this engine does not validate relaxed SIMD (Node 20: run with --experimental-wasm-relaxed-simd)'
    : `this engine does not validate the '${variant}' wasm variant`;
}

/** Every wasm variant with the reason it cannot run here, or null when it can. */
export function wasmVariants(): { variant: WasmVariant; unavailable: string | null }[] {
  return [...WASM_VARIANTS].reverse().map((variant) => ({ variant, unavailable: supportsVariant(variant) ? null : unsupported(variant) }));
}

/** The default set: js and every wasm variant (naive is the reference). */
export const DEFAULT_BACKENDS: readonly ParityBackendName[] = ['js', 'wasm'];

export async function resolveBackends(op: string, specs: unknown): Promise<{ run: ResolvedBackend[]; skipped: SkippedBackend[] }> {
  const list = specs === undefined ? DEFAULT_BACKENDS : specs;
  if (!Array.isArray(list) || list.length === 0) throw new Error(`${op}: backends must be a non-empty array of ${NAMES.map((n) => `'${n}'`).join(', ')} or Backend objects, got ${String(list)}`);
  const run: ResolvedBackend[] = [];
  const skipped: SkippedBackend[] = [];
  const add = (label: string, backend: Backend): void => {
    if (run.some((r) => r.label === label)) throw new Error(`${op}: backend '${label}' is listed twice`);
    run.push({ label, backend });
  };
  for (const spec of list as unknown[]) {
    if (typeof spec === 'string') {
      if (!NAMES.includes(spec)) throw new Error(`${op}: unknown backend '${spec}' (expected one of ${NAMES.map((n) => `'${n}'`).join(', ')})`);
      if (spec === 'naive') add('naive', naiveBackend);
      else if (spec === 'js') add('js', jsBackend);
      else if (spec === 'wasm:threads' || spec.endsWith('-threads')) {
        const variants = wasmVariants().filter((v) => v.variant !== 'scalar' && (spec === 'wasm:threads' || `wasm:${v.variant}-threads` === spec));
        for (const { variant, unavailable } of variants) {
          const label = `wasm:${variant}-threads`;
          if (unavailable !== null) {
            skipped.push({ label, reason: unavailable });
            continue;
          }
          const backend = await wasmVariant(variant, PARITY_THREADS);
          if (backend.threads < PARITY_THREADS) skipped.push({ label, reason: backend.threadsFallback ?? 'runs on one thread' });
          else add(label, backend);
        }
      } else {
        const variants = spec === 'wasm' ? wasmVariants() : wasmVariants().filter((v) => `wasm:${v.variant}` === spec);
        for (const { variant, unavailable } of variants) {
          const label = `wasm:${variant}`;
          if (unavailable !== null) skipped.push({ label, reason: unavailable });
          else add(label, await wasmVariant(variant));
        }
      }
    } else if (isBackend(spec)) {
      const v = (spec as { variant?: unknown }).variant;
      add(typeof v === 'string' ? `${spec.name}:${v}` : spec.name, spec);
    } else if (spec !== null && typeof spec === 'object' && typeof (spec as { label?: unknown }).label === 'string' && isBackend((spec as { backend?: unknown }).backend)) {
      const s = spec as { label: string; backend: Backend };
      add(s.label, s.backend);
    } else {
      throw new Error(`${op}: a backend must be a name (${NAMES.join(', ')}), a Backend or { label, backend }, got ${String(spec)}`);
    }
  }
  return { run, skipped };
}

function isBackend(x: unknown): x is Backend {
  return x !== null && typeof x === 'object' && typeof (x as Backend).name === 'string' && typeof (x as Backend).conv2d === 'function';
}
