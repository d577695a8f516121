// Ops that cut, join and repeat data (Concat, Split, Slice, Gather, Expand, Tile, Pad):
// on the host for host values, on tensors through simdnet's ops (so gradients flow).
// Split's sizes are an attribute up to opset 12 and an input from 13; Pad's pads and value
// are inputs (opset 11+).
import { add, concat, pad, reshape, slice, split } from '../../ops/index.js';
import { sliceGeometry } from '../../ops/slice.js';
import { Tensor, zeros } from '../../tensor.js';
import type { CompileContext, Dims, Known, OpDef } from '../exec.js';
import { broadcastAll, concatHost, expandHost, gatherHost, windowHost, type HostValue } from '../host.js';
import { axisOf, dimsOf, hostAt, hostInputs, intsOf, scalarOf, tensorAt } from './util.js';

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

export const JOIN_OPS: Record<string, OpDef> = { Concat, Split, Slice, Gather, Expand, Tile, Pad };
