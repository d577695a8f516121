export { loadModel, loadCheckpoint, readModelHeader, type Checkpoint } from './decode.js';
export type { SaveOptions, OptimizerState } from './encode.js';
export { MODEL_MAGIC, MODEL_FORMAT_VERSION, type ModelHeaderV2, type ModelTensorEntry } from './format.js';
