// Every model of the export tests, at opsets 13 and 17 and with a dynamic batch, checked
// by ONNX's own checker (scripts/check_onnx.py: onnx.checker's full check, with strict
// shape inference). It needs /usr/bin/python3 with Debian's python3-onnx; on a machine
// with only Node the test is skipped and says so.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toOnnx } from '../src/index.js';
import { EXPORT_CASES } from './support/export-models.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = new URL('../scripts/check_onnx.py', import.meta.url).pathname;

function pythonOnnx(): string | null {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const probe = spawnSync(PYTHON, ['-c', 'import onnx'], { encoding: 'utf8' });
  return probe.status === 0 ? null : `${PYTHON} cannot import onnx (apt-get install -y python3-onnx)`;
}

const missing = pythonOnnx();
if (missing) console.log(`ONNX checker test SKIPPED: ${missing}`);

describe('toOnnx files pass onnx.checker (full check)', () => {
  it.skipIf(missing !== null)('every export-test model, opsets 13 and 17, fixed and dynamic batch', () => {
    const dir = mkdtempSync(join(tmpdir(), 'simdnet-onnx-'));
    try {
      const files: string[] = [];
      EXPORT_CASES.forEach((c, k) => {
        const model = c.build();
        for (const [opset, dynamicBatch] of [[13, false], [17, false], [17, true]] as const) {
          // A model whose graph depends on its batch size refuses dynamicBatch: the error tests cover that.
          let bytes: Uint8Array;
          try {
            bytes = toOnnx(model, { inputShape: c.inputShape, opset, dynamicBatch });
          } catch (err) {
            if (dynamicBatch && /dynamicBatch/.test((err as Error).message)) continue;
            throw err;
          }
          const file = join(dir, `${k}-${opset}${dynamicBatch ? '-dynamic' : ''}.onnx`);
          writeFileSync(file, bytes);
          files.push(file);
        }
      });
      const run = spawnSync(PYTHON, [SCRIPT, ...files], { encoding: 'utf8' });
      const failures = run.stdout.split('\n').filter((l) => l.startsWith('FAIL'));
      expect(failures).toEqual([]);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout.split('\n').filter((l) => l.startsWith('ok '))).toHaveLength(files.length);
      expect(files.length).toBeGreaterThanOrEqual(2 * EXPORT_CASES.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
