// Module, the PyTorch shape: a subclass keeps its layers in fields (arrays of modules
// count too), its trainable tensors as Parameter fields and its state as registered
// buffers, and defines forward(). Names are the dotted paths PyTorch's state_dict uses.
import { keep } from '../tensor-scope.js';
import { Parameter, Tensor, formatShape, releaseGrad, type Shape } from '../tensor.js';
import type { LossTarget } from '../ops/loss.js';
import { fitModel, type FitOptions, type History } from '../train/fit.js';
import { evaluate, predict, summary, type EvaluateOptions } from '../train/evaluate.js';
import { encodeModel, type SaveOptions } from '../serialize/encode.js';
import { compile as compileModel, type CompileOptions, type CompiledModel } from '../plan/compile.js';

/** What a Module constructor looks like to the model file: it is rebuilt from config(). */
export type ModuleClass = new (config: never) => Module;

/** Names given by registerModule (the class name unless another was given). */
const registeredNames = new WeakMap<object, string>();
const registeredClasses = new Map<string, ModuleClass>();

/** Records a user class under a type name; registerModule (module-types.ts) validates first. */
export function addRegisteredModule(name: string, cls: ModuleClass): void {
  registeredClasses.set(name, cls);
  registeredNames.set(cls, name);
}

/** The user class registered under a name, if any. */
export function registeredModule(name: string): ModuleClass | undefined {
  return registeredClasses.get(name);
}

export interface LoadStateDictOptions {
  /** Every key must match (default true); false loads what matches and reports the rest. */
  strict?: boolean;
}

export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

export abstract class Module {
  /** Train mode (the default) vs eval mode: matters for Dropout and BatchNorm2d. */
  training = true;
  private readonly bufferTable = new Map<string, Tensor>();

  abstract forward(...inputs: Tensor[]): Tensor;

  /** The type name saved in model files: a built-in's own, a registered class's name, else the class name. */
  get type(): string {
    const ctor = this.constructor as { typeName?: string; name: string };
    if (Object.hasOwn(ctor, 'typeName') && ctor.typeName) return ctor.typeName;
    return registeredNames.get(ctor) ?? ctor.name;
  }

  /** The constructor argument that rebuilds this module (saved in model files). */
  config(): Record<string, unknown> {
    return {};
  }

  /** Registers a state tensor saved in the state dict but not trained (PyTorch's
   * register_buffer), e.g. BatchNorm's running_mean; returns it. */
  protected registerBuffer(name: string, value: Tensor): Tensor {
    if (typeof name !== 'string' || name === '' || name.includes('.')) throw new Error(`${this.type}.registerBuffer: bad name ${JSON.stringify(name)}`);
    if (!(value instanceof Tensor) || value instanceof Parameter) throw new Error(`${this.type}.registerBuffer: '${name}' must be a Tensor that is not a Parameter`);
    this.bufferTable.set(name, keep(value)); // module state: never disposed by a tidy scope
    return value;
  }

  /** Direct submodules with their names: module fields, and 'field.i' for arrays of modules. */
  namedChildren(): [string, Module][] {
    const out: [string, Module][] = [];
    for (const [key, value] of Object.entries(this)) {
      if (value instanceof Module) out.push([key, value]);
      else if (Array.isArray(value) && value.length > 0 && value.every((v) => v instanceof Module)) {
        value.forEach((m: Module, i) => out.push([`${key}.${i}`, m]));
      }
    }
    return out;
  }

  /** The submodule at a dotted path, as PyTorch's get_submodule: 'layer1.0.conv1', a
   * field ('fc'), an element of an array of modules ('blocks.2'), or '' for this module.
   * Each step takes the longest child name that matches, so a child whose own name holds
   * dots (an imported model's 'layer1.0.conv1') is found too. */
  getSubmodule(path: string): Module {
    return this.resolveSubmodule('getSubmodule', path).module;
  }

  /** Replaces the submodule at a dotted path (PyTorch's set_submodule), e.g. a new head:
   * model.setSubmodule('fc', new Linear({ inFeatures: 512, outFeatures: 10 })). The path
   * must name an existing submodule; its parent's field or array element then holds the
   * new module, so forward, parameters() and stateDict() see it. */
  setSubmodule(path: string, module: Module): void {
    const op = 'setSubmodule';
    if (!(module instanceof Module)) throw new Error(`${this.type}.${op}: expected a Module for '${String(path)}', got ${String(module)}`);
    if (path === '') throw new Error(`${this.type}.${op}: the path is empty; a module cannot replace itself`);
    const { parent, name, ancestors } = this.resolveSubmodule(op, path);
    if (parent === null) throw new Error(`${this.type}.${op}: the path is empty; a module cannot replace itself`);
    const inside = new Set(module.namedModules().map(([, m]) => m));
    if (ancestors.some((m) => inside.has(m))) {
      throw new Error(`${this.type}.${op}: '${path}' cannot hold a module that contains its own parent (the tree would be a cycle)`);
    }
    parent.replaceChild(name, module);
  }

  /** Puts `module` in place of the direct child `name` (one of namedChildren()'s names).
   * The default handles module fields and 'field.i' elements of arrays of modules; a
   * module that keeps its children elsewhere overrides it. */
  protected replaceChild(name: string, module: Module): void {
    const fields = this as unknown as Record<string, unknown>;
    if (Object.hasOwn(fields, name) && fields[name] instanceof Module) {
      fields[name] = module;
      return;
    }
    const dot = name.lastIndexOf('.');
    const list = dot > 0 ? fields[name.slice(0, dot)] : undefined;
    const index = Number(name.slice(dot + 1));
    if (Array.isArray(list) && Number.isInteger(index) && list[index] instanceof Module) {
      if (Object.isFrozen(list)) throw new Error(`${this.type}.setSubmodule: '${name}' is in a frozen array; this module's children cannot be replaced`);
      list[index] = module;
      return;
    }
    throw new Error(`${this.type}.setSubmodule: child '${name}' cannot be replaced (it is not a field or array element of this module)`);
  }

  /** Walks a dotted path child by child; parent and name are the last step's. */
  private resolveSubmodule(op: string, path: string): { module: Module; parent: Module | null; name: string; ancestors: Module[] } {
    if (typeof path !== 'string') throw new Error(`${this.type}.${op}: path must be a string, got ${String(path)}`);
    let module: Module = this;
    let parent: Module | null = null;
    let name = '';
    let rest = path;
    let walked = '';
    const ancestors: Module[] = [];
    while (rest !== '') {
      const children = module.namedChildren();
      let best: [string, Module] | null = null;
      for (const entry of children) {
        const [n] = entry;
        if ((rest === n || rest.startsWith(`${n}.`)) && (!best || n.length > best[0].length)) best = entry;
      }
      if (!best) {
        const where = walked ? `'${walked}' (${module.type})` : `this ${module.type}`;
        const names = children.map(([n]) => `'${n}'`).join(', ') || 'none';
        throw new Error(`${this.type}.${op}: '${path}' is not a submodule: ${where} has no child '${rest}' (its children: ${names})`);
      }
      parent = module;
      ancestors.push(module);
      [name, module] = best;
      walked = walked ? `${walked}.${name}` : name;
      rest = rest === name ? '' : rest.slice(name.length + 1);
    }
    return { module, parent, name, ancestors };
  }

  /** This module's own parameters (fields holding a Parameter), in field order. */
  protected ownParameters(): [string, Parameter][] {
    return Object.entries(this).filter((e): e is [string, Parameter] => e[1] instanceof Parameter);
  }

  /** Every module in the tree, pre-order, each once: ['', this] first. */
  namedModules(): [string, Module][] {
    const out: [string, Module][] = [];
    const seen = new Set<Module>();
    const visit = (prefix: string, m: Module): void => {
      if (seen.has(m)) return;
      seen.add(m);
      out.push([prefix, m]);
      for (const [name, child] of m.namedChildren()) visit(prefix ? `${prefix}.${name}` : name, child);
    };
    visit('', this);
    return out;
  }

  /** Parameters with their dotted names, each once (a shared one under its first name).
   * Sets each parameter's `name` to that path. */
  namedParameters(): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    const seen = new Set<Parameter>();
    for (const [prefix, m] of this.namedModules()) {
      for (const [name, p] of m.ownParameters()) {
        if (seen.has(p)) continue;
        seen.add(p);
        p.name = prefix ? `${prefix}.${name}` : name;
        out.push([p.name, p]);
      }
    }
    return out;
  }

  parameters(): Parameter[] {
    return this.namedParameters().map((e) => e[1]);
  }

  namedBuffers(): [string, Tensor][] {
    return this.namedModules().flatMap(([prefix, m]) => [...m.bufferTable].map(([name, t]): [string, Tensor] => [prefix ? `${prefix}.${name}` : name, t]));
  }

  buffers(): Tensor[] {
    return this.namedBuffers().map((e) => e[1]);
  }

  /** Every parameter and buffer by its PyTorch state_dict key (module by module: its
   * parameters, its buffers, then its submodules). The tensors are the live ones. */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    const visit = (prefix: string, m: Module): void => {
      for (const [name, p] of m.ownParameters()) out[prefix + name] = p;
      for (const [name, t] of m.bufferTable) out[prefix + name] = t;
      for (const [name, child] of m.namedChildren()) visit(`${prefix}${name}.`, child);
    };
    visit('', this);
    return out;
  }

  /** Copies values into the parameters and buffers by key. Every key and shape is
   * checked before anything is written; strict (the default) also refuses missing and
   * unexpected keys. */
  loadStateDict(state: Record<string, Tensor>, options: LoadStateDictOptions = {}): LoadStateDictResult {
    const op = `${this.type}.loadStateDict`;
    if (state === null || typeof state !== 'object' || Array.isArray(state)) throw new Error(`${op}: expected an object of tensors by key, got ${String(state)}`);
    if (options === null || typeof options !== 'object') throw new Error(`${op}: options must be an object`);
    const unknownOption = Object.keys(options).filter((k) => k !== 'strict');
    if (unknownOption.length > 0) throw new Error(`${op}: unknown option ${unknownOption.map((k) => `'${k}'`).join(', ')} (known: strict)`);
    const strict = options.strict ?? true;
    const own = this.stateDict();
    const missingKeys = Object.keys(own).filter((k) => !(k in state));
    const unexpectedKeys = Object.keys(state).filter((k) => !(k in own));
    if (strict && (missingKeys.length > 0 || unexpectedKeys.length > 0)) {
      const parts = [];
      if (missingKeys.length > 0) parts.push(`missing keys ${missingKeys.map((k) => `'${k}'`).join(', ')}`);
      if (unexpectedKeys.length > 0) parts.push(`unexpected keys ${unexpectedKeys.map((k) => `'${k}'`).join(', ')}`);
      throw new Error(`${op}: ${parts.join('; ')} (pass { strict: false } to load the keys that match)`);
    }
    const writes: [Tensor, Tensor][] = [];
    for (const [key, target] of Object.entries(own)) {
      const value = state[key];
      if (value === undefined) continue;
      if (!(value instanceof Tensor)) throw new Error(`${op}: '${key}' must be a Tensor, got ${String(value)}`);
      if (value.size !== target.size || value.shape.some((d, i) => d !== target.shape[i]) || value.rank !== target.rank) {
        throw new Error(`${op}: '${key}' has shape ${formatShape(value.shape)} but the module needs ${formatShape(target.shape)}`);
      }
      writes.push([target, value]);
    }
    for (const [target, value] of writes) target.data.set(value.data);
    return { missingKeys, unexpectedKeys };
  }

  /** Train mode for this module and every submodule (eval mode with false). */
  train(mode = true): this {
    if (typeof mode !== 'boolean') throw new Error(`${this.type}.train: mode must be true or false, got ${String(mode)}`);
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Clears every parameter's gradient (grad becomes null); a gradient in backend memory
   * (wasm) is disposed, so copy one you want to keep before. */
  zeroGrad(): void {
    for (const p of this.parameters()) releaseGrad(p);
  }

  /** Whether any parameter is trained. Setting it freezes (false) or unfreezes (true)
   * every parameter of the tree: a frozen parameter gets no gradient computed. */
  get requiresGrad(): boolean {
    return this.parameters().some((p) => p.requiresGrad);
  }

  set requiresGrad(value: boolean) {
    if (typeof value !== 'boolean') throw new Error(`${this.type}.requiresGrad: expected true or false, got ${String(value)}`);
    for (const p of this.parameters()) p.requiresGrad = value;
  }

  /** Trains on x, y (see FitOptions); resolves to the per-epoch history. */
  fit(x: Tensor, y: LossTarget, options?: FitOptions): Promise<History> {
    return fitModel(this, x, y, options);
  }

  /** Mean loss and accuracy over x, y in eval mode, recording nothing. */
  evaluate(x: Tensor, y: LossTarget, options?: EvaluateOptions): { loss: number; accuracy: number } {
    return evaluate(this, x, y, options);
  }

  /** Outputs for every example of x, batch by batch, in eval mode, recording nothing. */
  predict(x: Tensor, options?: { batchSize?: number }): Tensor {
    return predict(this, x, options);
  }

  /** A table of submodules, output shapes (for an input shape with batch) and parameter counts. */
  summary(inputShape?: Shape): string {
    return summary(this, inputShape);
  }

  /** The model file: module tree, state dict, checksum (and optimizer state if given). */
  save(options?: SaveOptions): Uint8Array {
    return encodeModel(this, options);
  }

  /** A static inference plan for one input shape (see compile in src/plan): BatchNorm
   * folded, activations and residual adds fused, buffers planned by liveness. The weights
   * are copied: compile again after training. */
  compile(options: CompileOptions): CompiledModel {
    return compileModel(this, options);
  }

  toString(): string {
    return `${this.type}()`;
  }
}
