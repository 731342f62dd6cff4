#!/usr/bin/env python3
"""Loom against ONNX Runtime 1.30 and PyTorch 1.13 eager, side by side.

Runs with Debian's /usr/bin/python3 (PyTorch, NumPy). For each model and
thread count it compiles the model with loomc once, then times, on the same
input and in one run: the Loom executable (--bench), ONNX Runtime through
onnxruntime-node (installed into benchmarks/.node with --ignore-scripts),
and PyTorch eager. It prints medians and the ratios Loom/peer (below 1:
Loom is faster). Not part of ctest.

  /usr/bin/python3 benchmarks/run_benchmarks.py [--runs N] [--threads 1 2]
      [--models resnet18 mlp ...]

It installs libopenblas0-pthread (without it Debian's PyTorch uses the
reference BLAS and its column means nothing) and onnxruntime-node if absent.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(HERE, "models"))
import export_torch_models  # noqa: E402


def ensure_peers():
    subprocess.run([os.path.join(ROOT, "scripts", "install-deps.sh")],
                   env=dict(os.environ, LOOM_DEPS_EXTRA="libopenblas0-pthread"),
                   check=True, stdout=subprocess.DEVNULL)
    node_dir = os.path.join(HERE, ".node")
    if not os.path.isdir(os.path.join(node_dir, "node_modules",
                                      "onnxruntime-node")):
        os.makedirs(node_dir, exist_ok=True)
        subprocess.run(["npm", "install", "--ignore-scripts", "--prefix",
                        node_dir, "onnxruntime-node@1.30.0"], check=True,
                       stdout=subprocess.DEVNULL)
    return node_dir


def parse(line):
    fields = dict(f.split("=") for f in line.split())
    return float(fields["median_ms"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--models", nargs="+", default=[
        "mlp", "resnet18", "mobilenet_v2", "squeezenet1_1",
        "transformer_encoder_layer"])
    args = parser.parse_args()
    node_dir = ensure_peers()
    work = os.path.join(HERE, ".work")
    os.makedirs(work, exist_ok=True)
    loomc = os.path.join(args.build, "bin", "loomc")
    rows = []
    for name in args.models:
        onnx_path = os.path.join(work, f"{name}-opset13.onnx")
        if not os.path.exists(onnx_path):
            subprocess.run([sys.executable,
                            os.path.join(HERE, "models", "export_torch_models.py"),
                            work, "--opset", "13", "--models", name],
                           check=True, stdout=subprocess.DEVNULL)
        torch.manual_seed(0)
        model, example, _ = export_torch_models.MODELS[name]()
        model.eval()
        x = np.random.default_rng(1).standard_normal(
            tuple(example.shape)).astype(np.float32)
        shape = "x".join(str(d) for d in x.shape)
        exe = os.path.join(work, name)
        start = time.time()
        subprocess.run([loomc, onnx_path, "-o", exe, "--input-shape",
                        f"input:{shape}"], check=True)
        compile_s = time.time() - start
        npy = os.path.join(work, f"{name}.npy")
        raw = os.path.join(work, f"{name}.bin")
        np.save(npy, x)
        x.tofile(raw)
        for threads in args.threads:
            loom = parse(subprocess.run(
                [exe, "--input", npy, "--bench", str(args.runs), "--threads",
                 str(threads)], check=True, capture_output=True,
                text=True).stdout)
            ort = parse(subprocess.run(
                ["node", os.path.join(HERE, "ort_bench.js"), onnx_path, raw,
                 shape, str(threads), str(args.runs)], check=True,
                capture_output=True, text=True,
                env=dict(os.environ, NODE_PATH=os.path.join(
                    node_dir, "node_modules"))).stdout)
            torch.set_num_threads(threads)
            tx = torch.from_numpy(x)
            times = []
            with torch.no_grad():
                model(tx)
                for _ in range(args.runs):
                    t0 = time.perf_counter()
                    model(tx)
                    times.append((time.perf_counter() - t0) * 1e3)
            pt = statistics.median(times)
            rows.append((name, threads, loom, ort, pt, compile_s))
            print(f"{name} threads={threads}: loom {loom:.3f} ms, "
                  f"onnxruntime {ort:.3f} ms, pytorch {pt:.3f} ms",
                  file=sys.stderr)
    print(f"\nmedian latency in ms over {args.runs} runs (after a warm-up); "
          "ratio = Loom / peer\n")
    print("| model | threads | Loom | ONNX Runtime | PyTorch | Loom/ORT | "
          "Loom/PyTorch | loomc s |")
    print("|---|---|---|---|---|---|---|---|")
    for name, threads, loom, ort, pt, compile_s in rows:
        print(f"| {name} | {threads} | {loom:.3f} | {ort:.3f} | {pt:.3f} | "
              f"{loom / ort:.2f} | {loom / pt:.2f} | {compile_s:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
