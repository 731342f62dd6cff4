#!/usr/bin/python3
"""Latency of the dynamic model suite: Loom against ONNX Runtime 1.30 (the
single jit.script ONNX file, If/Loop inside), PyTorch eager and
TorchScript (script + freeze), side by side in one run.

    /usr/bin/python3 benchmarks/dynamic_bench.py --loomc build/bin/loomc
        [--models act sdn skipnet blockdrop captioner] [--inputs 8]
        [--runs 20] [--threads 1 2]

Each model is exported (export_dynamic_models.py) and compiled; for each of
the first --inputs inputs (different inputs take different paths) every
system runs it --runs times after a warm-up, and its median is kept. A
system's figure for the model is the mean of those per-input medians; the
ratio is Loom's figure over the peer's (below 1: Loom is faster). Geomeans
over the models close the table. PyTorch runs with OpenBLAS
(libopenblas0-pthread, installed if absent, as in run_benchmarks.py).
"""

import argparse
import math
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "models", "dynamic"))
import models  # noqa: E402
import ort_runner  # noqa: E402
from run_benchmarks import ensure_peers  # noqa: E402


def median_ms(fn, runs):
    fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return float(np.median(times))


def loom_ms(exe, inp, runs, threads):
    out = subprocess.run([exe, "--input", inp, "--bench", str(runs),
                          "--threads", str(threads)],
                         check=True, capture_output=True, text=True).stdout
    return float(re.search(r"median_ms=([0-9.]+)", out).group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loomc", required=True)
    parser.add_argument("--models", nargs="+",
                        default=["act", "sdn", "skipnet", "blockdrop",
                                 "captioner"])
    parser.add_argument("--inputs", type=int, default=8)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    ensure_peers()
    work = tempfile.mkdtemp(prefix="loom-dyn-bench-")
    subprocess.run([sys.executable, os.path.join(HERE, "models", "dynamic",
                                                 "export_dynamic_models.py"),
                    work, "--count", str(args.inputs), "--models", *args.models],
                   check=True, capture_output=True)
    print("median latency in ms (mean over inputs of per-input medians); "
          "ratio = Loom / peer")
    peers = ("ONNX Runtime", "eager", "TorchScript")
    print("| model | threads | Loom | " + " | ".join(peers) + " | " +
          " | ".join(f"Loom/{p}" for p in peers) + " |")
    print("|---" * (3 + 2 * len(peers)) + "|")
    ratios = {}
    for name in args.models:
        d = os.path.join(work, name)
        exe = os.path.join(d, "loom-model")
        subprocess.run([args.loomc, os.path.join(d, "model.onnx"), "-o", exe],
                       check=True)
        model = models.build(name)
        with torch.no_grad():
            frozen = torch.jit.freeze(torch.jit.script(model))
        xs = [torch.from_numpy(np.load(os.path.join(d, f"in{k}.npy")))
              for k in range(args.inputs)]
        inputs = [os.path.join(d, f"in{k}.npy") for k in range(args.inputs)]
        for threads in args.threads:
            torch.set_num_threads(threads)
            ort = [r["median_ms"] for r in ort_runner.run(
                os.path.join(d, "model.onnx"), inputs, threads, args.runs)]
            loom, eager, script = [], [], []
            with torch.no_grad():
                for k, x in enumerate(xs):
                    loom.append(loom_ms(exe, inputs[k], args.runs, threads))
                    eager.append(median_ms(lambda: model(x), args.runs))
                    script.append(median_ms(lambda: frozen(x), args.runs))
            row = [float(np.mean(v)) for v in (loom, ort, eager, script)]
            r = tuple(row[0] / peer for peer in row[1:])
            ratios.setdefault(threads, []).append(r)
            print(f"| {name} | {threads} | " +
                  " | ".join(f"{v:.3f}" for v in row) + " | " +
                  " | ".join(f"{v:.2f}" for v in r) + " |")
    for threads, rs in ratios.items():
        geo = [math.exp(np.mean([math.log(r[i]) for r in rs]))
               for i in range(len(peers))]
        print(f"geomean, {threads} thread(s): " + ", ".join(
            f"Loom/{p} {g:.2f}" for p, g in zip(peers, geo)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
