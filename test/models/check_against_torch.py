#!/usr/bin/env python3
"""Compiles an exported model with loomc, runs it, and compares its output
with PyTorch's (Debian's 1.13, /usr/bin/python3) on the same seeded model
and input: the relative L2 error must be under 1e-4.

  check_against_torch.py --loomc LOOMC --model-dir DIR --work DIR NAME...
"""
import argparse
import os
import subprocess
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..",
                                "benchmarks", "models"))
import export_torch_models  # noqa: E402  (the same model definitions)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--loomc", required=True)
    parser.add_argument("--model-dir", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--opset", type=int, default=13)
    parser.add_argument("--loomc-flag", action="append", default=[],
                        help="an extra loomc flag (--target=cuda)")
    parser.add_argument("names", nargs="+")
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    worst = 0.0
    for name in args.names:
        torch.manual_seed(0)
        model, example, dynamic = export_torch_models.MODELS[name]()
        model.eval()
        rng = np.random.default_rng(1)
        x = rng.standard_normal(tuple(example.shape)).astype(np.float32)
        with torch.no_grad():
            ref = model(torch.from_numpy(x)).numpy()
        onnx_path = os.path.join(args.model_dir, f"{name}-opset{args.opset}.onnx")
        exe = os.path.join(args.work, name)
        shape = "x".join(str(d) for d in x.shape)
        cuda = "--target=cuda" in args.loomc_flag
        compiled = subprocess.run(
            [args.loomc, onnx_path, "-o", exe, "--input-shape",
             f"input:{shape}", *args.loomc_flag, *(["-v"] if cuda else [])],
            check=True, capture_output=True, text=True)
        if cuda:
            # The kernel census: no kernel of a benchmark model may run more
            # than a warp's work on one thread or one block.
            census = [line for line in (compiled.stdout + compiled.stderr)
                      .splitlines() if line.startswith("cuda: ")]
            print(f"{name}: {census[0] if census else 'cuda: no census'}")
            if not census or " 0 serial " not in census[0]:
                print(f"{name}: SERIAL KERNELS")
                return 1
        inp = os.path.join(args.work, f"{name}-input.npy")
        out = os.path.join(args.work, f"{name}-output.npy")
        np.save(inp, x)
        subprocess.run([exe, "--input", inp, "--output", out], check=True)
        got = np.load(out)
        error = float(np.linalg.norm(got - ref) / np.linalg.norm(ref))
        worst = max(worst, error)
        print(f"{name}: relative L2 error {error:.2e}")
        if got.shape != ref.shape or not error < 1e-4:
            print(f"{name}: MISMATCH (shape {got.shape}, expected {ref.shape})")
            return 1
    print(f"all match PyTorch (worst relative L2 error {worst:.2e})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
