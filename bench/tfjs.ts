// TensorFlow.js 4.22 in the same process: the cpu backend and the wasm backend (XNNPACK,
// SIMD, single thread: its threaded build is never used under Node), both from tfjs-core
// without tfjs-node. The .wasm files load from the package's dist folder on disk.
import { createRequire, register } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

export type Tf = typeof tf;
export type TfBackendName = 'cpu' | 'wasm';

export interface TfSetup {
  tf: Tf;
  version: string;
  /** Backend name → null when ready, else why it could not start. */
  status: Record<TfBackendName, string | null>;
}

/** tfjs-core's Node bundle registers no gradients (the full @tensorflow/tfjs package does);
 * register them from its ESM build. Registries live on globalThis, so the bundle sees them. */
async function registerGradients(): Promise<void> {
  if (tf.getGradient('MaxPool')) return;
  register('./tfjs-esm-resolve.mjs', import.meta.url);
  await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
  if (!tf.getGradient('MaxPool')) throw new Error('TF.js gradients did not register');
}

export async function setupTfjs(): Promise<TfSetup> {
  await registerGradients();
  const require = createRequire(import.meta.url);
  const dist = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;
  setWasmPaths(dist);
  // Production mode, as a user timing TF.js would run it (also silences its tfjs-node banner).
  tf.enableProdMode();
  const status: Record<TfBackendName, string | null> = { cpu: null, wasm: null };
  for (const name of ['wasm', 'cpu'] as const) {
    try {
      if (!(await tf.setBackend(name))) status[name] = `tf.setBackend('${name}') returned false`;
    } catch (e) {
      status[name] = (e as Error).message;
    }
  }
  if (status.wasm === null) {
    await tf.setBackend('wasm');
    if (!tf.env().getBool('WASM_HAS_SIMD_SUPPORT')) status.wasm = 'TF.js wasm loaded without SIMD';
  }
  return { tf, version: tf.version_core, status };
}

/** Makes a TF.js backend current; everything created afterwards lives there. */
export async function useTfBackend(t: Tf, name: TfBackendName): Promise<void> {
  if (t.getBackend() !== name && !(await t.setBackend(name))) throw new Error(`tf.setBackend('${name}') failed`);
}
