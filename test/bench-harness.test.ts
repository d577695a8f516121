import { describe, expect, it } from 'vitest';
import { runRow } from '../bench/harness.js';
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
});
