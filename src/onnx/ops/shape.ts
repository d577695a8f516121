// Ops that move data without arithmetic, and the shape arithmetic exporters emit: each
// runs on the host when its data is a host value (a shape being computed) and on tensors
// through simdnet's ops otherwise. Opset differences handled here: Squeeze/Unsqueeze axes
// (an attribute up to 12, an input from 13), Split's sizes (attribute up to 12, input from
// 13), Reshape's allowzero (14), Shape's start/end (15), Pad's inputs (11).
import { add, concat, dropout, pad, reshape, slice, split, transpose } from '../../ops/index.js';
import { sliceGeometry } from '../../ops/slice.js';
import { Tensor, shapeSize, zeros } from '../../tensor.js';
import type { CompileContext, Dims, ExecNode, Known, OpDef, RunInput, RunOutput } from '../exec.js';
import {
  broadcastAll, cast, concatHost, expandHost, gatherHost, hostValue, isFloatType, transposeHost, windowHost, type HostValue,
} from '../host.js';
import { dtypeName, type OnnxDType } from '../tensor-proto.js';
import { axesOf, axisOf, dimsOf, hostAt, hostInputs, intsOf, isTensor, product, scalarOf, tensorAt } from './util.js';

/** A host value with new dims over the same data. */
function reshaped(h: HostValue, dims: readonly number[]): HostValue {
  return { dtype: h.dtype, dims: [...dims], data: h.data };
}

/** A node whose output is a view of input 0 with other sizes (Reshape, Flatten, Squeeze,
 * Unsqueeze): `dims` computes them from the input's sizes and the host parameters. */
function viewNode(c: CompileContext, hostPositions: readonly number[], dims: (x: Dims, params: readonly (HostValue | undefined)[]) => number[]): ExecNode {
  const params = (ins: readonly (Known | undefined)[]): (HostValue | undefined)[] | null => {
    const out: (HostValue | undefined)[] = [];
    for (const i of hostPositions) {
      const k = ins[i];
      if (k && !k.host) return null;
      out.push(k?.host ?? undefined);
    }
    return out;
  };
  return {
    hostInputs: hostPositions,
    host: (ins) => {
      const x = ins[0]?.host;
      const p = params(ins);
      if (!x || !p) return null;
      return [reshaped(x, dims(x.dims, p))];
    },
    infer: (ins) => {
      const x = dimsOf(ins[0]);
      const p = params(ins);
      return [x && p ? dims(x, p) : null];
    },
    run: (ins) => {
      const x = tensorAt(c, ins, 0);
      return [reshape(x, dims(x.shape, hostPositions.map((i) => ins[i] as HostValue | undefined)))];
    },
  };
}

const Reshape: OpDef = {
  compile(c) {
    const allowZero = c.opset >= 14 && c.attrs.oneOfInts('allowzero', 0, [0, 1]) === 1;
    c.attrs.finish('Reshape');
    return viewNode(c, [1], (x, [shape]) => {
      if (!shape) return c.fail('input 1 (shape) is required');
      const target = intsOf(c, shape, 'input 1 (shape)');
      if (shape.dims.length !== 1) c.fail(`input 1 (shape) must be 1-D, got [${shape.dims.join(', ')}]`);
      // A 0 copies the input's size at that position unless allowzero; one −1 is inferred.
      const out = target.map((d, i) => {
        if (d === 0 && !allowZero) {
          if (i >= x.length) c.fail(`shape [${target.join(', ')}] copies dimension ${i} (a 0) of input [${x.join(', ')}], which has none`);
          return x[i];
        }
        return d;
      });
      const free = out.indexOf(-1);
      if (out.some((d, i) => d < -1 || (d === -1 && i !== free))) c.fail(`shape [${target.join(', ')}] has more than one −1 or a size below −1`);
      const total = product(x);
      if (free >= 0) {
        const known = product(out.filter((_, i) => i !== free));
        if (known === 0 || total % known !== 0) c.fail(`cannot reshape [${x.join(', ')}] (${total} elements) to [${target.join(', ')}]`);
        out[free] = total / known;
      }
      if (product(out) !== total) c.fail(`cannot reshape [${x.join(', ')}] (${total} elements) to [${target.join(', ')}]`);
      return out;
    });
  },
};

const Flatten: OpDef = {
  compile(c) {
    const axis = c.attrs.int('axis', 1);
    c.attrs.finish('Flatten');
    return viewNode(c, [], (x) => {
      if (axis < -x.length || axis > x.length) c.fail(`attribute 'axis' ${axis} is outside [${-x.length}, ${x.length}] for input [${x.join(', ')}]`);
      const a = axis < 0 ? axis + x.length : axis;
      return [product(x.slice(0, a)), product(x.slice(a))];
    });
  },
};

/** Squeeze / Unsqueeze axes: the attribute (opset ≤ 12) or input 1 (opset ≥ 13). */
function axesSource(c: CompileContext, required: boolean): { positions: number[]; read: (p: readonly (HostValue | undefined)[]) => number[] | undefined } {
  if (c.opset < 13) {
    const axes = c.attrs.ints('axes');
    if (required && !axes) c.fail("attribute 'axes' is required");
    return { positions: [], read: () => axes };
  }
  return { positions: [1], read: ([h]) => (h ? intsOf(c, h, 'input 1 (axes)') : undefined) };
}

const Squeeze: OpDef = {
  compile(c) {
    const src = axesSource(c, false);
    c.attrs.finish('Squeeze');
    return viewNode(c, src.positions, (x, p) => {
      const given = src.read(p);
      const drop = given === undefined ? x.flatMap((d, i) => (d === 1 ? [i] : [])) : axesOf(c, given, x.length);
      for (const a of drop) if (x[a] !== 1) c.fail(`axis ${a} of input [${x.join(', ')}] has size ${x[a]}, not 1`);
      return x.filter((_, i) => !drop.includes(i));
    });
  },
};

const Unsqueeze: OpDef = {
  compile(c) {
    const src = axesSource(c, true);
    c.attrs.finish('Unsqueeze');
    return viewNode(c, src.positions, (x, p) => {
      const given = src.read(p);
      if (!given) return c.fail('input 1 (axes) is required');
      const rank = x.length + given.length;
      const insert = new Set(axesOf(c, given, rank));
      const out: number[] = [];
      let k = 0;
      for (let i = 0; i < rank; i++) out.push(insert.has(i) ? 1 : x[k++]);
      return out;
    });
  },
};

const Transpose: OpDef = {
  compile(c) {
    const permAttr = c.attrs.ints('perm');
    c.attrs.finish('Transpose');
    const permOf = (rank: number): number[] => {
      const perm = permAttr ?? [...Array(rank).keys()].reverse();
      if (perm.length !== rank || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) c.fail(`attribute 'perm' [${perm.join(', ')}] is not a permutation of ${rank} axes`);
      return perm;
    };
    return {
      hostInputs: [],
      host: (ins) => {
        const x = ins[0]?.host;
        return x ? [transposeHost(x, permOf(x.dims.length))] : null;
      },
      infer: (ins) => {
        const x = dimsOf(ins[0]);
        return [x ? permOf(x.length).map((p) => x[p]) : null];
      },
      run: (ins) => {
        const x = tensorAt(c, ins, 0);
        return [transpose(x, permOf(x.rank))];
      },
    };
  },
};

function concatDims(c: CompileContext, axis: number, all: readonly Dims[]): { axis: number; dims: number[] } {
  const first = all[0];
  const a = axisOf(c, axis, first.length, "attribute 'axis'");
  all.forEach((d, i) => {
    if (d.length !== first.length || d.some((v, k) => k !== a && v !== first[k])) c.fail(`input ${i} [${d.join(', ')}] does not match input 0 [${first.join(', ')}] outside axis ${a}`);
  });
  const dims = [...first];
  dims[a] = all.reduce((s, d) => s + d[a], 0);
  return { axis: a, dims };
}

const Concat: OpDef = {
  compile(c) {
    if (!c.attrs.has('axis')) c.fail("attribute 'axis' is required");
    const axis = c.attrs.int('axis', 0);
    c.attrs.finish('Concat');
    if (c.node.inputs.length === 0 || c.node.inputs.some((n) => n === '')) c.fail('needs at least one input, none omitted');
    return {
      hostInputs: [],
      host: (ins) => {
        const h = hostInputs(ins) as HostValue[] | null;
        if (!h) return null;
        const t = h[0].dtype;
        if (h.some((v) => v.dtype !== t)) c.fail(`inputs have different types (${[...new Set(h.map((v) => v.dtype))].join(', ')})`);
        return [concatHost(h, concatDims(c, axis, h.map((v) => v.dims)).axis)];
      },
      infer: (ins) => {
        const all = ins.map(dimsOf);
        return [all.every((d) => d) ? concatDims(c, axis, all as Dims[]).dims : null];
      },
      run: (ins) => {
        const ts = ins.map((_, i) => tensorAt(c, ins, i));
        const { axis: a } = concatDims(c, axis, ts.map((t) => t.shape));
        // Empty parts (a shape of length 0 in the graph) add nothing; concat needs non-empty ones.
        const parts = ts.filter((t) => t.size > 0);
        if (parts.length === 0) return [new Tensor(new Float32Array(0), concatDims(c, axis, ts.map((t) => t.shape)).dims)];
        return [parts.length === 1 ? parts[0] : concat(parts, a)];
      },
    };
  },
};

/** Split: sizes from the attribute (≤ 12) or input 1 (≥ 13), else equal parts, one per output. */
const Split: OpDef = {
  compile(c) {
    const axis = c.attrs.int('axis', 0);
    const attrSizes = c.opset < 13 ? c.attrs.ints('split') : undefined;
    c.attrs.finish('Split');
    const count = c.node.outputs.length;
    const sizesOf = (x: Dims, given: HostValue | undefined): { axis: number; sizes: number[] } => {
      const a = axisOf(c, axis, x.length, "attribute 'axis'");
      const list = attrSizes ?? (given ? intsOf(c, given, 'input 1 (split)') : undefined);
      if (list) {
        if (list.length !== count || list.some((s) => s < 0) || list.reduce((p, s) => p + s, 0) !== x[a]) c.fail(`split [${list.join(', ')}] must be ${count} sizes adding up to axis ${a} (size ${x[a]}) of input [${x.join(', ')}]`);
        return { axis: a, sizes: list };
      }
      if (x[a] % count !== 0) c.fail(`axis ${a} (size ${x[a]}) of input [${x.join(', ')}] does not split into ${count} equal parts`);
      return { axis: a, sizes: new Array<number>(count).fill(x[a] / count) };
    };
    const positions = c.opset >= 13 ? [1] : [];
    return {
      hostInputs: positions,
      host: (ins) => {
        const x = ins[0]?.host;
        if (!x || (ins[1] && !ins[1].host)) return null;
        const { axis: a, sizes } = sizesOf(x.dims, ins[1]?.host ?? undefined);
        let at = 0;
        return sizes.map((s) => {
          const dims = [...x.dims];
          dims[a] = s;
          const starts = x.dims.map((_, i) => (i === a ? at : 0));
          at += s;
          return windowHost(x, dims, starts, x.dims.map(() => 1));
        });
      },
      infer: (ins) => {
        const x = dimsOf(ins[0]);
        if (!x || (ins[1] && !ins[1].host)) return new Array(count).fill(null);
        const { axis: a, sizes } = sizesOf(x, ins[1]?.host ?? undefined);
        return sizes.map((s) => x.map((d, i) => (i === a ? s : d)));
      },
      run: (ins) => {
        const x = tensorAt(c, ins, 0);
        const { axis: a, sizes } = sizesOf(x.shape, ins[1] as HostValue | undefined);
        return split(x, sizes, a);
      },
    };
  },
};

/** Slice (opset 10+): starts, ends, axes, steps are host inputs. */
const Slice: OpDef = {
  compile(c) {
    c.attrs.finish('Slice');
    const geometry = (x: Dims, p: readonly (HostValue | undefined)[]) => {
      const [starts, ends, axes, steps] = p;
      if (!starts || !ends) return c.fail('inputs 1 (starts) and 2 (ends) are required');
      try {
        return sliceGeometry('Slice', x, {
          starts: intsOf(c, starts, 'input 1 (starts)'), ends: intsOf(c, ends, 'input 2 (ends)'),
          ...(axes ? { axes: intsOf(c, axes, 'input 3 (axes)') } : {}), ...(steps ? { steps: intsOf(c, steps, 'input 4 (steps)') } : {}),
        });
      } catch (e) {
        return c.fail((e as Error).message);
      }
    };
    const params = (ins: readonly (Known | undefined)[]): (HostValue | undefined)[] | null => {
      const out: (HostValue | undefined)[] = [];
      for (let i = 1; i <= 4; i++) {
        const k = ins[i];
        if (k && !k.host) return null;
        out.push(k?.host ?? undefined);
      }
      return out;
    };
    return {
      hostInputs: [1, 2, 3, 4],
      host: (ins) => {
        const x = ins[0]?.host;
        const p = params(ins);
        if (!x || !p) return null;
        const g = geometry(x.dims, p);
        return [windowHost(x, g.outShape, g.starts, g.steps)];
      },
      infer: (ins) => {
        const x = dimsOf(ins[0]);
        const p = params(ins);
        return [x && p ? geometry(x, p).outShape : null];
      },
      run: (ins) => {
        const x = tensorAt(c, ins, 0);
        const [starts, ends, axes, steps] = [1, 2, 3, 4].map((i) => ins[i] as HostValue | undefined);
        if (!starts || !ends) return c.fail('inputs 1 (starts) and 2 (ends) are required');
        geometry(x.shape, [starts, ends, axes, steps]);
        return [slice(x, {
          starts: intsOf(c, starts, 'starts'), ends: intsOf(c, ends, 'ends'),
          ...(axes ? { axes: intsOf(c, axes, 'axes') } : {}), ...(steps ? { steps: intsOf(c, steps, 'steps') } : {}),
        })];
      },
    };
  },
};

/** Gather: indices are host integers (negative counts from the end); on tensors it is one
 * slice per index joined with concat (so gradients flow). */
const Gather: OpDef = {
  compile(c) {
    const axis = c.attrs.int('axis', 0);
    c.attrs.finish('Gather');
    const resolve = (x: Dims, indices: HostValue): { axis: number; idx: number[]; dims: number[] } => {
      if (x.length === 0) c.fail('input 0 must have at least one dimension');
      const a = axisOf(c, axis, x.length, "attribute 'axis'");
      const idx = intsOf(c, indices, 'input 1 (indices)').map((k) => {
        if (k < -x[a] || k >= x[a]) c.fail(`index ${k} is outside axis ${a} (size ${x[a]}) of input [${x.join(', ')}]`);
        return k < 0 ? k + x[a] : k;
      });
      return { axis: a, idx, dims: [...x.slice(0, a), ...indices.dims, ...x.slice(a + 1)] };
    };
    return {
      hostInputs: [1],
      host: (ins) => {
        const x = ins[0]?.host;
        const ind = ins[1]?.host;
        if (!x || !ind) return null;
        const r = resolve(x.dims, ind);
        return [gatherHost(x, { ...ind, data: r.idx }, r.axis)];
      },
      infer: (ins) => {
        const x = dimsOf(ins[0]);
        const ind = ins[1]?.host;
        return [x && ind ? resolve(x, ind).dims : null];
      },
      run: (ins) => {
        const x = tensorAt(c, ins, 0);
        const r = resolve(x.shape, hostAt(c, ins, 1));
        if (r.idx.length === 0) return [new Tensor(new Float32Array(0), r.dims)];
        const parts = r.idx.map((k) => slice(x, { starts: [k], ends: [k + 1], axes: [r.axis] }));
        return [reshape(parts.length === 1 ? parts[0] : concat(parts, r.axis), r.dims)];
      },
    };
  },
};

/** Expand: numpy broadcast of input 0 and the shape input (either may be larger). */
const Expand: OpDef = {
  compile(c) {
    c.attrs.finish('Expand');
    const target = (x: Dims, shape: HostValue): number[] => {
      const s = intsOf(c, shape, 'input 1 (shape)');
      const out = broadcastAll([x, s]);
      if (!out) return c.fail(`input [${x.join(', ')}] does not broadcast to [${s.join(', ')}]`);
      return out;
    };
    return {
      hostInputs: [1],
      host: (ins) => {
        const x = ins[0]?.host;
        const s = ins[1]?.host;
        return x && s ? [expandHost(x, target(x.dims, s))] : null;
      },
      infer: (ins) => {
        const x = dimsOf(ins[0]);
        const s = ins[1]?.host;
        return [x && s ? target(x, s) : null];
      },
      run: (ins) => {
        const x = tensorAt(c, ins, 0);
        const dims = target(x.shape, hostAt(c, ins, 1));
        if (dims.length === x.rank && dims.every((d, i) => d === x.shape[i])) return [x];
        // Adding zeros of the target shape broadcasts x (its gradient sums back, as Expand's).
        return [add(x, zeros(dims))];
      },
    };
  },
};

/** Tile: repeats per axis (host input). */
const Tile: OpDef = {
  compile(c) {
    c.attrs.finish('Tile');
    const repeatsOf = (x: Dims, h: HostValue): number[] => {
      const r = intsOf(c, h, 'input 1 (repeats)');
      if (r.length !== x.length || r.some((v) => v < 0)) c.fail(`repeats [${r.join(', ')}] must be ${x.length} non-negative integers for input [${x.join(', ')}]`);
      return r;
    };
    const tileHost = (x: HostValue, r: number[]): HostValue => {
      let v = x;
      r.forEach((n, a) => {
        if (n !== 1) v = n === 0 ? { ...v, dims: v.dims.map((d, i) => (i === a ? 0 : d)), data: [] } : concatHost(new Array<HostValue>(n).fill(v), a);
      });
      return v;
    };
    return {
      hostInputs: [1],
      host: (ins) => {
        const x = ins[0]?.host;
        const r = ins[1]?.host;
        return x && r ? [tileHost(x, repeatsOf(x.dims, r))] : null;
      },
      infer: (ins) => {
        const x = dimsOf(ins[0]);
        const r = ins[1]?.host;
        return [x && r ? x.map((d, i) => d * repeatsOf(x, r)[i]) : null];
      },
      run: (ins) => {
        let x = tensorAt(c, ins, 0);
        const r = repeatsOf(x.shape, hostAt(c, ins, 1));
        if (r.includes(0)) return [new Tensor(new Float32Array(0), x.shape.map((d, i) => d * r[i]))];
        r.forEach((n, a) => {
          if (n > 1) x = concat(new Array<Tensor>(n).fill(x), a);
        });
        return [x];
      },
    };
  },
};

/** Pad (opset 11+): pads and the constant value are host inputs. */
const Pad: OpDef = {
  compile(c) {
    const mode = c.attrs.oneOf('mode', 'constant', ['constant', 'reflect', 'edge'] as const);
    c.attrs.finish('Pad');
    const padsOf = (x: Dims, p: HostValue): number[] => {
      const pads = intsOf(c, p, 'input 1 (pads)');
      if (pads.length !== 2 * x.length) c.fail(`pads [${pads.join(', ')}] must have ${2 * x.length} values for input [${x.join(', ')}]`);
      return pads;
    };
    return {
      hostInputs: [1, 2, 3],
      infer: (ins) => {
        const x = dimsOf(ins[0]);
        const p = ins[1]?.host;
        if (c.has(3)) c.fail('input 3 (axes) belongs to opset 18');
        return [x && p ? x.map((d, i) => d + padsOf(x, p)[i] + padsOf(x, p)[i + x.length]) : null];
      },
      run: (ins) => {
        const x = tensorAt(c, ins, 0);
        const pads = padsOf(x.shape, hostAt(c, ins, 1));
        const v = ins[2] as HostValue | undefined;
        const value = v && v.data.length > 0 ? scalarOf(c, v, 'input 2 (constant_value)') : 0;
        // ONNX ignores the value outside constant mode; simdnet's pad refuses one there.
        try {
          return [pad(x, pads, mode === 'constant' ? { mode, value } : { mode })];
        } catch (e) {
          return c.fail((e as Error).message);
        }
      },
    };
  },
};

const Shape: OpDef = {
  compile(c) {
    const start = c.opset >= 15 ? c.attrs.int('start', 0) : 0;
    const endAttr = c.opset >= 15 && c.attrs.has('end') ? c.attrs.int('end', 0) : undefined;
    c.attrs.finish('Shape');
    const of = (x: Dims): HostValue => {
      const r = x.length;
      const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + r : v, 0), r);
      const dims = x.slice(clamp(start), endAttr === undefined ? r : clamp(endAttr));
      return hostValue('int64', [dims.length], [...dims]);
    };
    return {
      hostInputs: [],
      host: (ins) => {
        const x = dimsOf(ins[0]);
        return x ? [of(x)] : null;
      },
      infer: (ins) => {
        const x = dimsOf(ins[0]);
        return [x ? of(x).dims : null];
      },
      hostOutputs: [0],
      run: (ins) => [of(tensorAt(c, ins, 0).shape)],
    };
  },
};

const Size: OpDef = {
  compile(c) {
    c.attrs.finish('Size');
    return {
      hostInputs: [],
      host: (ins) => {
        const x = dimsOf(ins[0]);
        return x ? [hostValue('int64', [], [product(x)])] : null;
      },
      infer: () => [[]],
      hostOutputs: [0],
      run: (ins) => [hostValue('int64', [], [tensorAt(c, ins, 0).size])],
    };
  },
};

const ConstantOfShape: OpDef = {
  compile(c) {
    const value = c.attrs.tensor('value');
    c.attrs.finish('ConstantOfShape');
    if (value && value.data.length !== 1) c.fail(`attribute 'value' must hold one element, got ${value.data.length}`);
    const dtype = (value?.dtype ?? 'float32') as OnnxDType;
    const fill = value ? value.data[0] : 0;
    const of = (shape: HostValue): HostValue => {
      const dims = intsOf(c, shape, 'input 0 (shape)');
      if (dims.some((d) => d < 0)) c.fail(`shape [${dims.join(', ')}] has a negative size`);
      return hostValue(dtype, dims, new Array<number>(shapeSize(dims)).fill(fill));
    };
    return {
      hostInputs: [0],
      host: (ins) => {
        const s = ins[0]?.host;
        return s ? [of(s)] : null;
      },
      infer: () => [null],
      hostOutputs: [0],
      run: (ins) => [of(hostAt(c, ins, 0))],
    };
  },
};

const Range: OpDef = {
  compile(c) {
    c.attrs.finish('Range');
    const of = ([start, limit, delta]: HostValue[]): HostValue => {
      const [s, l, d] = [start, limit, delta].map((h, i) => scalarOf(c, h, `input ${i}`));
      if (d === 0) c.fail('delta is 0');
      const n = Math.max(Math.ceil((l - s) / d), 0);
      const dtype = start.dtype;
      return hostValue(dtype, [n], Array.from({ length: n }, (_, i) => (isFloatType(dtype) ? Math.fround(s + i * d) : s + i * d)));
    };
    return {
      hostInputs: [0, 1, 2],
      host: (ins) => {
        const h = hostInputs(ins);
        return h && h.every((v) => v) ? [of(h as HostValue[])] : null;
      },
      infer: () => [null],
      hostOutputs: [0],
      run: (ins) => [of([0, 1, 2].map((i) => hostAt(c, ins, i)))],
    };
  },
};

/** Cast and CastLike: on the host any numeric type; on tensors only float to float (an
 * integer computed from tensor data would be a data-dependent value simdnet cannot hold). */
function castOp(targetOf: (c: CompileContext, ins: readonly (Known | undefined)[] | readonly RunInput[]) => OnnxDType): OpDef {
  return {
    compile(c) {
      const fixed = c.node.op === 'Cast' ? dtypeName(`Cast`, "attribute 'to'", c.attrs.int('to', 0)) : null;
      c.attrs.finish(c.node.op);
      const to = (ins: readonly (Known | undefined)[] | readonly RunInput[]): OnnxDType => fixed ?? targetOf(c, ins);
      return {
        hostInputs: [],
        host: (ins) => {
          const x = ins[0]?.host;
          return x ? [cast(c.node.op, x, to(ins))] : null;
        },
        infer: (ins) => [dimsOf(ins[0])],
        run: (ins): RunOutput[] => {
          const x = tensorAt(c, ins, 0);
          const t = to(ins);
          if (!isFloatType(t)) c.fail(`casting a tensor computed from data to ${t} is not supported (simdnet computes integers on the host, from constants and shapes only)`);
          return [x];
        },
      };
    },
  };
}

const Identity: OpDef = {
  compile(c) {
    c.attrs.finish('Identity');
    return {
      hostInputs: [],
      host: (ins) => (ins[0]?.host ? [ins[0].host] : null),
      infer: (ins) => [dimsOf(ins[0])],
      run: (ins) => [tensorAt(c, ins, 0)],
    };
  },
};

/** Dropout that import kept: training_mode true (opset 12+), or an output of the graph. */
const Dropout: OpDef = {
  compile(c) {
    c.attrs.ignore('seed');
    const ratioAttr = c.opset < 12 ? c.attrs.float('ratio', 0.5) : undefined;
    c.attrs.finish('Dropout');
    if (c.hasOutput(1)) c.fail(`output 1 ('${c.node.outputs[1]}', the mask) is not supported: simdnet's dropout returns none`);
    const settings = (ins: readonly RunInput[]): { p: number; training: boolean } => {
      const r = ins[1] as HostValue | undefined;
      const t = ins[2] as HostValue | undefined;
      const p = ratioAttr ?? (r ? scalarOf(c, r, 'input 1 (ratio)') : 0.5);
      return { p, training: t ? scalarOf(c, t, 'input 2 (training_mode)') !== 0 : false };
    };
    return {
      hostInputs: [1, 2],
      infer: (ins) => [dimsOf(ins[0])],
      run: (ins) => {
        const x = tensorAt(c, ins, 0);
        const s = settings(ins);
        return [s.training && s.p > 0 ? dropout(x, { p: s.p, training: true }) : x];
      },
    };
  },
};

const Constant: OpDef = {
  compile(c: CompileContext) {
    const t = c.attrs.tensor('value');
    c.attrs.finish('Constant');
    if (!t) c.fail("only the 'value' tensor form reaches compile (import turns the others into constants)");
    const v = hostValue(t.dtype as OnnxDType, t.dims, [...t.data]);
    return { hostInputs: [], hostOutputs: [0], host: () => [v], infer: () => [v.dims], run: () => [v] };
  },
};

export const SHAPE_OPS: Record<string, OpDef> = {
  Reshape, Flatten, Squeeze, Unsqueeze, Transpose, Concat, Split, Slice, Gather, Expand, Tile, Pad,
  Shape, Size, ConstantOfShape, Range, Identity, Dropout, Constant,
  Cast: castOp(() => 'float32'),
  // The target type is input 1's: a tensor is float32, a host value has its own.
  CastLike: castOp((_, ins) => {
    const like = ins[1];
    if (like === undefined || isTensor(like)) return 'float32';
    if ('data' in like) return like.dtype;
    return (like as Known).host?.dtype ?? 'float32';
  }),
};
