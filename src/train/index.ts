export type { FitOptions, History, BatchEndInfo, EpochEndInfo } from './fit.js';
export type { EvaluateOptions } from './evaluate.js';
export { accuracy } from './metrics.js';
export * from './optim/index.js';
