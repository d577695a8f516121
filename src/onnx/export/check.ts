// The exporter's self-check, without evaluating anything: every value a node reads is
// defined before it (a graph input, an initializer or an earlier node's output), every
// value is defined once, node names are unique, every initializer is read, the graph's
// outputs exist, and every op type is one the target opset has in the form emitted. A
// failure is a bug in an export rule, never the user's model.
import type { IGraphProto } from '../proto.js';
import { OP_FORMS } from './opsets.js';

export function checkGraph(graph: IGraphProto, opset: number): void {
  const fail = (why: string): never => {
    throw new Error(`toOnnx: internal error (a bug in an export rule): ${why}`);
  };
  const defined = new Set<string>();
  const define = (name: string, what: string): void => {
    if (!name) fail(`${what} has an empty name`);
    if (defined.has(name)) fail(`${what} defines '${name}', which is already defined`);
    defined.add(name);
  };
  for (const v of graph.input ?? []) define(v.name ?? '', 'a graph input');
  const initializers = new Set<string>();
  for (const t of graph.initializer ?? []) {
    define(t.name ?? '', 'an initializer');
    initializers.add(t.name ?? '');
  }
  const read = new Set<string>();
  const nodeNames = new Set<string>();
  for (const node of graph.node ?? []) {
    const label = `node '${node.name}' (${node.opType})`;
    if (!node.name || nodeNames.has(node.name)) fail(`${label} has an empty or repeated name`);
    nodeNames.add(node.name as string);
    const form = OP_FORMS[node.opType ?? ''];
    if (!form) fail(`${label} is an op type the exporter does not know`);
    const [first, last = Infinity] = form as readonly [number, number?];
    if (opset < first || opset > last) fail(`${label} needs opset ${first}${Number.isFinite(last) ? ` to ${last}` : ' or later'}, exporting opset ${opset}`);
    for (const input of node.input ?? []) {
      if (input === '') continue;
      if (!defined.has(input)) fail(`${label} reads '${input}', which no graph input, initializer or earlier node defines`);
      read.add(input);
    }
    for (const output of node.output ?? []) define(output, label);
  }
  for (const v of graph.output ?? []) {
    if (!defined.has(v.name ?? '')) fail(`graph output '${v.name}' is not defined by any node`);
    read.add(v.name ?? '');
  }
  for (const name of initializers) if (!read.has(name)) fail(`initializer '${name}' is never read`);
}
