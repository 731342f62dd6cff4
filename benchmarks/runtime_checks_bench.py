#!/usr/bin/env python3
"""What Loom's run-time checks cost: each benchmark model compiled with
loomc's default (--runtime-checks=on) and with --runtime-checks=off, timed
interleaved (on, off, off, on, ... so that drift hits both alike), ROUNDS
rounds of --bench RUNS each, on one thread. Prints, per model, the number of
checks left after compilation (kernel.check ops after canonicalization),
the median of the rounds' medians for each build, their spread (min-max)
and the ratio on/off. Not part of ctest.

  /usr/bin/python3 benchmarks/runtime_checks_bench.py [--rounds 3] [--runs 30]
      [--models mlp resnet18 ...]

Models named NAME:dynamic keep the exported dynamic batch (more checks stay:
dims are only known at run time); the others are compiled for the example
input's shape, as run_benchmarks.py does. dyn:NAME is a model of the dynamic
suite (benchmarks/models/dynamic: control flow split by DyCL, data-dependent
gathers), timed on the first of the inputs it exports.
"""
import argparse
import os
import statistics
import subprocess
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(HERE, "models"))
import export_torch_models  # noqa: E402


def median_ms(exe, npy, runs):
    out = subprocess.run([exe, "--input", npy, "--bench", str(runs),
                          "--threads", "1"], check=True, capture_output=True,
                         text=True).stdout
    fields = dict(f.split("=") for f in out.split())
    return float(fields["median_ms"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--models", nargs="+", default=[
        "mlp", "mlp:dynamic", "resnet18", "mobilenet_v2", "squeezenet1_1",
        "transformer_encoder_layer", "dyn:act", "dyn:sdn", "dyn:skipnet",
        "dyn:blockdrop", "dyn:captioner"])
    args = parser.parse_args()
    work = os.path.join(HERE, ".work")
    os.makedirs(work, exist_ok=True)
    loomc = os.path.join(args.build, "bin", "loomc")
    print("| model | checks left | on (ms) | spread | off (ms) | spread | "
          "on/off |")
    print("|---|---|---|---|---|---|---|")
    dynamic = [s[4:] for s in args.models if s.startswith("dyn:")]
    if dynamic:
        subprocess.run([sys.executable,
                        os.path.join(HERE, "models", "dynamic",
                                     "export_dynamic_models.py"),
                        os.path.join(work, "dynamic"), "--count", "8",
                        "--models", *dynamic], check=True,
                       capture_output=True)
    for spec in args.models:
        name, _, mode = spec.partition(":")
        if name == "dyn":
            name, mode = mode, "dyn"
            d = os.path.join(work, "dynamic", name)
            onnx_path, npy, shape = (os.path.join(d, "model.onnx"),
                                     os.path.join(d, "in0.npy"), [])
            measure(spec, loomc, onnx_path, npy, shape, work, name, mode, args)
            continue
        onnx_path = os.path.join(work, f"{name}-opset13.onnx")
        if not os.path.exists(onnx_path):
            subprocess.run([sys.executable,
                            os.path.join(HERE, "models",
                                         "export_torch_models.py"),
                            work, "--opset", "13", "--models", name],
                           check=True, stdout=subprocess.DEVNULL)
        torch.manual_seed(0)
        _, example, _ = export_torch_models.MODELS[name]()
        x = np.random.default_rng(1).standard_normal(
            tuple(example.shape)).astype(np.float32)
        npy = os.path.join(work, f"{name}.npy")
        np.save(npy, x)
        shape = [] if mode == "dynamic" else [
            "--input-shape", "input:" + "x".join(str(d) for d in x.shape)]
        measure(spec, loomc, onnx_path, npy, shape, work, name, mode, args)


def measure(spec, loomc, onnx_path, npy, shape, work, name, mode, args):
    """Compiles `onnx_path` with and without checks and prints their row."""
    exes = {}
    for checks in ("on", "off"):
        exes[checks] = os.path.join(work, f"{name}-{mode}-checks-{checks}")
        subprocess.run([loomc, onnx_path, "-o", exes[checks],
                        f"--runtime-checks={checks}"] + shape, check=True)
    ir = subprocess.run([loomc, onnx_path, "--emit=mlir",
                         "--compile-to=bufferize", "-o", "-"] + shape,
                        check=True, capture_output=True, text=True).stdout
    count = ir.count("kernel.check ")
    times = {"on": [], "off": []}
    for r in range(args.rounds):
        order = ("on", "off") if r % 2 == 0 else ("off", "on")
        for checks in order:
            times[checks].append(median_ms(exes[checks], npy, args.runs))
    on, off = (statistics.median(times[c]) for c in ("on", "off"))
    print(f"| {spec} | {count} | {on:.4g} | {min(times['on']):.4g}-"
          f"{max(times['on']):.4g} | {off:.4g} | {min(times['off']):.4g}-"
          f"{max(times['off']):.4g} | {on / off:.3f} |", flush=True)


if __name__ == "__main__":
    main()
