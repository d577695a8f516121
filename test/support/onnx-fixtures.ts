// Reads the ONNX conformance fixtures from the repository (test/fixtures/onnx/<OpType>.json,
// written by scripts/fixtures/onnx_conformance.py); what they hold and how a test runs is
// in src/parity (conformance-fixtures.ts, conformance.ts), shared with `simdnet parity`.
import { readFileSync, readdirSync } from 'node:fs';
import { checkOnnxFixture, type OnnxFixture } from '../../src/parity/conformance-fixtures.js';

export { decode, packConformance, type OnnxFixture, type OnnxTest, type StoredValue } from '../../src/parity/conformance-fixtures.js';

export const ONNX_FIXTURES_DIR = new URL('../fixtures/onnx/', import.meta.url);

export function readOnnxFixtures(): OnnxFixture[] {
  return readdirSync(ONNX_FIXTURES_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => checkOnnxFixture(JSON.parse(readFileSync(new URL(f, ONNX_FIXTURES_DIR), 'utf8')), f));
}
