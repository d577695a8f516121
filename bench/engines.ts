// The engines a row runs on: simdnet's naive / js / wasm (each variant the engine
// validates, loaded side by side, on one thread; relaxed also on 2 threads), TensorFlow.js cpu / wasm, and onnxruntime (web's wasm
// EP; node's native CPU when it is installed) for the whole-network rows.
import type { Backend } from '../src/backend/backend.js';
import { ENGINES, type EngineId } from './report.js';
import { engineSelected } from './args.js';
import { setupOrtNode, setupOrtWeb, type Ort } from './ort.js';
import { setupOrtWebThreads } from './ort-threads.js';
import { setupTfjs, type Tf, type TfBackendName } from './tfjs.js';

export interface SimdnetEngine {
  kind: 'simdnet';
  id: EngineId;
  backend: Backend;
}

export interface TfjsEngine {
  kind: 'tfjs';
  id: EngineId;
  tf: Tf;
  backendName: TfBackendName;
}

export interface OrtEngine {
  kind: 'ort';
  id: EngineId;
  ort: Ort;
}

export type Engine = SimdnetEngine | TfjsEngine | OrtEngine;

/** An engine that was asked for: loaded, or the reason it is not. */
export interface EngineSlot {
  id: EngineId;
  engine: Engine | null;
  unavailable?: string;
}

export interface LoadedEngines {
  slots: EngineSlot[];
  wasmVariants: string[];
  tfjsVersion: string;
  /** e.g. "onnxruntime-web 1.30.0"; 'not loaded' when no ORT engine was asked for or loaded. */
  ortVersion: string;
}

const WASM_VARIANTS = ['scalar', 'simd', 'relaxed'] as const;

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0];
}

export async function loadEngines(wanted: readonly string[]): Promise<LoadedEngines> {
  const slots: EngineSlot[] = [];
  const add = (id: EngineId, load: () => Promise<Engine>): Promise<void> =>
    load().then(
      (engine) => void slots.push({ id, engine }),
      (e) => void slots.push({ id, engine: null, unavailable: firstLine(e) }),
    );
  const want = (id: EngineId): boolean => engineSelected(id, wanted);

  if (want('naive')) {
    await add('naive', async () => ({ kind: 'simdnet', id: 'naive', backend: (await import('../src/backend/naive.js')).naiveBackend }));
  }
  if (want('js')) {
    await add('js', async () => ({ kind: 'simdnet', id: 'js', backend: (await import('../src/backend/js.js')).jsBackend }));
  }
  const wasmVariants: string[] = [];
  for (const variant of WASM_VARIANTS) {
    const id = `wasm-${variant}` as EngineId;
    if (!want(id)) continue;
    await add(id, async () => {
      const { loadWasmBackend } = await import('../src/backend/wasm.js');
      const backend = await loadWasmBackend({ variant, threads: 1 });
      if (backend.variant !== variant) throw new Error(`asked for variant '${variant}', the loader gave '${backend.variant}'`);
      wasmVariants.push(variant);
      return { kind: 'simdnet', id, backend };
    });
  }
  if (want('wasm-relaxed-t2')) {
    await add('wasm-relaxed-t2', async () => {
      const { loadWasmBackend } = await import('../src/backend/wasm.js');
      const backend = await loadWasmBackend({ variant: 'relaxed', threads: 2 });
      if (backend.threads !== 2) throw new Error(`runs on ${backend.threads} thread: ${backend.threadsFallback}`);
      wasmVariants.push('relaxed-threads ×2');
      return { kind: 'simdnet', id: 'wasm-relaxed-t2', backend };
    });
  }
  let tfjsVersion = 'not loaded';
  if (want('tfjs-cpu') || want('tfjs-wasm')) {
    try {
      const setup = await setupTfjs();
      tfjsVersion = setup.version;
      for (const name of ['cpu', 'wasm'] as const) {
        const id = `tfjs-${name}` as EngineId;
        if (!want(id)) continue;
        const why = setup.status[name];
        slots.push(why === null ? { id, engine: { kind: 'tfjs', id, tf: setup.tf, backendName: name } } : { id, engine: null, unavailable: why });
      }
    } catch (e) {
      for (const id of ['tfjs-cpu', 'tfjs-wasm'] as const) if (want(id)) slots.push({ id, engine: null, unavailable: firstLine(e) });
    }
  }
  const ortVersions: string[] = [];
  for (const [id, setup] of [['ort-web', setupOrtWeb], ['ort-web-t2', () => setupOrtWebThreads(2)], ['ort-node', setupOrtNode]] as const) {
    if (!want(id)) continue;
    await add(id, async () => {
      const { ort, version } = await setup();
      ortVersions.push(version);
      return { kind: 'ort', id, ort };
    });
  }
  const order = ENGINES.map((e) => e.id as string);
  slots.sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
  return { slots, wasmVariants, tfjsVersion, ortVersion: ortVersions.length > 0 ? ortVersions.join(', ') : 'not loaded' };
}
