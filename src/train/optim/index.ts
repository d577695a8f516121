export type { Optimizer, BaseOptimizerOptions } from './base.js';
export { SGD, type SGDOptions } from './sgd.js';
export { Adam, AdamW, type AdamOptions } from './adam.js';
