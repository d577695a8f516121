#!/usr/bin/python3
"""Exports real torchvision models to ONNX, with PyTorch's output, for scripts/onnx/check-torchvision.ts.

    /usr/bin/python3 scripts/onnx/export_torchvision.py DIR [NAME ...] [--opset 13]
    npx tsx scripts/onnx/check-torchvision.ts DIR

Writes DIR/<name>.onnx and DIR/<name>.json for each model (all of MODELS when no NAME is
given) and prints each model's opset, file size and op types. Not part of `npm test`: the
files are tens of megabytes and need Python (Debian's python3-torch 1.13, python3-onnx
1.12, python3-torchvision 0.14), so they are written outside the repository.

The weights are random (weights=None: nothing is downloaded; the segmentation model's
backbone too) from a fixed seed, then BatchNorm's running statistics are calibrated by two
training-mode passes on random data (a cumulative average), so that eval-mode outputs are
not the trivial ones of the initial statistics; then the model is exported in eval mode
with torch.onnx.export's defaults (BatchNorm folded into Conv, constant folding on).

<name>.json holds {"name", "opset", "torch", "torchvision", "opTypes", "inputs", "outputs",
"notes"}, inputs and outputs as {"name", "dtype": "float32", "shape", "data"} with data
base64 of the little-endian float32 bytes (as test/fixtures/onnx-models/*.json).
"""

import argparse
import base64
import io
import json
import os
import time
from collections import Counter

import numpy as np
import onnx
import torch
import torch.nn as nn
import torchvision
from torchvision import models

# name -> (constructor keyword arguments, input size, output name)
MODELS = {
    'resnet18': ({}, 224, 'output'),
    'mobilenet_v2': ({}, 224, 'output'),
    'mobilenet_v3_small': ({}, 224, 'output'),
    'squeezenet1_1': ({}, 224, 'output'),
    'shufflenet_v2_x1_0': ({}, 224, 'output'),
    'efficientnet_b0': ({}, 224, 'output'),
    'densenet121': ({}, 224, 'output'),
    'googlenet': ({'aux_logits': False, 'init_weights': True}, 224, 'output'),
    'lraspp_mobilenet_v3_large': ({'weights_backbone': None}, 256, 'out'),
}
# Also exportable by name, left out of the default list for size (135 MB) and time.
EXTRA = {
    'fcn_resnet50': ({'weights_backbone': None, 'aux_loss': False}, 256, 'out'),
}
SEED = 0


class SegmentationOut(nn.Module):
    """torchvision's segmentation models return {'out': ...}; the export keeps 'out'."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        return self.model(x)['out']


def build(name):
    kwargs, size, out_name = {**MODELS, **EXTRA}[name]
    torch.manual_seed(SEED)
    model = models.get_model(name, weights=None, **kwargs)
    if out_name == 'out':
        model = SegmentationOut(model)
    bns = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    for m in bns:
        m.momentum = None  # running statistics = the average of the passes' batch statistics
        m.reset_running_stats()
    model.train()
    with torch.no_grad():
        for _ in range(2):
            model(torch.randn(4, 3, size, size))
    for m in bns:
        m.momentum = 0.1
    model.eval()
    x = torch.randn(1, 3, size, size)
    return model, x, out_name


def encode(name, arr):
    arr = np.ascontiguousarray(arr, dtype='<f4')
    return {'name': name, 'dtype': 'float32', 'shape': [int(d) for d in arr.shape],
            'data': base64.b64encode(arr.tobytes()).decode('ascii')}


def export(name, out_dir, opset):
    model, x, out_name = build(name)
    with torch.no_grad():
        y = model(x)
    f = io.BytesIO()
    t0 = time.time()
    torch.onnx.export(model, x, f, opset_version=opset, input_names=['input'], output_names=[out_name])
    seconds = time.time() - t0
    data = f.getvalue()
    proto = onnx.load_from_string(data)
    onnx.checker.check_model(proto)
    ops = Counter(n.op_type for n in proto.graph.node)
    with open(os.path.join(out_dir, f'{name}.onnx'), 'wb') as out:
        out.write(data)
    doc = {
        'name': name, 'opset': opset, 'torch': torch.__version__, 'torchvision': torchvision.__version__,
        'opTypes': dict(sorted(ops.items())),
        'inputs': [encode('input', x.numpy())],
        'outputs': [encode(out_name, y.numpy())],
        'notes': f'torchvision.models.get_model({name!r}, weights=None) seed {SEED}, BatchNorm calibrated on '
                 f'random data, eval-mode export at opset {opset}',
    }
    with open(os.path.join(out_dir, f'{name}.json'), 'w', encoding='utf-8') as out:
        json.dump(doc, out)
        out.write('\n')
    return {'name': name, 'opset': opset, 'bytes': len(data), 'nodes': len(proto.graph.node), 'ops': ops,
            'seconds': seconds, 'peak': float(y.abs().max())}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('dir', help='output folder (created)')
    parser.add_argument('names', nargs='*', help=f'models (default: all of {", ".join(MODELS)}; also: {", ".join(EXTRA)})')
    parser.add_argument('--opset', type=int, default=13, help='ai.onnx opset, 13 or higher (default 13)')
    args = parser.parse_args()
    if args.opset < 13:
        parser.error('--opset must be 13 or higher')
    names = args.names or list(MODELS)
    unknown = [n for n in names if n not in MODELS and n not in EXTRA]
    if unknown:
        parser.error(f'unknown model(s): {", ".join(unknown)}')
    os.makedirs(args.dir, exist_ok=True)
    rows = [export(n, args.dir, args.opset) for n in names]
    print(f'{"model":28s} {"opset":>5s} {"MB":>7s} {"nodes":>5s}  op types')
    for r in rows:
        ops = ' '.join(f'{k}×{v}' if v > 1 else k for k, v in sorted(r['ops'].items()))
        print(f'{r["name"]:28s} {r["opset"]:5d} {r["bytes"] / 1e6:7.2f} {r["nodes"]:5d}  {ops}')
    every = sorted(set().union(*(r['ops'] for r in rows)))
    print(f'all op types ({len(every)}): {" ".join(every)}')


if __name__ == '__main__':
    main()
