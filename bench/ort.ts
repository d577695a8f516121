// onnxruntime as a peer engine: onnxruntime-web (its wasm execution provider, one thread)
// and, when it is installed, onnxruntime-node (native CPU, one thread) as the hardware
// reference. A row's ORT task loads toOnnx() bytes of the very same simdnet model, so both
// sides run identical weights; session.run is async, so the task is too.
import type * as OrtWeb from 'onnxruntime-web';
import type { Backend } from '../src/backend/backend.js';
import { setBackend } from '../src/backend/registry.js';
import type { Module } from '../src/nn/module.js';
import { toOnnx } from '../src/onnx/export/to-onnx.js';
import type { Tensor } from '../src/tensor.js';
import type { OrtEngine } from './engines.js';
import type { Task } from './workloads/common.js';

/** The part of the onnxruntime API the rows use; -web and -node share it (onnxruntime-common). */
export type Ort = Pick<typeof OrtWeb, 'InferenceSession' | 'Tensor' | 'env'>;

export interface OrtSetup {
  ort: Ort;
  version: string;
}

export async function setupOrtWeb(): Promise<OrtSetup> {
  const ort = await import('onnxruntime-web');
  // One thread, as every other engine here; set before the first session is made.
  ort.env.wasm.numThreads = 1;
  return { ort, version: `onnxruntime-web ${ort.env.versions.web ?? ort.env.versions.common ?? '?'} (1 thread)` };
}

/** onnxruntime-node is optional and not a dependency: a missing package says how to add it. */
export async function setupOrtNode(): Promise<OrtSetup> {
  const name = 'onnxruntime-node'; // a variable, so tsc does not need the package's types
  let ort: Ort;
  try {
    ort = (await import(name)) as Ort;
  } catch (e) {
    const missing = (e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND';
    throw new Error(missing ? 'onnxruntime-node is not installed (ONNXRUNTIME_NODE_INSTALL=skip npm i --no-save onnxruntime-node)' : String((e as Error).message));
  }
  return { ort, version: `onnxruntime-node ${ort.env.versions.node ?? ort.env.versions.common ?? '?'} (1 thread)` };
}

/** Session options for one thread: the web EP reads env.wasm.numThreads, native ORT these. */
function sessionOptions(engine: OrtEngine): OrtWeb.InferenceSession.SessionOptions {
  return engine.id.startsWith('ort-web')
    ? { executionProviders: ['wasm'] }
    : { executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' };
}

let builder: Promise<Backend> | null = null;

/** The simdnet backend that builds (calibrates) and traces a model for onnxruntime: the
 * default wasm one, so a ResNet-18 at batch 8 is made in a second, not a minute. */
export async function useBuilderBackend(): Promise<void> {
  builder ??= import('../src/backend/wasm.js').then((m) => m.loadWasmBackend());
  setBackend(await builder);
}

/** A task that runs `model` (exported at x's shape) in onnxruntime on x; its one output is
 * checked against simdnet's reference. Export and session creation are not timed. */
export async function ortTask(engine: OrtEngine, model: Module, x: Tensor): Promise<Task> {
  const { ort } = engine;
  const session = await ort.InferenceSession.create(toOnnx(model, { inputShape: [...x.shape] }), sessionOptions(engine));
  if (session.inputNames.length !== 1 || session.outputNames.length !== 1) {
    throw new Error(`ort: expected one input and one output, the session has ${session.inputNames.length} and ${session.outputNames.length}`);
  }
  const feed = { [session.inputNames[0]]: new ort.Tensor('float32', Float32Array.from(x.data), [...x.shape]) };
  const outName = session.outputNames[0];
  return {
    async: true,
    async check() {
      const out = (await session.run(feed))[outName];
      return [Float32Array.from(out.data as Float32Array)];
    },
    async run() {
      await session.run(feed);
    },
    dispose() {
      void session.release();
    },
  };
}
