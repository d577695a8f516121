// The words the calling thread and the workers share: a control block pinned in the
// module's memory (Int32 slots) and, per job, a table of float64 numbers saying which
// kernels each worker calls with which arguments. float64 holds every i32 and every f32
// exactly, so a worker passes each kernel the very numbers the caller would have.
//
// Control block (Int32 slots):
//   GENERATION  jobs started so far (the caller's counter)
//   PENDING     workers still running the current job (the caller waits for 0)
//   ERROR       1 + the index of the first worker whose task threw (0: none)
//   ERROR_LENGTH, then ERROR_TEXT: its message as UTF-16 code units, two per slot
//   JOB         byte address of the job table
//   per worker w at WORKER_BASE + WORKER_SLOTS·w:
//     GO      the generation it is to run (it Atomics.waits on this word)
//     PICKED  the last generation it picked up (the watchdog reads it)
//     DONE    the last generation it finished
// Job table (float64, at JOB): one offset per worker (in float64s from the table's start),
// then per worker: the number of calls, then per call: export id, argument count, arguments.

export const GENERATION = 0;
export const PENDING = 1;
export const ERROR = 2;
export const ERROR_LENGTH = 3;
export const JOB = 4;
export const WORKER_BASE = 8;
export const WORKER_SLOTS = 4;
export const GO = 0;
export const PICKED = 1;
export const DONE = 2;
/** Most workers a pool holds (so the control block has a fixed size). */
export const MAX_WORKERS = 63;
/** UTF-16 code units of an error message kept (longer ones are cut). */
export const ERROR_CHARS = 512;
export const ERROR_TEXT = WORKER_BASE + WORKER_SLOTS * MAX_WORKERS;
export const CONTROL_SLOTS = ERROR_TEXT + ERROR_CHARS / 2;
export const CONTROL_BYTES = 4 * CONTROL_SLOTS;

/** Slot of worker w's word `field` (GO, PICKED or DONE). */
export function workerSlot(w: number, field: number): number {
  return WORKER_BASE + WORKER_SLOTS * w + field;
}

/** Float64s the job table needs for these tasks (one per worker, task t+1 for worker t). */
export function jobLength(tasks: readonly (readonly (readonly unknown[])[])[]): number {
  let n = tasks.length;
  for (const task of tasks) {
    n += 1;
    for (const call of task) n += 1 + call.length;
  }
  return n;
}

/** Writes the job table for `tasks` (worker t runs tasks[t]) at f64 index `base` of `f64`:
 * each call is [kernel name, ...numbers], the name turned into its id by `ids`. */
export function writeJob(f64: Float64Array, base: number, tasks: readonly (readonly (readonly [string, ...number[]])[])[], ids: ReadonlyMap<string, number>): void {
  let at = base + tasks.length;
  tasks.forEach((task, t) => {
    f64[base + t] = at - base;
    f64[at++] = task.length;
    for (const [kernel, ...args] of task) {
      const id = ids.get(kernel);
      if (id === undefined) throw new Error(`parallel: '${kernel}' is not a kernel a task may call`);
      f64[at++] = id;
      f64[at++] = args.length;
      for (const a of args) f64[at++] = a;
    }
  });
}

/** The error message a worker left in the control block. */
export function readError(i32: Int32Array): string {
  const length = Math.min(i32[ERROR_LENGTH], ERROR_CHARS);
  const units = new Uint16Array(i32.buffer, i32.byteOffset + 4 * ERROR_TEXT, ERROR_CHARS);
  let text = '';
  for (let i = 0; i < length; i++) text += String.fromCharCode(units[i]);
  return text;
}
