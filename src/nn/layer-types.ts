// Every layer type a model file may name, mapped to its constructor. An explicit table
// (no registration by side effect): adding a layer means adding a line here.
import { Layer } from './layer.js';
import { Conv2d } from './conv2d.js';
import { Linear } from './linear.js';
import { AvgPool2d, GlobalAvgPool2d, MaxPool2d } from './pool.js';
import { Flatten } from './flatten.js';
import { LeakyReLU, ReLU, Sigmoid, Tanh } from './activations.js';
import { Dropout } from './dropout.js';
import { BatchNorm2d } from './batchnorm.js';

type Factory = (config: Record<string, unknown>) => Layer;

// Weights are about to be overwritten: 'zeros' keeps loading from consuming the global
// random stream.
const LAYER_TYPES: Record<string, Factory> = {
  Conv2d: (c) => new Conv2d({ ...(c as never as ConstructorParameters<typeof Conv2d>[0]), init: 'zeros' }),
  Linear: (c) => new Linear({ ...(c as never as ConstructorParameters<typeof Linear>[0]), init: 'zeros' }),
  MaxPool2d: (c) => new MaxPool2d(c as never),
  AvgPool2d: (c) => new AvgPool2d(c as never),
  GlobalAvgPool2d: () => new GlobalAvgPool2d(),
  Flatten: () => new Flatten(),
  ReLU: () => new ReLU(),
  LeakyReLU: (c) => new LeakyReLU(c as never),
  Sigmoid: () => new Sigmoid(),
  Tanh: () => new Tanh(),
  Dropout: (c) => new Dropout(c as never),
  BatchNorm2d: (c) => new BatchNorm2d(c as never),
};

export const layerTypes: readonly string[] = Object.keys(LAYER_TYPES);

/** Rebuilds a layer from its type name and config() (weights not restored here). */
export function createLayer(type: string, config: Record<string, unknown>): Layer {
  const factory = Object.prototype.hasOwnProperty.call(LAYER_TYPES, type) ? LAYER_TYPES[type] : undefined;
  if (!factory) throw new Error(`createLayer: unknown layer type '${type}' (known: ${layerTypes.join(', ')})`);
  if (config === null || typeof config !== 'object' || Array.isArray(config)) throw new Error(`createLayer: config of ${type} must be an object`);
  return factory(config);
}
