// Runs one row on every engine: prepare, check against the reference, then time with
// tinybench. An engine that fails or disagrees is reported with the reason, never dropped.
import { Bench } from 'tinybench';
import { checkAgreement } from './agreement.js';
import type { EngineSlot } from './engines.js';
import { throughput } from './flops.js';
import { planRuns, RateBook, reuseCheckRun, skipReason } from './plan.js';
import { deriveRatios, type EngineResult, type RowResult } from './report.js';
import type { Task, Workload } from './workloads/types.js';

export interface HarnessOptions {
  quick: boolean;
  /** Speeds measured on earlier rows, to skip calls predicted to exceed the cap. */
  rates: RateBook;
  /** Progress lines (stderr), so stdout stays the table. */
  progress: (line: string) => void;
}

function message(e: unknown): string {
  const text = String((e as Error)?.message ?? e).split('\n')[0];
  return text.length > 300 ? `${text.slice(0, 297)}…` : text;
}

/** naive is the ground truth; when it cannot run (skipped under --quick, or not loaded) js
 * takes its place, then any simdnet engine. */
export function pickReference(slots: readonly { id: string; usable: boolean }[]): string | null {
  for (const id of ['naive', 'js']) if (slots.some((s) => s.id === id && s.usable)) return id;
  return slots.find((s) => s.usable && !s.id.startsWith('tfjs-'))?.id ?? null;
}

/** Collects the previous engine's garbage before the next is checked and timed, so one
 * engine's allocations are not paid for in another's runs (needs node --expose-gc). */
function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function time(task: Task, checkMs: number, quick: boolean): { medianMs: number; meanMs: number; minMs: number; runs: number } {
  const plan = planRuns(checkMs, quick);
  const bench = new Bench({
    iterations: plan.iterations,
    time: 0,
    warmup: plan.warmupIterations > 0,
    warmupIterations: plan.warmupIterations,
    warmupTime: 0,
    throws: true,
  });
  bench.add('run', () => task.run());
  bench.runSync();
  const result = bench.tasks[0].result;
  if (result.state !== 'completed') throw new Error(`tinybench finished in state '${result.state}'`);
  return { medianMs: result.latency.p50, meanMs: result.latency.mean, minMs: result.latency.min, runs: result.latency.samplesCount };
}

export async function runRow(w: Workload, slots: readonly EngineSlot[], options: HarnessOptions): Promise<RowResult> {
  const skip = (s: EngineSlot): string | null => skipReason(options.rates, s.id, w.kind, w.work, w.heavy, options.quick);
  const usable = slots.map((s) => ({ id: s.id, usable: s.engine !== null && skip(s) === null }));
  let reference = pickReference(usable);
  // The reference runs first; then the others in display order.
  const order = [...slots].sort((a, b) => Number(b.id === reference) - Number(a.id === reference));
  const instance = w.create();
  let refOutputs: Float32Array[] | null = null;
  const results = new Map<string, EngineResult>();

  for (const slot of order) {
    const id = slot.id;
    if (!slot.engine) {
      results.set(id, { engine: id, status: 'unavailable', message: slot.unavailable });
      continue;
    }
    const skipped = skip(slot);
    if (skipped) {
      results.set(id, { engine: id, status: 'skipped', message: skipped });
      continue;
    }
    let task: Task | null = null;
    try {
      task = await instance.prepare(slot.engine);
      collectGarbage();
      const t0 = performance.now();
      const outputs = task.check();
      const checkMs = performance.now() - t0;
      let maxRelErr: number | undefined;
      if (refOutputs === null) {
        // The reference (or, if it failed, the first simdnet engine that ran) defines the answer.
        if (id !== reference && reference !== null && results.get(reference)?.status !== 'error') throw new Error('internal: reference did not run first');
        if (id.startsWith('tfjs-')) throw new Error('no simdnet engine produced a reference output to check against');
        refOutputs = outputs;
        reference = id;
      } else {
        const agreement = checkAgreement(refOutputs, outputs, w.tolerance);
        maxRelErr = agreement.maxRelErr;
        if (!agreement.ok) {
          results.set(id, { engine: id, status: 'disagrees', maxRelErr, message: `output ${agreement.worst}` });
          options.progress(`  ${id}: disagrees (max rel err ${maxRelErr.toExponential(1)})`);
          continue;
        }
      }
      const once = reuseCheckRun(checkMs, options.quick);
      if (!once) collectGarbage();
      const t = once ? { medianMs: checkMs, meanMs: checkMs, minMs: checkMs, runs: 1 } : time(task, checkMs, options.quick);
      options.rates.record(id, w.kind, w.work, t.medianMs, w.name);
      const note = once ? { message: 'timed on its check run' } : {};
      results.set(id, { engine: id, status: 'ok', ...t, throughput: throughput(w.unit, w.work, t.medianMs), maxRelErr, ...note });
      options.progress(`  ${id}: ${t.medianMs.toFixed(3)} ms median of ${t.runs}${once ? ' (the check run)' : ''}`);
    } catch (e) {
      results.set(id, { engine: id, status: 'error', message: message(e) });
      options.progress(`  ${id}: error: ${message(e)}`);
    } finally {
      try {
        task?.dispose();
      } catch {
        // disposing a half-made task must not hide the row's result
      }
    }
  }
  const ordered = slots.map((s) => results.get(s.id) as EngineResult);
  return {
    name: w.name,
    description: w.description,
    shape: w.shape,
    unit: w.unit,
    work: w.work,
    reference,
    tolerance: w.tolerance,
    results: deriveRatios(ordered),
  };
}
