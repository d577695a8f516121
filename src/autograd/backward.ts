// Reverse-mode differentiation over the tape: order the nodes that lead to the output
// (depth first), then run each rule once, after every consumer of its output has added
// its contribution. Leaves that require a gradient accumulate into .grad.
import { Tensor, formatShape } from '../tensor.js';
import { keep, madeInScope, tidy } from '../tensor-scope.js';
import { noGrad, type GradNode } from './graph.js';

export interface BackwardOptions {
  /** Keep the saved tensors so backward can run through this graph again (default false). */
  retainGraph?: boolean;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Tensors with a node, each after every tensor it was computed from (post-order). */
function topologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  const stack: [Tensor, number][] = [[root, 0]];
  seen.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const node = top[0].gradNode as GradNode;
    if (node.inputs === null) {
      throw new Error(`backward: the graph through '${node.op}' was already released by an earlier backward (pass { retainGraph: true } to the first call to run backward twice)`);
    }
    const inputs = node.inputs;
    let pushed = false;
    while (top[1] < inputs.length) {
      const t = inputs[top[1]++];
      if (t && t.gradNode && !seen.has(t)) {
        seen.add(t);
        stack.push([t, 0]);
        pushed = true;
        break;
      }
    }
    if (!pushed) {
      order.push(top[0]);
      stack.pop();
    }
  }
  return order;
}

/** into.grad += g for a leaf (a copy the first time: g may be shared with other tensors).
 * The leaf's gradient is its own: kept out of the tidy scope backward runs in. */
function accumulateLeaf(leaf: Tensor, g: Tensor, node: GradNode | null): void {
  if (leaf.grad === null || leaf.grad.isDisposed) {
    leaf.grad = keep(g.copyDetached());
    return;
  }
  if (node) node.backend.axpby(1, g.data, 1, leaf.grad.data);
  else for (let i = 0; i < g.size; i++) leaf.grad.data[i] += g.data[i];
}

/** Whether g is still pending for some tensor (a rule may pass its dy on unchanged). */
function handedOn(g: Tensor, pending: Map<Tensor, Tensor>): boolean {
  for (const v of pending.values()) if (v === g) return true;
  return false;
}

export function runBackward(root: Tensor, grad: Tensor | undefined, options: BackwardOptions = {}): void {
  if (options === null || typeof options !== 'object') throw new Error(`backward: options must be an object, got ${String(options)}`);
  const unknown = Object.keys(options).filter((k) => k !== 'retainGraph');
  if (unknown.length > 0) throw new Error(`backward: unknown option ${unknown.map((k) => `'${k}'`).join(', ')} (known: retainGraph)`);
  if (!root.requiresGrad) {
    throw new Error(`backward: tensor ${formatShape(root.shape)} does not require a gradient (no input of the ops that made it requires one, or it was made inside noGrad)`);
  }
  let seed: Tensor;
  if (grad === undefined) {
    if (root.size !== 1) {
      throw new Error(`backward: tensor ${formatShape(root.shape)} is not a scalar; pass the gradient of the output explicitly (backward(grad))`);
    }
    seed = root.onesLike();
  } else {
    if (!(grad instanceof Tensor)) {
      const got = grad !== null && typeof grad === 'object' ? ((grad as object).constructor?.name ?? 'an object') : String(grad);
      throw new Error(`backward: the gradient must be a Tensor of the output's shape ${formatShape(root.shape)}, got ${got}`);
    }
    if (!sameShape(grad.shape, root.shape)) {
      throw new Error(`backward: gradient ${formatShape(grad.shape)} must have the output's shape ${formatShape(root.shape)}`);
    }
    seed = grad;
  }
  if (!root.gradNode) {
    accumulateLeaf(root, seed, null);
    return;
  }
  const order = topologicalOrder(root); // throws before any work if the graph was released
  const pending = new Map<Tensor, Tensor>([[root, seed]]);
  // Every gradient made on the way is a temporary (leaves get copies): the scope frees
  // them, and the seed when backward made it, as soon as backward ends.
  tidy(() => noGrad(() => {
    for (let k = order.length - 1; k >= 0; k--) {
      const t = order[k];
      const node = t.gradNode as GradNode;
      const dy = pending.get(t);
      pending.delete(t);
      const inputs = node.inputs as readonly (Tensor | null)[];
      if (dy !== undefined) {
        const needs = inputs.map((i) => i !== null && i.requiresGrad);
        const grads = (node.rule as NonNullable<GradNode['rule']>)(dy, needs);
        inputs.forEach((input, i) => {
          const g = grads[i];
          if (!input || !needs[i] || !g) return;
          if (!sameShape(g.shape, input.shape)) {
            throw new Error(`backward: '${node.op}' returned a gradient ${formatShape(g.shape)} for its input ${i} of shape ${formatShape(input.shape)}`);
          }
          if (!input.gradNode) return accumulateLeaf(input, g, node);
          const before = pending.get(input);
          if (before === undefined) pending.set(input, g);
          else {
            // Out of place: either gradient may be shared with another tensor.
            const sum = before.copyDetached();
            node.backend.axpby(1, g.data, 1, sum.data);
            pending.set(input, sum);
          }
        });
      }
      // dy is spent: free it now if this pass made it and no rule passed it on (as the
      // gradient of an input, pending for another tensor), so peak memory holds the
      // gradients in flight rather than every one of the pass.
      if (dy !== undefined && madeInScope(dy) && !handedOn(dy, pending)) dy.dispose();
      if (!options.retainGraph) {
        node.inputs = null;
        node.rule = null;
      }
    }
  }));
}
