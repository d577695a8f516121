// Views of input 0 with other sizes (Reshape, Flatten, Squeeze, Unsqueeze) and Transpose:
// each runs on the host when its data is a host value (a shape being computed) and on
// tensors otherwise. Opset differences: Squeeze/Unsqueeze axes are an attribute up to
// opset 12 and an input from 13; Reshape's allowzero is 14's.
import { reshape, transpose } from '../../ops/index.js';
import type { CompileContext, Dims, ExecNode, Known, OpDef } from '../exec.js';
import { transposeHost, type HostValue } from '../host.js';
import { axesOf, dimsOf, intsOf, product, tensorAt } from './util.js';

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

export const VIEW_OPS: Record<string, OpDef> = { Reshape, Flatten, Squeeze, Unsqueeze, Transpose };
