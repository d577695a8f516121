// Autograd semantics (src/autograd, Tensor.backward/detach/requiresGrad): what backward
// accepts and refuses, accumulation, retained and released graphs, detach and noGrad.
// Values are small integers and halves, so every expected gradient is exact in float32
// and compared with toEqual.
import { describe, expect, it } from 'vitest';
import { isGradEnabled, noGrad, type GradNode } from '../src/autograd/graph.js';
import { Linear } from '../src/nn/index.js';
import { add, linear, mean, mul, relu, sum, tanh } from '../src/ops/index.js';
import { Tensor, tensor } from '../src/tensor.js';

function leaf(values: number[][]): Tensor {
  const t = tensor(values);
  t.requiresGrad = true;
  return t;
}

function gradOf(t: Tensor): number[] {
  expect(t.grad, `no gradient for ${t}`).not.toBeNull();
  return (t.grad as Tensor).toArray();
}

/** Every node reachable from t (before backward releases them). */
function nodesOf(t: Tensor): GradNode[] {
  const out = new Set<GradNode>();
  const visit = (u: Tensor | null): void => {
    const node = u?.gradNode;
    if (!node || out.has(node)) return;
    out.add(node);
    (node.inputs ?? []).forEach(visit);
  };
  visit(t);
  return [...out];
}

describe('backward', () => {
  it('on a scalar: seeds 1 and puts dL/dx into x.grad', () => {
    const x = leaf([[1, -2], [0.5, 3]]);
    const loss = add(sum(mul(x, x)), mul(sum(x), 3)); // Σx² + 3Σx
    expect(loss.shape).toEqual([]);
    loss.backward();
    expect(gradOf(x)).toEqual([5, -1, 4, 9]); // 2x + 3
  });

  it('with an explicit output gradient: the vector-Jacobian product, for any shape', () => {
    const x = leaf([[1, 2, 3], [4, 5, 6]]);
    const w = leaf([[2, 0.5, -1], [1, 3, -2]]);
    const g = tensor([[1, -1, 2], [0.5, 0, 1]]);
    mul(x, w).backward(g);
    expect(gradOf(x)).toEqual([2, -0.5, -2, 0.5, 0, -2]); // g·w
    expect(gradOf(w)).toEqual([1, -2, 6, 2, 0, 6]); // g·x
    // A scalar's gradient can be given too (here 2), and a leaf's own backward adds g.
    const z = leaf([[1, 2]]);
    sum(mul(z, z)).backward(tensor(2));
    expect(gradOf(z)).toEqual([4, 8]);
    const seed = tensor([[1, 1]]);
    z.backward(seed);
    expect(gradOf(z)).toEqual([5, 9]);
    expect(z.grad).not.toBe(seed);
  });

  it('accumulates into .grad across backward calls until it is cleared', () => {
    const x = leaf([[1, -2, 3]]);
    sum(mul(x, 2)).backward();
    sum(mul(x, x)).backward();
    expect(gradOf(x)).toEqual([4, -2, 8]); // 2 + 2x
    x.grad = null;
    sum(mul(x, 2)).backward();
    expect(gradOf(x)).toEqual([2, 2, 2]);
  });

  it('does not give non-leaves a .grad', () => {
    const x = leaf([[1, 2]]);
    const h = mul(x, 3);
    sum(mul(h, h)).backward();
    expect(gradOf(x)).toEqual([18, 36]); // 18x
    expect(h.grad).toBeNull();
  });

  it('releases what the graph saved: every node loses its inputs and rule', () => {
    const x = leaf([[1, 2, 3], [4, 5, 6]]);
    const w = leaf([[1, 0, -1], [0.5, 0.5, 0.5]]);
    const h = relu(linear(x, w));
    const loss = mean(mul(h, h));
    const nodes = nodesOf(loss);
    expect(nodes.map((n) => n.op).sort()).toEqual(['linear', 'mean', 'mul', 'relu']);
    expect(nodes.every((n) => n.inputs !== null && n.rule !== null)).toBe(true);
    loss.backward();
    for (const n of nodes) {
      expect(n.inputs, n.op).toBeNull();
      expect(n.rule, n.op).toBeNull();
    }
    expect(loss.gradNode?.op).toBe('mean'); // the node stays, so errors can name it
  });

  it('a second backward through a released graph is a clear Error that changes nothing', () => {
    const x = leaf([[1, 2]]);
    const loss = sum(mul(x, x));
    loss.backward();
    expect(() => loss.backward()).toThrow(/backward: the graph through 'sum' was already released by an earlier backward \(pass \{ retainGraph: true \}/);
    expect(gradOf(x)).toEqual([2, 4]);
  });

  it('with { retainGraph: true } a second backward works and accumulates; the last one releases', () => {
    const x = leaf([[1, -3]]);
    const loss = sum(mul(x, x));
    const nodes = nodesOf(loss);
    loss.backward(undefined, { retainGraph: true });
    expect(nodes.every((n) => n.inputs !== null && n.rule !== null)).toBe(true);
    loss.backward();
    expect(gradOf(x)).toEqual([4, -12]); // 2 · 2x
    expect(nodes.every((n) => n.inputs === null && n.rule === null)).toBe(true);
    expect(() => loss.backward()).toThrow(/already released/);
  });

  it('a later output through a sub-graph an earlier backward released is refused before any gradient moves', () => {
    const x = leaf([[1, 2]]);
    const w = leaf([[3, 4]]);
    const h = tanh(x);
    sum(h).backward();
    const before = gradOf(x);
    expect(() => sum(mul(h, w)).backward()).toThrow(/backward: the graph through 'tanh' was already released/);
    expect(w.grad).toBeNull();
    expect(gradOf(x)).toEqual(before);
  });

  it('a non-scalar without a gradient is a clear Error', () => {
    const x = leaf([[1, 2], [3, 4]]);
    const y = mul(x, x);
    expect(() => y.backward()).toThrow(/backward: tensor \[2, 2\] is not a scalar; pass the gradient of the output explicitly/);
    expect(x.grad).toBeNull();
  });

  it('a gradient of the wrong shape is refused, and the graph stays usable', () => {
    const x = leaf([[1, 2, 3], [4, 5, 6]]);
    const y = mul(x, 2);
    expect(() => y.backward(tensor([1, 2, 3]))).toThrow(/backward: gradient \[3\] must have the output's shape \[2, 3\]/);
    expect(() => y.backward(tensor([[1, 2], [3, 4], [5, 6]]))).toThrow(/gradient \[3, 2\] must have the output's shape \[2, 3\]/);
    expect(() => sum(y).backward(tensor([1]))).toThrow(/gradient \[1\] must have the output's shape \[\]/);
    // Not a Tensor: refused by name, not a TypeError from inside a rule.
    expect(() => y.backward(new Float32Array(6) as never)).toThrow(/backward: the gradient must be a Tensor of the output's shape \[2, 3\], got Float32Array/);
    expect(() => y.backward([[1, 1, 1], [1, 1, 1]] as never)).toThrow(/must be a Tensor .*, got Array/);
    expect(() => y.backward({ shape: [2, 3] } as never)).toThrow(/must be a Tensor .*, got Object/);
    expect(() => y.backward(null as never)).toThrow(/must be a Tensor .*, got null/);
    expect(x.grad).toBeNull();
    y.backward(tensor([[1, 1, 1], [1, 1, 1]]));
    expect(gradOf(x)).toEqual([2, 2, 2, 2, 2, 2]);
  });

  it('unknown options are refused before any work', () => {
    const x = leaf([[1, 2]]);
    const loss = sum(mul(x, x));
    expect(() => loss.backward(undefined, { retain: true } as never)).toThrow(/backward: unknown option 'retain' \(known: retainGraph\)/);
    expect(() => loss.backward(undefined, { retainGraph: true, create_graph: true } as never)).toThrow(/unknown option 'create_graph'/);
    expect(() => loss.backward(undefined, null as never)).toThrow(/backward: options must be an object, got null/);
    expect(x.grad).toBeNull();
    loss.backward();
    expect(gradOf(x)).toEqual([2, 4]);
  });

  it('on a tensor that requires no gradient is a clear Error', () => {
    expect(() => sum(tensor([1, 2])).backward()).toThrow(/backward: tensor \[\] does not require a gradient/);
  });
});

describe('requiresGrad', () => {
  it('an op output requires a gradient exactly when an input does', () => {
    const a = tensor([1, 2]);
    const b = tensor([3, 4]);
    const plain = mul(a, b);
    expect(plain.requiresGrad).toBe(false);
    expect(plain.gradNode).toBeNull();
    b.requiresGrad = true;
    const tracked = mul(a, b);
    expect(tracked.requiresGrad).toBe(true);
    expect(tracked.gradNode?.op).toBe('mul');
    tracked.backward(tensor([1, 1]));
    expect(a.grad).toBeNull(); // a needs none: not computed
    expect(gradOf(b)).toEqual([1, 2]);
  });

  it('cannot be set on a non-leaf (either way) or to a non-boolean', () => {
    const x = leaf([[1, 2]]);
    const y = mul(x, 2);
    expect(() => {
      y.requiresGrad = false;
    }).toThrow(/Tensor.requiresGrad: tensor \[1, 2\] was made by 'mul'; only leaves can be set \(use detach\(\) for a leaf copy\)/);
    expect(() => {
      y.requiresGrad = true;
    }).toThrow(/only leaves can be set/);
    expect(y.requiresGrad).toBe(true);
    expect(() => {
      x.requiresGrad = 1 as never;
    }).toThrow(/Tensor.requiresGrad: expected true or false, got 1/);
    const d = y.detach();
    d.requiresGrad = true;
    expect(d.requiresGrad).toBe(true);
  });
});

describe('detach', () => {
  it('is the same data as a leaf off the tape: no gradient flows through it', () => {
    const x = leaf([[1, -2, 3]]);
    const d = x.detach();
    expect(d.data).toBe(x.data);
    expect(d.requiresGrad).toBe(false);
    expect(d.gradNode).toBeNull();
    sum(mul(x, d)).backward(); // d is a constant: dL/dx = x, not 2x
    expect(gradOf(x)).toEqual([1, -2, 3]);
    expect(d.grad).toBeNull();
  });

  it('cuts a non-leaf out of the graph', () => {
    const x = leaf([[1, 2]]);
    const h = mul(x, 3);
    sum(mul(h.detach(), x)).backward(); // 3x · x with the first factor constant
    expect(gradOf(x)).toEqual([3, 6]);
    // h's own graph was not run or released by that backward.
    expect(h.gradNode?.inputs).not.toBeNull();
  });
});

describe('noGrad', () => {
  it('records nothing: no node on any output, even from inputs that require a gradient', () => {
    const x = leaf([[1, 2, 3]]);
    const w = leaf([[1, 0, 1], [0, 1, 0]]);
    const layer = new Linear({ inFeatures: 3, outFeatures: 2 });
    const outputs = noGrad(() => {
      expect(isGradEnabled()).toBe(false);
      const h = relu(linear(x, w));
      return [h, sum(h), mul(h, h), layer.forward(x), x.reshape([3, 1]), x.clone()];
    });
    for (const y of outputs) {
      expect(y.gradNode).toBeNull();
      expect(y.requiresGrad).toBe(false);
    }
    expect(isGradEnabled()).toBe(true);
    expect(() => outputs[1].backward()).toThrow(/does not require a gradient \(no input of the ops that made it requires one, or it was made inside noGrad\)/);
    expect(layer.predict(tensor([[1, 2, 3]])).gradNode).toBeNull(); // predict runs in noGrad
  });

  it("returns fn's value and restores recording after a return, a throw, or a nested scope", () => {
    const value = { a: 1 };
    expect(noGrad(() => value)).toBe(value);
    expect(noGrad(() => 42)).toBe(42);
    const err = new Error('inside');
    expect(() => noGrad(() => {
      throw err;
    })).toThrow(err);
    expect(isGradEnabled()).toBe(true);
    noGrad(() => {
      noGrad(() => undefined);
      expect(isGradEnabled()).toBe(false);
    });
    expect(isGradEnabled()).toBe(true);
    const x = leaf([[1]]);
    expect(mul(x, x).gradNode).not.toBeNull();
  });

  it('refuses an async function (and anything returning a promise) and a non-function', () => {
    expect(() => noGrad(async () => 1)).toThrow(/noGrad: the function returned a promise; noGrad scopes are synchronous/);
    expect(() => noGrad(() => Promise.resolve(1))).toThrow(/returned a promise/);
    expect(isGradEnabled()).toBe(true);
    expect(() => noGrad(42 as never)).toThrow(/noGrad: expected a function, got 42/);
  });
});
