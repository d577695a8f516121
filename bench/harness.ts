// Runs one row on every engine: prepare and check each against the reference, then time
// the engines that agree in two interleaved passes (display order, then reverse), so a
// change in machine load during the row hits every engine alike. An engine that fails or
// disagrees is reported with the reason, never dropped.
import { Bench } from 'tinybench';
import { checkAgreement } from './agreement.js';
import type { EngineSlot } from './engines.js';
import { throughput } from './flops.js';
import { planRuns, RateBook, reuseCheckRun, skipReason, splitPasses, summarize } from './plan.js';
import { deriveRatios, isOrt, isPeer, isTfjs, type EngineResult, type RowResult } from './report.js';
import type { Task, Workload } from './workloads/common.js';

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
  return slots.find((s) => s.usable && !isPeer(s.id))?.id ?? null;
}

/** Collects the previous engine's garbage before the next is checked and timed, so one
 * engine's allocations are not paid for in another's runs (needs node --expose-gc). */
function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Why an onnxruntime engine skips a row that has no ONNX counterpart. */
export const NO_ORT_REASON = 'no ONNX counterpart: onnxruntime runs the whole-network rows';

/** Timed runs of one task with tinybench; returns every sample (ms). Async tasks
 * (onnxruntime) are awaited inside the timed window; the others run synchronously. */
async function sample(task: Task, iterations: number, warmupIterations: number): Promise<number[]> {
  const bench = new Bench({ iterations, time: 0, warmup: warmupIterations > 0, warmupIterations, warmupTime: 0, throws: true, retainSamples: true });
  if (task.async) {
    bench.add('run', async () => void (await task.run()), { async: true });
    await bench.run();
  } else {
    bench.add('run', () => void task.run(), { async: false });
    bench.runSync();
  }
  const result = bench.tasks[0].result;
  if (result.state !== 'completed') throw new Error(`tinybench finished in state '${result.state}'`);
  return [...(result.latency.samples ?? [])];
}

interface Checked {
  id: string;
  task: Task;
  checkMs: number;
  maxRelErr?: number;
  samples: number[];
}

export async function runRow(w: Workload, slots: readonly EngineSlot[], options: HarnessOptions): Promise<RowResult> {
  const skip = (s: EngineSlot): string | null => {
    if (w.onlySimdnet && isTfjs(s.id)) return w.onlySimdnet;
    if (isOrt(s.id) && w.ort !== true) return w.ort ?? NO_ORT_REASON;
    return skipReason(options.rates, s.id, w.kind, w.work, w.heavy, options.quick);
  };
  const usable = slots.map((s) => ({ id: s.id, usable: s.engine !== null && skip(s) === null }));
  let reference = pickReference(usable);
  // The reference is checked first; then the others in display order.
  const order = [...slots].sort((a, b) => Number(b.id === reference) - Number(a.id === reference));
  const instance = w.create();
  let refOutputs: Float32Array[] | null = null;
  const results = new Map<string, EngineResult>();
  const checked: Checked[] = [];
  const fail = (id: string, e: unknown): void => {
    results.set(id, { engine: id, status: 'error', message: message(e) });
    options.progress(`  ${id}: error: ${message(e)}`);
  };

  try {
    // 1. Prepare and check every engine; keep the tasks of those that agree.
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
        await task.activate?.();
        collectGarbage();
        const t0 = performance.now();
        const outputs = await task.check();
        const checkMs = performance.now() - t0;
        let maxRelErr: number | undefined;
        if (refOutputs === null) {
          // The reference (or, if it failed, the first simdnet engine that ran) defines the answer.
          if (isPeer(id)) throw new Error('no simdnet engine produced a reference output to check against');
          refOutputs = outputs;
          reference = id;
        } else {
          const agreement = checkAgreement(refOutputs, outputs, w.tolerance);
          maxRelErr = agreement.maxRelErr;
          if (!agreement.ok) {
            const which = refOutputs.length > 1 ? { message: `worst in output ${agreement.worst} of ${refOutputs.length}` } : {};
            results.set(id, { engine: id, status: 'disagrees', maxRelErr, ...which });
            options.progress(`  ${id}: disagrees (max rel err ${maxRelErr.toExponential(1)})`);
            task.dispose();
            continue;
          }
        }
        checked.push({ id, task, checkMs, maxRelErr, samples: reuseCheckRun(checkMs, options.quick) ? [checkMs] : [] });
      } catch (e) {
        fail(id, e);
        task?.dispose();
      }
    }

    // 2. Time them in two passes, display order then reverse. A call of seconds keeps its
    //    check run as its one sample.
    const display: string[] = slots.map((s) => s.id);
    const timedInOrder = [...checked].sort((a, b) => display.indexOf(a.id) - display.indexOf(b.id));
    for (const pass of [0, 1]) {
      for (const c of pass === 0 ? timedInOrder : [...timedInOrder].reverse()) {
        if (results.has(c.id) || reuseCheckRun(c.checkMs, options.quick)) continue;
        const plan = planRuns(c.checkMs, options.quick);
        const iterations = splitPasses(plan.iterations)[pass];
        if (iterations === 0) continue;
        try {
          await c.task.activate?.();
          collectGarbage();
          c.samples.push(...(await sample(c.task, iterations, plan.warmupIterations)));
        } catch (e) {
          fail(c.id, e);
        }
      }
    }

    // 3. Summaries.
    for (const c of checked) {
      if (results.has(c.id)) continue;
      const s = summarize(c.samples);
      const once = reuseCheckRun(c.checkMs, options.quick);
      options.rates.record(c.id, w.kind, w.work, s.medianMs, w.name);
      results.set(c.id, {
        engine: c.id,
        status: 'ok',
        ...s,
        throughput: throughput(w.unit, w.work, s.medianMs),
        maxRelErr: c.maxRelErr,
        ...(once ? { message: 'timed on its check run' } : {}),
      });
      options.progress(`  ${c.id}: ${s.medianMs.toFixed(3)} ms median of ${s.runs}${once ? ' (the check run)' : ''}`);
    }
  } finally {
    for (const c of checked) {
      try {
        c.task.dispose();
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
