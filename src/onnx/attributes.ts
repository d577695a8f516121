// Node attributes: protobuf AttributeProto → the tagged JSON of spec.ts (at import), and
// a reader that every op uses to take its attributes (at compile). The reader records
// what was read: an attribute the op never asked for is refused, so a file that relies on
// an attribute simdnet does not implement cannot run with it silently ignored.
import { AttributeType, type IAttributeProto, int64 } from './proto.js';
import { readTensorProto } from './tensor-proto.js';
import type { AttrValue } from './spec.js';

const TYPE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(AttributeType).map(([k, v]) => [v, k]));

/** One AttributeProto as JSON; `fail` names the node. Graph, sparse and type attributes are refused. */
export function readAttribute(a: IAttributeProto, fail: (message: string) => never): AttrValue {
  const name = a.name ?? '';
  if (a.refAttrName) fail(`attribute '${name}' refers to a function attribute ('${a.refAttrName}'), which simdnet does not support`);
  const where = `attribute '${name}'`;
  try {
    return attributeValue(a, where, fail);
  } catch (e) {
    // int64 and tensor errors name the attribute only: the node comes from fail.
    if ((e as Error).message.startsWith(where)) return fail((e as Error).message);
    throw e;
  }
}

function attributeValue(a: IAttributeProto, where: string, fail: (message: string) => never): AttrValue {
  switch (a.type) {
    case AttributeType.FLOAT: return { f: Math.fround(a.f ?? 0) };
    case AttributeType.INT: return { i: int64(where, 'its value', a.i) };
    case AttributeType.STRING: return { s: new TextDecoder().decode(a.s ?? new Uint8Array()) };
    case AttributeType.FLOATS: return { floats: (a.floats ?? []).map((v) => Math.fround(v)) };
    case AttributeType.INTS: return { ints: (a.ints ?? []).map((v, k) => int64(where, `value ${k}`, v)) };
    case AttributeType.STRINGS: return { strings: (a.strings ?? []).map((s) => new TextDecoder().decode(s)) };
    case AttributeType.TENSOR: {
      if (!a.t) fail(`${where} is a TENSOR attribute without a tensor`);
      const t = readTensorProto(where, a.t);
      return { t: { dtype: t.dtype, dims: t.dims, data: t.floats ? Array.from(t.floats) : (t.ints ?? []) } };
    }
    default:
      return fail(`${where} has type ${TYPE_NAMES[a.type ?? 0] ?? a.type} (graph, sparse-tensor and type attributes are not supported)`);
  }
}

function kindOf(v: AttrValue): string {
  return Object.keys(v)[0];
}

/** Typed access to a node's attributes, recording every read. */
export class AttrReader {
  private readonly read = new Set<string>();

  constructor(
    private readonly values: Readonly<Record<string, AttrValue>>,
    private readonly fail: (message: string) => never,
  ) {}

  has(name: string): boolean {
    return Object.hasOwn(this.values, name);
  }

  private take(name: string, kind: string): AttrValue | undefined {
    this.read.add(name);
    const v = this.values[name];
    if (v === undefined) return undefined;
    if (kindOf(v) !== kind) this.fail(`attribute '${name}' should be ${kind === 'i' ? 'an int' : kind === 'f' ? 'a float' : kind === 's' ? 'a string' : kind}, got ${JSON.stringify(v)}`);
    return v;
  }

  int(name: string, fallback: number): number {
    const v = this.take(name, 'i') as { i: number } | undefined;
    return v ? v.i : fallback;
  }

  float(name: string, fallback: number): number {
    const v = this.take(name, 'f') as { f: number } | undefined;
    return v ? v.f : fallback;
  }

  string(name: string, fallback: string): string {
    const v = this.take(name, 's') as { s: string } | undefined;
    return v ? v.s : fallback;
  }

  ints(name: string): number[] | undefined;
  ints(name: string, fallback: number[]): number[];
  ints(name: string, fallback?: number[]): number[] | undefined {
    const v = this.take(name, 'ints') as { ints: number[] } | undefined;
    return v ? [...v.ints] : fallback;
  }

  floats(name: string): number[] | undefined {
    const v = this.take(name, 'floats') as { floats: number[] } | undefined;
    return v ? [...v.floats] : undefined;
  }

  tensor(name: string): { dtype: string; dims: readonly number[]; data: readonly number[] } | undefined {
    const v = this.take(name, 't') as { t: { dtype: string; dims: readonly number[]; data: readonly number[] } } | undefined;
    return v?.t;
  }

  /** An int attribute restricted to some values (e.g. a flag 0/1). */
  oneOfInts(name: string, fallback: number, allowed: readonly number[]): number {
    const v = this.int(name, fallback);
    if (!allowed.includes(v)) this.fail(`attribute '${name}' is ${v}; simdnet supports ${allowed.join(' or ')}`);
    return v;
  }

  /** A string attribute restricted to the values simdnet implements. */
  oneOf<T extends string>(name: string, fallback: T, allowed: readonly T[]): T {
    const v = this.string(name, fallback);
    if (!allowed.includes(v as T)) this.fail(`attribute '${name}' is '${v}'; simdnet supports ${allowed.map((a) => `'${a}'`).join(', ')}`);
    return v as T;
  }

  /** Marks an attribute as handled although it cannot change the result. */
  ignore(name: string): void {
    this.read.add(name);
  }

  /** Refuses the attributes the op never read. */
  finish(op: string): void {
    const unread = Object.keys(this.values).filter((k) => !this.read.has(k));
    if (unread.length > 0) {
      this.fail(`attribute${unread.length > 1 ? 's' : ''} ${unread.map((k) => `'${k}'`).join(', ')} ${unread.length > 1 ? 'are' : 'is'} not part of ${op} as simdnet implements it`);
    }
  }
}
