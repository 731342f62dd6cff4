#!/usr/bin/python3
"""Exports the real models Loom's tests and benchmarks use, with seeded weights.

Run with Debian's /usr/bin/python3 (python3-torch 1.13, python3-torchvision):

    /usr/bin/python3 benchmarks/models/export_torch_models.py OUT_DIR [--opset 13 17]
        [--models resnet18 mobilenet_v2 transformer_encoder_layer ...]
        [--dynamic-batch]

Writes OUT_DIR/<model>-opset<N>.onnx. The models are generated, never
committed. With --dynamic-batch, the vision models' batch dim is left to
the compiler (loomc --input-shape), as the others' dims already are.
"""

import argparse
import os
import sys

import torch
import torchvision


def resnet18():
    return torchvision.models.resnet18(), torch.randn(1, 3, 224, 224), {}


def resnet50():
    return torchvision.models.resnet50(), torch.randn(1, 3, 224, 224), {}


def mobilenet_v2():
    return torchvision.models.mobilenet_v2(), torch.randn(1, 3, 224, 224), {}


def squeezenet1_1():
    return torchvision.models.squeezenet1_1(), torch.randn(1, 3, 224, 224), {}


def transformer_encoder_layer():
    # batch_first=False keeps torch 1.13 off its fused inference kernel
    # (aten::_transformer_encoder_layer_fwd), which has no ONNX form.
    layer = torch.nn.TransformerEncoderLayer(
        d_model=64, nhead=4, dim_feedforward=128, dropout=0.0)
    return layer, torch.randn(16, 2, 64), {0: "sequence", 1: "batch"}


def bert_encoder_layer():
    # A BERT-base-size encoder layer (hidden 768, 12 heads, FFN 3072) over
    # a sequence of 128.
    layer = torch.nn.TransformerEncoderLayer(
        d_model=768, nhead=12, dim_feedforward=3072, dropout=0.0)
    return layer, torch.randn(128, 1, 768), {0: "sequence", 1: "batch"}


def mlp():
    model = torch.nn.Sequential(
        torch.nn.Linear(256, 512), torch.nn.ReLU(),
        torch.nn.Linear(512, 512), torch.nn.ReLU(),
        torch.nn.Linear(512, 10))
    return model, torch.randn(8, 256), {0: "batch"}


MODELS = {
    "resnet18": resnet18,
    "resnet50": resnet50,
    "mobilenet_v2": mobilenet_v2,
    "squeezenet1_1": squeezenet1_1,
    "transformer_encoder_layer": transformer_encoder_layer,
    "bert_encoder_layer": bert_encoder_layer,
    "mlp": mlp,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir")
    parser.add_argument("--opset", type=int, nargs="+", default=[13, 17])
    parser.add_argument("--models", nargs="+", default=[
        "resnet18", "mobilenet_v2", "transformer_encoder_layer"],
        choices=sorted(MODELS))
    parser.add_argument("--dynamic-batch", action="store_true")
    args = parser.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    for name in args.models:
        torch.manual_seed(0)
        model, example, dynamic = MODELS[name]()
        if args.dynamic_batch and not dynamic:
            dynamic = {0: "batch"}
        model.eval()
        for opset in args.opset:
            path = os.path.join(args.out_dir, f"{name}-opset{opset}.onnx")
            axes = {"input": dynamic, "output": dynamic} if dynamic else None
            with torch.no_grad():
                torch.onnx.export(model, (example,), path, opset_version=opset,
                                  input_names=["input"], output_names=["output"],
                                  dynamic_axes=axes, do_constant_folding=True)
            print(f"wrote {path} ({os.path.getsize(path)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
