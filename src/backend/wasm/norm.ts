// Batch and group normalization on the wasm kernels (assembly/norm.ts). Each call checks
// its geometry and array lengths (a bad call throws, never traps), copies its inputs into
// the arena, runs one kernel and copies the results out. Statistics cross as float64
// arrays; a null gamma or beta becomes ones or zeros in the arena, so the kernels always
// read both.
import type { BatchNormGeometry, GroupNormGeometry } from '../backend.js';
import type { Arena } from './arena.js';
import { checkCounts, checkLength } from './checks.js';
import type { WasmContext } from './context.js';
import { writeNormParams, type NormCall } from './kernels.js';

const NONE: NormCall = {
  batch: 0, channels: 0, inner: 0, groups: 0, batchStats: false,
  x: 0, y: 0, dy: 0, dx: 0, mean: 0, spread: 0, gamma: 0, beta: 0, dgamma: 0, dbeta: 0, work: 0,
};

function batchSize(op: string, g: BatchNormGeometry): number {
  checkCounts(op, { batch: g.batch, channels: g.channels, inner: g.inner });
  const size = g.batch * g.channels * g.inner;
  if (size === 0 || size >= 2 ** 29) throw new Error(`${op}: geometry ${JSON.stringify(g)} must hold between 1 and 2^29 values`);
  return size;
}

function groupSize(op: string, g: GroupNormGeometry): number {
  checkCounts(op, { batch: g.batch, channels: g.channels, inner: g.inner, groups: g.groups });
  const size = g.batch * g.channels * g.inner;
  if (size === 0 || size >= 2 ** 29 || g.groups === 0 || g.channels % g.groups !== 0) {
    throw new Error(`${op}: geometry ${JSON.stringify(g)} must hold between 1 and 2^29 values in groups that divide the channels`);
  }
  return size;
}

/** f32 per-channel values in the arena, or `fill` repeated when absent. */
function putOr(arena: Arena, op: string, values: Float32Array | null, length: number, fill: number): number {
  if (values) return arena.put(op, values, length);
  const ptr = arena.alloc(op, length * 4);
  arena.f32(ptr, length).fill(fill);
  return ptr;
}

function run(ctx: WasmContext, kernel: 'batchNormStats' | 'batchNormApply' | 'batchNormBackward' | 'groupNormStats' | 'groupNormApply' | 'groupNormBackward', call: Partial<NormCall>): void {
  writeNormParams(ctx.kernels, ctx.params, { ...NONE, ...call });
  ctx.kernels[kernel](ctx.params);
}

export function batchNormStats(ctx: WasmContext, g: BatchNormGeometry, x: Float32Array, mean: Float64Array, variance: Float64Array): void {
  const op = 'batchNormStats';
  const size = batchSize(op, g);
  checkLength(op, 'x', x, size);
  checkLength(op, 'mean', mean, g.channels);
  checkLength(op, 'variance', variance, g.channels);
  ctx.scoped((arena) => {
    const px = arena.put(op, x, size);
    const pm = arena.alloc(op, g.channels * 8);
    const pv = arena.alloc(op, g.channels * 8);
    run(ctx, op, { ...g, x: px, mean: pm, spread: pv });
    mean.set(arena.f64(pm, g.channels));
    variance.set(arena.f64(pv, g.channels));
  });
}

export function batchNormApply(
  ctx: WasmContext, g: BatchNormGeometry, x: Float32Array, mean: Float64Array, invStd: Float64Array, gamma: Float32Array, beta: Float32Array, y: Float32Array,
): void {
  const op = 'batchNormApply';
  const size = batchSize(op, g);
  const c = g.channels;
  for (const [name, a, n] of [['x', x, size], ['mean', mean, c], ['invStd', invStd, c], ['gamma', gamma, c], ['beta', beta, c], ['y', y, size]] as const) checkLength(op, name, a, n);
  ctx.scoped((arena) => {
    // Resident x and y are used where they are; otherwise x is copied in and normalized in place.
    const inPlace = arena.resident(y);
    const [px, py, pg, pb] = arena.bind(op, [
      { array: x, length: size }, { array: inPlace ? y : null, length: size, output: true }, { array: gamma, length: c }, { array: beta, length: c },
    ]);
    const call = { ...g, x: px, y: inPlace ? py : px, mean: arena.putF64(op, mean, c), spread: arena.putF64(op, invStd, c), gamma: pg, beta: pb };
    run(ctx, op, call);
    if (!inPlace) arena.get(px, size, y);
  });
}

export function batchNormBackward(
  ctx: WasmContext, g: BatchNormGeometry, dy: Float32Array, x: Float32Array, mean: Float64Array, invStd: Float64Array, gamma: Float32Array,
  batchStats: boolean, dx: Float32Array | null, dgamma: Float32Array, dbeta: Float32Array,
): void {
  const op = 'batchNormBackward';
  const size = batchSize(op, g);
  const c = g.channels;
  for (const [name, a, n] of [['dy', dy, size], ['x', x, size], ['mean', mean, c], ['invStd', invStd, c], ['gamma', gamma, c], ['dgamma', dgamma, c], ['dbeta', dbeta, c]] as const) {
    checkLength(op, name, a, n);
  }
  if (dx) checkLength(op, 'dx', dx, size);
  ctx.scoped((arena) => {
    const pdy = arena.put(op, dy, size);
    const pg = arena.alloc(op, c * 4);
    const pb = arena.alloc(op, c * 4);
    const call = {
      ...g, batchStats, dy: pdy, dx: dx ? pdy : 0, x: arena.put(op, x, size),
      mean: arena.putF64(op, mean, c), spread: arena.putF64(op, invStd, c), gamma: arena.put(op, gamma, c), dgamma: pg, dbeta: pb,
    };
    run(ctx, op, call);
    arena.get(pg, c, dgamma);
    arena.get(pb, c, dbeta);
    if (dx) arena.get(pdy, size, dx);
  });
}

export function groupNormStats(ctx: WasmContext, g: GroupNormGeometry, x: Float32Array, mean: Float64Array, variance: Float64Array): void {
  const op = 'groupNormStats';
  const size = groupSize(op, g);
  const rows = g.batch * g.groups;
  checkLength(op, 'x', x, size);
  checkLength(op, 'mean', mean, rows);
  checkLength(op, 'variance', variance, rows);
  ctx.scoped((arena) => {
    const px = arena.put(op, x, size);
    const pm = arena.alloc(op, rows * 8);
    const pv = arena.alloc(op, rows * 8);
    run(ctx, op, { ...g, x: px, mean: pm, spread: pv });
    mean.set(arena.f64(pm, rows));
    variance.set(arena.f64(pv, rows));
  });
}

export function groupNormApply(
  ctx: WasmContext, g: GroupNormGeometry, x: Float32Array, mean: Float64Array, invStd: Float64Array, gamma: Float32Array | null, beta: Float32Array | null, y: Float32Array,
): void {
  const op = 'groupNormApply';
  const size = groupSize(op, g);
  const rows = g.batch * g.groups;
  const c = g.channels;
  for (const [name, a, n] of [['x', x, size], ['mean', mean, rows], ['invStd', invStd, rows], ['y', y, size]] as const) checkLength(op, name, a, n);
  if (gamma) checkLength(op, 'gamma', gamma, c);
  if (beta) checkLength(op, 'beta', beta, c);
  ctx.scoped((arena) => {
    const px = arena.put(op, x, size);
    const call = {
      ...g, x: px, y: px, mean: arena.putF64(op, mean, rows), spread: arena.putF64(op, invStd, rows),
      gamma: putOr(arena, op, gamma, c, 1), beta: putOr(arena, op, beta, c, 0),
    };
    run(ctx, op, call);
    arena.get(px, size, y);
  });
}

export function groupNormBackward(
  ctx: WasmContext, g: GroupNormGeometry, dy: Float32Array, x: Float32Array, mean: Float64Array, invStd: Float64Array, gamma: Float32Array | null,
  dx: Float32Array | null, dgamma: Float32Array | null, dbeta: Float32Array | null,
): void {
  const op = 'groupNormBackward';
  const size = groupSize(op, g);
  const rows = g.batch * g.groups;
  const c = g.channels;
  for (const [name, a, n] of [['dy', dy, size], ['x', x, size], ['mean', mean, rows], ['invStd', invStd, rows]] as const) checkLength(op, name, a, n);
  for (const [name, a, n] of [['gamma', gamma, c], ['dx', dx, size], ['dgamma', dgamma, c], ['dbeta', dbeta, c]] as const) if (a) checkLength(op, name, a, n);
  ctx.scoped((arena) => {
    const pdy = arena.put(op, dy, size);
    const pg = arena.alloc(op, c * 4);
    const pb = arena.alloc(op, c * 4);
    const call = {
      ...g, dy: pdy, dx: dx ? pdy : 0, x: arena.put(op, x, size), mean: arena.putF64(op, mean, rows), spread: arena.putF64(op, invStd, rows),
      gamma: putOr(arena, op, gamma, c, 1), dgamma: pg, dbeta: pb, work: arena.alloc(op, c * 16),
    };
    run(ctx, op, call);
    if (dgamma) arena.get(pg, c, dgamma);
    if (dbeta) arena.get(pb, c, dbeta);
    if (dx) arena.get(pdy, size, dx);
  });
}
