// onnxruntime-web as an independent ONNX engine, loaded lazily (the fixture tests skip, saying
// why, when it is missing); test/support/ort.ts is the static loader the export tests use.
import type * as OrtModule from 'onnxruntime-web';

export type Ort = typeof OrtModule;
export type OrtLoad = { ort: Ort; reason?: undefined } | { ort: null; reason: string };

let loading: Promise<OrtLoad> | null = null;

export function loadOrt(): Promise<OrtLoad> {
  loading ??= import('onnxruntime-web').then(
    (ort: Ort): OrtLoad => {
      ort.env.wasm.numThreads = 1;
      return { ort };
    },
    (e: unknown): OrtLoad => ({ ort: null, reason: `onnxruntime-web is not installed (${e instanceof Error ? e.message.split('\n')[0] : String(e)})` }),
  );
  return loading;
}

export interface OrtValue {
  dims: number[];
  data: Float32Array;
}

/** Runs `bytes` once on float32 feeds; every output of the graph, by name. */
export async function runOrt(ort: Ort, bytes: Uint8Array, feeds: Record<string, { data: Float32Array; shape: readonly number[] }>): Promise<Record<string, OrtValue>> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  try {
    const inputs = Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, new ort.Tensor('float32', v.data, [...v.shape])]));
    const results = await session.run(inputs);
    const out: Record<string, OrtValue> = {};
    for (const name of session.outputNames) {
      const t = results[name];
      if (!(t.data instanceof Float32Array)) throw new Error(`onnxruntime-web: output ${name} is ${t.type}, not float32`);
      out[name] = { dims: [...t.dims], data: t.data };
    }
    return out;
  } finally {
    await session.release();
  }
}
