// Standard CNN architectures with torchvision's structure and parameter names.
export { BasicBlock, ResNet, resnet18, resnet34, type ResNetOptions } from './resnet.js';
export { InvertedResidual, MobileNetV2, mobilenetV2, type InvertedResidualOptions } from './mobilenet-v2.js';
export {
  MobileNetV3, MobileNetV3Block, SqueezeExcitation, mobilenetV3Small, mobilenetV3Large, type MobileNetV3Options, type MobileNetV3BlockOptions,
} from './mobilenet-v3.js';
export { convNormActivation, type ConvNormActivationOptions } from './conv-norm-act.js';
export { makeDivisible, type ClassifierOptions } from './options.js';
