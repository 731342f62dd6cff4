#!/usr/bin/env python3
"""Compiles the dynamic models (exported by
benchmarks/models/dynamic/export_dynamic_models.py) with loomc and checks,
on every exported input, that Loom took eager PyTorch's path (the `path`
output, exactly) and computed its output within 1e-4 (max abs error
relative to the largest magnitude; integer outputs exactly).

  check_dynamic.py --loomc LOOMC --model-dir DIR [--mesh N --loom-run PATH]
      NAME...

With --mesh, the models are compiled for N ranks (SBP: control flow stays
replicated, subgraphs are partitioned) and each run is `loom-run -n N`. The
plans are made for a link fast against the compute, so that the subgraphs
split (with the defaults, ranks on one machine, these small models stay
replicated); the first run reports the bytes rank 0 sent.
"""
import argparse
import glob
import os
import re
import subprocess
import sys
import time

import numpy as np


def check(loomc, model_dir, name, mesh=None, loom_run=None, flags=()):
    d = os.path.join(model_dir, name)
    exe = os.path.join(d, "loom-model" + (f"-mesh{mesh}" if mesh else "") +
                       ("-" + "".join(c for c in "".join(flags) if c.isalnum())
                        if flags else ""))
    start = time.monotonic()
    extra = [f"--mesh={mesh}", "--sbp-flops=2e10", "--sbp-link-bandwidth=5e9",
             "--sbp-collective-latency=2e-5"] if mesh else []
    log = subprocess.run([loomc, os.path.join(d, "model.onnx"), "-o", exe, "-v",
                          *extra, *flags],
                         check=True, capture_output=True, text=True).stderr
    seconds = time.monotonic() - start
    subgraphs = re.search(r"split: (\d+) subgraph", log)
    count = len(glob.glob(os.path.join(d, "in*.npy")))
    worst = 0.0
    sent = None
    for k in range(count):
        outs = [os.path.join(d, f"loom{k}_{i}.npy") for i in range(2)]
        launch = [loom_run, "-n", str(mesh)] if mesh else []
        cmd = [*launch, exe, "--input", os.path.join(d, f"in{k}.npy")]
        for out in outs:
            cmd += ["--output", out]
        if mesh and k == 0:
            stats = subprocess.run(cmd, check=True, capture_output=True, text=True,
                                   env=dict(os.environ, LOOM_COMM_STATS="1")).stderr
            # A model none of whose subgraphs boxes never joins the job.
            found = re.search(r"loom: rank 0 sent (\d+) bytes", stats)
            sent = int(found.group(1)) if found else 0
        else:
            subprocess.run(cmd, check=True)
        for i, out in enumerate(outs):
            got = np.load(out)
            ref = np.load(os.path.join(d, f"out{k}_{i}.npy"))
            if got.shape != ref.shape:
                print(f"{name}: input {k} output {i}: shape {got.shape}, "
                      f"eager {ref.shape}")
                return False
            if ref.dtype.kind in "iub":
                if not np.array_equal(got, ref):
                    print(f"{name}: input {k} output {i}: {got.flatten()[:24]} "
                          f"but eager {ref.flatten()[:24]}")
                    return False
                continue
            error = float(np.abs(got - ref).max() / max(np.abs(ref).max(), 1e-30))
            worst = max(worst, error)
            if not error <= 1e-4:
                print(f"{name}: input {k} output {i}: error {error:.2e}")
                return False
    paths = len(set(open(os.path.join(d, "paths.txt")).read().split("\n")) - {""})
    where = f" on {mesh} ranks" if mesh else ""
    print(f"{name}{where}: {count} inputs, {paths} distinct paths, all paths equal, "
          f"worst error {worst:.1e}; "
          f"{subgraphs.group(1) if subgraphs else 0} subgraphs, "
          f"compiled in {seconds:.1f} s"
          + (f"; rank 0 sent {sent} bytes on input 0" if mesh else ""))
    return True


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--loomc", required=True)
    parser.add_argument("--model-dir", required=True)
    parser.add_argument("--mesh", type=int)
    parser.add_argument("--loom-run")
    parser.add_argument("--loomc-flag", action="append", default=[],
                        help="an extra loomc flag (--target=cuda)")
    parser.add_argument("names", nargs="+")
    args = parser.parse_args()
    ok = all([check(args.loomc, args.model_dir, name, args.mesh, args.loom_run,
                     args.loomc_flag)
              for name in args.names])
    print("all match eager PyTorch" if ok else "MISMATCH")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
