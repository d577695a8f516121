import { describe, expect, it } from 'vitest';
import { NO_ORT_REASON, runRow } from '../bench/harness.js';
import type { Engine, EngineSlot } from '../bench/engines.js';
import { RateBook } from '../bench/plan.js';
import type { EngineId } from '../bench/report.js';
import type { Task, Workload } from '../bench/workloads/common.js';

// Fake engines: each "computes" a fixed output, so the harness's bookkeeping is what is tested.
const slot = (id: EngineId): EngineSlot => ({ id, engine: { kind: 'simdnet', id, backend: {} } as unknown as Engine });

function workload(outputs: Record<string, Float32Array | Error>, runs: Record<string, number> = {}, heavy = false): Workload {
  return {
    name: 'kernels/fake 1',
    description: 'fake',
    shape: 'n = 1',
    kind: 'fake',
    unit: 'GFLOP/s',
    work: 1e6,
    tolerance: 1e-4,
    heavy,
    create: () => ({
      async prepare(engine): Promise<Task> {
        const out = outputs[engine.id];
        if (out instanceof Error) throw out;
        return {
          check: () => [out],
          run: () => {
            runs[engine.id] = (runs[engine.id] ?? 0) + 1;
          },
          dispose() {},
        };
      },
    }),
  };
}

const options = () => ({ quick: true, progress: () => {}, rates: new RateBook() });

describe('bench harness', () => {
  it('times engines that agree with naive, reports the others with the reason and does not time them', async () => {
    const runs: Record<string, number> = {};
    const good = Float32Array.of(1, 2, 3);
    const row = await runRow(
      workload({ naive: good, js: Float32Array.of(1, 2, 3.00001), 'wasm-simd': Float32Array.of(1, 2, 4), 'wasm-scalar': new Error("Kernel 'X' not registered") }, runs),
      [slot('naive'), slot('js'), slot('wasm-scalar'), slot('wasm-simd'), { id: 'wasm-relaxed', engine: null, unavailable: 'needs the V8 flag' }],
      options(),
    );
    expect(row.reference).toBe('naive');
    expect(row.results.map((r) => [r.engine, r.status])).toEqual([
      ['naive', 'ok'],
      ['js', 'ok'],
      ['wasm-scalar', 'error'],
      ['wasm-simd', 'disagrees'],
      ['wasm-relaxed', 'unavailable'],
    ]);
    expect(row.results[1].maxRelErr).toBeLessThan(1e-4);
    expect(row.results[2].message).toBe("Kernel 'X' not registered");
    expect(row.results[3].maxRelErr).toBeCloseTo(1 / 3, 5);
    expect(row.results[4].message).toBe('needs the V8 flag');
    expect(runs['wasm-simd']).toBeUndefined();
    expect(runs.naive).toBeGreaterThan(0);
    expect(runs.naive).toBeGreaterThanOrEqual(row.results[0].runs as number); // timed runs + warm-up runs
    expect(row.results[1].speedupVsNaive).toBeGreaterThan(0);
  });

  it('skips naive on a heavy row under --quick and checks against js instead', async () => {
    const row = await runRow(workload({ naive: Float32Array.of(9), js: Float32Array.of(1), 'wasm-simd': Float32Array.of(1) }, {}, true), [slot('naive'), slot('js'), slot('wasm-simd')], options());
    expect(row.reference).toBe('js');
    expect(row.results.map((r) => r.status)).toEqual(['skipped', 'ok', 'ok']);
    expect(row.results[0].message).toBe('quick');
  });

  it('promotes the next simdnet engine when the reference throws', async () => {
    const row = await runRow(workload({ naive: new Error('boom'), js: Float32Array.of(1), 'wasm-simd': Float32Array.of(2) }), [slot('naive'), slot('js'), slot('wasm-simd')], options());
    expect(row.reference).toBe('js');
    expect(row.results.map((r) => r.status)).toEqual(['error', 'ok', 'disagrees']);
  });

  it('times in two interleaved passes (display order, then reverse), activating each engine first', async () => {
    const log: string[] = [];
    const w: Workload = {
      ...workload({}),
      create: () => ({
        async prepare(engine): Promise<Task> {
          return {
            activate: async () => void log.push(`activate ${engine.id}`),
            check: () => [Float32Array.of(1)],
            run: () => void (log.at(-1)?.startsWith(`run ${engine.id}`) || log.push(`run ${engine.id}`)),
            dispose: () => void log.push(`dispose ${engine.id}`),
          };
        },
      }),
    };
    const row = await runRow(w, [slot('naive'), slot('js'), slot('wasm-simd')], options());
    expect(row.results.every((r) => r.status === 'ok')).toBe(true);
    const passes = log.filter((l) => !l.startsWith('dispose')).slice(3); // after the three checks' activations
    expect(passes).toEqual([
      'activate naive', 'run naive', 'activate js', 'run js', 'activate wasm-simd', 'run wasm-simd',
      'activate wasm-simd', 'run wasm-simd', 'activate js', 'run js', 'activate naive', 'run naive',
    ]);
    expect(log.filter((l) => l.startsWith('dispose'))).toHaveLength(3);
  });

  it('skips onnxruntime on rows without an ONNX counterpart, with the reason', async () => {
    const ortSlot: EngineSlot = { id: 'ort-web', engine: { kind: 'ort', id: 'ort-web' } as unknown as Engine };
    const kernel = await runRow(workload({ naive: Float32Array.of(1) }), [slot('naive'), ortSlot], options());
    expect(kernel.results[1]).toMatchObject({ status: 'skipped', message: NO_ORT_REASON });
    const training = await runRow({ ...workload({ naive: Float32Array.of(1) }), ort: 'inference only' }, [slot('naive'), ortSlot], options());
    expect(training.results[1]).toMatchObject({ status: 'skipped', message: 'inference only' });
  });

  it('times an async task by awaiting each run, checks it, and never takes it as the reference', async () => {
    const finished: Record<string, number> = {};
    const w: Workload = {
      ...workload({}),
      ort: true,
      create: () => ({
        async prepare(engine): Promise<Task> {
          const out = engine.id === 'ort-web' ? Float32Array.of(1, 2.0000001) : Float32Array.of(1, 2);
          const count = (): void => {
            finished[engine.id] = (finished[engine.id] ?? 0) + 1;
          };
          if (engine.id !== 'ort-web') return { check: () => [out], run: count, dispose() {} };
          return {
            async: true,
            check: async () => [out],
            run: async () => {
              // 1 ms of work after an await: a harness that did not await would time ~0.
              // (Not a 1 ms setTimeout: Node can fire one at once from a stale loop clock.)
              await new Promise((r) => setImmediate(r));
              const start = performance.now();
              while (performance.now() - start < 1) {
                // busy
              }
              count();
            },
            dispose() {},
          };
        },
      }),
    };
    const ortSlot: EngineSlot = { id: 'ort-web', engine: { kind: 'ort', id: 'ort-web' } as unknown as Engine };
    const row = await runRow(w, [ortSlot, slot('js')], options());
    expect(row.reference).toBe('js');
    const ort = row.results.find((r) => r.engine === 'ort-web');
    expect(ort?.status).toBe('ok');
    expect(ort?.maxRelErr).toBeLessThan(1e-6);
    // Each sample waited for its run: ≥ 1 ms, and every timed run finished.
    expect(ort?.minMs).toBeGreaterThanOrEqual(0.9);
    expect(finished['ort-web']).toBeGreaterThanOrEqual(ort?.runs as number);
  });

  it('reports an async run that rejects as an error of that engine', async () => {
    const w: Workload = {
      ...workload({}),
      ort: true,
      create: () => ({
        async prepare(engine): Promise<Task> {
          if (engine.id !== 'ort-web') return { check: () => [Float32Array.of(1)], run: () => {}, dispose() {} };
          let calls = 0;
          return {
            async: true,
            check: async () => [Float32Array.of(1)],
            run: async () => {
              if (++calls > 1) throw new Error('session failed');
            },
            dispose() {},
          };
        },
      }),
    };
    const row = await runRow(w, [slot('js'), { id: 'ort-web', engine: { kind: 'ort', id: 'ort-web' } as unknown as Engine }], options());
    expect(row.results[1]).toMatchObject({ status: 'error', message: 'session failed' });
  });
});
