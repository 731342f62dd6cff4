#!/usr/bin/python3
"""The cost of one decision and of one loop iteration: Loom against ONNX
Runtime 1.30's If and Loop, side by side in one run.

    /usr/bin/python3 benchmarks/micro_control_flow.py --loomc build/bin/loomc
        [--runs 200] [--threads 1]

- decisions: a chain of 64 tiny blocks (x * w + b on 16 floats), each
  behind an `if` on the running sum of x, so every decision reads the data
  the previous block wrote. Per decision = median latency / 64 (an upper
  bound: it includes the tiny blocks themselves).
- loop: `for _ in range(n)` over a tiny body (x * a + b on 16 floats) with n
  read from the input. Per iteration = the slope between n = 16 and
  n = 1040 (the fixed cost of a call cancels).

Both are exported with torch.jit.script + torch.onnx.export (If/Loop kept)
and run by both systems on the same inputs; the ratio is ORT / Loom (above
1: Loom is cheaper).
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import ort_runner  # noqa: E402

BLOCKS = 64
LOW_TRIPS, HIGH_TRIPS = 16, 1040


class TinyBlock(nn.Module):
    def __init__(self, g: torch.Generator):
        super().__init__()
        self.w = nn.Parameter(1.0 + 0.1 * torch.randn(16, generator=g))
        self.b = nn.Parameter(0.5 * torch.randn(16, generator=g))
        self.t = nn.Parameter(2.0 * torch.randn(1, generator=g))


class Decisions(nn.Module):
    """64 tiny gated blocks (a ModuleList, so scripting unrolls the chain
    into 64 Ifs); `path` counts the blocks taken."""

    def __init__(self):
        super().__init__()
        g = torch.Generator().manual_seed(0)
        self.blocks = nn.ModuleList([TinyBlock(g) for _ in range(BLOCKS)])

    def forward(self, x: torch.Tensor):
        taken = torch.zeros(1, dtype=torch.long)
        for block in self.blocks:
            if bool(x.sum() > block.t):
                x = torch.tanh(x * block.w + block.b)
                taken = taken + 1
            else:
                x = torch.tanh(x * block.w - block.b)
        return x, taken


class TinyLoop(nn.Module):
    """x * a + b, repeated n times; n is the input's last element."""

    def forward(self, x: torch.Tensor):
        n = int(x[16].long())  # a float trip count would be invalid ONNX
        y = x[:16]
        for _ in range(n):
            y = y * 0.999 + 0.001
        return y, torch.tensor([n], dtype=torch.long)


def export(model, example, path):
    with torch.no_grad():
        torch.onnx.export(torch.jit.script(model), (example,), path,
                          opset_version=13, input_names=["input"],
                          output_names=["output", "path"])


def loom_ms(exe, inp, runs, threads):
    out = subprocess.run([exe, "--input", inp, "--bench", str(runs),
                          "--threads", str(threads)],
                         check=True, capture_output=True, text=True).stdout
    return float(re.search(r"median_ms=([0-9.]+)", out).group(1))


def compile_model(loomc, onnx_path):
    exe = onnx_path[:-len(".onnx")]
    subprocess.run([loomc, onnx_path, "-o", exe], check=True)
    return exe


def check_same(exe, inp, ort_outputs, name):
    """Both systems must compute the same thing, or timing them means
    nothing."""
    out0, out1 = inp[:-4] + ".o0.npy", inp[:-4] + ".o1.npy"
    subprocess.run([exe, "--input", inp, "--output", out0, "--output", out1],
                   check=True)
    got = [np.load(out0), np.load(out1)]
    if not ort_runner.agrees(got, ort_outputs):
        sys.exit(f"{name}: Loom and ONNX Runtime disagree on {inp}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loomc", required=True)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    ort_runner.ensure()
    work = tempfile.mkdtemp(prefix="loom-micro-")
    torch.manual_seed(3)

    # Decisions: four inputs, different paths.
    path = os.path.join(work, "decisions.onnx")
    export(Decisions(), torch.randn(1, 16), path)
    exe = compile_model(args.loomc, path)
    inputs = []
    for k in range(4):
        inputs.append(os.path.join(work, f"dec{k}.npy"))
        np.save(inputs[-1], torch.randn(1, 16).numpy())
    ort = ort_runner.run(path, inputs, args.threads, args.runs)
    loom, taken = [], []
    for inp, r in zip(inputs, ort):
        check_same(exe, inp, r["outputs"], "decisions")
        loom.append(loom_ms(exe, inp, args.runs, args.threads))
        taken.append(int(r["outputs"][1][0]))
    loom_us = 1e3 * float(np.median(loom)) / BLOCKS
    ort_us = 1e3 * float(np.median([r["median_ms"] for r in ort])) / BLOCKS
    print(f"decision ({BLOCKS} gated tiny blocks; blocks taken per input: "
          f"{taken}): Loom {loom_us:.3f} us, ONNX Runtime If {ort_us:.3f} us "
          f"per decision; ORT/Loom {ort_us / loom_us:.1f}x")

    # Loop: the slope between two trip counts.
    path = os.path.join(work, "loop.onnx")
    example = torch.cat([torch.randn(16), torch.tensor([4.0])])
    export(TinyLoop(), example, path)
    exe = compile_model(args.loomc, path)
    inputs = []
    for trips in (LOW_TRIPS, HIGH_TRIPS):
        inputs.append(os.path.join(work, f"loop{trips}.npy"))
        np.save(inputs[-1], torch.cat([torch.randn(16),
                                       torch.tensor([float(trips)])]).numpy())
    ort = ort_runner.run(path, inputs, args.threads, args.runs)
    loom = []
    for inp, r in zip(inputs, ort):
        check_same(exe, inp, r["outputs"], "loop")
        loom.append(loom_ms(exe, inp, args.runs, args.threads))
    span = HIGH_TRIPS - LOW_TRIPS
    loom_us = 1e3 * (loom[1] - loom[0]) / span
    ort_us = 1e3 * (ort[1]["median_ms"] - ort[0]["median_ms"]) / span
    print(f"loop iteration (tiny body, {LOW_TRIPS} vs {HIGH_TRIPS} trips): "
          f"Loom {loom_us:.4f} us, ONNX Runtime Loop {ort_us:.4f} us per "
          f"iteration; ORT/Loom {ort_us / loom_us:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
