// Sequential: modules applied in order, named '0', '1', ... as PyTorch's nn.Sequential.
import { Tensor, formatShape } from '../tensor.js';
import { Module } from './module.js';
import { loadModel } from '../serialize/decode.js';

export class Sequential extends Module {
  static readonly typeName = 'Sequential';
  readonly layers: readonly Module[];

  constructor(layers: readonly Module[]) {
    super();
    const list = Array.isArray(layers) ? layers : (layers as { layers?: unknown } | undefined)?.layers;
    if (!Array.isArray(list) || list.length === 0) throw new Error('Sequential: expected a non-empty array of modules');
    list.forEach((l, i) => {
      if (!(l instanceof Module)) throw new Error(`Sequential: element ${i} is not a Module (got ${String(l)})`);
    });
    if (new Set(list).size !== list.length) throw new Error('Sequential: the same module instance appears twice (apply it twice in a forward() instead)');
    this.layers = Object.freeze([...(list as Module[])]);
  }

  override namedChildren(): [string, Module][] {
    return this.layers.map((m, i) => [String(i), m]);
  }

  /** setSubmodule('2', m) puts m at position 2 (the layer list stays frozen: a new one). */
  protected override replaceChild(name: string, module: Module): void {
    const index = Number(name);
    if (!/^\d+$/.test(name) || index >= this.layers.length) throw new Error(`Sequential.setSubmodule: no layer '${name}' (it has ${this.layers.length})`);
    if (this.layers.some((m, i) => m === module && i !== index)) throw new Error(`Sequential.setSubmodule: the module is already layer ${this.layers.indexOf(module)}; the same instance cannot appear twice`);
    const layers = [...this.layers];
    layers[index] = module;
    (this as { layers: readonly Module[] }).layers = Object.freeze(layers);
  }

  /** The children's types and configs: the model file rebuilds them from this. */
  override config(): Record<string, unknown> {
    return { layers: this.layers.map((m) => ({ type: m.type, config: m.config() })) };
  }

  /** Runs the layers in order. A layer that throws is named with its input shape (its
   * error kept as `cause`), and buffers that earlier layers changed (running
   * statistics) are put back, so a failed forward leaves no trace. */
  forward(x: Tensor): Tensor {
    if (!(x instanceof Tensor)) throw new Error(`Sequential.forward: input must be a Tensor, got ${String(x)}`);
    const buffers = this.training ? this.buffers() : [];
    const saved = buffers.map((b) => b.data.slice());
    let y = x;
    this.layers.forEach((layer, i) => {
      try {
        y = layer.forward(y);
      } catch (err) {
        buffers.forEach((b, k) => b.data.set(saved[k]));
        throw new Error(`Sequential: layer ${i} (${layer.type}) failed on input ${formatShape(y.shape)}: ${(err as Error).message}`, { cause: err });
      }
    });
    return y;
  }

  /** A Sequential rebuilt from save()'s bytes (loadModel for any module). */
  static load(bytes: Uint8Array): Sequential {
    const model = loadModel(bytes);
    if (!(model instanceof Sequential)) throw new Error(`Sequential.load: the file holds a ${model.type}, not a Sequential; use loadModel`);
    return model;
  }
}
