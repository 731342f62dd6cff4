#!/usr/bin/env python3
"""Weights and memory: loomc's time and peak memory per model, and each
compiled model's latency, page faults and mallocs per run, with the static
memory plan and without it, side by side in one run.

  /usr/bin/python3 benchmarks/memory_bench.py [--build build] [--runs N]
      [--baseline OLD_BUILD] [--models resnet18 mlp ...] [--stack 2 4 8]

For each model: loomc's wall time and peak RSS (the median and the
largest of three compiles);
then the executable's median latency (--bench, 1 thread; five rounds with
the builds interleaved, the median of their medians) and peak RSS, and
per run
(after the first) the minor page faults and malloc calls (runstats.c,
which interposes glibc's allocator and tells Loom's from oneDNN's), for the
default build and for
`--memory-plan=false`. With --baseline, the same for an older build's loomc
and runtime (weights through LLVM, no memory plan). --stack L... adds the
generated MLP stack of L layers of 8192x8192 f32 weights (256 MiB each,
ONNX external data), which also checks the run against NumPy (no baseline for those:
compiling weights through LLVM IR takes ~20x their size in memory). loomc's
peak memory is the largest of its process and its link step's. Not part of ctest.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(HERE, "models"))


def timed(cmd, stdout=subprocess.DEVNULL):
    """Runs cmd under /usr/bin/time; returns (seconds, peak RSS in MB, its
    stdout). Not os.wait4 on a child of this process: Linux keeps a
    process's peak RSS across exec, so a child forked from this Python
    (with NumPy and PyTorch loaded) would report Python's."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        proc = subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o",
                               report.name] + cmd, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"{cmd[0]} failed: {proc.stderr}")
        seconds, kilobytes = report.read().split()[-2:]
    return float(seconds), int(kilobytes) / 1024, proc.stdout


def runstats(tool, model, inputs, runs=6):
    out = subprocess.run([tool, model, str(runs), "1"] + inputs, check=True,
                         capture_output=True, text=True).stdout
    rows = re.findall(r"run (\d+): -?\d+ mallocs \((-?\d+) by Loom, (-?\d+) "
                      r"in the kernel library\), (\d+) minor faults", out)
    later = [(int(m), int(k), int(f)) for r, m, k, f in rows if int(r) > 1]

    def median(i):
        return sorted(row[i] for row in later)[len(later) // 2]
    return f"{median(0)} + {median(1)}", median(2)


def bench(exes, inputs, runs, rounds=5):
    """Median latency of each executable: `rounds` rounds, the executables
    interleaved in each, the median of the rounds' medians."""
    times = {exe: [] for exe in exes}
    peak = {exe: 0.0 for exe in exes}
    for _ in range(rounds):
        for exe in exes:
            _, rss, out = timed([exe, "--input"] + inputs +
                                ["--bench", str(runs), "--threads", "1"])
            peak[exe] = max(peak[exe], rss)
            times[exe].append(float(re.search(r"median_ms=([0-9.]+)",
                                              out).group(1)))
    return {exe: (sorted(t)[len(t) // 2], peak[exe])
            for exe, t in times.items()}


def build_runstats(build, work, label):
    tool = os.path.join(work, "runstats-" + label)
    subprocess.run(["cc", "-std=c11", "-O1", "-DCOUNT_MALLOC", "-rdynamic",
                    os.path.join(ROOT, "test", "runtime", "runstats.c"),
                    "-I" + os.path.join(ROOT, "runtime", "include"),
                    "-L" + os.path.join(build, "lib"), "-lLoomRuntime",
                    "-lstdc++", "-ldl", "-lm", "-lpthread", "-o", tool],
                   check=True)
    return tool


def compile_model(name, build, model, inputs, work, extra=(), tool=None):
    """loomc's time and peak memory; runstats' faults and mallocs."""
    loomc = os.path.join(build, "bin", "loomc")
    exe = os.path.join(work, f"{name}.exe")
    lib = os.path.join(work, f"{name}.so")
    # Three compiles: the median time, the largest peak.
    samples = [timed([loomc, model, "-o", exe] + list(extra))
               for _ in range(3)]
    seconds = sorted(t for t, _, _ in samples)[1]
    rss = max(m for _, m, _ in samples)
    subprocess.run([loomc, model, "--emit=lib", "-o", lib] + list(extra),
                   check=True, stderr=subprocess.DEVNULL)
    mallocs, faults = runstats(tool, lib, inputs)
    return exe, seconds, rss, faults, mallocs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--baseline")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--models", nargs="+", default=[
        "mlp", "resnet18", "mobilenet_v2", "transformer_encoder_layer"])
    parser.add_argument("--stack", type=int, nargs="*", default=[])
    parser.add_argument("--work", default=os.path.join(HERE, ".work"))
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    work = tempfile.mkdtemp(dir=args.work, prefix="memory-")
    tool = build_runstats(args.build, work, "build")
    base_tool = (build_runstats(args.baseline, work, "baseline")
                 if args.baseline else None)

    models = []
    if args.models:
        import numpy as np
        import export_torch_models
        for name in args.models:
            onnx = os.path.join(args.work, f"{name}-opset13.onnx")
            if not os.path.exists(onnx):
                subprocess.run([sys.executable, os.path.join(
                    HERE, "models", "export_torch_models.py"), args.work,
                    "--opset", "13", "--models", name], check=True,
                    stdout=subprocess.DEVNULL)
            x = os.path.join(args.work, f"{name}.npy")
            if not os.path.exists(x):
                _, example, _ = getattr(export_torch_models, name)()
                np.save(x, example.numpy())
            shape = "x".join(str(d) for d in np.load(x).shape)
            models.append((name, onnx, [x], 20,
                           ("--input-shape", f"input:{shape}")))
    for layers in args.stack:
        d = os.path.join(work, f"stack{layers}")
        subprocess.run([sys.executable, os.path.join(
            ROOT, "test", "runtime", "weights_model.py"), "model", d,
            "--layers", str(layers), "--width", "8192", "--batch", "4",
            "--external"], check=True)
        onnx = os.path.join(d, "model.onnx")
        with open(os.path.join(d, "model.pbtxt")) as src, \
                open(onnx, "wb") as dst:
            subprocess.run(["protoc", "--encode=onnx.ModelProto",
                            "-I/usr/include/onnx", "/usr/include/onnx/"
                            "onnx.proto"], stdin=src, stdout=dst, check=True)
        models.append((f"stack{layers} ({layers * 256} MiB)", onnx,
                       [os.path.join(d, "x.npy")], 5, ()))

    print("| model | build | loomc s | loomc MB | median ms | run MB "
          "| faults/run | mallocs/run (Loom + oneDNN) |")
    print("|---|---|---|---|---|---|---|---|")
    for name, onnx, inputs, runs, shape in models:
        runs = min(runs, args.runs)
        tag = re.sub(r"\W+", "_", name)
        rows = [("plan", args.build, shape, tool),
                ("no plan", args.build, shape + ("--memory-plan=false",),
                 tool)]
        # The baseline compiles weights through LLVM IR: ~20x their size in
        # memory, more than this machine has for the stacks.
        if args.baseline and not name.startswith("stack"):
            rows.append(("baseline", args.baseline, shape, base_tool))
        results = [compile_model(f"{tag}-{label.replace(' ', '')}", build,
                                 onnx, inputs, work, extra, t)
                   for label, build, extra, t in rows]
        medians = bench([r[0] for r in results], inputs, runs)
        for (label, *_), (exe, s, rss, faults, mallocs) in zip(rows, results):
            median, peak = medians[exe]
            print(f"| {name} | {label} | {s:.2f} | {rss:.0f} | "
                  f"{median:.3g} | {peak:.0f} | {faults} | {mallocs} |",
                  flush=True)
        if name.startswith("stack"):
            lib = os.path.join(work, f"{tag}-plan.so")
            expected = os.path.join(os.path.dirname(onnx), "y.npy")
            subprocess.run([os.path.join(args.build, "bin", "loom-run"), lib,
                            "--input"] + inputs + ["--expect", expected,
                                                   "--rel-l2", "1e-5"],
                           check=True)
            print(f"|   {name}: matches NumPy (relative L2 < 1e-5) | | | | | "
                  "| | |", flush=True)


if __name__ == "__main__":
    main()
