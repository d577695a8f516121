// Every row of the benchmark, in the order they run and are shown.
import { CONV_CASES, convWorkload, type ConvDirection } from './conv.js';
import { gemmWorkload } from './gemm.js';
import { lenetInferenceWorkload, lenetTrainWorkload } from './lenet.js';
import { unfoldWorkload } from './unfold.js';
import { POOL_CASES, poolWorkload, type PoolDirection, type PoolKind } from './pool.js';
import type { Workload } from './types.js';

export function allWorkloads(): Workload[] {
  const rows: Workload[] = [];
  for (const n of [256, 512, 1024]) rows.push(gemmWorkload(n));
  for (const c of CONV_CASES) for (const dir of ['fwd', 'bwd-input', 'bwd-filter'] as ConvDirection[]) rows.push(convWorkload(c, dir));
  for (const c of CONV_CASES.filter((k) => k.label === 'lenet-conv1' || k.label === 'resnet-b1')) {
    rows.push(unfoldWorkload(c, 'im2col'), unfoldWorkload(c, 'col2im'));
  }
  for (const kind of ['maxpool', 'avgpool'] as PoolKind[])
    for (const c of POOL_CASES) for (const dir of ['fwd', 'bwd'] as PoolDirection[]) rows.push(poolWorkload(c, kind, dir));
  rows.push(lenetTrainWorkload(64), lenetInferenceWorkload(256));
  return rows;
}
