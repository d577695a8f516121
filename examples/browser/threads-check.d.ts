// Types for threads-check.js (plain JS so the page runs it unbuilt), for tests.
export interface ThreadsOutput {
  fingerprint: string;
  /** The output's bytes on N threads. */
  base64: string;
  /** Byte-identical to the same output on 1 thread. */
  identical: boolean;
}
export interface ThreadsWorkload {
  name: string;
  identical: boolean;
  ms1: number;
  msN: number;
  outputs: Record<string, ThreadsOutput>;
}
export interface ThreadsReport {
  where: string;
  crossOriginIsolated: boolean | null;
  hardwareConcurrency: number | null;
  variant: string;
  threads: number;
  threadsFallback: string | null;
  singleThreads: number;
  workloads: ThreadsWorkload[];
}
export declare const WORKLOAD_NAMES: string[];
export declare function threadsCheck(simdnet: unknown, options?: { threads?: number; where?: string }): Promise<ThreadsReport>;
