// The machine line printed with every table and stored in latest.json.
import os from 'node:os';
import type { Machine } from './report.js';

export function describeMachine(wasmVariants: string[], tfjs: string): Machine {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown CPU',
    cores: cpus.length,
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.platform()} ${os.arch()}`,
    wasmVariants,
    tfjs,
    load: { start: os.loadavg()[0], end: NaN },
  };
}
