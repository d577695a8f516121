// The shape arithmetic exporters emit (Shape, Size, Constant, ConstantOfShape, Range,
// Cast, CastLike), computed on the host as plain number arrays, and Identity / Dropout as
// import leaves them (a graph output, or training_mode true). Shape's start/end are 15's.
import { dropout } from '../../ops/index.js';
import { shapeSize } from '../../tensor.js';
import type { CompileContext, Dims, Known, OpDef, RunInput, RunOutput } from '../exec.js';
import { cast, hostValue, isFloatType, type HostValue } from '../host.js';
import { dtypeName, type OnnxDType } from '../tensor-proto.js';
import { dimsOf, hostAt, hostInputs, intsOf, isTensor, product, scalarOf, tensorAt } from './util.js';

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

export const VALUE_OPS: Record<string, OpDef> = {
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
