// Parity testing for users: their model, or the built-in op sweep, on every backend
// against naive. See docs/parity.md.
export { compareBackends, type CompareBackendsOptions, type ParityReport, type BackendParity, type ParityEntry } from './compare.js';
export { formatParityReport } from './format.js';
export { paritySweep, formatSweepReport, defaultSweep, type SweepCase, type SweepOptions, type SweepReport, type SweepResult, type SweepSummary } from './sweep.js';
export { DEFAULT_TOLERANCE, errorStats, type Tolerance, type ErrorStats } from './tolerance.js';
export { wasmVariants, type ParityBackendName, type ParityBackendSpec, type SkippedBackend } from './backends.js';
export { parityModel } from './model.js';
export {
  onnxConformance, formatConformanceReport, CONFORMANCE_EXCEPTIONS, type ConformanceOptions, type ConformanceReport, type ConformanceResult,
  type ConformanceSummary, type ConformanceException, type ConformanceStatus,
} from './conformance.js';
export { checkConformancePack, checkOnnxFixture, packConformance, type ConformancePack, type OnnxFixture, type OnnxTest, type StoredValue } from './conformance-fixtures.js';
