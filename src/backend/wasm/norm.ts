// Batch and group normalization on the wasm kernels (assembly/norm.ts). Each call checks
// its geometry and array lengths (a bad call throws, never traps), copies its inputs into
// the arena, runs one kernel and copies the results out. Statistics cross as float64
// arrays; a null gamma or beta becomes ones or zeros in the arena, so the kernels always
// read both.
import type { BatchNormGeometry, GroupNormGeometry } from '../backend.js';
import type { Arena } from './arena.js';
import { checkCounts, checkLength } from './checks.js';
import type { Task, WasmContext } from './context.js';
import { PARAM_BYTES, writeNormParams, type NormCall } from './kernels.js';
import { allocPacked, packChannels, reader, unpackChannels } from './pack.js';
import { ranges, taskCount } from './split.js';

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

/** batchNormApply (a per-(image, channel) map) by image ranges, or channel ranges of one image. */
function applyThreads(ctx: WasmContext, call: NormCall, parts: number): void {
  const op = 'batchNormApply';
  const { batch, channels: c, inner } = call;
  const pieces: [number, number, number, number][] =
    batch > 1 ? ranges(batch, parts).map(([n0, n1]) => [n0, n1 - n0, 0, c]) : ranges(c, parts).map(([c0, c1]) => [0, 1, c0, c1 - c0]);
  ctx.parallel(op, pieces.map(([n0, images, c0, count]): Task => {
    const at = 4 * (n0 * c + c0) * inner;
    const block = ctx.arena.alloc(op, PARAM_BYTES);
    writeNormParams(ctx.kernels, block, {
      ...call, batch: images, channels: count, x: call.x + at, y: call.y + at, mean: call.mean + 8 * c0, spread: call.spread + 8 * c0,
      gamma: call.gamma + 4 * c0, beta: call.beta + 4 * c0,
    });
    return [[op, block]];
  }));
}

/** batchNormBackward by channel ranges, x and dy packed per range (dx is written over the
 * packed dy and unpacked). */
function batchNormBackwardThreads(
  ctx: WasmContext, g: BatchNormGeometry, dy: Float32Array, x: Float32Array, mean: Float64Array, invStd: Float64Array, gamma: Float32Array,
  batchStats: boolean, dx: Float32Array | null, dgamma: Float32Array, dbeta: Float32Array, parts: number,
): void {
  const op = 'batchNormBackward';
  const c = g.channels;
  const [readX, readDy] = [reader(ctx, x), reader(ctx, dy)];
  const writeDx = dx ? reader(ctx, dx) : null;
  ctx.scoped((arena) => {
    const pm = arena.putF64(op, mean, c);
    const ps = arena.putF64(op, invStd, c);
    const pgamma = arena.put(op, gamma, c);
    const pg = arena.alloc(op, c * 4);
    const pb = arena.alloc(op, c * 4);
    const channelRanges = ranges(c, parts);
    const xs = allocPacked(ctx, op, g.batch, g.inner, channelRanges);
    const dys = allocPacked(ctx, op, g.batch, g.inner, channelRanges);
    const blocks = xs.map(() => arena.alloc(op, PARAM_BYTES));
    packChannels(ctx, readX, g.batch, c, g.inner, xs);
    packChannels(ctx, readDy, g.batch, c, g.inner, dys);
    ctx.parallel(op, xs.map((p, t): Task => {
      const o = p.c0;
      writeNormParams(ctx.kernels, blocks[t], {
        ...NONE, ...g, channels: p.count, batchStats, x: p.at, dy: dys[t].at, dx: dx ? dys[t].at : 0,
        mean: pm + 8 * o, spread: ps + 8 * o, gamma: pgamma + 4 * o, dgamma: pg + 4 * o, dbeta: pb + 4 * o,
      });
      return [[op, blocks[t]]];
    }));
    arena.get(pg, c, dgamma);
    arena.get(pb, c, dbeta);
    if (writeDx) unpackChannels(ctx, writeDx, g.batch, c, g.inner, dys);
  });
}

export function batchNormStats(ctx: WasmContext, g: BatchNormGeometry, x: Float32Array, mean: Float64Array, variance: Float64Array): void {
  const op = 'batchNormStats';
  const size = batchSize(op, g);
  checkLength(op, 'x', x, size);
  checkLength(op, 'mean', mean, g.channels);
  checkLength(op, 'variance', variance, g.channels);
  const parts = taskCount(ctx, 'elements', size, g.channels);
  const readX = reader(ctx, x);
  ctx.scoped((arena) => {
    const pm = arena.alloc(op, g.channels * 8);
    const pv = arena.alloc(op, g.channels * 8);
    if (parts > 1) {
      // Channel ranges, each packed side by side: every channel sums its runs as in one call.
      const xs = allocPacked(ctx, op, g.batch, g.inner, ranges(g.channels, parts));
      const blocks = xs.map(() => arena.alloc(op, PARAM_BYTES));
      packChannels(ctx, readX, g.batch, g.channels, g.inner, xs);
      ctx.parallel(op, xs.map((p, t): Task => {
        writeNormParams(ctx.kernels, blocks[t], { ...NONE, ...g, channels: p.count, x: p.at, mean: pm + 8 * p.c0, spread: pv + 8 * p.c0 });
        return [[op, blocks[t]]];
      }));
    } else {
      run(ctx, op, { ...g, x: arena.put(op, x, size), mean: pm, spread: pv });
    }
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
    const parts = taskCount(ctx, 'elements', size, g.batch > 1 ? g.batch : c);
    if (parts > 1) applyThreads(ctx, { ...NONE, ...call }, parts);
    else run(ctx, op, call);
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
  const parts = taskCount(ctx, 'elements', size, c);
  if (parts > 1) {
    batchNormBackwardThreads(ctx, g, dy, x, mean, invStd, gamma, batchStats, dx, dgamma, dbeta, parts);
    return;
  }
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

/** groupNormApply by image ranges, or group ranges of one image. */
function groupNormApplyThreads(ctx: WasmContext, call: NormCall, parts: number): void {
  const op = 'groupNormApply';
  const { batch, channels: c, inner, groups } = call;
  const perGroup = c / groups;
  const pieces: [number, number, number, number][] =
    batch > 1 ? ranges(batch, parts).map(([n0, n1]) => [n0, n1 - n0, 0, groups]) : ranges(groups, parts).map(([g0, g1]) => [0, 1, g0, g1 - g0]);
  ctx.parallel(op, pieces.map(([n0, images, g0, count]): Task => {
    const at = 4 * (n0 * c + g0 * perGroup) * inner;
    const row = 8 * (n0 * groups + g0);
    const block = ctx.arena.alloc(op, PARAM_BYTES);
    writeNormParams(ctx.kernels, block, {
      ...call, batch: images, groups: count, channels: count * perGroup, x: call.x + at, y: call.y + at, mean: call.mean + row, spread: call.spread + row,
      gamma: call.gamma + 4 * g0 * perGroup, beta: call.beta + 4 * g0 * perGroup,
    });
    return [[op, block]];
  }));
}

/** groupNormBackward by group ranges over the whole batch: each range's channels of x and dy
 * and its rows of the statistics packed side by side, so the per-channel sums over the batch
 * run as in one call; dx is written over the packed dy and unpacked. */
function groupNormBackwardThreads(
  ctx: WasmContext, g: GroupNormGeometry, dy: Float32Array, x: Float32Array, mean: Float64Array, invStd: Float64Array, gamma: Float32Array | null,
  dx: Float32Array | null, dgamma: Float32Array | null, dbeta: Float32Array | null, parts: number,
): void {
  const op = 'groupNormBackward';
  const c = g.channels;
  const perGroup = c / g.groups;
  const [readX, readDy] = [reader(ctx, x), reader(ctx, dy)];
  const writeDx = dx ? reader(ctx, dx) : null;
  ctx.scoped((arena) => {
    const pgamma = putOr(arena, op, gamma, c, 1);
    const pg = arena.alloc(op, c * 4);
    const pb = arena.alloc(op, c * 4);
    const groupRanges = ranges(g.groups, parts);
    const channelRanges = groupRanges.map(([g0, g1]): [number, number] => [g0 * perGroup, g1 * perGroup]);
    const xs = allocPacked(ctx, op, g.batch, g.inner, channelRanges);
    const dys = allocPacked(ctx, op, g.batch, g.inner, channelRanges);
    const stats = groupRanges.map(([g0, g1]) => ({ g0, count: g1 - g0, mean: arena.alloc(op, g.batch * (g1 - g0) * 8), spread: arena.alloc(op, g.batch * (g1 - g0) * 8) }));
    const works = groupRanges.map(([g0, g1]) => arena.alloc(op, (g1 - g0) * perGroup * 16));
    const blocks = groupRanges.map(() => arena.alloc(op, PARAM_BYTES));
    packChannels(ctx, readX, g.batch, c, g.inner, xs);
    packChannels(ctx, readDy, g.batch, c, g.inner, dys);
    for (const st of stats) {
      const m = arena.f64(st.mean, g.batch * st.count);
      const v = arena.f64(st.spread, g.batch * st.count);
      for (let n = 0; n < g.batch; n++) {
        const from = n * g.groups + st.g0;
        m.set(mean.subarray(from, from + st.count), n * st.count);
        v.set(invStd.subarray(from, from + st.count), n * st.count);
      }
    }
    ctx.parallel(op, xs.map((p, t): Task => {
      writeNormParams(ctx.kernels, blocks[t], {
        ...NONE, batch: g.batch, channels: p.count, inner: g.inner, groups: stats[t].count, x: p.at, dy: dys[t].at, dx: dx ? dys[t].at : 0,
        mean: stats[t].mean, spread: stats[t].spread, gamma: pgamma + 4 * p.c0, dgamma: pg + 4 * p.c0, dbeta: pb + 4 * p.c0, work: works[t],
      });
      return [[op, blocks[t]]];
    }));
    if (dgamma) arena.get(pg, c, dgamma);
    if (dbeta) arena.get(pb, c, dbeta);
    if (writeDx) unpackChannels(ctx, writeDx, g.batch, c, g.inner, dys);
  });
}

export function groupNormStats(ctx: WasmContext, g: GroupNormGeometry, x: Float32Array, mean: Float64Array, variance: Float64Array): void {
  const op = 'groupNormStats';
  const size = groupSize(op, g);
  const rows = g.batch * g.groups;
  checkLength(op, 'x', x, size);
  checkLength(op, 'mean', mean, rows);
  checkLength(op, 'variance', variance, rows);
  const parts = taskCount(ctx, 'elements', size, rows);
  ctx.scoped((arena) => {
    const px = arena.put(op, x, size);
    const pm = arena.alloc(op, rows * 8);
    const pv = arena.alloc(op, rows * 8);
    if (parts > 1) {
      // Ranges of rows (contiguous blocks of one (image, group) each), as one image of that many groups.
      const perGroup = g.channels / g.groups;
      const m = perGroup * g.inner;
      ctx.parallel(op, ranges(rows, parts).map(([r0, r1]): Task => {
        const block = arena.alloc(op, PARAM_BYTES);
        writeNormParams(ctx.kernels, block, {
          ...NONE, batch: 1, groups: r1 - r0, channels: (r1 - r0) * perGroup, inner: g.inner, x: px + 4 * r0 * m, mean: pm + 8 * r0, spread: pv + 8 * r0,
        });
        return [[op, block]];
      }));
    } else {
      run(ctx, op, { ...g, x: px, mean: pm, spread: pv });
    }
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
    const parts = taskCount(ctx, 'elements', size, g.batch > 1 ? g.batch : g.groups);
    if (parts > 1) groupNormApplyThreads(ctx, { ...NONE, ...call }, parts);
    else run(ctx, op, call);
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
  const parts = taskCount(ctx, 'elements', size, g.groups);
  if (parts > 1) {
    groupNormBackwardThreads(ctx, g, dy, x, mean, invStd, gamma, dx, dgamma, dbeta, parts);
    return;
  }
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
