// Module.getSubmodule / setSubmodule (PyTorch's get_submodule / set_submodule): paths
// through fields, arrays of modules, Sequential and children whose names hold dots; a
// replaced module is what forward, parameters() and stateDict() see; bad paths and
// values are errors that name the path and the children there.
import { describe, expect, it } from 'vitest';
import { Conv2d, Linear, Module, ReLU, Sequential } from '../src/nn/index.js';
import { Tensor } from '../src/tensor.js';
import { randomTensor } from './support/random.js';

class Block extends Module {
  readonly conv = new Conv2d({ inChannels: 2, outChannels: 2, kernelSize: 1 });
  readonly acts: Module[] = [new ReLU(), new ReLU()];

  forward(x: Tensor): Tensor {
    return this.acts[1].forward(this.acts[0].forward(this.conv.forward(x)));
  }
}

class Net extends Module {
  readonly body = new Sequential([new Block(), new Block()]);
  readonly fc = new Linear({ inFeatures: 8, outFeatures: 3 });

  forward(x: Tensor): Tensor {
    const y = this.body.forward(x);
    return this.fc.forward(y.reshape([y.shape[0], 8]));
  }
}

/** Children kept in a table under dotted names (as an imported ONNX model keeps them). */
class Flat extends Module {
  private readonly table = new Map<string, Module>([
    ['layer1', new Linear({ inFeatures: 2, outFeatures: 2 })],
    ['layer1.0.conv1', new Linear({ inFeatures: 2, outFeatures: 2 })],
  ]);

  override namedChildren(): [string, Module][] {
    return [...this.table];
  }

  protected override replaceChild(name: string, module: Module): void {
    this.table.set(name, module);
  }

  forward(x: Tensor): Tensor {
    return x;
  }
}

describe('getSubmodule', () => {
  const net = new Net();
  it('finds fields, Sequential layers, array elements, and the module itself for ""', () => {
    expect(net.getSubmodule('')).toBe(net);
    expect(net.getSubmodule('fc')).toBe(net.fc);
    expect(net.getSubmodule('body')).toBe(net.body);
    expect(net.getSubmodule('body.1')).toBe(net.body.layers[1]);
    expect(net.getSubmodule('body.1.conv')).toBe((net.body.layers[1] as Block).conv);
    expect(net.getSubmodule('body.0.acts.1')).toBe((net.body.layers[0] as Block).acts[1]);
  });

  it('takes the longest child name that matches, so dotted names resolve', () => {
    const flat = new Flat();
    expect(flat.getSubmodule('layer1.0.conv1')).toBe(flat.namedChildren()[1][1]);
    expect(flat.getSubmodule('layer1')).toBe(flat.namedChildren()[0][1]);
  });

  it('names the missing step and the children that exist', () => {
    expect(() => net.getSubmodule('head')).toThrow(/Net\.getSubmodule: 'head' is not a submodule: this Net has no child 'head' \(its children: 'body', 'fc'\)/);
    expect(() => net.getSubmodule('body.2.conv')).toThrow(/'body\.2\.conv' is not a submodule: 'body' \(Sequential\) has no child '2\.conv' \(its children: '0', '1'\)/);
    expect(() => net.getSubmodule('fc.weight')).toThrow(/'fc\.weight' is not a submodule: 'fc' \(Linear\) has no child 'weight' \(its children: none\)/);
    expect(() => net.getSubmodule('body.0.acts.7')).toThrow(/has no child 'acts\.7' \(its children: 'conv', 'acts\.0', 'acts\.1'\)/);
    expect(() => net.getSubmodule(3 as never)).toThrow(/Net\.getSubmodule: path must be a string, got 3/);
  });
});

describe('setSubmodule', () => {
  it('replaces a field: forward, parameters and the state dict use the new head', () => {
    const net = new Net();
    const head = new Linear({ inFeatures: 8, outFeatures: 5 });
    net.setSubmodule('fc', head);
    expect(net.fc).toBe(head);
    expect(net.forward(randomTensor([4, 2, 2, 2], 1)).shape).toEqual([4, 5]);
    expect(net.stateDict()['fc.weight']).toBe(head.weight);
    expect(net.parameters()).toContain(head.weight);
  });

  it('replaces a Sequential layer and an element of an array of modules', () => {
    const net = new Net();
    const block = new Block();
    net.setSubmodule('body.1', block);
    expect(net.body.layers[1]).toBe(block);
    expect(Object.isFrozen(net.body.layers)).toBe(true);
    const act = new ReLU();
    net.setSubmodule('body.0.acts.0', act);
    expect((net.body.layers[0] as Block).acts[0]).toBe(act);
    expect(net.getSubmodule('body.0.acts.0')).toBe(act);
  });

  it('replaces a dotted child of a module that keeps its own table', () => {
    const flat = new Flat();
    const m = new Linear({ inFeatures: 2, outFeatures: 4 });
    flat.setSubmodule('layer1.0.conv1', m);
    expect(flat.getSubmodule('layer1.0.conv1')).toBe(m);
    expect(Object.keys(flat.stateDict())).toContain('layer1.0.conv1.weight');
    expect(flat.stateDict()['layer1.0.conv1.weight'].shape).toEqual([4, 2]);
  });

  it('refuses bad paths, non-modules, cycles and a second copy inside one Sequential', () => {
    const net = new Net();
    const fc = net.fc;
    expect(() => net.setSubmodule('head', new ReLU())).toThrow(/Net\.setSubmodule: 'head' is not a submodule: this Net has no child 'head'/);
    expect(() => net.setSubmodule('fc', {} as never)).toThrow(/Net\.setSubmodule: expected a Module for 'fc', got \[object Object\]/);
    expect(() => net.setSubmodule('', new ReLU())).toThrow(/the path is empty; a module cannot replace itself/);
    expect(() => net.setSubmodule('body.0.conv', net.body)).toThrow(/'body\.0\.conv' cannot hold a module that contains its own parent/);
    expect(() => net.setSubmodule('fc', net)).toThrow(/cannot hold a module that contains its own parent/);
    expect(() => net.setSubmodule('body.1', net.body.layers[0])).toThrow(/Sequential\.setSubmodule: the module is already layer 0/);
    expect(net.fc).toBe(fc);
  });
});
