// Every module type a model file may name: the built-ins (an explicit table, no
// registration by side effect) and the classes given to registerModule().
import { Module, addRegisteredModule, registeredModule, type ModuleClass } from './module.js';
import { Conv2d } from './conv2d.js';
import { ConvTranspose2d } from './conv-transpose2d.js';
import { Linear } from './linear.js';
import { AdaptiveAvgPool2d, AvgPool2d, GlobalAvgPool2d, GlobalMaxPool2d, MaxPool2d } from './pool.js';
import { Flatten } from './flatten.js';
import { ELU, GELU, Hardsigmoid, Hardswish, Identity, LeakyReLU, ReLU, ReLU6, SiLU, Sigmoid, Softplus, Tanh } from './activations.js';
import { PReLU } from './prelu.js';
import { Dropout } from './dropout.js';
import { BatchNorm2d } from './batchnorm.js';
import { ChannelShuffle, ConstantPad2d, ReflectionPad2d, ReplicationPad2d, Unflatten, ZeroPad2d } from './shape-layers.js';
import { GroupNorm, InstanceNorm2d, LayerNorm } from './normalization.js';
import { Upsample, UpsamplingBilinear2d, UpsamplingNearest2d } from './upsample.js';
import { Sequential } from './sequential.js';
import { BasicBlock, InvertedResidual, MobileNetV2, MobileNetV3, MobileNetV3Block, ResNet, SqueezeExcitation } from '../models/index.js';
import { OnnxModel } from '../onnx/model.js';
import type { OnnxGraphSpec } from '../onnx/spec.js';

export interface ModuleSpec {
  type: string;
  config: Record<string, unknown>;
}

type Factory = (config: Record<string, unknown>, build: (spec: ModuleSpec) => Module) => Module;

// Built lazily: this file and sequential.ts import each other (Sequential.load), so the
// classes may not exist yet while the modules are being evaluated. Weights are about to
// be overwritten: 'zeros' keeps loading from consuming the global random stream.
let table: Record<string, Factory> | null = null;
function builtins(): Record<string, Factory> {
  table ??= {
    Conv2d: (c) => new Conv2d({ ...(c as never as ConstructorParameters<typeof Conv2d>[0]), init: 'zeros' }),
    ConvTranspose2d: (c) => new ConvTranspose2d({ ...(c as never as ConstructorParameters<typeof ConvTranspose2d>[0]), init: 'zeros' }),
    Linear: (c) => new Linear({ ...(c as never as ConstructorParameters<typeof Linear>[0]), init: 'zeros' }),
    MaxPool2d: (c) => new MaxPool2d(c as never),
    AvgPool2d: (c) => new AvgPool2d(c as never),
    GlobalAvgPool2d: (c) => new GlobalAvgPool2d(c as never),
    GlobalMaxPool2d: (c) => new GlobalMaxPool2d(c as never),
    AdaptiveAvgPool2d: (c) => new AdaptiveAvgPool2d(c as never),
    Flatten: (c) => new Flatten(c as never),
    ReLU: (c) => new ReLU(c as never),
    LeakyReLU: (c) => new LeakyReLU(c as never),
    Sigmoid: (c) => new Sigmoid(c as never),
    Tanh: (c) => new Tanh(c as never),
    ReLU6: (c) => new ReLU6(c as never),
    Hardswish: (c) => new Hardswish(c as never),
    Hardsigmoid: (c) => new Hardsigmoid(c as never),
    SiLU: (c) => new SiLU(c as never),
    GELU: (c) => new GELU(c as never),
    ELU: (c) => new ELU(c as never),
    Softplus: (c) => new Softplus(c as never),
    PReLU: (c) => new PReLU(c as never),
    Identity: (c) => new Identity(c as never),
    Dropout: (c) => new Dropout(c as never),
    BatchNorm2d: (c) => new BatchNorm2d(c as never),
    ZeroPad2d: (c) => new ZeroPad2d(c as never),
    ConstantPad2d: (c) => new ConstantPad2d(c as never),
    ReflectionPad2d: (c) => new ReflectionPad2d(c as never),
    ReplicationPad2d: (c) => new ReplicationPad2d(c as never),
    ChannelShuffle: (c) => new ChannelShuffle(c as never),
    Unflatten: (c) => new Unflatten(c as never),
    LayerNorm: (c) => new LayerNorm(c as never),
    GroupNorm: (c) => new GroupNorm(c as never),
    InstanceNorm2d: (c) => new InstanceNorm2d(c as never),
    Upsample: (c) => new Upsample(c as never),
    UpsamplingNearest2d: (c) => new UpsamplingNearest2d(c as never),
    UpsamplingBilinear2d: (c) => new UpsamplingBilinear2d(c as never),
    BasicBlock: (c) => new BasicBlock(c as never),
    ResNet: (c) => new ResNet(c as never),
    InvertedResidual: (c) => new InvertedResidual(c as never),
    MobileNetV2: (c) => new MobileNetV2(c as never),
    SqueezeExcitation: (c) => new SqueezeExcitation(c as never),
    MobileNetV3Block: (c) => new MobileNetV3Block(c as never),
    MobileNetV3: (c) => new MobileNetV3(c as never),
    // An imported ONNX graph: its config is the graph, its children are built from it.
    OnnxModel: (c, build) => new OnnxModel(c as unknown as OnnxGraphSpec, { build }),
    Sequential: (c, build) => {
      const layers = (c as { layers?: unknown }).layers;
      if (!Array.isArray(layers)) throw new Error('Sequential: config must have a layers array');
      return new Sequential(layers.map((spec) => build(spec as ModuleSpec)));
    },
  };
  return table;
}

/** Makes a user Module class known to the model file: save() writes its name and
 * config(), load rebuilds it with `new cls(config)` and then loads its state dict. */
export function registerModule(cls: ModuleClass, name: string = cls?.name): void {
  if (typeof cls !== 'function' || !(cls.prototype instanceof Module)) {
    throw new Error(`registerModule: expected a class that extends Module, got ${String(cls)}`);
  }
  if (typeof name !== 'string' || !/^[A-Za-z_$][\w$.]*$/.test(name)) throw new Error(`registerModule: bad type name ${JSON.stringify(name)}`);
  const known = registeredModule(name);
  if (known && known !== cls) throw new Error(`registerModule: the name '${name}' is already registered for another class`);
  if ((cls as unknown as { typeName?: unknown }).typeName !== undefined && Object.hasOwn(cls, 'typeName')) {
    throw new Error(`registerModule: ${name} is a built-in module and needs no registration`);
  }
  // A user class under a built-in's name would be rebuilt as the built-in on load.
  if (Object.hasOwn(builtins(), name)) {
    throw new Error(`registerModule: '${name}' is the name of a built-in module type; register ${cls.name} under another name, e.g. registerModule(${cls.name}, 'My${name}')`);
  }
  addRegisteredModule(name, cls);
}

/** The built-in type names. */
export function builtinModuleTypes(): string[] {
  return Object.keys(builtins());
}

/** Rebuilds a module tree from its type and config (weights not restored here). */
export function createModule(spec: ModuleSpec): Module {
  if (!spec || typeof spec !== 'object' || typeof spec.type !== 'string') throw new Error(`createModule: expected { type, config }, got ${JSON.stringify(spec)}`);
  const { type } = spec;
  const config = spec.config ?? {};
  if (config === null || typeof config !== 'object' || Array.isArray(config)) throw new Error(`createModule: config of ${type} must be an object`);
  const own = Object.hasOwn(builtins(), type) ? builtins()[type] : undefined;
  if (own) return own(config, createModule);
  const cls = registeredModule(type);
  if (!cls) {
    throw new Error(`createModule: unknown module type '${type}': register the class first with registerModule(${type}) (built-in: ${builtinModuleTypes().join(', ')})`);
  }
  const m = new cls(config as never);
  if (!(m instanceof Module)) throw new Error(`createModule: new ${type}(config) did not return a Module`);
  return m;
}
