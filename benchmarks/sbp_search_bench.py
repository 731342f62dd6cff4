#!/usr/bin/env python3
"""How long sbp-derive takes to plan graphs of 100, 1 000 and 10 000 ops,
and how its plan compares with OneFlow's default greedy inference.

    python3 benchmarks/sbp_search_bench.py --loom-opt build/bin/loom-opt
        [--ops 100 1000 10000] [--mesh 4 2x2] [--runs 3]

The graphs are stacks of transformer-style MLP blocks with residuals
(matmul, gelu-like tanh, matmul, add, layer norm; weights as constants),
so their structure is series-parallel like real models. The pass time is
read from `--mlir-timing` (median over runs); plan and greedy costs from
`print-plan`. Not part of ctest.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile

OPS_PER_BLOCK = 8  # 2 weights, 2 matmuls, tanh, add, layer norm (+ its scale)


def model(blocks, batch=64, width=512, hidden=2048):
    x = f"tensor<{batch}x{width}xf32>"
    h = f"tensor<{batch}x{hidden}xf32>"
    lines = [f"func.func @stack(%x0: {x} {{graph.name = \"x\"}}) -> {x} {{"]
    for b in range(blocks):
        lines += [
            f"  %w{b}a = graph.constant dense<0.5> : tensor<{width}x{hidden}xf32> loc(\"w{b}a\")",
            f"  %w{b}b = graph.constant dense<0.5> : tensor<{hidden}x{width}xf32> loc(\"w{b}b\")",
            f"  %h{b} = graph.matmul %x{b}, %w{b}a : ({x}, tensor<{width}x{hidden}xf32>) -> {h} loc(\"up{b}\")",
            f"  %a{b} = graph.tanh %h{b} : ({h}) -> {h} loc(\"act{b}\")",
            f"  %d{b} = graph.matmul %a{b}, %w{b}b : ({h}, tensor<{hidden}x{width}xf32>) -> {x} loc(\"down{b}\")",
            f"  %r{b} = graph.add %d{b}, %x{b} : ({x}, {x}) -> {x} loc(\"res{b}\")",
            f"  %s{b} = graph.constant dense<1.0> : tensor<{width}xf32> loc(\"scale{b}\")",
            f"  %x{b + 1}, %m{b}, %v{b} = graph.layer_norm %r{b}, %s{b} {{axis = 1 : i64}} : ({x}, tensor<{width}xf32>) -> ({x}, tensor<{batch}x1xf32>, tensor<{batch}x1xf32>) loc(\"norm{b}\")",
        ]
    lines += [f"  return %x{blocks} : {x}", "}"]
    return "\n".join(lines) + "\n"


def run(loom_opt, path, mesh):
    out = subprocess.run(
        [loom_opt, path, "-o", os.devnull, "--mlir-timing",
         "-p", f"builtin.module(sbp-derive{{mesh={mesh} print-plan "
               "memory-cost-per-byte=1e-9})"],
        check=True, capture_output=True, text=True)
    text = out.stdout + out.stderr
    seconds = float(re.search(r"([0-9.]+) \([ 0-9.]+%\)\s+SbpDerivePass",
                              text).group(1))
    head = re.search(r"predicted ([0-9.e+-]+) s per step \(([^;]+); (\d+) "
                     r"core node\(s\)\); greedy ([0-9.e+-]+) s", text)
    return seconds, float(head.group(1)), head.group(2), int(head.group(3)), \
        float(head.group(4))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loom-opt", required=True)
    parser.add_argument("--ops", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--mesh", nargs="+", default=["4", "2x2"])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="loom-sbp-bench-")
    print("| ops | mesh | search (s, median) | plan cost (s) | greedy (s) | "
          "greedy/plan | solved |")
    print("|---|---|---|---|---|---|---|")
    for ops in args.ops:
        blocks = max(1, ops // OPS_PER_BLOCK)
        path = os.path.join(work, f"stack{ops}.mlir")
        with open(path, "w") as f:
            f.write(model(blocks))
        for mesh in args.mesh:
            results = [run(args.loom_opt, path, mesh) for _ in range(args.runs)]
            seconds = statistics.median(r[0] for r in results)
            _, cost, how, core, greedy = results[0]
            print(f"| {blocks * OPS_PER_BLOCK + 1} | {mesh} | {seconds:.4f} | "
                  f"{cost:.4e} | {greedy:.4e} | {greedy / cost:.2f} | "
                  f"{how}, core {core} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
