// Packs the ONNX conformance fixtures (test/fixtures/onnx/<OpType>.json, one file per
// operator) into one compact file beside the CLI, dist/onnx-conformance.json, for
// `simdnet parity` and the browser parity page: the package ships dist/ but not test/.
// The pack is { format, version, onnx, fixtures } with the fixtures sorted by operator,
// exactly src/parity/conformance-fixtures.ts's packConformance (test/parity-pack.test.ts
// holds the two together), written without whitespace.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const CONFORMANCE_PACK_FILE = 'onnx-conformance.json';

/** The pack of every fixture in `dir`, as a JSON string. */
export function packConformanceDir(dir) {
  const fixtures = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')))
    .sort((a, b) => (a.op < b.op ? -1 : a.op > b.op ? 1 : 0));
  const versions = [...new Set(fixtures.map((f) => f.onnx))];
  if (versions.length !== 1) throw new Error(`rollup-conformance: the fixtures in ${dir} must come from one onnx version, got ${versions.join(', ') || 'none'}`);
  return JSON.stringify({ format: 'simdnet-onnx-conformance', version: 1, onnx: versions[0], fixtures });
}

/** A rollup plugin that emits the pack as an asset of the bundle it is added to. */
export function conformancePack(dir) {
  return {
    name: 'simdnet-conformance-pack',
    buildStart() {
      for (const f of readdirSync(dir)) if (f.endsWith('.json')) this.addWatchFile(join(dir, f));
    },
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: CONFORMANCE_PACK_FILE, source: packConformanceDir(dir) });
    },
  };
}
