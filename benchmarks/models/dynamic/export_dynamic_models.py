#!/usr/bin/python3
"""Exports the dynamic model suite (models.py) for tests and benchmarks.

Run with Debian's /usr/bin/python3 (python3-torch 1.13):

    /usr/bin/python3 benchmarks/models/dynamic/export_dynamic_models.py OUT_DIR
        [--models sdn skipnet blockdrop captioner act] [--count 32]

For each model writes, under OUT_DIR/<model>/:
  model.onnx         torch.jit.script + torch.onnx.export: If/Loop kept
  traced.onnx        torch.onnx.export of a trace on input 0: one path frozen
  in<k>.npy          input k (k < count)
  out<k>_<i>.npy     eager PyTorch's output i on input k
  paths.txt          the decisions eager PyTorch took on each input
"""

import argparse
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import models  # noqa: E402

OPSET = 13


def export(name, out_dir, count):
    model = models.build(name)
    xs = models.inputs(name, count)
    os.makedirs(out_dir, exist_ok=True)
    names = dict(input_names=["input"], output_names=["output", "path"])
    with torch.no_grad():
        scripted = torch.jit.script(model)
        torch.onnx.export(scripted, (xs[0],), os.path.join(out_dir, "model.onnx"),
                          opset_version=OPSET, **names)
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # TracerWarning: the point here
            torch.onnx.export(model, (xs[0],), os.path.join(out_dir, "traced.onnx"),
                              opset_version=OPSET, **names)
        paths = []
        for k in range(count):
            x = xs[k]
            np.save(os.path.join(out_dir, f"in{k}.npy"), x.numpy())
            outputs = model(x)
            for i, value in enumerate(outputs):
                np.save(os.path.join(out_dir, f"out{k}_{i}.npy"), value.numpy())
            paths.append(" ".join(str(v) for v in outputs[1].flatten().tolist()))
    with open(os.path.join(out_dir, "paths.txt"), "w") as f:
        f.write("\n".join(paths) + "\n")
    distinct = len(set(paths))
    print(f"{name}: wrote {count} inputs, {distinct} distinct paths")
    return distinct


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir")
    parser.add_argument("--models", nargs="+", default=sorted(models.MODELS),
                        choices=sorted(models.MODELS))
    parser.add_argument("--count", type=int, default=32)
    args = parser.parse_args()
    torch.set_num_threads(1)
    for name in args.models:
        if export(name, os.path.join(args.out_dir, name), args.count) < 2:
            print(f"{name}: every input took the same path; calibration failed",
                  file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
