// Tensor memory: wasm op outputs live in linear memory (resident), naive/js ones are plain
// arrays; dispose() and tidy() free them, a FinalizationRegistry frees collected ones; a
// long training loop's memory stays flat; memory.grow between and inside ops leaves every
// result right, and a view kept across a grow is refused loudly, never read as zeros.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { jsBackend } from '../src/backend/js.js';
import { setBackend } from '../src/backend/registry.js';
import { loadWasmBackend, type WasmBackend } from '../src/backend/wasm.js';
import { CrossEntropyLoss } from '../src/losses.js';
import { Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential } from '../src/nn/index.js';
import { conv2d, linear, maxPool2d, relu, sigmoid, sum } from '../src/ops/index.js';
import { Random } from '../src/random.js';
import { Tensor, randn, tensor, zeros } from '../src/tensor.js';
import { keep, tidy } from '../src/tensor-scope.js';
import { SGD } from '../src/train/optim/index.js';
import { expectClose } from './support/compare.js';

let wasm: WasmBackend;
beforeAll(async () => {
  wasm = await loadWasmBackend({ variant: 'simd', threads: 1 }); // unshared memory: views detach on a grow
});
afterEach(() => setBackend(jsBackend));

const TOL = { rtol: 1e-4, atol: 1e-5 };

function smallNet(seed: number): Sequential {
  const random = new Random(seed);
  return new Sequential([
    new Conv2d({ inChannels: 1, outChannels: 4, kernelSize: 3, padding: 1, random }),
    new ReLU(),
    new MaxPool2d({ kernelSize: 2 }),
    new Flatten(),
    new Linear({ inFeatures: 4 * 6 * 6, outFeatures: 10, random }),
  ]);
}

describe('tensor storage', () => {
  it('wasm op outputs are resident, js ones and user tensors plain arrays', () => {
    const x = randn([2, 3], { seed: 1 });
    expect(x.resident).toBe(false);
    expect(relu(x, jsBackend).resident).toBe(false);
    const y = relu(x, wasm);
    expect(y.resident).toBe(true);
    expect(Array.from(y.data)).toEqual(Array.from(x.data, (v) => Math.max(v, 0)));
    y.data[0] = 42; // data is a live view: writing changes the tensor
    expect(y.get(0, 0)).toBe(42);
    y.dispose();
  });

  it('dispose frees wasm memory, is idempotent, and any use afterwards throws naming the shape', () => {
    const before = wasm.pinnedBytes;
    const y = relu(randn([4, 5], { seed: 2 }), wasm);
    expect(wasm.pinnedBytes).toBeGreaterThan(before);
    y.dispose();
    y.dispose();
    expect(y.isDisposed).toBe(true);
    expect(wasm.pinnedBytes).toBe(before);
    expect(() => y.data).toThrow(/Tensor \[4, 5\] was disposed/);
    expect(() => relu(y, wasm)).toThrow(/\[4, 5\] was disposed/);
    const h = tensor([1, 2]);
    h.dispose();
    expect(() => h.get(0)).toThrow(/Tensor \[2\] was disposed/);
  });

  it('a reshape shares the storage: the memory goes with the last of them', () => {
    const before = wasm.pinnedBytes;
    const y = relu(randn([2, 6], { seed: 3 }), wasm);
    const r = y.reshape([3, 4]);
    y.dispose();
    expect(wasm.pinnedBytes).toBeGreaterThan(before);
    expect(r.data.length).toBe(12);
    r.dispose();
    expect(wasm.pinnedBytes).toBe(before);
  });

  it('allocate checks its options; { zero: false } may hand back used memory', () => {
    for (const be of [jsBackend, wasm]) {
      expect(() => be.allocate(4, { zeroed: true } as never)).toThrow(/allocate: unknown option 'zeroed'/);
      expect(() => be.allocate(4, { zero: 1 } as never)).toThrow(/allocate: zero must be true or false/);
      expect(() => be.allocate(4, null as never)).toThrow(/allocate: options must be an object/);
    }
    const a = wasm.allocate(16);
    a.view(0, 16).fill(7);
    a.release();
    const b = wasm.allocate(16); // the same block, zeroed again
    expect(Array.from(b.view(0, 16))).toEqual(new Array(16).fill(0));
    b.view(0, 16).fill(7);
    b.release();
    const c = wasm.allocate(16, { zero: false });
    expect(c.view(0, 16)[0]).toBe(7);
    c.release();
  });

  it('copyDetached and clone of a resident tensor stay resident, with their own memory', () => {
    const y = relu(randn([8], { seed: 4 }), wasm);
    const c = y.copyDetached();
    expect(c.resident).toBe(true);
    y.data.fill(-1);
    expect(c.data.some((v) => v !== -1)).toBe(true);
    y.dispose();
    c.dispose();
  });
});

describe('tidy', () => {
  it('disposes what was made inside except what is returned; nests', () => {
    const before = wasm.pinnedBytes;
    const x = randn([3, 4], { seed: 5 });
    let inner: Tensor | null = null;
    let kept: Tensor | null = null;
    const out = tidy(() => {
      const a = relu(x, wasm);
      const b = tidy(() => {
        inner = sigmoid(a, wasm);
        kept = keep(relu(inner, wasm));
        return relu(a, wasm);
      });
      expect((inner as unknown as Tensor).isDisposed).toBe(true);
      expect(a.isDisposed).toBe(false);
      return { b, list: [relu(b, wasm)] };
    });
    expect(out.b.isDisposed).toBe(false);
    expect(out.list[0].isDisposed).toBe(false);
    expect(x.isDisposed).toBe(false); // made outside
    expect((kept as unknown as Tensor).isDisposed).toBe(false);
    out.b.dispose();
    out.list[0].dispose();
    (kept as unknown as Tensor).dispose();
    expect(wasm.pinnedBytes).toBe(before);
  });

  it('disposes on a throw, and refuses a promise', async () => {
    let made: Tensor | null = null;
    expect(() => tidy(() => {
      made = relu(randn([2]), wasm);
      throw new Error('boom');
    })).toThrow('boom');
    expect((made as unknown as Tensor).isDisposed).toBe(true);
    expect(() => tidy((async () => 1) as never)).toThrow(/tidy: the function returned a promise/);
    expect(() => tidy(3 as never)).toThrow(/tidy: expected a function/);
    expect(() => keep(3 as never)).toThrow(/keep: expected a Tensor/);
  });

  it('backward through a disposed tensor still reaches the leaves, or says what was disposed', () => {
    const w = randn([3, 3], { seed: 19 });
    w.requiresGrad = true;
    const h = relu(w, wasm); // relu's rule needs its input w, not h
    const loss = sum(h, undefined, wasm);
    h.dispose();
    loss.backward();
    expect(Array.from((w.grad as Tensor).data)).toEqual(Array.from(w.data, (v) => (v > 0 ? 1 : 0)));
    const a = relu(w, wasm);
    const b = sigmoid(a, wasm); // sigmoid's rule needs its output b
    const l2 = sum(b, undefined, wasm);
    b.dispose();
    expect(() => l2.backward()).toThrow(/Tensor \[3, 3\] was disposed/);
  });

  it('parameters and module buffers made inside a tidy survive it', () => {
    const net = tidy(() => smallNet(1));
    for (const p of net.parameters()) expect(p.isDisposed).toBe(false);
  });
});

describe('training memory', () => {
  it('200 steps of a small net: wasm memory stops growing after warm-up, results match js', () => {
    const run = (be: typeof wasm | typeof jsBackend, steps: number, probe?: (step: number) => void) => {
      setBackend(be);
      const net = smallNet(7);
      const opt = new SGD(net.parameters(), { lr: 0.05 });
      const lossFn = new CrossEntropyLoss();
      const x = randn([8, 1, 12, 12], { seed: 8 });
      const labels = Int32Array.from({ length: 8 }, (_, i) => i % 10);
      const losses: number[] = [];
      for (let s = 0; s < steps; s++) {
        losses.push(tidy(() => {
          net.zeroGrad();
          const loss = lossFn.forward(net.forward(x), labels);
          loss.backward();
          opt.step();
          return loss.item();
        }));
        probe?.(s);
      }
      return { losses, params: net.parameters().map((p) => p.data.slice()) };
    };
    const memory: number[] = [];
    const pinned: number[] = [];
    const got = run(wasm, 200, () => {
      memory.push(wasm.memoryBytes);
      pinned.push(wasm.pinnedBytes);
    });
    const want = run(jsBackend, 200);
    expectClose(Float32Array.from(got.losses), Float32Array.from(want.losses), { rtol: 1e-3, atol: 1e-4 }, 'losses');
    got.params.forEach((p, i) => expectClose(p, want.params[i], { rtol: 1e-3, atol: 1e-4 }, `parameter ${i}`));
    expect(memory[199]).toBe(memory[9]);
    expect(pinned[199]).toBe(pinned[9]); // only the gradients stay between steps
  });

  it('fit keeps wasm memory flat over its steps', async () => {
    // A fresh backend: tensors earlier tests left to the collector are freed on other memory.
    const be = await loadWasmBackend({ variant: 'simd', threads: 1 });
    setBackend(be);
    const net = smallNet(9);
    const x = randn([64, 1, 12, 12], { seed: 10 });
    const y = Int32Array.from({ length: 64 }, (_, i) => i % 10);
    await net.fit(x, y, { epochs: 1, batchSize: 8, optimizer: new SGD(net.parameters(), { lr: 0.01 }), loss: new CrossEntropyLoss() });
    const after1 = { memory: be.memoryBytes, pinned: be.pinnedBytes };
    await net.fit(x, y, { epochs: 4, batchSize: 8, optimizer: new SGD(net.parameters(), { lr: 0.01 }), loss: new CrossEntropyLoss() });
    expect(be.memoryBytes).toBe(after1.memory);
    expect(be.pinnedBytes).toBe(after1.pinned); // the gradients only
  });

  it('a collected tensor gives its memory back (FinalizationRegistry)', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const settle = async () => {
      for (let i = 0; i < 3; i++) {
        gc();
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    const be = await loadWasmBackend({ variant: 'simd', threads: 1 }); // nothing else lives on it
    await settle();
    const before = be.pinnedBytes;
    (() => {
      for (let i = 0; i < 20; i++) relu(randn([1000], { seed: i }), be);
    })();
    expect(be.pinnedBytes).toBeGreaterThan(before);
    for (let i = 0; i < 20 && be.pinnedBytes > before; i++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(be.pinnedBytes).toBe(before);
  });
});

describe('memory.grow between and inside ops', () => {
  /** Forward and backward of conv → relu → linear on `be`; `between` runs between the ops. */
  function step(be: typeof wasm | typeof jsBackend, between: () => void) {
    setBackend(be);
    const r = new Random(11);
    const x = randn([2, 3, 10, 10], { random: r });
    const w = randn([4, 3, 3, 3], { random: r });
    const fw = randn([5, 4 * 10 * 10], { random: r });
    w.requiresGrad = true;
    fw.requiresGrad = true;
    return tidy(() => {
      const h = conv2d(x, w, null, { padding: 1 }, be);
      between();
      const a = relu(h, be);
      between();
      const z = linear(a.reshape([2, 400]), fw, null, be);
      between();
      sum(z).backward();
      return { z: z.data.slice(), dw: (w.grad as Tensor).data.slice(), dfw: (fw.grad as Tensor).data.slice() };
    });
  }

  it.each([1, 2])('a large allocation between ops (threads: %i): results match js', async (threads) => {
    const be = await loadWasmBackend({ variant: 'simd', threads }); // fresh: small memory; 2 threads share it
    const want = step(jsBackend, () => {});
    const held: Tensor[] = [];
    const got = step(be, () => {
      const before = be.memoryBytes;
      held.push(relu(zeros([Math.ceil(before / 4)]), be)); // more than all memory so far
      expect(be.memoryBytes).toBeGreaterThan(before);
    });
    for (const t of held) t.dispose();
    expectClose(got.z, want.z, TOL, 'z');
    expectClose(got.dw, want.dw, TOL, 'dw');
    expectClose(got.dfw, want.dfw, TOL, 'dfw');
    await be.dispose();
  });

  it.each([1, 2])('growth inside an op, with resident inputs (threads: %i): results match js', async (threads) => {
    const be = await loadWasmBackend({ variant: 'simd', threads });
    // A conv whose column matrix (144 × 96² floats ≈ 5.3 MB) is bigger than all memory so
    // far grows inside the call, detaching the views of its resident input and output.
    const x = relu(randn([1, 16, 96, 96], { seed: 12 }), be);
    const w = randn([8, 16, 3, 3], { seed: 13 });
    let before = be.memoryBytes;
    const y = conv2d(x, w, null, { padding: 1 }, be);
    expect(be.memoryBytes).toBeGreaterThan(before);
    const want = conv2d(tensor(x.data.slice(), x.shape), w, null, { padding: 1 }, jsBackend);
    expectClose(y.data, want.data, TOL, 'conv2d');
    // reluBackward into a plain dx copies x and dy in: copying x grows memory (4M floats
    // each) and detaches dy's view before dy is copied; dy is found at its address.
    const n = 1 << 22;
    const big = relu(randn([n], { seed: 14 }), be);
    const dy = relu(randn([n], { seed: 15 }), be);
    const dx = new Float32Array(n);
    const wantDx = new Float32Array(n);
    jsBackend.reluBackward(big.data, dy.data, wantDx);
    before = be.memoryBytes;
    be.reluBackward(big.data, dy.data, dx);
    expect(be.memoryBytes).toBeGreaterThan(before);
    expectClose(dx, wantDx, TOL, 'reluBackward');
    for (const t of [x, y, big, dy]) t.dispose();
    await be.dispose();
  });

  it('outputs left unzeroed are overwritten entirely: memory poisoned with NaN first', async () => {
    const be = await loadWasmBackend({ variant: 'simd', threads: 1 });
    const poison = () => {
      // Fill most of the heap with NaN and free it: the next outputs reuse those bytes.
      const t = relu(zeros([1 << 20]), be);
      t.data.fill(Number.NaN);
      t.dispose();
    };
    const want = step(jsBackend, () => {});
    poison();
    const got = step(be, poison);
    expectClose(got.z, want.z, TOL, 'z');
    expectClose(got.dw, want.dw, TOL, 'dw');
    expectClose(got.dfw, want.dfw, TOL, 'dfw');
    // maxPool and the linear bias path too.
    poison();
    const x = randn([2, 3, 8, 8], { seed: 16 });
    const pooled = maxPool2d(relu(x, be), { kernelSize: 2 }, be);
    expectClose(pooled.data, maxPool2d(relu(x, jsBackend), { kernelSize: 2 }, jsBackend).data, TOL, 'maxPool2d');
    const lw = randn([4, 48], { seed: 17 });
    const lb = randn([4], { seed: 18 });
    poison();
    expectClose(linear(pooled.reshape([2, 48]), lw, lb, be).data, linear(pooled.reshape([2, 48]), lw, lb, jsBackend).data, TOL, 'linear');
  });

  it('on a shared memory (threads: 2) a view kept across a grow stays valid', async () => {
    const be = await loadWasmBackend({ variant: 'simd', threads: 2 });
    if (be.threads < 2) return expect(be.threadsFallback).toEqual(expect.any(String)); // no SharedArrayBuffer here
    const y = relu(randn([64], { seed: 20 }), be);
    const kept = y.data;
    const big = relu(zeros([Math.ceil(be.memoryBytes / 4) + 1024]), be); // grows
    expect(kept.length).toBe(64);
    expect(Array.from(kept)).toEqual(Array.from(y.data));
    const out = sigmoid(y, be);
    expectClose(out.data, sigmoid(tensor(kept.slice(), [64]), jsBackend).data, TOL, 'sigmoid');
    for (const t of [y, big, out]) t.dispose();
    await be.dispose();
  });

  it('a view kept across a grow is refused with an Error, not read as zeros', () => {
    const y = relu(randn([64], { seed: 15 }), wasm);
    const stale = y.data;
    const big = relu(zeros([Math.ceil(wasm.memoryBytes / 4) + 1024]), wasm); // grows
    expect(stale.length).toBe(0);
    const out = new Float32Array(64);
    expect(() => wasm.relu(stale, out)).toThrow(/stale view/);
    expect(() => wasm.sigmoid(stale, out)).toThrow(/sigmoid: .*stale view/);
    expect(y.data.length).toBe(64); // data itself is re-made
    y.dispose();
    big.dispose();
  });
});
