#!/usr/bin/env python3
"""The dynamic suite's proof that its models are really dynamic: ONNX
Runtime running the jit.script export (If/Loop kept) agrees with eager
PyTorch on every input, and running the traced export (one path frozen
into straight-line ops) disagrees on some.

  check_ort_traced.py --model-dir DIR NAME...
"""
import argparse
import glob
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "benchmarks"))
import ort_runner  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", required=True)
    parser.add_argument("models", nargs="+")
    args = parser.parse_args()
    ok = True
    for name in args.models:
        d = os.path.join(args.model_dir, name)
        count = len(glob.glob(os.path.join(d, "in*.npy")))
        inputs = [os.path.join(d, f"in{k}.npy") for k in range(count)]
        eager = [[np.load(os.path.join(d, f"out{k}_{i}.npy")) for i in range(2)]
                 for k in range(count)]
        agree = {}
        for export in ("model", "traced"):
            results = ort_runner.run(os.path.join(d, f"{export}.onnx"), inputs)
            agree[export] = sum(ort_runner.agrees(r["outputs"], e)
                                for r, e in zip(results, eager))
        print(f"{name}: scripted export agrees with eager on "
              f"{agree['model']}/{count}, traced export on "
              f"{agree['traced']}/{count}")
        ok &= agree["model"] == count and agree["traced"] < count
    print("dynamic: yes" if ok else "dynamic: NO")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
