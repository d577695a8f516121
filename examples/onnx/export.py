#!/usr/bin/env python3
"""Exports a torchvision model, by name, to an ONNX file that simdnet's loadOnnx reads.

    python3 examples/onnx/export.py resnet18                       # -> resnet18.onnx, random weights
    python3 examples/onnx/export.py mobilenet_v3_small --weights DEFAULT --opset 17
    python3 examples/onnx/export.py resnet18 --state-dict my-resnet18.pth --out my.onnx
    python3 examples/onnx/export.py lraspp_mobilenet_v3_large --size 256 --dynamic-batch

Arguments:
  name              any classification or segmentation model of torchvision.models
                    (resnet18, mobilenet_v2, efficientnet_b0, fcn_resnet50, ...)
  --out FILE        where to write (default <name>.onnx)
  --opset N         ai.onnx opset version (default 17; simdnet reads 11 to 17)
  --size H [W]      input height and width (default 224; W defaults to H)
  --batch N         batch size of the example input the export traces (default 1)
  --dynamic-batch   make the batch dimension symbolic ('batch') instead of fixed
  --weights NAME    torchvision weights, e.g. DEFAULT or IMAGENET1K_V1: torchvision
                    downloads them unless they are already in ~/.cache/torch/hub
  --state-dict FILE a local state dict (torch.save(model.state_dict(), FILE)) instead

Without --weights or --state-dict the weights are random (torchvision's initialization,
seed 0), which is enough to try the importer and compare outputs, not to classify.
The model is exported in eval mode with torch.onnx.export's defaults, so BatchNorm is
folded into the convolutions. A segmentation model's {'out': ...} becomes the graph output
'out'; detection models (lists of boxes) are not covered. Needs PyTorch and torchvision
(pip install torch torchvision, or Debian's python3-torch and python3-torchvision).
"""

import argparse

import torch
import torch.nn as nn
from torchvision import models


class OutOnly(nn.Module):
    """Segmentation models return a dict; ONNX graphs have named tensors."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        return self.model(x)['out']


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('name')
    p.add_argument('--out')
    p.add_argument('--opset', type=int, default=17)
    p.add_argument('--size', type=int, nargs='+', default=[224])
    p.add_argument('--batch', type=int, default=1)
    p.add_argument('--dynamic-batch', action='store_true')
    group = p.add_mutually_exclusive_group()
    group.add_argument('--weights')
    group.add_argument('--state-dict')
    args = p.parse_args()
    if len(args.size) > 2:
        p.error('--size takes H or H W')
    h, w = args.size[0], args.size[-1]

    segmentation = args.name in models.list_models(module=models.segmentation)
    if args.name not in models.list_models(module=models) and not segmentation:
        p.error(f'{args.name} is not a torchvision classification or segmentation model')
    torch.manual_seed(0)
    kwargs = {'weights': args.weights}
    if segmentation and args.weights is None:
        kwargs['weights_backbone'] = None  # else torchvision fetches ImageNet weights for the backbone
    if args.name == 'googlenet' or args.name == 'inception_v3':
        kwargs.update(aux_logits=False, init_weights=args.weights is None)
    try:
        model = models.get_model(args.name, **kwargs)
    except OSError as e:  # urllib's URLError is an OSError
        raise SystemExit(f'could not fetch the {args.weights} weights of {args.name} ({e}); put the file in '
                         f'{torch.hub.get_dir()}/checkpoints or pass --state-dict FILE')
    if args.state_dict:
        model.load_state_dict(torch.load(args.state_dict, map_location='cpu'))
    model = (OutOnly(model) if segmentation else model).eval()

    out_name = 'out' if segmentation else 'output'
    dynamic = {'input': {0: 'batch'}, out_name: {0: 'batch'}} if args.dynamic_batch else None
    path = args.out or f'{args.name}.onnx'
    x = torch.randn(args.batch, 3, h, w)
    torch.onnx.export(model, x, path, opset_version=args.opset, input_names=['input'], output_names=[out_name],
                      dynamic_axes=dynamic)
    print(f'wrote {path}: input [{args.batch}, 3, {h}, {w}], output {out_name!r}, opset {args.opset}')
    # The class names of pretrained weights, one per line, which classify.ts reads by default.
    if args.weights is not None:
        categories = models.get_model_weights(args.name)[args.weights].meta.get('categories') if args.weights != 'DEFAULT' \
            else models.get_model_weights(args.name).DEFAULT.meta.get('categories')
        if categories:
            labels = path[:-5] + '.labels.txt' if path.endswith('.onnx') else path + '.labels.txt'
            with open(labels, 'w') as f:
                f.write('\n'.join(categories) + '\n')
            print(f'wrote {labels}: {len(categories)} class names')


if __name__ == '__main__':
    main()
