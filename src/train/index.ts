export { FitError, FitAbortError, type FitOptions, type History, type BatchEndInfo, type EpochEndInfo, type CallbackResult } from './fit.js';
export type { EvaluateOptions } from './evaluate.js';
export { accuracy } from './metrics.js';
export { clipGradNorm, type ClipGradNormOptions } from './clip.js';
export {
  StepLR, CosineLR, LinearWarmup, type LrSchedule, type LrScheduleLike, type LrContext, type LrUnit,
  type StepLROptions, type CosineLROptions, type LinearWarmupOptions,
} from './schedule.js';
export * from './optim/index.js';
